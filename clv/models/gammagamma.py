"""Gamma-Gamma model of spend per transaction.

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value curves for
customer base analysis. Journal of Marketing Research 42(4), 415-430 (section "Modeling the
monetary value"); Fader & Hardie (2013), "The Gamma-Gamma model of monetary value" (note),
equations (1)-(5).

Transaction values z ~ Gamma(p, nu) around a customer mean p/nu, with nu ~ Gamma(q, gamma)
across customers. Only the mean spend zbar of x repeat transactions is needed.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clv._validation import (
    as_float_array,
    check_finite_nonnegative,
    check_same_length,
    validate_weights,
)
from clv.models.base import BaseFitter


def _validate_spend(frequency, monetary_value, *, require_repeat: bool):
    x = as_float_array(frequency, name="frequency x")
    spend = as_float_array(monetary_value, name="monetary value")
    check_same_length(frequency=x, monetary_value=spend)
    check_finite_nonnegative(x, name="frequency x")
    check_finite_nonnegative(spend, name="monetary value")
    not_integer = x != np.floor(x)
    if not_integer.any():
        row = int(np.flatnonzero(not_integer)[0])
        raise ValueError(f"frequency x must be a whole number, row {row}: {x[row]!r}")
    if require_repeat:
        no_repeat = x <= 0
        if no_repeat.any():
            row = int(np.flatnonzero(no_repeat)[0])
            raise ValueError(
                f"the Gamma-Gamma model is fitted on repeat buyers only: frequency x=0 at row {row} "
                "(select the customers with x > 0)"
            )
    zero_spend = (x > 0) & (spend <= 0)
    if zero_spend.any():
        row = int(np.flatnonzero(zero_spend)[0])
        raise ValueError(
            f"monetary value must be positive for a repeat buyer, row {row}: {spend[row]!r} "
            "(returns or free orders leave a mean of zero or less; leave such customers out)"
        )
    return x, spend


class GammaGamma(BaseFitter):
    """Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV").

    Parameters
    ----------
    penalizer_coef : float, default 0.0
    initial_params : dict, optional
        Starting values for ``p, q, gamma``.
    max_iter : int, default 2000

    Attributes
    ----------
    params_ : dict
        ``p`` (shape of transaction values), ``q`` and ``gamma`` (gamma mixing distribution).
        On the CDNOW sample: p=6.25, q=3.74, gamma=15.44, log-likelihood -4055.92.
    standard_errors_, log_likelihood_, n_customers_, aic_, bic_, n_iter_

    Notes
    -----
    The model assumes that spend is independent of the purchase process; check the
    correlation of x and zbar before relying on it.
    """

    parameter_names = ("p", "q", "gamma")
    default_initial_params = {"p": 1.0, "q": 1.0, "gamma": 1.0}
    model_name = "Gamma-Gamma"

    def fit(self, frequency, monetary_value, *, weights=None):
        """Fit on repeat buyers: ``frequency`` x > 0 and their mean repeat spend zbar.

        Returns
        -------
        self
        """
        x, spend = _validate_spend(frequency, monetary_value, require_repeat=True)
        row_weights = validate_weights(weights, length=len(x))
        used = row_weights > 0
        return self._fit_rows(
            (x[used], spend[used]), row_weights[used], n_customers=float(row_weights.sum())
        )

    def _row_log_likelihood(self, params, data, *, with_gradient):
        """Log density of zbar given x, the Fader & Hardie (2013) note, eq. (4):

        .. math::
            f(\\bar z | x) = \\frac{\\Gamma(px+q)}{\\Gamma(px)\\Gamma(q)}
            \\frac{\\gamma^q (x\\bar z)^{px-1} x}{(\\gamma + x\\bar z)^{px+q}}
        """
        p, q, gamma = params
        x, spend = data
        total = x * spend
        log_total = np.log(total)
        log_gamma_total = np.log(gamma + total)
        log_likelihood = (
            special.gammaln(p * x + q)
            - special.gammaln(p * x)
            - special.gammaln(q)
            + q * np.log(gamma)
            + (p * x - 1.0) * log_total
            + np.log(x)
            - (p * x + q) * log_gamma_total
        )
        if not with_gradient:
            return log_likelihood, None
        digamma_sum = special.digamma(p * x + q)
        gradient = np.empty((len(x), 3))
        gradient[:, 0] = x * (digamma_sum - special.digamma(p * x) + log_total - log_gamma_total)
        gradient[:, 1] = digamma_sum - special.digamma(q) + np.log(gamma) - log_gamma_total
        gradient[:, 2] = q / gamma - (p * x + q) / (gamma + total)
        return log_likelihood, gradient

    def expected_spend(self, frequency, monetary_value) -> np.ndarray:
        """Expected mean spend per transaction of each customer, the note's eq. (5).

        ``E[M | x, zbar] = (q-1)/(px+q-1) * gamma p/(q-1) + px/(px+q-1) * zbar``: a weighted
        mean of the population mean and the customer's own mean. Customers with x = 0 get the
        population mean ``gamma p / (q-1)``, which needs q > 1.
        """
        self._check_fitted()
        p, q, gamma = self._param_values()
        x, spend = _validate_spend(frequency, monetary_value, require_repeat=False)
        if q <= 1.0:
            raise ValueError(
                f"the fitted q={q:.4g} <= 1: the population mean spend gamma*p/(q-1) does not exist; "
                "refit with more repeat buyers or a small penalizer_coef"
            )
        own = np.where(x > 0, spend, 0.0)
        return (gamma + x * own) * p / (p * x + q - 1.0)

    def expected_population_spend(self) -> float:
        """Mean spend per transaction across the population, ``gamma p / (q - 1)``."""
        p, q, gamma = self._param_values()
        return gamma * p / (q - 1.0) if q > 1.0 else float("inf")

    def row_log_likelihood(self, frequency, monetary_value) -> np.ndarray:
        x, spend = _validate_spend(frequency, monetary_value, require_repeat=True)
        return self._row_log_likelihood(
            np.array(self._param_values()), (x, spend), with_gradient=False
        )[0]
