"""Customer lifetime value over a finite horizon.

The discounted-cash-flow form used with buy-till-you-die models (Fader, Hardie & Lee 2005,
"RFM and CLV", eq. 2, with the continuous discounting replaced by per-period discounting):

.. math::
    CLV = \\bar m \\sum_{k=1}^{H} \\frac{E[Y(k\\Delta)] - E[Y((k-1)\\Delta)]}{(1+d)^k}

where E[Y(t)] is the conditional expected number of purchases in (T, T+t], Delta the period
length in the model's time unit, d the discount rate per period and m the expected spend per
purchase (Gamma-Gamma).

With ``if_alive`` the same sum is taken over the expected purchases of a customer still active
at T (``expected_purchases_if_alive``): the value the customer would bring if still, or again, a
customer. As E[Y(t)] = P(alive) x E[Y(t) | alive] for every t in the BG/NBD family and
Pareto/NBD (Fader, Hardie & Lee 2005, eqs. 10 and 11), value = P(alive) x value if alive.
"""

from __future__ import annotations

import numpy as np


def customer_lifetime_value(
    *,
    transaction_model,
    frequency,
    recency,
    T,
    expected_spend,
    horizon_periods: int = 12,
    period_length: float = 30.4375,
    discount_rate: float = 0.01,
    if_alive: bool = False,
) -> np.ndarray:
    """Discounted expected revenue of each customer over ``horizon_periods`` periods.

    Parameters
    ----------
    transaction_model : fitted BG/NBD, MBG/NBD or Pareto/NBD model
    frequency, recency, T : array-like
        The customers' (x, t_x, T) in the model's time unit.
    expected_spend : array-like or float
        Expected value per purchase of each customer (e.g. ``GammaGamma.expected_spend``), or 1
        to get discounted expected purchases.
    horizon_periods : int, default 12
        Number of periods (e.g. months).
    period_length : float, default 30.4375
        Length of a period in the model's time unit (30.4375 days = one month on average; use
        30.4375 / 7 when the model is in weeks).
    discount_rate : float, default 0.01
        Discount rate per period (0.01 a month is about 12.7% a year).
    if_alive : bool, default False
        The value of each customer if still active at T (see the module docstring).

    Returns
    -------
    ndarray
        Non-negative values, one per customer.
    """
    if int(horizon_periods) != horizon_periods or horizon_periods < 0:
        raise ValueError(f"horizon_periods must be a whole number >= 0, got {horizon_periods!r}")
    if not np.isfinite(period_length) or period_length <= 0:
        raise ValueError(f"period_length must be positive, got {period_length!r}")
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError(f"discount_rate must be greater than -1, got {discount_rate!r}")
    spend = np.asarray(expected_spend, dtype=np.float64)
    if np.any(~np.isfinite(spend)) or np.any(spend < 0):
        raise ValueError("expected_spend must be finite and non-negative")
    x = np.asarray(frequency, dtype=np.float64)
    value = np.zeros(x.shape)
    previous = np.zeros(x.shape)
    expected_purchases = (
        transaction_model.expected_purchases_if_alive
        if if_alive
        else transaction_model.expected_purchases
    )
    for period in range(1, int(horizon_periods) + 1):
        cumulative = expected_purchases(period * period_length, frequency, recency, T)
        # The cumulative expectation is non-decreasing; clip rounding noise so value never drops.
        increment = np.maximum(cumulative - previous, 0.0)
        value += increment / (1.0 + discount_rate) ** period
        previous = np.maximum(cumulative, previous)
    return value * spend
