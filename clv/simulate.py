"""Seeded simulators of the models' generative stories, for tests and benchmarks.

Each draws customers' latent rates from the mixing distributions and then their individual
behaviour, and returns the summary a fit sees. Fully vectorised: counts are drawn first, then
the last purchase time from its conditional distribution (for Poisson purchases the purchase
times given their number are uniform order statistics, so the last of k in (0, L] is
L * U^(1/k)).
"""

from __future__ import annotations

import numpy as np


def _rng(random_state):
    return (
        random_state
        if isinstance(random_state, np.random.Generator)
        else np.random.default_rng(random_state)
    )


def _last_of_uniform_order(rng, count, window):
    """Maximum of ``count`` uniform points on (0, window]; 0 where count = 0."""
    with np.errstate(divide="ignore"):
        last = window * rng.random(len(count)) ** (1.0 / np.maximum(count, 1))
    return np.where(count > 0, last, 0.0)


def simulate_pareto_nbd(*, r, alpha, s, beta, T, random_state=None):
    """Pareto/NBD customers observed for ages ``T`` (array): returns (x, t_x, T)."""
    rng = _rng(random_state)
    age = np.asarray(T, dtype=np.float64)
    rate = rng.gamma(r, 1.0 / alpha, size=len(age))
    death_rate = rng.gamma(s, 1.0 / beta, size=len(age))
    lifetime = rng.exponential(1.0 / death_rate)
    active_window = np.minimum(lifetime, age)
    x = rng.poisson(rate * active_window).astype(np.float64)
    t_x = _last_of_uniform_order(rng, x, active_window)
    return x, t_x, age


def simulate_bgnbd(*, r, alpha, a, b, T, random_state=None, modified: bool = False):
    """BG/NBD (or MBG/NBD with ``modified``) customers observed for ages ``T``: (x, t_x, T).

    The number of repeat purchases before dropout is geometric: after each purchase the
    customer leaves with probability p (for MBG/NBD also right after the first purchase).
    """
    rng = _rng(random_state)
    age = np.asarray(T, dtype=np.float64)
    n = len(age)
    rate = rng.gamma(r, 1.0 / alpha, size=n)
    dropout = rng.beta(a, b, size=n)
    # Repeat purchases made before leaving, if time were unlimited: failures before the first
    # success, counting the success (the purchase after which she leaves) as made.
    purchases_before_leaving = rng.geometric(dropout).astype(np.float64)  # >= 1
    if modified:
        purchases_before_leaving -= 1.0  # the first purchase is itself a dropout opportunity
    # Repeat purchases of a Poisson process in (0, T], stopped after the allowed number.
    x = np.minimum(rng.poisson(rate * age).astype(np.float64), purchases_before_leaving)
    # Fewer purchases than allowed: the Poisson times in (0, T] are uniform order statistics.
    # Capped: the last purchase is the allowed-th arrival, known to lie in (0, T], so its time
    # is a Gamma(k, rate) arrival truncated to (0, T].
    capped = x == purchases_before_leaving
    t_x = _last_of_uniform_order(rng, x, age)
    if capped.any():
        t_x[capped] = _truncated_gamma_arrival(rng, x[capped], rate[capped], age[capped])
    return x, t_x, age


def _truncated_gamma_arrival(rng, k, rate, age):
    """Time of the k-th Poisson arrival given it happened in (0, age]; 0 where k = 0."""
    result = np.zeros(len(k))
    positive = k > 0
    if not positive.any():
        return result
    from scipy import special

    upper = special.gammainc(k[positive], rate[positive] * age[positive])
    u = rng.random(positive.sum()) * upper
    result[positive] = special.gammaincinv(k[positive], u) / rate[positive]
    return np.minimum(result, age)


def simulate_bgbb(*, alpha, beta, gamma, delta, n_periods, size, random_state=None):
    """BG/BB customers with ``n_periods`` opportunities: returns (x, t_x, n)."""
    rng = _rng(random_state)
    p = rng.beta(alpha, beta, size=size)
    theta = rng.beta(gamma, delta, size=size)
    # FHS (2010) section 2: an alive customer becomes inactive at the *start* of each
    # opportunity with probability theta, so she is alive for Geometric(theta) - 1 of them.
    alive_for = np.minimum(rng.geometric(theta) - 1, n_periods)
    opportunities = np.arange(1, n_periods + 1)[None, :]
    buys = (rng.random((size, n_periods)) < p[:, None]) & (opportunities <= alive_for[:, None])
    x = buys.sum(axis=1).astype(np.float64)
    t_x = np.where(x > 0, np.max(np.where(buys, opportunities, 0), axis=1), 0).astype(np.float64)
    return x, t_x, np.full(size, float(n_periods))


def simulate_spend(*, p, q, gamma, frequency, random_state=None):
    """Mean spend of ``frequency`` transactions per customer under Gamma-Gamma (0 for x = 0)."""
    rng = _rng(random_state)
    x = np.asarray(frequency, dtype=np.float64)
    scale_rate = rng.gamma(q, 1.0 / gamma, size=len(x))
    # The sum of x Gamma(p, nu) values is Gamma(p x, nu).
    totals = rng.gamma(np.maximum(p * x, 1e-12), 1.0 / scale_rate)
    return np.where(x > 0, totals / np.maximum(x, 1.0), 0.0)


def simulate_transactions(
    *, n_customers, r, alpha, s, beta, p, q, gamma, start="2023-01-01", days=730, random_state=None
):
    """A transaction log (customer ids, dates, amounts) from Pareto/NBD and Gamma-Gamma in days.

    First purchases are spread uniformly over the first half of the period. Used by the
    benchmark and the command-line tests.
    """
    rng = _rng(random_state)
    first_day = rng.integers(0, days // 2, size=n_customers)
    rate = rng.gamma(r, 1.0 / alpha, size=n_customers)
    death_rate = rng.gamma(s, 1.0 / beta, size=n_customers)
    lifetime = rng.exponential(1.0 / death_rate)
    window = np.minimum(lifetime, days - 1 - first_day)
    repeats = rng.poisson(rate * window)
    spend_rate = rng.gamma(q, 1.0 / gamma, size=n_customers)
    counts = repeats + 1
    customer = np.repeat(np.arange(n_customers), counts)
    offsets = np.zeros(len(customer))
    is_repeat = np.ones(len(customer), dtype=bool)
    is_repeat[np.cumsum(counts) - counts] = False
    offsets[is_repeat] = rng.random(is_repeat.sum()) * np.repeat(window, repeats)
    day = first_day[customer] + np.floor(offsets).astype(np.int64)
    amounts = np.round(rng.gamma(p, 1.0 / spend_rate[customer]), 2)
    dates = np.datetime64(start, "D") + day
    return customer, dates, amounts
