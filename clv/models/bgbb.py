"""BG/BB: the beta-geometric / beta-Bernoulli model for discrete purchase opportunities.

Fader, P. S., Hardie, B. G. S. & Shang, J. (2010). Customer-base analysis in a discrete-time
noncontractual setting. Marketing Science 29(6), 1086-1108. Equation numbers refer to it.

At each of n opportunities an alive customer transacts with probability p ~ Beta(alpha, beta)
and, after the opportunity, drops out with probability theta ~ Beta(gamma, delta). A customer
is summarised by x transactions, the opportunity t_x of the last one, and n opportunities.
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


def _log_beta(a, b):
    return special.gammaln(a) + special.gammaln(b) - special.gammaln(a + b)


def _validate_discrete(frequency, recency, n_periods):
    x = as_float_array(frequency, name="frequency x")
    t_x = as_float_array(recency, name="recency t_x")
    n = as_float_array(n_periods, name="opportunities n")
    check_same_length(frequency=x, recency=t_x, n_periods=n)
    for array, name in ((x, "frequency x"), (t_x, "recency t_x"), (n, "opportunities n")):
        check_finite_nonnegative(array, name=name)
        not_integer = array != np.floor(array)
        if not_integer.any():
            row = int(np.flatnonzero(not_integer)[0])
            raise ValueError(
                f"{name} must be a whole number in the BG/BB model, row {row}: {array[row]!r}"
            )
    checks = (
        (x > t_x, "frequency x exceeds recency t_x (x transactions need at least x opportunities)"),
        ((x == 0) & (t_x > 0), "frequency x=0 but recency t_x > 0"),
        ((x > 0) & (t_x == 0), "frequency x > 0 but recency t_x = 0"),
        (t_x > n, "recency t_x exceeds the number of opportunities n"),
    )
    for mask, problem in checks:
        if mask.any():
            row = int(np.flatnonzero(mask)[0])
            raise ValueError(
                f"inconsistent row {row}: {problem} (x={x[row]:g}, t_x={t_x[row]:g}, n={n[row]:g})"
            )
    return x, t_x, n


def _term_gradient(alpha, beta, gamma, delta, x, m, g, h):
    """Gradient of log[B(alpha+x, beta+m)/B(alpha,beta) * B(gamma+g, delta+h)/B(gamma,delta)]."""
    digamma = special.digamma
    purchase_total = digamma(alpha + beta + x + m)
    dropout_total = digamma(gamma + delta + g + h)
    return np.stack(
        (
            digamma(alpha + x) - purchase_total - digamma(alpha) + digamma(alpha + beta),
            digamma(beta + m) - purchase_total - digamma(beta) + digamma(alpha + beta),
            digamma(gamma + g) - dropout_total - digamma(gamma) + digamma(gamma + delta),
            digamma(delta + h) - dropout_total - digamma(delta) + digamma(gamma + delta),
        ),
        axis=-1,
    )


class BetaGeometricBetaBinomial(BaseFitter):
    """BG/BB model (Fader, Hardie & Shang 2010) for discrete transaction opportunities.

    Parameters
    ----------
    penalizer_coef : float, default 0.0
    initial_params : dict, optional
        Starting values for ``alpha, beta, gamma, delta``.
    max_iter : int, default 2000

    Attributes
    ----------
    params_ : dict
        ``alpha, beta`` (transaction probability) and ``gamma, delta`` (dropout probability).
        On the 1995 donor cohort: alpha=1.204, beta=0.750, gamma=0.657, delta=2.783,
        log-likelihood -33225.6.
    standard_errors_, log_likelihood_, n_customers_, aic_, bic_, n_iter_
    """

    parameter_names = ("alpha", "beta", "gamma", "delta")
    default_initial_params = {"alpha": 1.0, "beta": 1.0, "gamma": 1.0, "delta": 1.0}
    model_name = "BG/BB"

    def fit(self, frequency, recency, n_periods, *, weights=None):
        """Fit on (x, t_x, n) per customer (or per distinct row with ``weights``).

        Returns
        -------
        self
        """
        x, t_x, n = _validate_discrete(frequency, recency, n_periods)
        row_weights = validate_weights(weights, length=len(x))
        used = row_weights > 0
        return self._fit_rows(
            (x[used], t_x[used], n[used]), row_weights[used], n_customers=float(row_weights.sum())
        )

    def _log_terms(self, params, data, *, with_gradient):
        """Log of each term of the likelihood, eq. (5), as a (rows, terms) array (-inf = absent).

        Term 0: alive through all n opportunities. Term 1+i: alive through t_x + i
        opportunities, dropped out after opportunity t_x + i (i = 0 .. n - t_x - 1).
        """
        alpha, beta, gamma, delta = params
        x, t_x, n = data
        n_dropout_terms = int(np.max(n - t_x)) if len(n) else 0
        index = np.arange(n_dropout_terms, dtype=np.float64)[None, :]
        present = index < (n - t_x)[:, None]
        purchase_base = _log_beta(alpha, beta)
        dropout_base = _log_beta(gamma, delta)
        log_terms = np.empty((len(x), 1 + n_dropout_terms))
        log_terms[:, 0] = (
            _log_beta(alpha + x, beta + n - x)
            - purchase_base
            + _log_beta(gamma, delta + n)
            - dropout_base
        )
        misses = (t_x - x)[:, None] + index
        opportunities = t_x[:, None] + index
        dropout_terms = (
            _log_beta(alpha + x[:, None], beta + misses)
            - purchase_base
            + _log_beta(gamma + 1.0, delta + opportunities)
            - dropout_base
        )
        log_terms[:, 1:] = np.where(present, dropout_terms, -np.inf)
        if not with_gradient:
            return log_terms, None
        gradients = np.empty((*log_terms.shape, 4))
        gradients[:, 0, :] = _term_gradient(alpha, beta, gamma, delta, x, n - x, 0.0, n)
        gradients[:, 1:, :] = _term_gradient(
            alpha, beta, gamma, delta, x[:, None], misses, 1.0, opportunities
        )
        return log_terms, gradients

    def _row_log_likelihood(self, params, data, *, with_gradient):
        log_terms, gradients = self._log_terms(params, data, with_gradient=with_gradient)
        log_likelihood = special.logsumexp(log_terms, axis=1)
        if not with_gradient:
            return log_likelihood, None
        shares = np.exp(log_terms - log_likelihood[:, None])
        return log_likelihood, np.einsum("rt,rtp->rp", shares, gradients)

    def row_log_likelihood(self, frequency, recency, n_periods) -> np.ndarray:
        data = _validate_discrete(frequency, recency, n_periods)
        return self._row_log_likelihood(np.array(self._param_values()), data, with_gradient=False)[
            0
        ]

    def probability_alive(
        self, frequency, recency, n_periods, *, periods_ahead: int = 1
    ) -> np.ndarray:
        """P(alive at opportunity n + periods_ahead | x, t_x, n), eq. (11) (periods_ahead = 1).

        ``B(alpha+x, beta+n-x)/B(alpha,beta) * B(gamma, delta+n+m)/B(gamma,delta) / L``.
        """
        alpha, beta, gamma, delta = self._param_values()
        x, t_x, n = _validate_discrete(frequency, recency, n_periods)
        log_likelihood = self._row_log_likelihood(
            np.array(self._param_values()), (x, t_x, n), with_gradient=False
        )[0]
        log_alive = (
            _log_beta(alpha + x, beta + n - x)
            - _log_beta(alpha, beta)
            + _log_beta(gamma, delta + n + periods_ahead)
            - _log_beta(gamma, delta)
        )
        return np.exp(log_alive - log_likelihood)

    def expected_purchases(self, n_ahead, frequency, recency, n_periods) -> np.ndarray:
        """Expected transactions in the next ``n_ahead`` opportunities, eq. (13).

        .. math::
            \\frac{1}{L}\\frac{B(\\alpha+x+1, \\beta+n-x)}{B(\\alpha,\\beta)}
            \\frac{\\delta}{\\gamma-1}\\frac{\\Gamma(\\gamma+\\delta)}{\\Gamma(1+\\delta)}
            \\left[\\frac{\\Gamma(1+\\delta+n)}{\\Gamma(\\gamma+\\delta+n)}
            - \\frac{\\Gamma(1+\\delta+n+n^*)}{\\Gamma(\\gamma+\\delta+n+n^*)}\\right]
        """
        alpha, beta, gamma, delta = self._param_values()
        x, t_x, n = _validate_discrete(frequency, recency, n_periods)
        ahead = np.asarray(n_ahead, dtype=np.float64)
        log_likelihood = self._row_log_likelihood(
            np.array(self._param_values()), (x, t_x, n), with_gradient=False
        )[0]
        log_front = (
            _log_beta(alpha + x + 1.0, beta + n - x)
            - _log_beta(alpha, beta)
            - log_likelihood
            + np.log(delta)
            + special.gammaln(gamma + delta)
            - special.gammaln(1.0 + delta)
        )
        bracket = _gamma_ratio_difference(gamma, delta, n, n + ahead)
        return np.maximum(np.exp(log_front) * bracket, 0.0)

    def expected_purchases_unconditional(self, n_periods) -> np.ndarray:
        """E[X(n)], eq. (9): alpha/(alpha+beta) delta/(gamma-1) [1 - G(gamma+delta)/G(gamma+delta+n) G(1+delta+n)/G(1+delta)]."""
        alpha, beta, gamma, delta = self._param_values()
        n = np.asarray(n_periods, dtype=np.float64)
        log_front = (
            np.log(alpha)
            - np.log(alpha + beta)
            + np.log(delta)
            + special.gammaln(gamma + delta)
            - special.gammaln(1.0 + delta)
        )
        return np.exp(log_front) * _gamma_ratio_difference(gamma, delta, 0.0, n)

    def probability_of_purchases(self, n_periods, x) -> np.ndarray:
        """P(X(n) = x), eq. (7): binomial-mixture terms for alive and for dropped-out customers."""
        alpha, beta, gamma, delta = self._param_values()
        n, count = np.broadcast_arrays(
            np.asarray(n_periods, dtype=np.float64), np.asarray(x, dtype=np.float64)
        )
        if np.any(count < 0) or np.any(count > n) or np.any(count != np.floor(count)):
            raise ValueError("x must be whole numbers between 0 and n")

        def log_choose(top, bottom):
            return (
                special.gammaln(top + 1)
                - special.gammaln(bottom + 1)
                - special.gammaln(top - bottom + 1)
            )

        purchase_base = _log_beta(alpha, beta)
        dropout_base = _log_beta(gamma, delta)
        alive = np.exp(
            log_choose(n, count)
            + _log_beta(alpha + count, beta + n - count)
            - purchase_base
            + _log_beta(gamma, delta + n)
            - dropout_base
        )
        max_n = int(np.max(n)) if n.size else 0
        index = np.arange(max_n, dtype=np.float64).reshape((1,) * n.ndim + (-1,))
        n_e, count_e = n[..., None], count[..., None]
        present = (index >= count_e) & (index < n_e)
        safe_index = np.maximum(index, count_e)
        dropped_terms = np.exp(
            log_choose(safe_index, count_e)
            + _log_beta(alpha + count_e, beta + safe_index - count_e)
            - purchase_base
            + _log_beta(gamma + 1.0, delta + safe_index)
            - dropout_base
        )
        return alive + np.sum(np.where(present, dropped_terms, 0.0), axis=-1)


def _gamma_ratio_difference(gamma, delta, n_from, n_to):
    """``[G(1+delta+a)/G(gamma+delta+a) - G(1+delta+b)/G(gamma+delta+b)] / (gamma - 1)``.

    Both differences change sign together at gamma = 1, so the result is >= 0; computed as
    ``exp(A) * (-expm1(B - A)) / (gamma - 1)`` to keep precision for close horizons.
    """
    if abs(gamma - 1.0) < 1e-9:
        gamma = 1.0 + 1e-9
    log_from = special.gammaln(1.0 + delta + n_from) - special.gammaln(gamma + delta + n_from)
    log_to = special.gammaln(1.0 + delta + n_to) - special.gammaln(gamma + delta + n_to)
    return np.exp(log_from) * -np.expm1(log_to - log_from) / (gamma - 1.0)
