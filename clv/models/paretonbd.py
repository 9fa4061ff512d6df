"""Pareto/NBD: the model of Schmittlein, Morrison & Colombo (1987).

Schmittlein, D. C., Morrison, D. G. & Colombo, R. (1987). Counting your customers: who are
they and what will they do next? Management Science 33(1), 1-24. The likelihood and the
expressions below follow Fader & Hardie (2005), "A note on deriving the Pareto/NBD model and
related expressions" (eqs. 18-22), and Fader, Hardie & Lee (2005), Marketing Science 24(2).

While alive a customer buys at Poisson rate lambda ~ Gamma(r, alpha); her lifetime is
exponential with rate mu ~ Gamma(s, beta), independent of lambda.

Numerical approach
------------------
The note writes the likelihood with the Gaussian hypergeometric function
``2F1(r+s+x, s+1; r+s+x+1; z) / (alpha+t)^(r+s+x)``; for large x and T that is a huge number
divided by a huge number, and the naive series converges slowly or overflows. Here the same
quantity is used in the form of the integral it comes from,

.. math::
    I(t) = \\int_t^\\infty (\\alpha+\\tau)^{-(r+x)} (\\beta+\\tau)^{-(s+1)} d\\tau,
    \\qquad
    L = \\frac{\\Gamma(r+x)\\alpha^r\\beta^s}{\\Gamma(r)}
        \\left[(\\alpha+T)^{-(r+x)}(\\beta+T)^{-s} + s\\,(I(t_x) - I(T))\\right],

and ``I(t)`` is evaluated in logs as a prefactor times ``2F1(1, b; r+s+x+1; z)`` after Euler's
transformation (with ``z = |alpha-beta| / (max(alpha, beta) + t)`` in [0, 1) and b = r+x or
s+1). That series has positive terms that shrink by a factor below z at every step, so it
neither overflows nor cancels for any x and T, and its derivatives with respect to the
parameters come from the same terms (sums of reciprocals of the Pochhammer factors), which
gives the analytic gradient.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clv._validation import validate_horizon
from clv.models.base import TransactionModel
from clv.models.bgnbd import on_count_grid

_SERIES_MAX_TERMS = 20000
_SERIES_RELATIVE_TOLERANCE = 1e-16


def hypergeometric_one_b_c(b, c, z, *, with_derivatives: bool = True):
    """``S = 2F1(1, b; c; z) = sum_k (b)_k / (c)_k z^k`` for 0 <= z < 1 and c > b > 0.

    Returns ``S`` and, when asked, ``dS/db``, ``dS/dc``, ``dS/dz``. Every term is smaller than
    the previous one by the factor ``z (b+k)/(c+k) < z``, so the sum is accurate to the stated
    relative tolerance; rows are dropped from the loop as they converge.
    """
    b, c, z = (np.array(v, dtype=np.float64) for v in np.broadcast_arrays(b, c, z))
    total = np.ones_like(z)
    d_b = np.zeros_like(z)
    d_c = np.zeros_like(z)
    d_z = np.zeros_like(z)
    active = np.arange(z.size)
    b_active, c_active, z_active = b.ravel(), c.ravel(), z.ravel()
    term = np.ones_like(z_active)
    total_active = np.ones_like(z_active)
    d_b_active = np.zeros_like(z_active)
    d_c_active = np.zeros_like(z_active)
    d_z_active = np.zeros_like(z_active)
    reciprocal_b_sum = np.zeros_like(z_active)
    reciprocal_c_sum = np.zeros_like(z_active)
    total_flat, d_b_flat, d_c_flat, d_z_flat = total.ravel(), d_b.ravel(), d_c.ravel(), d_z.ravel()

    def store(index):
        rows = active[index]
        total_flat[rows] = total_active[index]
        d_b_flat[rows] = d_b_active[index]
        d_c_flat[rows] = d_c_active[index]
        d_z_flat[rows] = d_z_active[index]

    k = 1
    while active.size:
        ratio = (b_active + (k - 1)) / (c_active + (k - 1))
        if with_derivatives:
            # d/dz of u_k = (b)_k/(c)_k z^k is k u_{k-1} (b+k-1)/(c+k-1): finite at z = 0.
            d_z_active += k * term * ratio
            reciprocal_b_sum += 1.0 / (b_active + (k - 1))
            reciprocal_c_sum += 1.0 / (c_active + (k - 1))
        term = term * ratio * z_active
        total_active += term
        if with_derivatives:
            # d log u_k / db = sum_{j<k} 1/(b+j); d log u_k / dc = -sum_{j<k} 1/(c+j).
            d_b_active += term * reciprocal_b_sum
            d_c_active -= term * reciprocal_c_sum
        # The tail after term k is at most term * z / (1 - z) (times the slowly growing
        # reciprocal sums and k for the derivatives).
        tail_factor = (k + 1.0 + reciprocal_b_sum + reciprocal_c_sum) / (1.0 - z_active)
        converged = term * tail_factor <= _SERIES_RELATIVE_TOLERANCE * total_active
        if k >= _SERIES_MAX_TERMS:
            # Only reachable for z within about 1e-3 of 1; add the geometric tail estimate.
            total_active += term * z_active / (1.0 - z_active)
            converged[:] = True
        if converged.any():
            store(converged)
            keep = ~converged
            active = active[keep]
            b_active, c_active, z_active = b_active[keep], c_active[keep], z_active[keep]
            term, total_active = term[keep], total_active[keep]
            d_b_active, d_c_active, d_z_active = (
                d_b_active[keep],
                d_c_active[keep],
                d_z_active[keep],
            )
            reciprocal_b_sum, reciprocal_c_sum = reciprocal_b_sum[keep], reciprocal_c_sum[keep]
        k += 1
    if with_derivatives:
        return total, d_b, d_c, d_z
    return total, None, None, None


def log_tail_integral(r, alpha, s, beta, x, t, *, with_gradient: bool):
    """``log I(t)`` with ``I(t) = int_t^inf (alpha+u)^-(r+x) (beta+u)^-(s+1) du``.

    Returns ``(log_I, gradient)`` with the gradient with respect to (r, alpha, s, beta) of
    shape ``(n, 4)`` (None without gradient). See the module docstring for the derivation:

    - alpha >= beta: ``I = (alpha+t)^-(r+x) (beta+t)^-s S / n``, S = 2F1(1, r+x; n+1; z),
      z = (alpha-beta)/(alpha+t);
    - alpha < beta: ``I = (alpha+t)^-(r+x-1) (beta+t)^-(s+1) S / n``, S = 2F1(1, s+1; n+1; z),
      z = (beta-alpha)/(beta+t);

    where n = r + s + x. (Euler's transformation of the note's eq. 21 and 22.)
    """
    n = r + s + x
    log_alpha_t = np.log(alpha + t)
    log_beta_t = np.log(beta + t)
    alpha_is_larger = alpha >= beta
    if alpha_is_larger:
        z = (alpha - beta) / (alpha + t)
        series_b = r + x
    else:
        z = (beta - alpha) / (beta + t)
        series_b = s + 1.0 + np.zeros_like(x)
    series, d_b, d_c, d_z = hypergeometric_one_b_c(
        series_b, n + 1.0, z, with_derivatives=with_gradient
    )
    log_series = np.log(series)
    if alpha_is_larger:
        log_integral = -(r + x) * log_alpha_t - s * log_beta_t + log_series - np.log(n)
    else:
        log_integral = (
            -(r + x - 1.0) * log_alpha_t - (s + 1.0) * log_beta_t + log_series - np.log(n)
        )
    if not with_gradient:
        return log_integral, None
    d_log_b, d_log_c, d_log_z = d_b / series, d_c / series, d_z / series
    gradient = np.empty((len(log_integral), 4))
    if alpha_is_larger:
        gradient[:, 0] = -log_alpha_t + d_log_b + d_log_c - 1.0 / n
        gradient[:, 1] = -(r + x) / (alpha + t) + d_log_z * (beta + t) / (alpha + t) ** 2
        gradient[:, 2] = -log_beta_t + d_log_c - 1.0 / n
        gradient[:, 3] = -s / (beta + t) - d_log_z / (alpha + t)
    else:
        gradient[:, 0] = -log_alpha_t + d_log_c - 1.0 / n
        gradient[:, 1] = -(r + x - 1.0) / (alpha + t) - d_log_z / (beta + t)
        gradient[:, 2] = -log_beta_t + d_log_b + d_log_c - 1.0 / n
        gradient[:, 3] = -(s + 1.0) / (beta + t) + d_log_z * (alpha + t) / (beta + t) ** 2
    return log_integral, gradient


def distinct_count_time_pairs(x, t_x, age):
    """Distinct (x, t) pairs among (x, t_x) and (x, T), and where each row's pairs are.

    The integral I(t) depends on a customer only through x and t, and a data set has far fewer
    distinct pairs than customers (whole counts times a few hundred distinct days), so the
    hypergeometric series is summed once per pair. Returns ``(pair_x, pair_t, index_tx,
    index_T)``.
    """
    both_x = np.concatenate((x, x))
    both_t = np.concatenate((t_x, age))
    order = np.lexsort((both_t, both_x))
    x_sorted, t_sorted = both_x[order], both_t[order]
    new_pair = np.empty(len(order), dtype=bool)
    new_pair[:1] = True
    new_pair[1:] = (x_sorted[1:] != x_sorted[:-1]) | (t_sorted[1:] != t_sorted[:-1])
    pair_of_sorted = np.cumsum(new_pair) - 1
    pair_index = np.empty(len(order), dtype=np.intp)
    pair_index[order] = pair_of_sorted
    starts = np.flatnonzero(new_pair)
    return x_sorted[starts], t_sorted[starts], pair_index[: len(x)], pair_index[len(x) :]


def _likelihood_parts(params, data, *, with_gradient):
    """Log of the prefactor and of the three bracket terms (alive, dead after t_x, dead after T).

    ``data`` is (x, t_x, T), optionally followed by the output of
    :func:`distinct_count_time_pairs` computed once per fit.
    """
    r, alpha, s, beta = params
    x, t_x, age = data[:3]
    pairs = data[3] if len(data) > 3 else distinct_count_time_pairs(x, t_x, age)
    pair_x, pair_t, index_tx, index_T = pairs
    log_prefactor = (
        on_count_grid(special.gammaln, r, x)
        - special.gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
    )
    log_alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
    log_integral, gradient = log_tail_integral(
        r, alpha, s, beta, pair_x, pair_t, with_gradient=with_gradient
    )
    log_s = np.log(s)
    return (
        log_prefactor,
        log_alive,
        log_s + log_integral[index_tx],
        log_s + log_integral[index_T],
        gradient[index_tx] if with_gradient else None,
        gradient[index_T] if with_gradient else None,
    )


def pareto_nbd_row_log_likelihood(params, data, *, with_gradient):
    """Per-row log-likelihood of Pareto/NBD (Fader & Hardie note, eq. 18) and its gradient."""
    r, alpha, s, beta = params
    x, age = data[0], data[2]
    log_prefactor, log_alive, log_dead_tx, log_dead_T, gradient_tx, gradient_T = _likelihood_parts(
        params, data, with_gradient=with_gradient
    )
    largest = np.maximum(log_alive, log_dead_tx)
    alive_weight = np.exp(log_alive - largest)
    dead_tx_weight = np.exp(log_dead_tx - largest)
    dead_T_weight = np.exp(log_dead_T - largest)
    # I(t_x) >= I(T) exactly; rounding must not make the difference negative.
    dead_weight = np.maximum(dead_tx_weight - dead_T_weight, 0.0)
    bracket = alive_weight + dead_weight
    log_likelihood = log_prefactor + largest + np.log(bracket)
    if not with_gradient:
        return log_likelihood, None
    gradient = np.empty((len(x), 4))
    log_alpha_T = np.log(alpha + age)
    log_beta_T = np.log(beta + age)
    alive_gradient = np.column_stack(
        (-log_alpha_T, -(r + x) / (alpha + age), -log_beta_T, -s / (beta + age))
    )
    dead_gradient_tx = gradient_tx.copy()
    dead_gradient_T = gradient_T.copy()
    dead_gradient_tx[:, 2] += 1.0 / s
    dead_gradient_T[:, 2] += 1.0 / s
    bracket_gradient = (
        alive_weight[:, None] * alive_gradient
        + dead_tx_weight[:, None] * dead_gradient_tx
        - dead_T_weight[:, None] * dead_gradient_T
    ) / bracket[:, None]
    gradient[:, 0] = on_count_grid(special.digamma, r, x) - special.digamma(r) + np.log(alpha)
    gradient[:, 1] = r / alpha
    gradient[:, 2] = np.log(beta)
    gradient[:, 3] = s / beta
    gradient += bracket_gradient
    return log_likelihood, gradient


class ParetoNBD(TransactionModel):
    """Pareto/NBD model (Schmittlein, Morrison & Colombo 1987).

    Parameters
    ----------
    penalizer_coef : float, default 0.0
    initial_params : dict, optional
        Starting values for ``r, alpha, s, beta``.
    max_iter : int, default 2000

    Attributes
    ----------
    params_ : dict
        ``r, alpha`` (gamma purchase rates) and ``s, beta`` (gamma dropout rates). On the CDNOW
        sample: r=0.5532, alpha=10.5763, s=0.6062, beta=11.6715, log-likelihood -9594.98.
    standard_errors_, log_likelihood_, n_customers_, aic_, bic_, n_iter_
    """

    parameter_names = ("r", "alpha", "s", "beta")
    default_initial_params = {"r": 1.0, "alpha": 1.0, "s": 1.0, "beta": 1.0}
    model_name = "Pareto/NBD"

    def _row_log_likelihood(self, params, data, *, with_gradient):
        return pareto_nbd_row_log_likelihood(params, data, with_gradient=with_gradient)

    def _prepare_rows(self, data):
        # The distinct (x, t) pairs do not change during a fit: find them once.
        return (*data, distinct_count_time_pairs(*data))

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive at T | x, t_x, T): the alive term's share of the likelihood (note, eq. 19)."""
        params = np.array(self._param_values())
        x, t_x, age = self._validated(frequency, recency, T)
        _, log_alive, log_dead_tx, log_dead_T, _, _ = _likelihood_parts(
            params, (x, t_x, age), with_gradient=False
        )
        # log(e^a - e^b) = a + log(1 - e^(b-a)); P(alive) = expit(log_alive - log_dead).
        with np.errstate(divide="ignore"):
            log_dead = log_dead_tx + np.log(-np.expm1(np.minimum(log_dead_T - log_dead_tx, 0.0)))
        return special.expit(log_alive - log_dead)

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in (T, T+t] given (x, t_x, T) (note, eq. 22 / SMC 1987).

        .. math::
            E[Y(t)|x,t_x,T] = \\frac{(r+x)(\\beta+T)}{(\\alpha+T)(s-1)}
            \\left[1 - \\left(\\frac{\\beta+T}{\\beta+T+t}\\right)^{s-1}\\right] P(\\text{alive})

        that is :meth:`expected_purchases_if_alive` times :meth:`probability_alive`.
        """
        x, t_x, age = self._validated(frequency, recency, T)
        return np.maximum(
            self.expected_purchases_if_alive(t, x, t_x, age) * self.probability_alive(x, t_x, age),
            0.0,
        )

    def expected_purchases_if_alive(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in (T, T+t] of a customer still active at T, given (x, t_x, T).

        Given survival the rate is Gamma(r+x, alpha+T) and the dropout rate Gamma(s, beta+T),
        so the expectation is eq. 22's factor before P(alive). The bracket divided by (s-1) is
        computed with expm1/log1p; at s = 1 it is the limit ``log(1 + t/(beta+T))``.
        """
        r, alpha, s, beta = self._param_values()
        x, _t_x, age = self._validated(frequency, recency, T)
        horizon = validate_horizon(t)
        growth = np.log1p(horizon / (beta + age))
        lifetime_factor = _one_minus_power_over(s - 1.0, growth)
        return np.maximum((r + x) * (beta + age) / (alpha + age) * lifetime_factor, 0.0)

    def expected_purchases_unconditional(self, t) -> np.ndarray:
        """E[X(t)] = r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)] (note, eq. 17)."""
        r, alpha, s, beta = self._param_values()
        horizon = validate_horizon(t)
        return r * beta / alpha * _one_minus_power_over(s - 1.0, np.log1p(horizon / beta))

    def probability_of_purchases(self, t, n) -> np.ndarray:
        """P(X(t) = n), the probability of n purchases in (0, t].

        Either the customer is alive at t and the gamma-Poisson count is NBD, or she died at
        some tau < t with n purchases before tau (Fader, Hardie & Lee 2005, Marketing Science,
        appendix; the note "Deriving an expression for P(X(t)=x) under the Pareto/NBD model"):

        .. math::
            P(X(t)=n) = \\mathrm{NBD}(n; t)\\left(\\frac{\\beta}{\\beta+t}\\right)^s
            + \\int_0^t \\mathrm{NBD}(n; \\tau) \\frac{s\\beta^s}{(\\beta+\\tau)^{s+1}} d\\tau .

        The second term is integrated adaptively to near machine precision for each distinct
        (t, n); the result does not depend on customers.
        """
        from scipy import integrate  # only needed here; keeps the package import light

        r, alpha, s, beta = self._param_values()
        horizon = validate_horizon(t)
        count = np.asarray(n, dtype=np.float64)
        if np.any(count < 0) or np.any(count != np.floor(count)):
            raise ValueError("n must be whole numbers >= 0")
        horizon, count = np.broadcast_arrays(horizon, count)

        def log_nbd(k, tau):
            log_tau_share = np.log(tau) - np.log(alpha + tau) if tau > 0 else -np.inf
            return (
                special.gammaln(r + k)
                - special.gammaln(r)
                - special.gammaln(k + 1.0)
                + r * (np.log(alpha) - np.log(alpha + tau))
                + (k * log_tau_share if k > 0 else 0.0)
            )

        result = np.empty(horizon.shape)
        pairs, inverse = np.unique(
            np.column_stack((horizon.ravel(), count.ravel())), axis=0, return_inverse=True
        )
        values = np.empty(len(pairs))
        for index, (tau_end, k) in enumerate(pairs):
            alive = np.exp(log_nbd(k, tau_end) + s * (np.log(beta) - np.log(beta + tau_end)))
            if tau_end > 0:
                died, _ = integrate.quad(
                    lambda tau, k=k: np.exp(
                        log_nbd(k, tau)
                        + np.log(s)
                        + s * np.log(beta)
                        - (s + 1.0) * np.log(beta + tau)
                    ),
                    0.0,
                    tau_end,
                    epsabs=1e-14,
                    epsrel=1e-12,
                    limit=200,
                )
            else:
                died = 0.0
            values[index] = alive + died
        result.ravel()[:] = values[inverse.reshape(-1)]
        return result


def _one_minus_power_over(exponent, log_growth):
    """``(1 - exp(-exponent * log_growth)) / exponent``, continuous at exponent = 0."""
    log_growth = np.asarray(log_growth, dtype=np.float64)
    if abs(exponent) < 1e-10:
        return log_growth
    return -np.expm1(-exponent * log_growth) / exponent
