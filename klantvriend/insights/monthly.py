"""The purchases behind one month of the revenue chart and one cohort of the retention chart:
what the refresh computed from every purchase, for the rows of one month.

The refresh keeps each customer's first purchase day and spend on it (CustomerInsight), the very
figures the charts count as new (clv.figures.on_first_day): a month's new customers are the
insights of a first day in it, found by their index. A cohort is then its customers' purchases
alone, counted by the engine's own cohort_retention, and a month's revenue each buyer's sum of
the month with their first day's spend as new (the insight's spend less its repeat spend: none
for a customer since a month before their first purchase, prediction.new_customer_purchases),
so that the rows add up to the figure.

Until a refresh has kept the first days (the rows of refreshes before it), the month's
first-time buyers are found from the purchases: a customer's purchases before the month only
tell whether they had bought before; one of them stands for all (a purchase of nothing on the
month's eve), so that the month is read whole and the history not at all."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import Count, Exists, F, OuterRef, Sum

from clv import figures as clv_figures
from klantvriend.core.models import Business
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.selectors import customer_before

from .models import CustomerInsight, InsightRun
from .purchases import purchase_arrays

# The months after the first month the retention chart follows a cohort for.
COHORT_PERIODS = 6
COHORTS = 12


def _run_end(business: Business, run: InsightRun) -> datetime:
    """The end of the run's day: what the refresh read its purchases up to."""
    return business.start_of(run.as_of + timedelta(days=1))


def _months_after(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _first_days_kept(business: Business) -> bool:
    """Whether every insight keeps its first purchase day (all but those of a refresh from
    before it was kept, until the next one)."""
    return not CustomerInsight.objects.filter(
        business=business, first_purchase_day__isnull=True
    ).exists()


def _new_in(business: Business, month: date):
    """The insights of the customers whose first purchase day is in `month`."""
    return CustomerInsight.objects.filter(
        business=business,
        first_purchase_day__gte=month,
        first_purchase_day__lt=_months_after(month, 1),
    )


def _known_before(business: Business, customer_ids: set[int], month: date) -> set[int]:
    """Those of `customer_ids` who were customers in a month before `month`, the month of their
    first purchase on record (prediction.known_before): not new in it, in no cohort."""
    return set(
        Customer.objects.filter(
            customer_before(month), business=business, pk__in=customer_ids
        ).values_list("pk", flat=True)
    )


def _first_time_buyers(business: Business, begins: datetime, end: datetime) -> set[int]:
    """The customers who bought from `begins` until `end` and never before `begins`: a probe
    of each purchase's customer in the purchase_customer_at index, not a read of the history
    (most of a month's buyers have one)."""
    earlier = Purchase.objects.filter(customer_id=OuterRef("customer_id"), at__lt=begins)
    return set(
        Purchase.objects.filter(business=business, at__gte=begins, at__lt=end)
        .filter(~Exists(earlier))
        .values_list("customer_id", flat=True)
        .distinct()
        .order_by()
    )


@dataclass(frozen=True)
class MonthRevenue:
    """Per customer who bought in the month (ids ascending): the purchases, the revenue on
    their first purchase day (new) and the rest (returning), in cents."""

    customer_ids: np.ndarray
    purchases: np.ndarray
    new_cents: np.ndarray
    returning_cents: np.ndarray


def month_revenue(*, business: Business, run: InsightRun, month: date) -> MonthRevenue:
    """The revenue chart's month `month` per customer, as the refresh of `run` computed it
    (clv.figures.on_first_day, which monthly_revenue splits by)."""
    begins, ends = business.month_bounds(month)
    end = min(ends, _run_end(business, run))
    if not _first_days_kept(business):
        return _month_revenue_from_purchases(business, begins, end, month)
    # Each buyer's month in one row, summed by the database from the purchase_business_at
    # index alone; put in order of id here (sorting in the database costs it more).
    sums = list(
        Purchase.objects.filter(business=business, at__gte=begins, at__lt=end)
        .values("customer_id")
        .annotate(purchases=Count("*"), cents=Sum("amount_cents"))
        .order_by()
        .values_list("customer_id", "purchases", "cents")
    )
    if not sums:
        empty = np.zeros(0, np.int64)
        return MonthRevenue(empty, empty, empty, empty)
    table = np.array(sums, dtype=np.int64)
    ids, purchases, cents = table[np.argsort(table[:, 0])].T
    new_ids, first_day_cents = _first_day_spend(business, month)
    # The first day's spend as the refresh summed it, within what the month holds now.
    new = np.zeros(len(ids), np.int64)
    position = np.searchsorted(ids, new_ids)
    bought = position < len(ids)
    bought[bought] = ids[position[bought]] == new_ids[bought]
    new[position[bought]] = first_day_cents[bought]
    new = np.minimum(new, cents)
    return MonthRevenue(ids, purchases, new, cents - new)


def _first_day_spend(business: Business, month: date) -> tuple[np.ndarray, np.ndarray]:
    """The customers new in `month` (ids ascending) and their spend on their first day."""
    rows = list(
        _new_in(business, month)
        .order_by("customer_id")
        .values_list("customer_id", F("spend_cents") - F("repeat_spend_cents"))
    )
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ids, cents = np.array(rows, dtype=np.int64).T
    return ids, cents


def _month_revenue_from_purchases(
    business: Business, begins: datetime, end: datetime, month: date
) -> MonthRevenue:
    """month_revenue without kept first days: the month's purchases, and a probe of each for
    an earlier one of its customer."""
    customer_ids, days, cents = purchase_arrays(business, end, since=begins)
    buyers = _first_time_buyers(business, begins, end)
    # Customers since an earlier month buy as returning ones (prediction.new_customer_purchases).
    first_time = np.fromiter(buyers - _known_before(business, buyers, month), dtype=np.int64)
    earlier = np.setdiff1d(np.unique(customer_ids), first_time)
    eve = np.datetime64(month - timedelta(days=1), "D")
    is_new = clv_figures.on_first_day(
        np.concatenate([customer_ids, earlier]),
        np.concatenate([days, np.full(len(earlier), eve)]),
    )[: len(customer_ids)]
    ids, codes = np.unique(customer_ids, return_inverse=True)
    return MonthRevenue(
        ids,
        np.bincount(codes, minlength=len(ids)),
        np.bincount(codes, weights=np.where(is_new, cents, 0), minlength=len(ids)).astype(np.int64),
        np.bincount(codes, weights=np.where(is_new, 0, cents), minlength=len(ids)).astype(np.int64),
    )


@dataclass(frozen=True)
class Cohort:
    """The customers whose first purchase was in the month (ids ascending), and for each of the
    months after it whether they bought then; None for a month the chart does not judge yet."""

    customer_ids: np.ndarray
    bought: list[np.ndarray | None]  # per month after the first, bool per customer
    shares: list[float | None]


def cohort(*, business: Business, run: InsightRun, month: date) -> Cohort:
    """The cohort of `month` as the retention chart of `run` counts it (clv.figures.
    cohort_retention), from its customers' purchases of its months alone: those who first
    bought in it, not those who were customers before it (prediction.known_before)."""
    begins, ends = business.month_bounds(month)
    after = _months_after(month, COHORT_PERIODS + 1)
    end = min(business.start_of(after), _run_end(business, run))
    if _first_days_kept(business):
        first_time = (
            _new_in(business, month)
            .exclude(customer_before(month, prefix="customer__"))
            .values("customer_id")
        )
    else:
        buyers = _first_time_buyers(business, begins, min(ends, end))
        first_time = sorted(buyers - _known_before(business, buyers, month))
    customer_ids, days, _cents = purchase_arrays(business, end, customers=first_time, since=begins)
    retention = clv_figures.cohort_retention(
        customer_ids=customer_ids,
        dates=days,
        cohorts=COHORTS,
        periods=COHORT_PERIODS,
        end=run.as_of,
    )
    label = f"{month.year:04d}-{month.month:02d}"
    ids, codes = np.unique(customer_ids, return_inverse=True)
    if label not in retention.cohorts:
        return Cohort(ids, [None] * COHORT_PERIODS, [None] * COHORT_PERIODS)
    row = retention.shares[retention.cohorts.index(label)]
    offset = days.astype("datetime64[M]").astype(np.int64) - np.datetime64(label, "M").astype(
        np.int64
    )
    bought = []
    for period in range(COHORT_PERIODS):
        if np.isnan(row[period]):
            bought.append(None)
            continue
        inside = offset == period + 1
        bought.append(np.bincount(codes[inside], minlength=len(ids)) > 0)
    shares = [None if np.isnan(share) else float(share) for share in row]
    return Cohort(ids, bought, shares)
