"""The descriptive figures behind the charts: cohort retention counts only months that are over."""

import numpy as np
import pytest

from clv.figures import cohort_retention

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
