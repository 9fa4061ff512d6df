"""Recovery of known parameters from data simulated with a seeded generator.

Sample sizes are moderate (tests run in seconds); tolerances are a few standard errors.
"""

import numpy as np
import pytest

from clv import (
    BetaGeometricBetaBinomial,
    BetaGeometricNBD,
    GammaGamma,
    ModifiedBetaGeometricNBD,
    ParetoNBD,
)
from clv.simulate import simulate_bgbb, simulate_bgnbd, simulate_pareto_nbd, simulate_spend


def assert_recovered(model, truth, *, max_standard_errors=4.0):
    for name, true_value in truth.items():
        estimate = model.params_[name]
        error = model.standard_errors_[name]
        assert abs(estimate - true_value) <= max_standard_errors * error, (
            name,
            estimate,
            true_value,
            error,
        )


def ages(size, rng):
    return rng.uniform(20, 52, size=size)


def test_bgnbd_recovers_parameters():
    rng = np.random.default_rng(7)
    truth = {"r": 0.8, "alpha": 5.0, "a": 0.6, "b": 2.5}
    x, t_x, T = simulate_bgnbd(**truth, T=ages(20000, rng), random_state=11)
    assert_recovered(BetaGeometricNBD().fit(x, t_x, T), truth)


def test_mbgnbd_recovers_parameters():
    rng = np.random.default_rng(8)
    truth = {"r": 0.8, "alpha": 5.0, "a": 0.6, "b": 2.5}
    x, t_x, T = simulate_bgnbd(**truth, T=ages(20000, rng), random_state=12, modified=True)
    assert_recovered(ModifiedBetaGeometricNBD().fit(x, t_x, T), truth)


def test_pareto_nbd_recovers_parameters():
    rng = np.random.default_rng(9)
    truth = {"r": 0.6, "alpha": 8.0, "s": 0.8, "beta": 12.0}
    x, t_x, T = simulate_pareto_nbd(**truth, T=ages(20000, rng), random_state=13)
    assert_recovered(ParetoNBD().fit(x, t_x, T), truth)


def test_bgbb_recovers_parameters():
    truth = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.8}
    x, t_x, n = simulate_bgbb(**truth, n_periods=8, size=20000, random_state=14)
    assert_recovered(BetaGeometricBetaBinomial().fit(x, t_x, n), truth)


def test_gamma_gamma_recovers_parameters():
    rng = np.random.default_rng(15)
    truth = {"p": 6.0, "q": 4.0, "gamma": 15.0}
    frequency = rng.integers(1, 12, size=5000).astype(float)
    spend = simulate_spend(**truth, frequency=frequency, random_state=16)
    assert_recovered(GammaGamma().fit(frequency, spend), truth)


def test_simulation_is_reproducible_with_a_seed():
    first = simulate_pareto_nbd(
        r=0.5, alpha=10, s=0.6, beta=12, T=np.full(50, 30.0), random_state=3
    )
    second = simulate_pareto_nbd(
        r=0.5, alpha=10, s=0.6, beta=12, T=np.full(50, 30.0), random_state=3
    )
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("modified", [False, True])
def test_bgnbd_simulation_matches_model_expectation(modified):
    # The simulator and the closed-form E[X(t)] tell the same story.
    truth = {"r": 0.8, "alpha": 5.0, "a": 0.6, "b": 2.5}
    x, _, _ = simulate_bgnbd(**truth, T=np.full(40000, 30.0), random_state=21, modified=modified)
    model = (ModifiedBetaGeometricNBD if modified else BetaGeometricNBD)()
    model.params_ = truth
    assert x.mean() == pytest.approx(model.expected_purchases_unconditional(30.0), rel=0.03)
