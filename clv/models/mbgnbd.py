"""MBG/NBD: the modified BG/NBD of Batislam, Denizel & Filiztekin (2007).

Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and comparison of
models for customer base analysis. International Journal of Research in Marketing 24(3),
201-209. Also Hoppe & Wagner (2007), "Customer base analysis: the case for a central variant
of the Betageometric/NBD model".

As BG/NBD, except that a customer may drop out right after *every* purchase, the first one
included, so x repeat purchases give x + 1 dropout opportunities. This removes BG/NBD's
implication that a customer without repeat purchases is surely alive.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from clv._validation import validate_horizon
from clv.models.bgnbd import BetaGeometricNBD, one_minus_scaled_hypergeometric


class ModifiedBetaGeometricNBD(BetaGeometricNBD):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

    Parameters and attributes as :class:`~clv.models.BetaGeometricNBD`; ``params_`` holds
    ``r, alpha, a, b``. On the CDNOW sample the log-likelihood is -9582.13.

    The likelihood is

    .. math::
        L = \\frac{\\Gamma(r+x)\\alpha^r}{\\Gamma(r)}
            \\left[\\frac{B(a, b+x+1)}{B(a,b)}(\\alpha+T)^{-(r+x)}
            + \\frac{B(a+1, b+x)}{B(a,b)}(\\alpha+t_x)^{-(r+x)}\\right]
    """

    model_name = "MBG/NBD"
    _modified = True

    def _posterior_b(self, b, x):
        # Given survival of x + 1 dropout opportunities, p ~ Beta(a, b + x + 1).
        return b + x + 1.0

    def probability_alive(self, frequency, recency, T) -> np.ndarray:
        """P(alive at T | x, t_x, T) = 1 / (1 + a/(b+x) ((alpha+T)/(alpha+t_x))^(r+x))."""
        r, alpha, a, b = self._param_values()
        x, t_x, age = self._validated(frequency, recency, T)
        log_odds_dead = (
            np.log(a) - np.log(b + x) + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
        )
        return special.expit(-log_odds_dead)

    def expected_purchases_unconditional(self, t) -> np.ndarray:
        """E[X(t)] = b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))].

        A customer survives the first dropout opportunity with probability b/(a+b); she then
        behaves as a BG/NBD customer with parameters (a, b+1).
        """
        r, alpha, a, b = self._param_values()
        a = self._a_away_from_one(a)
        horizon = validate_horizon(t)
        z = horizon / (alpha + horizon)
        bracket = one_minus_scaled_hypergeometric(r, a, b + 1.0, 0.0, z)
        return np.maximum(b / (a - 1.0) * bracket, 0.0)

    def probability_of_purchases(self, t, n) -> np.ndarray:
        """P(X(t) = n): a mixture of immediate dropout and BG/NBD with parameters (a, b+1)."""
        r, alpha, a, b = self._param_values()
        survivor = BetaGeometricNBD()
        survivor.params_ = {"r": r, "alpha": alpha, "a": a, "b": b + 1.0}
        count = np.asarray(n, dtype=np.float64)
        survivor_probability = survivor.probability_of_purchases(t, count)
        return b / (a + b) * survivor_probability + a / (a + b) * (count == 0)
