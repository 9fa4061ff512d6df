"""Figures behind the charts, from a transaction log: revenue of new and returning customers per
month, cohort retention, the distribution of customer value, and the buying around events
(a gesture, a resolved complaint).

Pure numpy (no loop per customer or transaction), shared by ``klantvriend analyse --report`` and
the web app's insight charts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MonthlyRevenue:
    months: list[str]  # "2025-01"
    new: np.ndarray  # revenue of new customers (by default on their first purchase day)
    returning: np.ndarray  # revenue of customers who had bought before


@dataclass(frozen=True)
class CohortRetention:
    cohorts: list[str]  # month of first purchase
    sizes: np.ndarray  # customers in each cohort
    shares: np.ndarray  # [cohort, months after the first] share buying again; nan = not yet


@dataclass(frozen=True)
class Distribution:
    edges: np.ndarray  # bin edges, len(counts) + 1
    counts: np.ndarray


@dataclass(frozen=True)
class AroundEvents:
    """Per event, what its customer bought in the ``window`` days before the event's day and in
    the ``window`` days after it (the day itself in neither)."""

    bought_before: np.ndarray  # bool
    bought_after: np.ndarray  # bool
    spend_before: np.ndarray
    spend_after: np.ndarray


def _month_index(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[M]").astype(np.int64)


def _month_label(index: int) -> str:
    return str(np.datetime64(int(index), "M"))


def _first_day_per_customer(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The first purchase day of each transaction's customer."""
    first = np.full(codes.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, codes, days)
    return first[codes]


def _codes(customer_ids) -> np.ndarray:
    return np.unique(np.asarray(customer_ids), return_inverse=True)[1].reshape(-1)


def on_first_day(customer_ids, dates) -> np.ndarray:
    """Whether each transaction is on its customer's first purchase day (among these
    transactions): revenue of a new customer, as monthly_revenue counts it."""
    days = np.asarray(dates).astype("datetime64[D]").astype(np.int64)
    if len(days) == 0:
        return np.zeros(0, dtype=bool)
    return days == _first_day_per_customer(_codes(customer_ids), days)


def monthly_revenue(
    *, customer_ids, dates, amounts, months: int = 12, end=None, is_new=None
) -> MonthlyRevenue:
    """Revenue per calendar month of the last ``months`` months up to ``end`` (default: the last
    date), split into new customers and returning ones. ``is_new``: whether each transaction is
    a new customer's; by default those on their customer's first purchase day (on_first_day),
    where a log that begins after some customers' first purchase (a shop that kept three months
    of its till) knows better from elsewhere."""
    days = np.asarray(dates).astype("datetime64[D]").astype(np.int64)
    amounts = np.asarray(amounts, dtype=np.float64)
    if len(days) == 0:
        return MonthlyRevenue([], np.zeros(0), np.zeros(0))
    is_new = on_first_day(customer_ids, dates) if is_new is None else np.asarray(is_new, bool)
    month = _month_index(days.astype("datetime64[D]"))
    last = _month_index(np.datetime64(end, "D")) if end is not None else month.max()
    first = last - months + 1
    inside = (month >= first) & (month <= last)
    position = month[inside] - first
    new = np.bincount(
        position, weights=np.where(is_new[inside], amounts[inside], 0), minlength=months
    )
    returning = np.bincount(
        position, weights=np.where(is_new[inside], 0, amounts[inside]), minlength=months
    )
    return MonthlyRevenue([_month_label(first + i) for i in range(months)], new, returning)


def cohort_retention(
    *, customer_ids, dates, cohorts: int = 12, periods: int = 12, end=None
) -> CohortRetention:
    """For each of the last ``cohorts`` months of first purchase: the share of its customers who
    bought again 1, 2, … ``periods`` months after their first month, as of ``end`` (a day; by
    default the last purchase's), counting only months that are over by then."""
    days = np.asarray(dates).astype("datetime64[D]")
    if len(days) == 0:
        return CohortRetention([], np.zeros(0, dtype=np.int64), np.zeros((0, periods)))
    codes = _codes(customer_ids)
    month = _month_index(days)
    last = _month_index(np.datetime64(end, "D")) if end is not None else month.max()
    first_month = np.full(codes.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_month, codes, month)
    # One entry per (customer, month bought in).
    pairs = np.unique(codes * (1 << 24) + (month - month.min()))
    pair_customer = pairs >> 24
    pair_month = (pairs & ((1 << 24) - 1)) + month.min()
    cohort_of_pair = first_month[pair_customer]
    offset = pair_month - cohort_of_pair
    first_cohort = last - cohorts + 1
    in_range = (first_month >= first_cohort) & (first_month <= last)
    sizes = np.bincount(first_month[in_range] - first_cohort, minlength=cohorts)[:cohorts]
    keep = (cohort_of_pair >= first_cohort) & (offset >= 1) & (offset <= periods)
    counts = np.zeros((cohorts, periods))
    np.add.at(counts, (cohort_of_pair[keep] - first_cohort, offset[keep] - 1), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(sizes[:, None] > 0, counts / sizes[:, None], np.nan)
    # Months that have not come yet are unknown, not zero; so is the month under way, in which
    # a cohort's customers may still come back (its share would only be a part of the month's).
    end_day = np.datetime64(end, "D") if end is not None else days.max()
    month_is_over = _month_index(end_day + np.timedelta64(1, "D")) > last
    last_over = last if month_is_over else last - 1
    for row in range(cohorts):
        shares[row, max(0, last_over - (first_cohort + row)) :] = np.nan
    return CohortRetention([_month_label(first_cohort + i) for i in range(cohorts)], sizes, shares)


def value_distribution(values, bins: int = 10) -> Distribution:
    """Histogram of customer values on round bin edges that grow by steps of 1, 2.5 and 5 times
    a power of ten from 0 (0, 10, 25, 50, 100, 250, ...): customer values are skewed, a few
    worth thousands beside many worth tens, and bins of one width put nearly everyone in the
    first (133 of 150 customers of a demo shop in "€ 0–500"). The top bin holds the rest: at
    most the 99th percentile sets the scale, so one very large customer does not squash the
    others. At most `bins` bins, none narrower than 1 (euro)."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return Distribution(np.zeros(1), np.zeros(0, dtype=np.int64))
    top = float(np.quantile(values, 0.99)) if len(values) >= 100 else float(values.max())
    edges = np.array([0.0, *round_steps_to(top, bins)])
    counts = np.bincount(
        np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2),
        minlength=len(edges) - 1,
    )
    return Distribution(edges, counts)


def round_steps_to(top: float, steps: int) -> list[float]:
    """The last `steps` (at most) of 1, 2.5, 5, 10, 25, 50, ... up to the first that is more
    than `top`: the upper edges of a histogram from 0 whose bins widen with the values."""
    ladder: list[float] = []
    power = 1.0
    while not ladder or ladder[-1] <= top:
        ladder.extend(factor * power for factor in (1.0, 2.5, 5.0))
        power *= 10
    end = next(index for index, edge in enumerate(ladder) if edge > top)
    return ladder[max(0, end + 1 - steps) : end + 1]


def nice_step(raw: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10.0 ** np.floor(np.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)


class BuyingIndex:
    """A transaction log sorted once by (customer, day) with running amounts, to ask for many
    events (a customer and a day) what the customer bought in the days before and after: four
    binary searches an event. Customer ids are non-negative integers (database keys)."""

    def __init__(self, *, customer_ids, dates, amounts) -> None:
        days = np.asarray(dates).astype("datetime64[D]").astype(np.int64)
        self._first_day = int(days.min(initial=0))
        self._span = int(days.max(initial=0)) - self._first_day + 1
        keys = self._key(np.asarray(customer_ids, dtype=np.int64), days)
        # Any order among equal keys will do: only the sums between keys are read.
        order = np.argsort(keys)
        self._keys = keys[order]
        amounts = np.asarray(amounts, dtype=np.float64)[order]
        self._running = np.concatenate([[0.0], np.cumsum(amounts)])

    def _key(self, customer_ids: np.ndarray, days: np.ndarray) -> np.ndarray:
        return customer_ids * self._span + (days - self._first_day)

    def around(self, *, customer_ids, dates, window: int = 90) -> AroundEvents:
        """For each event, whether its customer bought, and how much, in the ``window`` days
        before its day and in the ``window`` days after it. The day itself counts in neither: a
        purchase on it may be what the event answered, or what answered the event."""
        event_days = np.asarray(dates).astype("datetime64[D]").astype(np.int64)
        base = self._key(
            np.asarray(customer_ids, dtype=np.int64), np.full(len(event_days), self._first_day)
        )
        relative = event_days - self._first_day

        def between(first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
            # Clipped to the log's days, so that a window never reaches another customer's keys.
            low = base + np.clip(relative + first, 0, self._span)
            high = base + np.clip(relative + last, -1, self._span - 1)
            start = np.searchsorted(self._keys, low, side="left")
            end = np.maximum(np.searchsorted(self._keys, high, side="right"), start)
            return end > start, self._running[end] - self._running[start]

        bought_before, spend_before = between(-window, -1)
        bought_after, spend_after = between(1, window)
        return AroundEvents(bought_before, bought_after, spend_before, spend_after)
