"""Choosing a purchase model: on a holdout period when there is one, otherwise by BIC.

With a holdout period the candidates fitted on the calibration period predict each customer's
number of transactions in the holdout; the model with the lowest mean absolute error per
customer wins (the forecast that matters for deciding on whom to spend attention). Without a
holdout the Bayesian information criterion decides; all candidates have four parameters, so
this is the same as the highest log-likelihood.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from clv.exceptions import ConvergenceError
from clv.i18n import _, number, percent
from clv.models import MODELS_BY_NAME

MODEL_LABELS = {"bgnbd": "BG/NBD", "mbgnbd": "MBG/NBD", "pnbd": "Pareto/NBD"}


@dataclass(frozen=True)
class CandidateResult:
    name: str
    label: str
    model: object | None
    log_likelihood: float | None
    bic: float | None
    aic: float | None
    holdout_mae: float | None = None
    holdout_predicted_total: float | None = None
    holdout_actual_total: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class SelectionResult:
    """The chosen model, why, and the figures of every candidate."""

    chosen_name: str
    model: object
    criterion: str  # "holdout_mae" or "bic"
    reason: str
    candidates: list[CandidateResult] = field(default_factory=list)

    @property
    def chosen(self) -> CandidateResult:
        return next(
            candidate for candidate in self.candidates if candidate.name == self.chosen_name
        )


def select_model(
    *,
    frequency,
    recency,
    T,
    holdout_frequency=None,
    holdout_duration: float | None = None,
    candidates=("bgnbd", "mbgnbd", "pnbd"),
    penalizer_coef: float = 0.0,
) -> SelectionResult:
    """Fit each candidate and choose one.

    Parameters
    ----------
    frequency, recency, T : array-like
        Calibration-period summary.
    holdout_frequency : array-like, optional
        Actual transactions of each customer in the holdout period.
    holdout_duration : float, optional
        Length of the holdout period in the same time unit; needed with ``holdout_frequency``.
    candidates : sequence of str
        Names among ``bgnbd``, ``mbgnbd``, ``pnbd``.

    Returns
    -------
    SelectionResult
        ``reason`` is a sentence for people; ``candidates`` holds the figures of every model.
    """
    use_holdout = (
        holdout_frequency is not None and holdout_duration is not None and holdout_duration > 0
    )
    if use_holdout:
        actual = np.asarray(holdout_frequency, dtype=np.float64)
    results = []
    for name in candidates:
        if name not in MODELS_BY_NAME:
            raise ValueError(f"unknown model {name!r}; choose from {sorted(MODELS_BY_NAME)}")
        label = MODEL_LABELS[name]
        try:
            model = MODELS_BY_NAME[name](penalizer_coef=penalizer_coef).fit(frequency, recency, T)
        except ConvergenceError as error:
            results.append(CandidateResult(name, label, None, None, None, None, error=str(error)))
            continue
        figures = {}
        if use_holdout:
            predicted = model.expected_purchases(holdout_duration, frequency, recency, T)
            figures = dict(
                holdout_mae=float(np.mean(np.abs(predicted - actual))),
                holdout_predicted_total=float(predicted.sum()),
                holdout_actual_total=float(actual.sum()),
            )
        results.append(
            CandidateResult(
                name, label, model, model.log_likelihood_, model.bic_, model.aic_, **figures
            )
        )
    fitted = [result for result in results if result.model is not None]
    if not fitted:
        raise ConvergenceError(
            _("no candidate model converged: %(errors)s")
            % {"errors": " | ".join(f"{r.label}: {r.error}" for r in results)}
        )
    if use_holdout:
        best = min(fitted, key=lambda result: result.holdout_mae)
        others = ", ".join(f"{r.label} {number(r.holdout_mae, 4)}" for r in fitted if r is not best)
        total_gap = best.holdout_predicted_total - best.holdout_actual_total
        relative_gap = (
            total_gap / best.holdout_actual_total if best.holdout_actual_total else float("nan")
        )
        reason = (
            _(
                "%(model)s predicts the holdout period best: mean absolute error per customer "
                "%(error)s (vs %(others)s); it predicts %(predicted)s transactions against "
                "%(actual)s actual (%(gap)s)."
            )
            if others
            else _(
                "%(model)s predicts the holdout period best: mean absolute error per customer "
                "%(error)s; it predicts %(predicted)s transactions against %(actual)s actual "
                "(%(gap)s)."
            )
        ) % {
            "model": best.label,
            "error": number(best.holdout_mae, 4),
            "others": others,
            "predicted": number(best.holdout_predicted_total, 1),
            "actual": number(best.holdout_actual_total),
            "gap": ("+" if relative_gap >= 0 else "") + percent(relative_gap, 1),
        }
        criterion = "holdout_mae"
    else:
        best = min(fitted, key=lambda result: result.bic)
        others = ", ".join(f"{r.label} {number(r.bic, 2)}" for r in fitted if r is not best)
        reason = (
            _(
                "%(model)s has the lowest BIC, %(bic)s (vs %(others)s); with no holdout period, "
                "fit penalised for size decides (give --calibration-end to compare forecasts "
                "instead)."
            )
            if others
            else _(
                "%(model)s has the lowest BIC, %(bic)s; with no holdout period, fit penalised for "
                "size decides (give --calibration-end to compare forecasts instead)."
            )
        ) % {"model": best.label, "bic": number(best.bic, 2), "others": others}
        criterion = "bic"
    failed = [result for result in results if result.model is None]
    if failed:
        reason += " " + _("Not converged: %(models)s.") % {
            "models": ", ".join(result.label for result in failed)
        }
    return SelectionResult(best.name, best.model, criterion, reason, results)
