"""Shared maximum-likelihood machinery for the buy-till-you-die models.

Each model supplies the per-row log-likelihood and its analytic gradient with respect to its
(natural, positive) parameters. The fitter here

- optimises on the log of the parameters, so that positivity needs no bounds and the scales of
  the parameters are comparable;
- weights rows, so that models are fitted on distinct (x, t_x, T) rows with counts;
- adds an optional L2 penalty ``penalizer_coef * sum(theta**2)`` to the mean negative
  log-likelihood (the penalty lifetimes offered, kept for users who move over);
- runs L-BFGS-B with the analytic gradient and then polishes with Newton steps on a Hessian
  obtained by central differences of the analytic gradient, which also gives the standard
  errors (inverse observed information, delta method back to the natural scale).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from clv.exceptions import ConvergenceError, NotFittedError

_GRADIENT_TOLERANCE = 1e-7
# A decrease of the objective below this share of its value is lost in float64's rounding.
_ROUNDING_NOISE = 1e-15


def _newton_decrease(hessian: np.ndarray, gradient: np.ndarray) -> float:
    """What a Newton step from here would lower the objective by (half the gradient times the
    step), nan where the Hessian gives no descent step (singular or not positive definite)."""
    try:
        step = -np.linalg.solve(hessian, gradient)
    except np.linalg.LinAlgError:
        return float("nan")
    decrease = -0.5 * float(gradient @ step)
    return decrease if np.all(np.isfinite(step)) and decrease > 0 else float("nan")


def at_rounding_floor(hessian: np.ndarray, gradient: np.ndarray, value: float) -> bool:
    """Whether the objective is as low as float64 can tell: the Hessian is positive definite
    and a Newton step would lower it by less than its rounding noise. Then the fit has
    converged whatever the gradient's last digits: a small shop's likelihood on one processor
    stopped at a gradient of 1.02e-7, just above _GRADIENT_TOLERANCE, with a Newton step worth
    2.8e-14 of an objective of 59.3, where another processor's rounding had passed."""
    eigenvalues = np.linalg.eigvalsh(hessian) if np.all(np.isfinite(hessian)) else [np.nan]
    if not np.all(np.asarray(eigenvalues) > 0):
        return False
    decrease = _newton_decrease(hessian, gradient)
    return bool(decrease < _ROUNDING_NOISE * max(1.0, abs(value)))


_WARM_START_ROWS = 40_000  # above this many distinct rows, start from a subsample's optimum  # on the mean log-likelihood per customer, log-parameter scale


class BaseFitter:
    """Base of all estimators: options in ``__init__``, learned attributes end in ``_``.

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        Weight of the L2 penalty ``sum(theta**2)`` added to the mean negative log-likelihood.
        A small value such as 0.001 helps when a parameter runs off to infinity on data that
        cannot identify it.
    initial_params : dict, optional
        Starting values on the natural scale, by paper name. Defaults to the model's own.
    max_iter : int, default 2000
        Iteration cap for the quasi-Newton search.
    """

    parameter_names: tuple[str, ...] = ()
    default_initial_params: dict[str, float] = {}
    model_name: str = ""

    def __init__(self, *, penalizer_coef: float = 0.0, initial_params=None, max_iter: int = 2000):
        self.penalizer_coef = penalizer_coef
        self.initial_params = initial_params
        self.max_iter = max_iter

    @classmethod
    def from_params(cls, params, **options):
        """A model fitted earlier, rebuilt from its ``params_`` (stored as plain numbers).

        Predictions need only the parameters, so a fit can be kept (in a database, a report)
        and used again without the data it was fitted on; the other learned attributes
        (``log_likelihood_``, ``standard_errors_``) describe the fit and are not restored.

        Parameters
        ----------
        params : mapping of str to float
            Every one of ``parameter_names``, on the natural scale, positive and finite.
        **options
            As for ``__init__``.

        Returns
        -------
        model
            A model whose predictions equal those of the model the parameters came from.
        """
        names = set(params)
        if names != set(cls.parameter_names):
            raise ValueError(
                f"{cls.model_name} needs the parameters {list(cls.parameter_names)}, "
                f"got {sorted(names)}"
            )
        values = {name: float(params[name]) for name in cls.parameter_names}
        if not all(np.isfinite(value) and value > 0 for value in values.values()):
            raise ValueError(f"{cls.model_name} parameters must be positive and finite: {values}")
        model = cls(**options)
        model.params_ = values
        return model

    # --- to be provided by each model -------------------------------------------------------
    def _row_log_likelihood(self, params: np.ndarray, data: tuple, *, with_gradient: bool):
        """Return ``(log_likelihood_per_row, gradient_per_row or None)``.

        The gradient has shape ``(n_rows, n_params)`` and is taken with respect to the natural
        parameters in the order of ``parameter_names``.
        """
        raise NotImplementedError

    # --- fitting ----------------------------------------------------------------------------
    def _initial_log_params(self) -> np.ndarray:
        initial = dict(self.default_initial_params)
        if self.initial_params is not None:
            unknown = set(self.initial_params) - set(self.parameter_names)
            if unknown:
                raise ValueError(f"unknown parameters in initial_params: {sorted(unknown)}")
            initial.update(self.initial_params)
        values = np.array([initial[name] for name in self.parameter_names], dtype=np.float64)
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError("initial_params must all be positive and finite")
        return np.log(values)

    def _fit_rows(self, data: tuple, weights: np.ndarray, *, n_customers: float, warm_start=None):
        """Maximise the weighted log-likelihood; set the learned attributes; return self.

        ``warm_start`` is an optional (data, weights) subsample whose optimum, cheap to find,
        is the starting point on the full data, where few iterations then remain.
        """
        if self.penalizer_coef < 0 or not np.isfinite(self.penalizer_coef):
            raise ValueError("penalizer_coef must be a finite number >= 0")
        start = self._initial_log_params()
        if warm_start is not None:
            with np.errstate(all="ignore"):
                subsample_result = optimize.minimize(
                    self._objective(*warm_start),
                    start,
                    jac=True,
                    method="L-BFGS-B",
                    bounds=[(-30.0, 30.0)] * len(start),
                    options={"maxiter": self.max_iter, "ftol": 1e-12, "gtol": 1e-8, "maxcor": 20},
                )
            if np.all(np.isfinite(subsample_result.x)):
                start = subsample_result.x
        objective = self._objective(data, weights)
        total_weight = float(weights.sum())
        with np.errstate(all="ignore"):
            result = None
            if warm_start is not None:
                # Near the optimum Newton's method converges in a few steps.
                log_params, value, gradient, hessian = self._newton_polish(
                    objective, start, max_steps=12
                )
                converged = np.max(np.abs(gradient)) <= _GRADIENT_TOLERANCE
            if warm_start is None or not converged:
                result = optimize.minimize(
                    objective,
                    start,
                    jac=True,
                    method="L-BFGS-B",
                    bounds=[(-30.0, 30.0)] * len(start),
                    options={"maxiter": self.max_iter, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 20},
                )
                log_params, value, gradient, hessian = self._newton_polish(objective, result.x)
        return self._finish_fit(
            data,
            weights,
            objective,
            result,
            log_params,
            value,
            gradient,
            hessian,
            total_weight=total_weight,
            n_customers=n_customers,
        )

    def _objective(self, data: tuple, weights: np.ndarray):
        """Mean penalised negative log-likelihood and its gradient, on log-parameters."""
        total_weight = float(weights.sum())
        penalty = float(self.penalizer_coef)

        def objective(log_params):
            params = np.exp(log_params)
            log_likelihood, gradient = self._row_log_likelihood(params, data, with_gradient=True)
            # einsum rather than BLAS (dot, @): a multi-threaded BLAS call on the long axis wakes
            # OpenBLAS worker threads whose spinning then slows every later step on a busy
            # machine, and a sum of products needs no BLAS.
            value = -np.einsum("i,i->", weights, log_likelihood) / total_weight + penalty * np.sum(
                params**2
            )
            natural_gradient = (
                -np.einsum("i,ij->j", weights, gradient) / total_weight + 2.0 * penalty * params
            )
            if not np.isfinite(value):
                return np.inf, np.zeros_like(log_params)
            return value, natural_gradient * params

        return objective

    def _finish_fit(
        self,
        data,
        weights,
        objective,
        result,
        log_params,
        value,
        gradient,
        hessian,
        *,
        total_weight,
        n_customers,
    ):
        if not np.isfinite(value) or (
            np.max(np.abs(gradient)) > _GRADIENT_TOLERANCE
            and not at_rounding_floor(hessian, gradient, value)
        ):
            raise ConvergenceError(
                f"{self.model_name} fit did not converge (optimizer: "
                f"{result.message if result is not None else 'Newton'}; largest "
                f"gradient {np.max(np.abs(gradient)):.3g} at parameters "
                f"{dict(zip(self.parameter_names, np.round(np.exp(log_params), 6), strict=True))}). Try: a small "
                "penalizer_coef such as 0.001; the other time unit (weeks instead of days) so that "
                "rates are of order one; other initial_params; or check that the data have repeat "
                "buyers and more than a handful of customers."
            )
        params = np.exp(log_params)
        self.params_ = dict(zip(self.parameter_names, params.tolist(), strict=True))
        # The objective is the weighted mean negative log-likelihood plus the penalty: undo both
        # rather than evaluate the likelihood once more.
        penalty = float(self.penalizer_coef) * float(np.sum(params**2))
        self.log_likelihood_ = -(float(value) - penalty) * total_weight
        self.n_customers_ = round(n_customers)
        self.n_iter_ = int(result.nit) if result is not None else 0
        n_params = len(params)
        self.aic_ = 2.0 * n_params - 2.0 * self.log_likelihood_
        self.bic_ = n_params * np.log(max(n_customers, 1.0)) - 2.0 * self.log_likelihood_
        self.standard_errors_ = self._standard_errors(hessian, params, total_weight)
        return self

    def _numerical_hessian(self, objective, log_params: np.ndarray) -> np.ndarray:
        """Forward differences of the analytic gradient, symmetrised; also the value and gradient.

        k + 1 gradient evaluations; the O(step) error (about 1e-6 relative) is far below what
        standard errors or a final Newton step need.
        """
        n_params = len(log_params)
        hessian = np.empty((n_params, n_params))
        step = 1e-6
        value, base = objective(log_params)
        for index in range(n_params):
            shift = np.zeros(n_params)
            shift[index] = step
            hessian[:, index] = (objective(log_params + shift)[1] - base) / step
        return 0.5 * (hessian + hessian.T), value, base

    def _newton_polish(self, objective, log_params, *, max_steps: int = 6):
        """Newton steps with backtracking: L-BFGS-B stops a little short on flat likelihoods.

        The Hessian (2k gradient evaluations) is computed once at the quasi-Newton solution and
        reused: there the remaining steps are tiny and the quadratic model is accurate. It also
        gives the standard errors. Returns (log_params, value, gradient, hessian).
        """
        hessian, value, gradient = self._numerical_hessian(objective, log_params)
        for _ in range(max_steps):
            if np.max(np.abs(gradient)) < 1e-12:
                break
            predicted_decrease = _newton_decrease(hessian, gradient)
            if not np.isfinite(predicted_decrease):
                break  # not a descent direction: the Hessian is not positive definite here
            if predicted_decrease < _ROUNDING_NOISE * max(1.0, abs(value)):
                break  # below the rounding noise of the objective
            step = -np.linalg.solve(hessian, gradient)
            for scale in (1.0, 0.5, 0.25):
                candidate = log_params + scale * step
                candidate_value, candidate_gradient = objective(candidate)
                if candidate_value <= value:
                    break
            else:
                break
            log_params, value, gradient = candidate, candidate_value, candidate_gradient
        return log_params, value, gradient, hessian

    def _standard_errors(self, hessian_log_scale, params, total_weight) -> dict[str, float]:
        """Standard errors on the natural scale from the observed information.

        The objective is a mean, so the information of the sum is ``total_weight`` times its
        Hessian; the delta method maps the covariance of log-parameters to the natural scale.
        """
        try:
            covariance_log = np.linalg.inv(hessian_log_scale * total_weight)
        except np.linalg.LinAlgError:
            return {name: float("nan") for name in self.parameter_names}
        variances = np.diag(covariance_log) * params**2
        with np.errstate(invalid="ignore"):
            errors = np.where(variances >= 0, np.sqrt(np.abs(variances)), np.nan)
        return dict(zip(self.parameter_names, errors.tolist(), strict=True))

    # --- helpers for predictions ------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(...) first"
            )

    def _param_values(self) -> tuple[float, ...]:
        self._check_fitted()
        return tuple(self.params_[name] for name in self.parameter_names)

    def row_log_likelihood(self, *args, **kwargs) -> np.ndarray:
        """Log-likelihood of each customer under the fitted parameters."""
        raise NotImplementedError

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            shown = ", ".join(f"{name}={value:.4g}" for name, value in self.params_.items())
            return f"{type(self).__name__}({shown})"
        return f"{type(self).__name__}()"


class TransactionModel(BaseFitter):
    """Base of the continuous-time purchase models fitted on (x, t_x, T)."""

    @property
    def dropout_collapsed(self) -> bool:
        """Whether the fit found no customer ever leaving (the BG/NBD family says when:
        BetaGeometricNBD.dropout_collapsed); a model that cannot tell says no."""
        return False

    def fit(self, frequency, recency, T, *, weights=None):
        """Fit by maximum likelihood.

        Parameters
        ----------
        frequency, recency, T : array-like
            Repeat transactions x, recency t_x and age T of each customer (same time unit).
        weights : array-like, optional
            Number of customers each row stands for (default one each).

        Returns
        -------
        self
        """
        # Imported here to keep clv.summary free of model imports and avoid a cycle.
        from clv._validation import validate_frequency_recency_age
        from clv.summary import unique_rows

        x, t_x, age, row_weights = validate_frequency_recency_age(
            frequency, recency, T, weights=weights
        )
        if self.penalizer_coef == 0 and not np.any((x > 0) & (row_weights > 0)):
            # Without any repeat purchase the likelihood keeps rising as the purchase rate goes
            # to zero: there is no maximum to report, only a boundary.
            raise ConvergenceError(
                f"{self.model_name} cannot be estimated: no customer made a repeat purchase, so the "
                "likelihood has no maximum (the purchase rate runs to zero). Try: a longer period "
                "of data, or a penalizer_coef such as 0.01 to get regularised estimates."
            )
        compressed = unique_rows(x, t_x, age)
        # Sum the given weights per distinct row, so weighted input compresses too.
        distinct_weights = np.bincount(
            compressed.inverse, weights=row_weights, minlength=len(compressed.weights)
        )
        used = distinct_weights > 0
        rows = (compressed.frequency[used], compressed.recency[used], compressed.T[used])
        row_weights_used = distinct_weights[used]
        warm_start = None
        if len(rows[0]) > _WARM_START_ROWS:
            # Every k-th distinct row (sorted by x, t_x, T: a spread-out sample) with k times
            # the weight.
            stride = len(rows[0]) // (_WARM_START_ROWS // 2)
            warm_start = (
                self._prepare_rows(tuple(column[::stride] for column in rows)),
                row_weights_used[::stride] * stride,
            )
        data = self._prepare_rows(rows)
        return self._fit_rows(
            data, row_weights_used, n_customers=float(row_weights.sum()), warm_start=warm_start
        )

    def _prepare_rows(self, data: tuple) -> tuple:
        """Model-specific precomputation on the fixed data of a fit (none by default)."""
        return data

    def row_log_likelihood(self, frequency, recency, T) -> np.ndarray:
        """Log-likelihood of each customer's (x, t_x, T) under the fitted parameters."""
        from clv._validation import validate_frequency_recency_age

        x, t_x, age, _ = validate_frequency_recency_age(frequency, recency, T)
        params = np.array(self._param_values())
        return self._row_log_likelihood(params, (x, t_x, age), with_gradient=False)[0]

    def _validated(self, frequency, recency, T):
        from clv._validation import validate_frequency_recency_age

        self._check_fitted()
        x, t_x, age, _ = validate_frequency_recency_age(frequency, recency, T)
        return x, t_x, age
