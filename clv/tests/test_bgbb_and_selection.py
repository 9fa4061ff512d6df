"""BG/BB on the published donor data, and model selection."""

from pathlib import Path

import numpy as np
import pytest

from clv import BetaGeometricBetaBinomial
from clv.selection import select_model

DONATIONS = Path(__file__).parent / "data" / "donations.csv"


def test_bgbb_reproduces_fader_hardie_shang_2010():
    # Fader, Hardie & Shang (2010): alpha=1.204, beta=0.750, gamma=0.657, delta=2.783, LL=-33225.6.
    table = np.loadtxt(DONATIONS, delimiter=",", skiprows=1)
    model = BetaGeometricBetaBinomial().fit(
        table[:, 0], table[:, 1], table[:, 2], weights=table[:, 3]
    )
    published = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}
    for name, value in published.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-3)
    assert model.log_likelihood_ == pytest.approx(-33225.6, abs=0.05)
    assert model.n_customers_ == 11104
    counts = np.arange(7)
    probabilities = model.probability_of_purchases(6, counts)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.sum(counts * probabilities) == pytest.approx(
        model.expected_purchases_unconditional(6), rel=1e-10
    )
    alive = model.probability_alive([6, 0], [6, 0], [6, 6])
    assert alive[0] > 0.9 > 0.2 > alive[1]
    assert np.all(model.expected_purchases(5, [6, 3, 0], [6, 6, 0], [6, 6, 6]) >= 0)


def test_bgbb_rejects_inconsistent_rows():
    with pytest.raises(ValueError, match="inconsistent row 1: frequency x exceeds recency"):
        BetaGeometricBetaBinomial().fit([1, 3], [1, 2], [6, 6])
    with pytest.raises(ValueError, match="recency t_x exceeds the number of opportunities"):
        BetaGeometricBetaBinomial().fit([1], [7], [6])


def test_selection_on_holdout_explains_choice(cdnow_summary):
    result = select_model(
        frequency=cdnow_summary.frequency,
        recency=cdnow_summary.recency,
        T=cdnow_summary.T,
        holdout_frequency=cdnow_summary.holdout_frequency,
        holdout_duration=cdnow_summary.holdout_duration,
    )
    assert result.criterion == "holdout_mae"
    maes = {candidate.name: candidate.holdout_mae for candidate in result.candidates}
    assert result.chosen_name == min(maes, key=maes.get)
    assert result.chosen.label in result.reason
    assert "mean absolute error" in result.reason
    assert result.chosen.holdout_actual_total == cdnow_summary.holdout_frequency.sum()


def test_selection_without_holdout_uses_bic(cdnow_summary):
    result = select_model(
        frequency=cdnow_summary.frequency, recency=cdnow_summary.recency, T=cdnow_summary.T
    )
    assert result.criterion == "bic"
    bics = {candidate.name: candidate.bic for candidate in result.candidates}
    assert result.chosen_name == min(bics, key=bics.get) == "mbgnbd"
    assert "lowest BIC" in result.reason
