"""The descriptive figures behind the charts: cohort retention counts only months that are over;
the value chart's bins widen with the values."""

import numpy as np
import pytest

from clv.figures import cohort_retention, monthly_revenue, round_steps_to, value_distribution

# A: first in January, again in February and March; B: January, then March; C: February, then
# March. Two purchases in one month count once.
IDS = ["A", "A", "A", "A", "B", "B", "C", "C"]
DATES = [
    "2026-01-10",
    "2026-01-12",
    "2026-02-05",
    "2026-03-20",
    "2026-01-20",
    "2026-03-01",
    "2026-02-15",
    "2026-03-10",
]


def shares(result):
    return [[None if np.isnan(v) else round(float(v), 4) for v in row] for row in result.shares]


def test_cohort_retention_of_months_that_are_over():
    result = cohort_retention(
        customer_ids=IDS,
        dates=np.array(DATES, dtype="datetime64[D]"),
        cohorts=3,
        periods=2,
        end=np.datetime64("2026-03-31"),
    )

    assert result.cohorts == ["2026-01", "2026-02", "2026-03"]
    assert result.sizes.tolist() == [2, 1, 0]
    assert shares(result) == [[0.5, 1.0], [1.0, None], [None, None]]


@pytest.mark.parametrize("end", ["2026-03-15", None])  # None: as of the last purchase
def test_a_month_still_under_way_is_not_counted_as_a_months_retention(end):
    """Halfway through March, February's customers may still come back in March: a share of
    March would be too low and colour the newest cohorts as if they were leaving."""
    result = cohort_retention(
        customer_ids=IDS,
        dates=np.array(DATES, dtype="datetime64[D]"),
        cohorts=3,
        periods=2,
        end=None if end is None else np.datetime64(end),
    )

    assert result.sizes.tolist() == [2, 1, 0]
    assert shares(result) == [[0.5, None], [None, None], [None, None]]


def test_buying_around_events_counts_each_window_apart_and_not_the_day_itself():
    from clv.figures import BuyingIndex

    index = BuyingIndex(
        customer_ids=[2, 1, 1, 1, 1, 2],
        dates=np.array(
            ["2026-07-01", "2026-01-01", "2026-03-20", "2026-04-01", "2026-04-02", "2026-04-01"],
            dtype="datetime64[D]",
        ),
        amounts=[8.0, 10.0, 20.0, 99.0, 5.0, 7.0],
    )
    # Customer 1 on 1 April; customer 2 on 1 April; customer 3 bought nothing.
    result = index.around(
        customer_ids=[1, 2, 3],
        dates=np.array(["2026-04-01", "2026-04-01", "2026-04-01"], dtype="datetime64[D]"),
        window=90,
    )

    # Customer 1: 20 on 20 March within the 90 days before (1 January is 90 days before: in),
    # 99 on the day itself in neither window, 5 the day after.
    assert result.bought_before.tolist() == [True, False, False]
    assert result.spend_before.tolist() == [30.0, 0.0, 0.0]
    # Customer 2: 1 July is 91 days after 1 April, outside the window.
    assert result.bought_after.tolist() == [True, False, False]
    assert result.spend_after.tolist() == [5.0, 0.0, 0.0]


def test_a_window_reaching_past_the_log_stays_with_its_own_customer():
    """Customer 1's window after 1 July reaches beyond the last day of the log: it must not
    count customer 2's first purchase, the next key in the sorted log."""
    from clv.figures import BuyingIndex

    index = BuyingIndex(
        customer_ids=[1, 2, 2],
        dates=np.array(["2026-06-01", "2026-06-01", "2026-07-02"], dtype="datetime64[D]"),
        amounts=[4.0, 6.0, 9.0],
    )

    result = index.around(
        customer_ids=[1, 2, 2],
        dates=np.array(["2026-07-01", "2026-05-01", "2026-01-01"], dtype="datetime64[D]"),
        window=90,
    )

    assert result.spend_before.tolist() == [4.0, 0.0, 0.0]
    assert result.spend_after.tolist() == [0.0, 15.0, 0.0]


def test_value_bins_widen_with_the_values_so_the_many_small_ones_are_not_one_bar():
    # A demo shop's skewed values: many near nothing, a few worth thousands. Bins of one
    # width (500) put 133 of 150 customers in the first; these widen by 1, 2.5 and 5.
    values = [1.0] * 60 + [7.0] * 11 + [20.0] * 10 + [40.0] * 8 + [80.0] * 15 + [200.0] * 20
    values += [400.0] * 9 + [800.0] * 5 + [2000.0] * 10 + [3300.0, 4455.0]

    found = value_distribution(values)

    # Fewer than 100 values: the largest sets the scale, 4455 falls below 5000.
    assert found.edges.tolist() == [0, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
    assert found.counts.tolist() == [60, 11, 10, 8, 15, 20, 9, 5, 10, 2]


@pytest.mark.parametrize(
    ("top", "steps", "edges"),
    [
        (3313.0, 10, [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]),
        (40.0, 10, [1, 2.5, 5, 10, 25, 50]),  # never narrower than 1
        (0.0, 10, [1]),  # nothing worth anything: one bin
        (250.0, 3, [100, 250, 500]),  # the first edge past the top, 250 being no more than it
    ],
)
def test_round_steps_reach_just_past_the_top(top, steps, edges):
    assert round_steps_to(top, steps) == edges


def test_monthly_revenue_splits_on_the_first_day_or_as_told():
    amounts = [10, 20, 30, 40, 50, 60, 70, 80]

    by_first_day = monthly_revenue(customer_ids=IDS, dates=DATES, amounts=amounts, months=3)
    # B was a customer before this log began: none of theirs is new.
    told = [True, False, False, False, False, False, True, False]
    as_told = monthly_revenue(customer_ids=IDS, dates=DATES, amounts=amounts, months=3, is_new=told)

    assert by_first_day.months == as_told.months == ["2026-01", "2026-02", "2026-03"]
    assert by_first_day.new.tolist() == [60.0, 70.0, 0.0]  # A's 10 and B's 50; C's 70
    assert by_first_day.returning.tolist() == [20.0, 30.0, 180.0]
    assert as_told.new.tolist() == [10.0, 70.0, 0.0]
    assert as_told.returning.tolist() == [70.0, 30.0, 180.0]
