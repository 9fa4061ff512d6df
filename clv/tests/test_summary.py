"""Transaction log -> (x, t_x, T, spend) summaries, checked against a plain per-customer loop."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clv.summary import summarise_transactions, unique_rows


def naive_summary(ids, days, amounts, calibration_end, observation_end, unit):
    """Readable reference: one customer at a time, as the literature defines the summary."""
    result = {}
    for customer in sorted(set(ids)):
        mine = [
            (d, a)
            for i, d, a in zip(ids, days, amounts, strict=True)
            if i == customer and d <= observation_end
        ]
        if not mine:
            continue
        per_day = {}
        for d, a in mine:
            per_day[d] = per_day.get(d, 0.0) + a
        calibration_days = sorted(d for d in per_day if d <= calibration_end)
        if not calibration_days:
            continue
        first = calibration_days[0]
        x = len(calibration_days) - 1
        repeat_values = [per_day[d] for d in calibration_days[1:]]
        holdout = [d for d in per_day if d > calibration_end]
        result[customer] = (
            x,
            (calibration_days[-1] - first) / unit,
            (calibration_end - first) / unit,
            sum(repeat_values) / x if x else 0.0,
            len(holdout),
            sum(per_day[d] for d in holdout) / len(holdout) if holdout else 0.0,
        )
    return result


@settings(max_examples=80, deadline=None)
@given(
    transactions=st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 60), st.floats(0.5, 100.0)),
        min_size=1,
        max_size=60,
    ),
    calibration_offset=st.integers(0, 60),
    unit=st.sampled_from(["day", "week"]),
)
def test_vectorised_summary_equals_per_customer_definition(transactions, calibration_offset, unit):
    ids = np.array([f"k{t[0]}" for t in transactions])
    day_numbers = np.array([t[1] for t in transactions])
    amounts = np.array([t[2] for t in transactions])
    dates = np.datetime64("2024-01-01") + day_numbers.astype("timedelta64[D]")
    observation_end = int(day_numbers.max())
    calibration_end = min(calibration_offset, observation_end)
    expected = naive_summary(
        list(ids),
        list(day_numbers),
        list(amounts),
        calibration_end,
        observation_end,
        7.0 if unit == "week" else 1.0,
    )
    if not expected:
        with pytest.raises(ValueError, match="no customer made a first purchase"):
            summarise_transactions(
                customer_ids=ids,
                dates=dates,
                amounts=amounts,
                calibration_end=np.datetime64("2024-01-01") + np.timedelta64(calibration_end, "D"),
                time_unit=unit,
            )
        return
    summary = summarise_transactions(
        customer_ids=ids,
        dates=dates,
        amounts=amounts,
        calibration_end=np.datetime64("2024-01-01") + np.timedelta64(calibration_end, "D"),
        time_unit=unit,
    )
    assert list(summary.customer_id) == list(expected)
    got = np.column_stack(
        (
            summary.frequency,
            summary.recency,
            summary.T,
            summary.monetary_value,
            summary.holdout_frequency,
            summary.holdout_monetary_value,
        )
    )
    np.testing.assert_allclose(got, np.array(list(expected.values())), rtol=1e-12, atol=1e-12)
    assert np.all(summary.recency <= summary.T)


def test_same_day_purchases_merge_and_first_purchase_is_not_spend():
    ids = np.array(["a", "a", "a", "a", "b"])
    dates = np.array(
        ["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-08T17:30", "2024-01-05"],
        dtype="datetime64[m]",
    )
    amounts = np.array([10.0, 5.0, 20.0, 2.0, 7.0])
    summary = summarise_transactions(
        customer_ids=ids, dates=dates, amounts=amounts, time_unit="day"
    )
    assert summary.frequency.tolist() == [1.0, 0.0]
    assert summary.recency.tolist() == [7.0, 0.0]
    assert summary.T.tolist() == [7.0, 3.0]
    assert summary.monetary_value.tolist() == [22.0, 0.0]
    assert summary.n_transactions == 5
    assert summary.repeat_customers == 1
    assert summary.total_revenue == 44.0
    assert summary.repeat_revenue == 22.0


def test_calibration_split_excludes_later_customers_and_counts_holdout():
    ids = np.array([1, 1, 1, 2, 3])
    dates = np.array(
        ["2024-01-01", "2024-01-15", "2024-02-10", "2024-01-20", "2024-02-01"],
        dtype="datetime64[D]",
    )
    summary = summarise_transactions(
        customer_ids=ids,
        dates=dates,
        amounts=[1.0, 2.0, 3.0, 4.0, 5.0],
        calibration_end="2024-01-31",
        observation_end="2024-02-29",
        time_unit="week",
    )
    assert summary.customer_id.tolist() == [1, 2]
    assert summary.frequency.tolist() == [1.0, 0.0]
    assert summary.holdout_frequency.tolist() == [1.0, 0.0]
    assert summary.holdout_monetary_value.tolist() == [3.0, 0.0]
    assert summary.holdout_duration == pytest.approx(29 / 7)
    assert summary.T.tolist() == [30 / 7, 11 / 7]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amounts": [1.0, np.nan]}, "amount is not a finite number at row 1"),
        (
            {"dates": np.array(["2024-01-01", "NaT"], dtype="datetime64[D]")},
            "date is missing at row 1",
        ),
        ({"dates": np.array([1, 2])}, "dates must be datetime64"),
        ({"customer_ids": [1]}, "customer_ids has 1 entries but dates has 2"),
        ({"time_unit": "month"}, "time_unit must be one of"),
        (
            {"calibration_end": "2025-01-01", "observation_end": "2024-06-01"},
            "calibration_end lies after",
        ),
    ],
)
def test_summary_input_errors(kwargs, message):
    arguments = {
        "customer_ids": [1, 2],
        "dates": np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]"),
        "amounts": [1.0, 2.0],
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        summarise_transactions(**arguments)


def test_unique_rows_round_trip_and_counts():
    x = np.array([1, 0, 1, 2, 1, 0])
    t_x = np.array([2.0, 0, 2.0, 3.0, 2.0, 0])
    T = np.array([5.0, 5, 5.0, 5.0, 6.0, 5])
    rows = unique_rows(x, t_x, T)
    np.testing.assert_array_equal(rows.frequency[rows.inverse], x)
    np.testing.assert_array_equal(rows.recency[rows.inverse], t_x)
    np.testing.assert_array_equal(rows.T[rows.inverse], T)
    assert rows.weights.sum() == 6
    assert len(rows.weights) == 4


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 30), st.integers(0, 30)),
        min_size=1,
        max_size=80,
    ),
    divisor=st.sampled_from([1.0, 7.0, 3.3]),
)
def test_unique_rows_equal_numpy_unique_for_days_weeks_and_arbitrary_floats(rows, divisor):
    table = np.array(rows, dtype=float)
    x, t_x, T = table[:, 0], table[:, 1] / divisor, table[:, 2] / divisor
    result = unique_rows(x, t_x, T)
    expected, counts = np.unique(np.column_stack((x, t_x, T)), axis=0, return_counts=True)
    got = np.column_stack((result.frequency, result.recency, result.T))
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(result.weights, counts)
    np.testing.assert_array_equal(got[result.inverse], np.column_stack((x, t_x, T)))
