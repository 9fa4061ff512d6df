"""Behaviour of the estimators: gradients, edge cases, validation, scikit-learn conventions."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clv import (
    BetaGeometricBetaBinomial,
    BetaGeometricNBD,
    ConvergenceError,
    GammaGamma,
    ModifiedBetaGeometricNBD,
    NotFittedError,
    ParetoNBD,
    customer_lifetime_value,
)
from clv.models.paretonbd import hypergeometric_one_b_c

TRANSACTION_MODELS = [BetaGeometricNBD, ModifiedBetaGeometricNBD, ParetoNBD]
CDNOW_LIKE = {
    BetaGeometricNBD: {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259},
    ModifiedBetaGeometricNBD: {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
    ParetoNBD: {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562},
}
HARD_ROWS = (
    np.array([0, 1, 2, 26, 500, 1000, 3000, 0, 7]),
    np.array([0, 0.5, 30.43, 30.86, 4999.0, 100.0, 10.0, 0, 7.0]),
    np.array([5000, 60, 38.86, 31, 5000.0, 5000.0, 10.5, 0.5, 7.0]),
)


def fitted(model_class, params):
    model = model_class()
    model.params_ = dict(params)
    return model


def numerical_gradient(model, params, data):
    gradient = np.empty((len(data[0]), len(params)))
    for index in range(len(params)):
        step = 1e-6 * params[index]
        up, down = params.copy(), params.copy()
        up[index] += step
        down[index] -= step
        gradient[:, index] = (
            model._row_log_likelihood(up, data, with_gradient=False)[0]
            - model._row_log_likelihood(down, data, with_gradient=False)[0]
        ) / (2 * step)
    return gradient


@pytest.mark.parametrize(
    ("model_class", "params"),
    [
        (BetaGeometricNBD, [0.24, 4.4, 0.79, 2.4]),
        (BetaGeometricNBD, [3.0, 0.5, 0.1, 20.0]),
        (ModifiedBetaGeometricNBD, [0.52, 6.2, 0.89, 1.6]),
        (ParetoNBD, [0.55, 10.6, 0.61, 11.7]),
        (ParetoNBD, [0.55, 1.0, 0.61, 100.0]),
        (ParetoNBD, [2.0, 100.0, 0.3, 0.5]),
        (ParetoNBD, [1.0, 5.0, 1.0, 5.0]),
    ],
)
def test_analytic_gradient_matches_finite_differences(model_class, params):
    params = np.array(params, dtype=float)
    data = tuple(array.astype(float) for array in HARD_ROWS)
    model = model_class()
    _, analytic = model._row_log_likelihood(params, data, with_gradient=True)
    numeric = numerical_gradient(model, params, data)
    np.testing.assert_allclose(
        analytic, numeric, rtol=1e-5, atol=1e-5 * (1 + np.abs(numeric).max())
    )


def test_gamma_gamma_and_bgbb_gradients_match_finite_differences():
    spend_data = (np.array([1.0, 2, 10, 50]), np.array([20.0, 35.5, 12.1, 80.0]))
    spend_params = np.array([6.25, 3.74, 15.44])
    spend_model = GammaGamma()
    np.testing.assert_allclose(
        spend_model._row_log_likelihood(spend_params, spend_data, with_gradient=True)[1],
        numerical_gradient(spend_model, spend_params, spend_data),
        rtol=1e-5,
        atol=1e-6,
    )
    discrete_data = (
        np.array([0.0, 1, 3, 6, 2]),
        np.array([0.0, 1, 5, 6, 6]),
        np.array([6.0, 6, 6, 6, 8]),
    )
    discrete_params = np.array([1.2, 0.75, 0.66, 2.8])
    discrete_model = BetaGeometricBetaBinomial()
    np.testing.assert_allclose(
        discrete_model._row_log_likelihood(discrete_params, discrete_data, with_gradient=True)[1],
        numerical_gradient(discrete_model, discrete_params, discrete_data),
        rtol=1e-5,
        atol=1e-6,
    )


def test_hypergeometric_series_against_closed_forms():
    # 2F1(1, 1; 2; z) = -log(1-z)/z and 2F1(1, b; b; z) = 1/(1-z).
    z = np.array([0.0, 1e-8, 0.3, 0.9, 0.999])
    series, _, _, _ = hypergeometric_one_b_c(np.ones_like(z), 2 * np.ones_like(z), z)
    expected = np.where(z > 0, -np.log1p(-z) / np.where(z > 0, z, 1), 1.0)
    np.testing.assert_allclose(series, expected, rtol=1e-12)
    series, _, _, d_z = hypergeometric_one_b_c(
        np.full(3, 2.5), np.full(3, 2.5), np.array([0.0, 0.5, 0.95])
    )
    np.testing.assert_allclose(series, 1 / (1 - np.array([0.0, 0.5, 0.95])), rtol=1e-12)
    np.testing.assert_allclose(d_z, 1 / (1 - np.array([0.0, 0.5, 0.95])) ** 2, rtol=1e-10)


def test_pareto_nbd_likelihood_is_finite_and_exact_for_huge_x_and_T():
    # Given customers with up to 3,000 purchases and ages of 5,000 periods
    model = fitted(ParetoNBD, CDNOW_LIKE[ParetoNBD])
    x, t_x, T = HARD_ROWS
    # When the likelihood and predictions are evaluated
    log_likelihood = model.row_log_likelihood(x, t_x, T)
    alive = model.probability_alive(x, t_x, T)
    expected = model.expected_purchases(52, x, t_x, T)
    # Then everything is finite, probabilities are probabilities, and the values agree with
    # the integral form evaluated by adaptive quadrature
    assert np.all(np.isfinite(log_likelihood))
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(expected) & (expected >= 0))
    from scipy import integrate, special

    r, alpha, s, beta = (model.params_[name] for name in ("r", "alpha", "s", "beta"))
    for row in (4, 5, 6):
        xr, txr, Tr = float(x[row]), float(t_x[row]), float(T[row])
        reference = -(r + xr) * np.log(alpha + txr)
        alive_term = np.exp(-(r + xr) * np.log(alpha + Tr) - s * np.log(beta + Tr) - reference)

        def integrand(u, xr=xr, reference=reference):
            return np.exp(-(r + xr) * np.log(alpha + u) - (s + 1) * np.log(beta + u) - reference)

        scale = (alpha + txr) / (r + xr)
        points = [txr + k * scale for k in (1, 5, 20, 100) if txr + k * scale < Tr]
        integral, _ = integrate.quad(
            integrand, txr, Tr, epsabs=0, epsrel=1e-12, limit=500, points=points
        )
        exact = (
            special.gammaln(r + xr)
            - special.gammaln(r)
            + r * np.log(alpha)
            + s * np.log(beta)
            + reference
            + np.log(alive_term + s * integral)
        )
        assert log_likelihood[row] == pytest.approx(exact, rel=1e-10, abs=1e-8)


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
def test_probabilities_of_counts_sum_to_one_and_match_the_mean(model_class):
    model = fitted(model_class, CDNOW_LIKE[model_class])
    counts = np.arange(0, 400)
    probabilities = model.probability_of_purchases(39.0, counts)
    assert np.all(probabilities >= 0)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-6)
    assert np.sum(counts * probabilities) == pytest.approx(
        model.expected_purchases_unconditional(39.0), rel=1e-6
    )


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
def test_fit_on_customers_without_repeat_purchases_needs_a_penalty(model_class):
    # All x = 0: the likelihood has no maximum; without a penalty the fit says so, with one it
    # gives finite parameters.
    x = np.zeros(200)
    T = np.linspace(1, 40, 200)
    with pytest.raises(
        ConvergenceError, match=r"no customer made a repeat purchase.*penalizer_coef"
    ):
        model_class().fit(x, x, T)
    penalised = model_class(penalizer_coef=0.01).fit(x, x, T)
    assert all(np.isfinite(value) and value > 0 for value in penalised.params_.values())
    assert np.all(penalised.expected_purchases(10, x, x, T) >= 0)


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
def test_one_customer_fits_with_a_penalty_and_predicts(model_class):
    model = model_class(penalizer_coef=0.1).fit([3], [20.0], [30.0])
    assert model.n_customers_ == 1
    assert np.isfinite(model.log_likelihood_)
    assert 0 <= model.probability_alive([3], [20.0], [30.0])[0] <= 1


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1, np.nan], [1, 1], [2, 2], "frequency x is not a finite number at row 1"),
        ([1, 2], [1, -1], [2, 2], "recency t_x is negative at row 1"),
        ([1, 2], [1, 1], [2, -2], "age T is negative at row 1"),
        ([0, 2], [0, 0], [2, 2], "inconsistent row 1: frequency x=2 > 0 but recency t_x=0"),
        ([0, 0, 0], [0, 0, 1], [2, 2, 2], "inconsistent row 2: frequency x=0 but recency"),
        ([1, 1], [1, 3], [2, 2], "inconsistent row 1: recency t_x=3 exceeds age T=2"),
        ([1.5], [1], [2], "whole number"),
        ([], [], [], "empty"),
    ],
)
def test_invalid_input_raises_value_error_naming_problem_and_row(
    model_class, frequency, recency, T, message
):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        model_class().fit(frequency, recency, T)
    model = fitted(model_class, CDNOW_LIKE[model_class])
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        model.expected_purchases(10, frequency, recency, T)


@pytest.mark.parametrize(
    "model_class", [*TRANSACTION_MODELS, GammaGamma, BetaGeometricBetaBinomial]
)
def test_estimators_follow_scikit_learn_conventions(model_class):
    model = model_class(penalizer_coef=0.0)
    assert set(vars(model)) == {"penalizer_coef", "initial_params", "max_iter"}
    with pytest.raises(NotFittedError):
        model._param_values()


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
def test_a_model_rebuilt_from_its_parameters_predicts_as_the_fitted_one(model_class, cdnow_summary):
    x, t_x, T = cdnow_summary.frequency, cdnow_summary.recency, cdnow_summary.T
    model = model_class().fit(x, t_x, T)

    # The parameters as a database's JSON gives them back: plain floats by name.
    rebuilt = model_class.from_params(json.loads(json.dumps(model.params_)))

    assert rebuilt.params_ == model.params_
    assert np.array_equal(rebuilt.probability_alive(x, t_x, T), model.probability_alive(x, t_x, T))
    assert np.array_equal(
        rebuilt.expected_purchases(10, x, t_x, T), model.expected_purchases(10, x, t_x, T)
    )


def test_a_model_is_not_rebuilt_from_missing_or_impossible_parameters():
    with pytest.raises(ValueError, match=r"BG/NBD needs the parameters \['r', 'alpha', 'a', 'b'\]"):
        BetaGeometricNBD.from_params({"r": 1.0, "alpha": 1.0, "a": 1.0})
    with pytest.raises(ValueError, match="Gamma-Gamma parameters must be positive and finite"):
        GammaGamma.from_params({"p": 1.0, "q": -2.0, "gamma": 1.0})
    assert GammaGamma.from_params({"p": 6.25, "q": 3.74, "gamma": 15.44}).expected_spend(
        [0], [0.0]
    )[0] == pytest.approx(15.44 * 6.25 / 2.74)


def test_fit_returns_self_keeps_no_data_and_weights_equal_repeated_rows():
    x = np.array([0, 1, 1, 5, 2, 0])
    t_x = np.array([0, 3.0, 3.0, 20.0, 9.0, 0])
    T = np.array([30, 30, 30, 31.0, 25.0, 12.0])
    model = BetaGeometricNBD()
    assert model.fit(x, t_x, T) is model
    stored = {name: value for name, value in vars(model).items() if isinstance(value, np.ndarray)}
    assert stored == {}
    weighted = BetaGeometricNBD().fit(
        [0, 1, 5, 2, 0], [0, 3.0, 20.0, 9.0, 0], [30, 30, 31.0, 25.0, 12.0], weights=[1, 2, 1, 1, 1]
    )
    for name in model.params_:
        assert weighted.params_[name] == pytest.approx(model.params_[name], rel=1e-6)
    assert weighted.log_likelihood_ == pytest.approx(model.log_likelihood_, abs=1e-8)


def test_information_criteria_and_standard_errors(cdnow_summary):
    model = BetaGeometricNBD().fit(cdnow_summary.frequency, cdnow_summary.recency, cdnow_summary.T)
    assert model.aic_ == pytest.approx(8 - 2 * model.log_likelihood_)
    assert model.bic_ == pytest.approx(4 * np.log(2357) - 2 * model.log_likelihood_)
    # Standard errors are positive and small relative to the estimates on 2,357 customers.
    for name, error in model.standard_errors_.items():
        assert 0 < error < model.params_[name]


def test_gamma_gamma_validation_and_expected_spend():
    with pytest.raises(ValueError, match="repeat buyers only: frequency x=0 at row 1"):
        GammaGamma().fit([2, 0], [10.0, 5.0])
    with pytest.raises(ValueError, match="monetary value is negative at row 0"):
        GammaGamma().fit([2], [-1.0])
    model = fitted(GammaGamma, {"p": 6.25, "q": 3.74, "gamma": 15.44})
    spend = model.expected_spend([0, 1, 100], [0.0, 50.0, 50.0])
    assert spend[0] == pytest.approx(15.44 * 6.25 / 2.74)
    assert spend[0] < spend[1] < spend[2] < 50.0


@settings(max_examples=60, deadline=None)
@given(
    model_index=st.integers(0, 2),
    rows=st.lists(
        st.tuples(st.integers(0, 300), st.floats(0.0, 1.0), st.floats(0.0, 2000.0)),
        min_size=1,
        max_size=20,
    ),
    horizon=st.integers(0, 24),
    discount=st.floats(0.0, 0.5),
)
def test_clv_is_never_negative_or_nan_for_valid_input(model_index, rows, horizon, discount):
    model_class = TRANSACTION_MODELS[model_index]
    model = fitted(model_class, CDNOW_LIKE[model_class])
    x = np.array([row[0] for row in rows], dtype=float)
    T = np.array([row[2] for row in rows])
    t_x = np.where(x > 0, np.maximum(np.array([row[1] for row in rows]) * T, 1e-3), 0.0)
    T = np.maximum(T, t_x)
    value = customer_lifetime_value(
        transaction_model=model,
        frequency=x,
        recency=t_x,
        T=T,
        expected_spend=25.0,
        horizon_periods=horizon,
        period_length=4.35,
        discount_rate=discount,
    )
    assert np.all(np.isfinite(value))
    assert np.all(value >= 0)
    alive = model.probability_alive(x, t_x, T)
    assert np.all((alive >= 0) & (alive <= 1))


def test_clv_discounting_and_horizon():
    model = fitted(BetaGeometricNBD, CDNOW_LIKE[BetaGeometricNBD])
    args = dict(
        transaction_model=model, frequency=[2], recency=[30.43], T=[38.86], expected_spend=[10.0]
    )
    undiscounted = customer_lifetime_value(
        **args, horizon_periods=9, period_length=39 / 9, discount_rate=0.0
    )
    assert undiscounted[0] == pytest.approx(10 * model.expected_purchases(39, 2, 30.43, 38.86)[0])
    discounted = customer_lifetime_value(
        **args, horizon_periods=9, period_length=39 / 9, discount_rate=0.05
    )
    assert 0 < discounted[0] < undiscounted[0]
    assert customer_lifetime_value(**args, horizon_periods=0, discount_rate=0.01)[0] == 0.0


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
def test_warm_start_from_a_subsample_reaches_the_same_optimum(
    cdnow_summary, model_class, monkeypatch
):
    data = (cdnow_summary.frequency, cdnow_summary.recency, cdnow_summary.T)
    cold = model_class().fit(*data)
    monkeypatch.setattr("clv.models.base._WARM_START_ROWS", 200)
    warm = model_class().fit(*data)
    for name in cold.params_:
        assert warm.params_[name] == pytest.approx(cold.params_[name], rel=1e-5)
    assert warm.log_likelihood_ == pytest.approx(cold.log_likelihood_, abs=1e-6)


# Hand-set models whose expected purchases if alive have a closed form: with a = 2 and r = 1 the
# hypergeometric terms of BG/NBD and MBG/NBD are logarithms, and Pareto/NBD with s = 2 is rational.
ALIVE_CASES = [
    # BG/NBD, x = 0 at T = 1, t = 2: z = 1/2, 2F1(1, 1; 2; z) = -ln(1-z)/z = 2 ln 2, so
    # E = (a+b+x-1)/(a-1) [1 - (1/2) 2 ln 2] = 2 (1 - ln 2); P(alive) = 1 (no repeat purchase).
    (BetaGeometricNBD, {"r": 1, "alpha": 1, "a": 2, "b": 1}, 2 * (1 - np.log(2)), 1.0),
    # MBG/NBD, the same customer: b + x + 1 = 2, 2F1(1, 2; 3; z) = 2(-ln(1-z) - z)/z^2, so
    # E = 3 [1 - (1/2) 8 (ln 2 - 1/2)] = 9 - 12 ln 2; P(alive) = 1/(1 + a/b (2/1)^1) = 1/5.
    (ModifiedBetaGeometricNBD, {"r": 1, "alpha": 1, "a": 2, "b": 1}, 9 - 12 * np.log(2), 0.2),
    # Pareto/NBD: (r+x)(beta+T)/((alpha+T)(s-1)) [1 - (beta+T)/(beta+T+t)] = 1 (1 - 2/4) = 1/2;
    # with alpha = beta, P(alive) = 1/(1 + s/(r+s+x) [((alpha+T)/(alpha+t_x))^(r+s+x) - 1])
    # = 1/(1 + 2/3 (2^3 - 1)) = 3/17.
    (ParetoNBD, {"r": 1, "alpha": 1, "s": 2, "beta": 1}, 0.5, 3 / 17),
]


@pytest.mark.parametrize(("model_class", "params", "if_alive", "alive"), ALIVE_CASES)
def test_expected_purchases_are_p_alive_times_those_of_a_customer_still_active(
    model_class, params, if_alive, alive
):
    # Given a hand-set model and a customer without repeat purchases, one week old
    model = model_class.from_params(params)
    # When the purchases of the next two weeks are predicted if the customer is still active
    got = model.expected_purchases_if_alive(2.0, [0], [0.0], [1.0])
    # Then they are the closed form, and the expectation is P(alive) times them
    assert got[0] == pytest.approx(if_alive, rel=1e-12)
    assert model.probability_alive([0], [0.0], [1.0])[0] == pytest.approx(alive, rel=1e-12)
    assert model.expected_purchases(2.0, [0], [0.0], [1.0])[0] == pytest.approx(
        alive * if_alive, rel=1e-12
    )


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
def test_a_customer_long_gone_is_still_worth_something_if_alive(model_class):
    # Given a CDNOW-like model and a customer who bought 20 times in the first week of two
    # years (P(alive) below 1e-19)
    model = model_class.from_params(CDNOW_LIKE[model_class])
    x, t_x, age = [20, 20], [1.0, 104.0], [104.0, 104.0]
    alive = model.probability_alive(x, t_x, age)
    if_alive = model.expected_purchases_if_alive(52.0, x, t_x, age)
    # Then the expectation if alive is computed directly: finite, positive, and the same as for
    # a customer of the same purchases whose last one was last week (it does not depend on t_x)
    assert alive[0] < 1e-19
    assert np.all(np.isfinite(if_alive))
    assert if_alive[0] > 1
    assert if_alive[0] == if_alive[1]
    assert model.expected_purchases(52.0, x, t_x, age) == pytest.approx(alive * if_alive, rel=1e-12)


@pytest.mark.parametrize("model_class", TRANSACTION_MODELS)
def test_the_value_if_alive_times_p_alive_is_the_value(model_class):
    # Given a CDNOW-like model and customers from new to long gone
    model = model_class.from_params(CDNOW_LIKE[model_class])
    x = np.array([0, 1, 5, 20, 20])
    t_x = np.array([0.0, 10.0, 50.0, 1.0, 100.0])
    age = np.full(5, 104.0)
    options = {
        "transaction_model": model,
        "frequency": x,
        "recency": t_x,
        "T": age,
        "expected_spend": 30.0,
        "horizon_periods": 12,
        "period_length": 30.4375 / 7,
    }
    # When the 12-month value is computed, and the value if still a customer
    value = customer_lifetime_value(**options)
    if_alive = customer_lifetime_value(**options, if_alive=True)
    # Then the value is P(alive) times the value if alive, customer by customer
    assert value == pytest.approx(model.probability_alive(x, t_x, age) * if_alive, rel=1e-12)
    assert if_alive[3] > 100 * value[3]


def test_the_value_if_alive_over_one_period_is_the_purchases_if_alive_times_the_spend():
    # Given the hand-set Pareto/NBD above: 1/2 purchase in the two weeks after week one
    model = ParetoNBD.from_params({"r": 1, "alpha": 1, "s": 2, "beta": 1})
    # When valued over one period of two weeks, undiscounted, at 30 a purchase
    value = customer_lifetime_value(
        transaction_model=model,
        frequency=[0],
        recency=[0.0],
        T=[1.0],
        expected_spend=30.0,
        horizon_periods=1,
        period_length=2.0,
        discount_rate=0.0,
        if_alive=True,
    )
    # Then it is 15
    assert value[0] == pytest.approx(15.0, rel=1e-12)


def test_a_fit_at_the_rounding_floor_counts_as_converged_and_one_short_of_it_does_not():
    """A small shop's BG/NBD stopped on one processor at a gradient of 1.02e-7, just above the
    tolerance of 1e-7, where a Newton step would lower an objective of 59.26 by 2.8e-14: less
    than float64 can tell. Such a point has converged; one a Newton step still improves, or
    where the Hessian is not positive definite, has not."""
    from clv.models.base import at_rounding_floor

    hessian = np.diag([0.06, 0.14, 0.16, 0.98])
    at_floor = np.array([0.0, 0.0, 0.0, 1.02e-7])
    short_of_it = np.array([0.0, 0.0, 0.0, 1e-4])
    saddle = np.diag([0.06, -0.14, 0.16, 0.98])

    assert at_rounding_floor(hessian, at_floor, 59.26)
    assert not at_rounding_floor(hessian, short_of_it, 59.26)
    assert not at_rounding_floor(saddle, at_floor, 59.26)
    assert not at_rounding_floor(np.full((4, 4), np.nan), at_floor, 59.26)


@pytest.mark.parametrize("model_class", [BetaGeometricNBD, ModifiedBetaGeometricNBD])
def test_a_fit_in_which_nobody_leaves_says_its_dropout_collapsed(model_class):
    """A garage's 27 customers fitted a = 3e-15, b = 9e-5: every customer alive with certainty,
    one away for 21 months as much as one here last week."""
    collapsed = fitted(model_class, {"r": 0.72, "alpha": 12.3, "a": 3.27e-15, "b": 8.89e-5})
    cdnow = fitted(model_class, CDNOW_LIKE[model_class])

    assert (collapsed.dropout_collapsed, cdnow.dropout_collapsed) == (True, False)
    # A plain bool, as --json writes it; a model that cannot tell says no.
    assert type(collapsed.dropout_collapsed) is bool
    assert fitted(ParetoNBD, CDNOW_LIKE[ParetoNBD]).dropout_collapsed is False
    gone_long = collapsed.probability_alive(np.array([4]), np.array([400.0]), np.array([1030.0]))
    assert gone_long[0] > 0.999999


def test_steady_buyers_who_never_stop_collapse_the_bgnbd_dropout():
    # Thirty customers each in a steady rhythm of their own until now: no one is seen leaving.
    gaps = 60 + 5 * np.arange(30)
    ages = 1000 - (np.arange(30) * 37) % 200
    frequency = ages // gaps - (ages % gaps == 0)
    recency = (frequency * gaps).astype(float)

    model = BetaGeometricNBD().fit(frequency, recency, ages.astype(float))

    assert model.dropout_collapsed
    assert model.params_["a"] / (model.params_["a"] + model.params_["b"]) < 1e-6
