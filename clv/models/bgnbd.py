"""BG/NBD: the beta-geometric / negative binomial model of Fader, Hardie & Lee (2005).

Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. Marketing Science 24(2), 275-284. Equation numbers below
refer to that paper.

While active, a customer buys at Poisson rate lambda ~ Gamma(r, alpha); after every repeat
purchase she drops out with probability p ~ Beta(a, b).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clv._validation import validate_horizon
from clv.models.base import TransactionModel

# Below this distance from 1 the (1 - hypergeometric) / (a - 1) forms are 0/0; a is moved this
# far from 1, which changes predictions by a relative amount of the same order.
_A_NEAR_ONE = 1e-7


def on_count_grid(function, offset, counts):
    """``function(offset + counts)`` evaluated once per distinct whole count.

    Frequencies are whole numbers with few distinct values, so special functions of
    ``offset + x`` are computed on ``0..max(x)`` and gathered: the likelihood then costs little
    more than its logarithms.
    """
    index = counts.astype(np.intp)
    grid = np.arange(int(index.max()) + 1 if index.size else 1, dtype=np.float64)
    return function(offset + grid)[index]


def _log_beta(a, b):
    return special.gammaln(a) + special.gammaln(b) - special.gammaln(a + b)


def beta_geometric_row_log_likelihood(params, data, *, with_gradient, modified: bool):
    """Per-row log-likelihood (and gradient) of BG/NBD, or of MBG/NBD when ``modified``.

    BG/NBD, Fader, Hardie & Lee (2005), eq. (6):

    .. math::
        L = \\frac{B(a, b+x)}{B(a, b)} \\frac{\\Gamma(r+x)\\alpha^r}{\\Gamma(r)}
            \\left[(\\alpha+T)^{-(r+x)} + \\delta_{x>0}\\frac{a}{b+x-1}(\\alpha+t_x)^{-(r+x)}\\right]

    MBG/NBD, Batislam, Denizel & Filiztekin (2007), where a customer may also drop out right
    after the first purchase: ``B(a, b+x+1)`` replaces ``B(a, b+x)`` and the second term is
    ``a/(b+x)`` for every x, including x = 0.

    The bracket is evaluated as a log-sum-exp so that (alpha + T)^-(r+x) cannot underflow for
    large x. The gradient is taken with respect to (r, alpha, a, b).
    """
    r, alpha, a, b = params
    x, t_x, age = data
    log_alpha_t = np.log(alpha + age)
    log_alpha_tx = np.log(alpha + t_x)
    shift = 1.0 if modified else 0.0  # MBG/NBD has one more dropout opportunity
    gammaln_rx = on_count_grid(special.gammaln, r, x)
    gammaln_bx = on_count_grid(special.gammaln, b + shift, x)
    gammaln_abx = on_count_grid(special.gammaln, a + b + shift, x)
    common = (
        gammaln_rx
        - special.gammaln(r)
        + r * np.log(alpha)
        + special.gammaln(a + b)
        + gammaln_bx
        - special.gammaln(b)
        - gammaln_abx
    )
    alive_term = -(r + x) * log_alpha_t
    if modified:
        has_dropout_term = np.ones_like(x, dtype=bool)
        dropout_denominator = b + x
    else:
        has_dropout_term = x > 0
        dropout_denominator = np.where(has_dropout_term, b + x - 1.0, 1.0)
    dropout_term = np.where(
        has_dropout_term,
        np.log(a) - np.log(dropout_denominator) - (r + x) * log_alpha_tx,
        -np.inf,
    )
    largest = np.maximum(alive_term, dropout_term)
    alive_weight = np.exp(alive_term - largest)
    dropout_weight = np.exp(dropout_term - largest)
    total = alive_weight + dropout_weight
    log_likelihood = common + largest + np.log(total)
    if not with_gradient:
        return log_likelihood, None
    # Shares of the two terms in the bracket: the gradient of a log-sum-exp.
    alive_share = alive_weight / total
    dropout_share = dropout_weight / total
    digamma_ab = special.digamma(a + b)
    digamma_abx = on_count_grid(special.digamma, a + b + shift, x)
    gradient = np.empty((len(x), 4))
    gradient[:, 0] = (
        on_count_grid(special.digamma, r, x)
        - special.digamma(r)
        + np.log(alpha)
        - alive_share * log_alpha_t
        - dropout_share * log_alpha_tx
    )
    gradient[:, 1] = r / alpha - (r + x) * (
        alive_share / (alpha + age) + dropout_share / (alpha + t_x)
    )
    gradient[:, 2] = digamma_ab - digamma_abx + dropout_share / a
    gradient[:, 3] = (
        digamma_ab
        + on_count_grid(special.digamma, b + shift, x)
        - special.digamma(b)
        - digamma_abx
        - dropout_share / dropout_denominator
    )
    return log_likelihood, gradient


def one_minus_scaled_hypergeometric(r, a, b_posterior, x, z):
    """``1 - (1-z)^(r+x) 2F1(r+x, b'; a+b'-1; z)`` computed without overflow.

    The hypergeometric term of the BG/NBD expectations (Fader, Hardie & Lee 2005, eqs. 7 and
    10) grows like (1-z)^-(r+x) for large x. Euler's transformation
    ``2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)`` turns the product into
    ``(1-z)^(a-1) 2F1(a+b'-1-r-x, a-1; a+b'-1; z)``, whose size stays of order one.
    Here ``b'`` is the second beta parameter of the dropout probability given survival
    (b + x for BG/NBD).
    """
    c = a + b_posterior - 1.0
    hyper = special.hyp2f1(c - r - x, a - 1.0, c, z)
    log_scale = (a - 1.0) * np.log1p(-z)
    # 1 - e^u H written as (1 - e^u) + e^u (1 - H) to keep precision when z is small.
    return -np.expm1(log_scale) + np.exp(log_scale) * (1.0 - hyper)


# One customer in a million leaving after a purchase: far below any shop's (CDNOW's BG/NBD fit
# has a / (a + b) = 0.25; Fader, Hardie & Lee 2005), so a fit below it found no dropout at all.
DROPOUT_COLLAPSED_BELOW = 1e-6


class BetaGeometricNBD(TransactionModel):
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005).

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        Weight of an L2 penalty on the parameters, added to the mean negative log-likelihood.
    initial_params : dict, optional
        Starting values for ``r, alpha, a, b``.
    max_iter : int, default 2000

    Attributes
    ----------
    params_ : dict
        ``r, alpha`` (gamma purchase rates) and ``a, b`` (beta dropout probability).
    standard_errors_ : dict
        From the inverse observed information (Hessian of the log-likelihood).
    log_likelihood_ : float
        Sum over customers, as the paper reports it (-9582.43 on the CDNOW sample).
    n_customers_, aic_, bic_, n_iter_

    Examples
    --------
    >>> model = BetaGeometricNBD().fit(frequency, recency, T)      # doctest: +SKIP
    >>> model.expected_purchases(39, frequency, recency, T)        # doctest: +SKIP
    """

    parameter_names = ("r", "alpha", "a", "b")
    default_initial_params = {"r": 1.0, "alpha": 1.0, "a": 1.0, "b": 1.0}
    model_name = "BG/NBD"
    _modified = False

    def _row_log_likelihood(self, params, data, *, with_gradient):
        return beta_geometric_row_log_likelihood(
            params, data, with_gradient=with_gradient, modified=self._modified
        )

    @property
    def dropout_collapsed(self) -> bool:
        """Whether the fit says that next to no customer ever leaves: the mean chance of leaving
        after a purchase, a / (a + b), below DROPOUT_COLLAPSED_BELOW. The likelihood then has
        its maximum on the boundary, as on a small or short history that shows nobody leaving
        (27 customers of a garage fitted a = 3e-15), and the probability alive is one for
        everyone, however long away: not a finding, but the lack of one."""
        a, b = self.params_["a"], self.params_["b"]
        return bool(a / (a + b) < DROPOUT_COLLAPSED_BELOW)

    def _posterior_b(self, b, x):
        return b + x

    def _a_away_from_one(self, a):
        if abs(a - 1.0) < _A_NEAR_ONE:
            return 1.0 + _A_NEAR_ONE
        return a

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(customer still active at T | x, t_x, T), Fader, Hardie & Lee (2005) eq. (11).

        ``1 / (1 + delta_{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))``, the ratio evaluated
        in logs. A customer without repeat purchases is alive with probability one in BG/NBD.
        """
        r, alpha, a, b = self._param_values()
        x, t_x, age = self._validated(frequency, recency, T)
        with np.errstate(divide="ignore"):
            log_odds_dead = np.where(
                x > 0,
                np.log(a)
                - np.log(np.where(x > 0, b + x - 1.0, 1.0))
                + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x)),
                -np.inf,
            )
        return special.expit(-log_odds_dead)

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in (T, T+t] given (x, t_x, T), Fader, Hardie & Lee (2005) eq. (10).

        .. math::
            E[Y(t) | x, t_x, T] = \\frac{a+b+x-1}{a-1}
            \\left[1 - \\left(\\frac{\\alpha+T}{\\alpha+T+t}\\right)^{r+x}
            {}_2F_1\\left(r+x, b+x; a+b+x-1; \\frac{t}{\\alpha+T+t}\\right)\\right]
            P(\\text{alive})

        that is :meth:`expected_purchases_if_alive` times :meth:`probability_alive` (eq. 10's
        denominator is eq. 11's). ``t`` may be a scalar or an array broadcastable against the
        customers.
        """
        x, t_x, age = self._validated(frequency, recency, T)
        return np.maximum(
            self.expected_purchases_if_alive(t, x, t_x, age) * self.probability_alive(x, t_x, age),
            0.0,
        )

    def expected_purchases_if_alive(self, t, frequency, recency, T) -> np.ndarray:
        """Expected purchases in (T, T+t] of a customer still active at T, given (x, t_x, T).

        The bracketed factor of eq. (10) of Fader, Hardie & Lee (2005): given survival, the
        rate is Gamma(r+x, alpha+T) and the dropout probability Beta(a, b+x) (b+x+1 in MBG/NBD),
        and the customer buys on as a new BG/NBD customer with those parameters (eq. 9).
        Computed directly, so that a customer the model deems gone (P(alive) near 0) still gets
        a finite figure instead of a division of two tiny numbers.
        """
        r, alpha, a, b = self._param_values()
        a = self._a_away_from_one(a)
        x, _t_x, age = self._validated(frequency, recency, T)
        horizon = validate_horizon(t)
        z = horizon / (alpha + age + horizon)
        b_posterior = self._posterior_b(b, x)
        bracket = one_minus_scaled_hypergeometric(r, a, b_posterior, x, z)
        return np.maximum((a + b_posterior - 1.0) / (a - 1.0) * bracket, 0.0)

    def expected_purchases_unconditional(self, t) -> np.ndarray:
        """E[X(t)] for a customer who made a first purchase at time 0, eq. (9) of the paper.

        ``(a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]``.
        """
        r, alpha, a, b = self._param_values()
        a = self._a_away_from_one(a)
        horizon = validate_horizon(t)
        z = horizon / (alpha + horizon)
        bracket = one_minus_scaled_hypergeometric(r, a, b, 0.0, z)
        return np.maximum((a + b - 1.0) / (a - 1.0) * bracket, 0.0)

    def probability_of_purchases(self, t, n) -> np.ndarray:
        """P(X(t) = n): probability of n purchases in (0, t], eq. (8) of the paper.

        .. math::
            P(X(t)=n) = \\frac{B(a,b+n)}{B(a,b)} \\mathrm{NBD}(n; r, \\alpha, t)
            + \\delta_{n>0} \\frac{B(a+1,b+n-1)}{B(a,b)} P(\\mathrm{NBD}(r, \\alpha, t) \\ge n)

        The NBD survival sum is the regularised incomplete beta ``I_{t/(alpha+t)}(n, r)``, which
        avoids the cancellation of ``1 - sum``.
        """
        r, alpha, a, b = self._param_values()
        horizon = validate_horizon(t)
        count = np.asarray(n, dtype=np.float64)
        if np.any(count < 0) or np.any(count != np.floor(count)):
            raise ValueError("n must be whole numbers >= 0")
        horizon, count = np.broadcast_arrays(horizon, count)
        log_p = np.log(alpha) - np.log(alpha + horizon)
        with np.errstate(divide="ignore"):
            log_q = np.log(horizon) - np.log(alpha + horizon)
        log_nbd = (
            special.gammaln(r + count)
            - special.gammaln(r)
            - special.gammaln(count + 1.0)
            + r * log_p
            + np.where(count > 0, count * log_q, 0.0)
        )
        stays = np.exp(_log_beta(a, b + count) - _log_beta(a, b) + log_nbd)
        safe_count = np.maximum(count, 1.0)
        drops = np.where(
            count > 0,
            np.exp(_log_beta(a + 1.0, b + safe_count - 1.0) - _log_beta(a, b))
            * special.betainc(safe_count, r, horizon / (alpha + horizon)),
            0.0,
        )
        return stays + drops
