"""The data behind the insight charts, each with the table that is drawn. The purchase charts
come from the latest refresh (computed there in numpy); promises and complaints are counted in
the database. A fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, Value
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klantvriend.complaints.models import Complaint
from klantvriend.core.models import Business
from klantvriend.core.money import amount_shown
from klantvriend.core.numbers import count_shown
from klantvriend.promises.models import Promise
from klantvriend.promises.selectors import promise_grace, promises_judged

from .models import InsightRun

MONTHS = 12
RESPONSE_BUCKETS = [(0, 1), (1, 4), (4, 8), (8, 24), (24, 72), (72, None)]
_ROW = Value(1)


@dataclass(frozen=True)
class ChartData:
    key: str
    title: str
    labels: list[str]
    series: list[tuple[str, list, str]]  # (name, values, css class)
    value_kind: str  # "money" (cents), "count", "share"
    table_headers: list[str]
    table_rows: list[list[str]]
    kind: str = "bars"  # or "heatmap"
    axis_labels: list[str] | None = None  # under the bars, when shorter than `labels`
    per_month: bool = False  # months along the axis, the newest last
    description: str | None = None  # the text a screen reader reads, when more than the title


def _month_starts(business: Business, now: datetime) -> list[datetime]:
    today = business.local(now).date()
    index = today.year * 12 + today.month - 1
    return [
        datetime(year=(i // 12), month=i % 12 + 1, day=1, tzinfo=business.tzinfo)
        for i in range(index - MONTHS + 1, index + 1)
    ]


def month_label(month: date | str) -> str:
    """A month as every chart shows it, on its axis and in its table: "dec 2025" in Dutch,
    "Dec 2025" in English (config/formats). Takes a date or a refresh's "2025-12"."""
    if isinstance(month, str):
        year, number = month.split("-")[:2]
        month = date(int(year), int(number), 1)
    return date_format(month, "YEAR_MONTH_FORMAT")


def month_axis(labels: list[str]) -> list[str]:
    """Month labels short enough for twelve under one chart: the month, and its year below it
    for the first month and each January ("dec\n2025", "jan\n2026", "feb", ...)."""
    shown = []
    for index, label in enumerate(labels):
        month, _space, year = label.partition(" ")
        new_year = index == 0 or year != labels[index - 1].partition(" ")[2]
        shown.append(f"{month}\n{year}" if new_year and year else month)
    return shown


def _whole(amount: float) -> str:
    """1.234 in Dutch, 1,234 in English."""
    return count_shown(round(amount))


def revenue_chart(run: InsightRun | None, currency: str = "EUR") -> ChartData | None:
    """Each month's revenue from returning and from new customers; its table in whole amounts
    of the shop's currency, as the pages write money (core.money.amount_shown)."""
    data = (run.figures or {}).get("monthly_revenue") if run else None
    if not data:
        return None
    new, returning = data["new_cents"], data["returning_cents"]
    months = [month_label(month) for month in data["months"]]
    return ChartData(
        "revenue",
        _("Revenue from returning and new customers per month"),
        months,
        [(_("returning"), returning, "returning"), (_("new"), new, "new")],
        "money",
        [_("month"), _("returning"), _("new"), _("share returning")],
        [
            [
                month,
                amount_shown(round(r), currency, whole=True),
                amount_shown(round(n), currency, whole=True),
                f"{r / (r + n):.0%}" if r + n else "—",
            ]
            for month, r, n in zip(months, returning, new, strict=True)
        ],
        axis_labels=month_axis(months),
        per_month=True,
    )


def cohort_chart(run: InsightRun | None) -> ChartData | None:
    data = (run.figures or {}).get("cohorts") if run else None
    if not data:
        return None
    periods = len(data["shares"][0]) if data["shares"] else 0
    columns = [_("+%(months)d mo") % {"months": k + 1} for k in range(periods)]
    cohorts = [month_label(cohort) for cohort in data["cohorts"]]
    return ChartData(
        "cohorts",
        _("Cohort retention: share buying again, by month of first purchase"),
        columns,
        [(cohort, shares, "") for cohort, shares in zip(cohorts, data["shares"], strict=True)],
        "share",
        [_("first purchase"), _("customers"), *columns],
        [
            [cohort, count_shown(size), *("" if v is None else f"{v:.0%}" for v in shares)]
            for cohort, size, shares in zip(cohorts, data["sizes"], data["shares"], strict=True)
        ],
        kind="heatmap",
    )


def value_chart(run: InsightRun | None, currency: str = "EUR") -> ChartData | None:
    """How many customers fall in each range of value ("€ 0–250", ..., "€ 2.250 or more": the
    last bar holds the rest). Each bar says its range in money, on the axis as in the table and
    the text a screen reader reads, lest the first bar read as customers worth € 0."""
    data = (run.figures or {}).get("value_distribution") if run else None
    if not data or not data["counts"]:
        return None
    counts = data["counts"]
    cents = [round(edge * 100) for edge in data["edges"]]  # edges in euros
    whole = all(edge % 100 == 0 for edge in cents)

    def upper(edge: int) -> str:
        # The range's end as its start is written, without the currency a second time.
        return number_format(
            edge // 100 if whole else edge / 100, 0 if whole else 2, force_grouping=True
        )

    ranges, axis, more = [], [], _("or more")
    for index in range(len(counts)):
        low = amount_shown(cents[index], currency, whole=whole)
        if index == len(counts) - 1:
            ranges.append(_("%(amount)s or more") % {"amount": low})
            axis.append(f"{low}\n{more}")
        else:
            ranges.append(f"{low}–{upper(cents[index + 1])}")
            axis.append(f"{low}–\n{upper(cents[index + 1])}")
    based_on_model = (run.figures.get("advice") or {}).get("based_on_model")
    if based_on_model:
        title, measure = (
            _("Distribution of predicted 12-month customer value"),
            _("Customer value (12 months)"),
        )
    else:
        title, measure = _("Distribution of customer spend so far"), _("Spent so far")
    bars = "; ".join(
        ngettext("%(range)s: %(count)s customer", "%(range)s: %(count)s customers", count)
        % {"range": shown, "count": _whole(count)}
        for shown, count in zip(ranges, counts, strict=True)
    )
    return ChartData(
        "value",
        title,
        ranges,
        [(_("customers"), counts, "value")],
        "count",
        [measure, _("customers")],
        [[shown, _whole(count)] for shown, count in zip(ranges, counts, strict=True)],
        axis_labels=axis,
        description=_("%(title)s. Customers per range of value: %(bars)s.")
        % {"title": title, "bars": bars},
    )


def promise_chart(business: Business, now: datetime) -> ChartData:
    """Promises per month in the business's time zone: kept on time, kept late, and broken (in
    the month it was broken: cancelled after it was due, or still open when its grace ran out),
    so that the share on time is the reliability figure's: on time among all judged.

    The kept ones are counted per local day done (done_on, stored with the moment, through the
    promise_done_on index) and summed into months here: truncating done_at to a local month in
    the database is a time-zone conversion per promise, which SQLite does by calling back into
    Python for every row. At most a year of days comes back, whatever the number of promises;
    the broken ones, a small part, are read one by one."""
    months = _month_starts(business, now)
    days = (
        Promise.objects.filter(business=business, done_on__gte=months[0].date(), done_at__lte=now)
        .values("done_on")
        # A constant is counted rather than the id, which the index would otherwise have to
        # hand over for every promise.
        .annotate(done=Count(_ROW), on_time=Count(_ROW, filter=Q(done_at__lte=F("due_at"))))
        .order_by()
    )
    empty = {"done": 0, "on_time": 0, "broken": 0}
    by_month: dict[date, dict[str, int]] = {}
    for day in days:
        month = by_month.setdefault(day["done_on"].replace(day=1), dict(empty))
        month["done"] += day["done"]
        month["on_time"] += day["on_time"]
    grace = promise_grace(business)
    broken = promises_judged(business=business, since=months[0], now=now, grace=grace).filter(
        done_at__isnull=True
    )
    for cancelled_at, due_at in broken.values_list("cancelled_at", "due_at"):
        known = business.local(cancelled_at or due_at + grace).date().replace(day=1)
        by_month.setdefault(known, dict(empty))["broken"] += 1
    labels, on_time, late, broken_counts, table = [], [], [], [], []
    for start in months:
        row = by_month.get(start.date(), empty)
        judged = row["done"] + row["broken"]
        label = month_label(start.date())
        labels.append(label)
        on_time.append(row["on_time"])
        late.append(row["done"] - row["on_time"])
        broken_counts.append(row["broken"])
        table.append(
            [
                label,
                count_shown(row["on_time"]),
                count_shown(row["done"] - row["on_time"]),
                count_shown(row["broken"]),
                f"{row['on_time'] / judged:.0%}" if judged else "—",
            ]
        )
    return ChartData(
        "promises",
        _("Promises kept on time per month"),
        labels,
        [
            (_("on time"), on_time, "on-time"),
            (_("late"), late, "late"),
            (_("broken"), broken_counts, "broken"),
        ],
        "count",
        [_("month"), _("on time"), _("late"), _("broken"), _("share on time")],
        table,
        axis_labels=month_axis(labels),
        per_month=True,
    )


def complaint_chart(business: Business, now: datetime) -> ChartData:
    """How long complaints waited for a first response, in buckets of hours; those answered
    on the spot (at the counter, on the phone) in a bar of their own, not in "0–1 hours". The
    hours are written out as the scorecard's sentences write them ("binnen 4 uur"), not as
    "0-1 u"."""
    moments = Complaint.objects.filter(
        business=business,
        received_at__gte=now - timedelta(days=365),
        first_response_at__isnull=False,
    ).values_list("received_at", "first_response_at")
    on_the_spot = 0
    counts = [0] * len(RESPONSE_BUCKETS)
    for received, responded in moments:
        if responded == received:  # Complaint.answered_on_the_spot
            on_the_spot += 1
            continue
        hours = (responded - received).total_seconds() / 3600
        for index, (low, high) in enumerate(RESPONSE_BUCKETS):
            if hours >= low and (high is None or hours < high):
                counts[index] += 1
                break
    labels = [_("on the spot")] + [
        (_("%(low)d–%(high)d hours") % {"low": low, "high": high})
        if high is not None
        else _("%(low)d hours or more") % {"low": low}
        for low, high in RESPONSE_BUCKETS
    ]
    counts = [on_the_spot, *counts]
    return ChartData(
        "complaints",
        _("Complaint first-response times (last 12 months)"),
        labels,
        [(_("complaints"), counts, "complaints")],
        "count",
        [_("first response within"), _("complaints")],
        [[label, count_shown(count)] for label, count in zip(labels, counts, strict=True)],
    )


def insight_charts(*, business: Business, run: InsightRun | None, now=None) -> list[ChartData]:
    now = now or timezone.now()
    charts = [
        revenue_chart(run, business.currency),
        cohort_chart(run),
        value_chart(run, business.currency),
    ]
    charts += [promise_chart(business, now), complaint_chart(business, now)]
    return [chart for chart in charts if chart is not None]
