"""The data behind the insight charts, each with the table that is drawn. The purchase charts
come from the latest refresh (computed there in numpy); promises and complaints are counted in
the database. A fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from django.db.models import Count, Q, Value
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.selectors import (
    NOT_ANSWERED,
    RESPONSE_TIMES,
    response_time_choices,
    response_time_condition,
)
from klantvriend.core.models import Business
from klantvriend.core.money import amount_shown
from klantvriend.core.numbers import count_shown, share_shown
from klantvriend.promises.models import Promise
from klantvriend.promises.selectors import (
    Outcome,
    outcome_conditions,
    period_bounds,
    promise_grace,
    promises_judged,
)

from .models import InsightRun

MONTHS = 12
# The bars of the value chart.
VALUE_RANGES = 10
# The complaint list's period the first-response chart counts (the last 12 months).
COMPLAINT_PERIOD = "12m"
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
    # What each row of the table is, for the rows its cells open to: a month's first day
    # ("2026-03-01"), a range's number ("0" the first), a response time's key.
    row_keys: list[str] | None = None
    # Set when there is nothing to draw: what the page says in its place, what fills it and how.
    empty_text: str | None = None
    # A line under the chart that says what it leaves out, and why.
    note: str | None = None
    # Above the chart: how to read it and what to look for, to an owner who has never seen one.
    reading: str | None = None


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
                share_shown(r / (r + n) if r + n else None),
            ]
            for month, r, n in zip(months, returning, new, strict=True)
        ],
        axis_labels=month_axis(months),
        per_month=True,
        row_keys=[f"{month}-01" for month in data["months"]],
        note=_revenue_note(months, [r + n for r, n in zip(returning, new, strict=True)], currency),
        reading=_(
            "Each bar is a month's revenue: the dark part from customers who had bought here "
            "before, the light part from new customers. The larger the dark part, the more your "
            "shop lives on customers who come back."
        ),
    )


# Months of revenue before the last full one that the note compares it with, at least; and the
# difference from their average that it calls more or less rather than about the same.
REVENUE_NOTE_MIN_MONTHS = 3
REVENUE_NOTE_SAME_WITHIN = 0.05


def _revenue_note(months: list[str], totals: list[float], currency: str) -> str | None:
    """The last full month's revenue against the average of the months before it since the
    first with any (the months before a shop's first purchases on record count for nothing; a
    month without sales after them counts as the nothing it earned: left out, a shop's two empty
    months made November "194% more" than an average they had lowered): a fall of a third over
    half a year was there in the bars, and neither the scorecard nor the advice said it. None
    with too few such months. The month under way is not judged: it is not over."""
    if len(totals) < 2:
        return None
    *before, last = totals[:-1]
    first_sales = next((index for index, total in enumerate(before) if total > 0), len(before))
    earlier = before[first_sales:]
    if len(earlier) < REVENUE_NOTE_MIN_MONTHS or last <= 0:
        return None
    average = sum(earlier) / len(earlier)
    change = last / average - 1
    said = {
        "month": months[-2],
        "amount": amount_shown(round(last), currency, whole=True),
        "average": amount_shown(round(average), currency, whole=True),
        "share": share_shown(abs(change)),
    }
    if change >= REVENUE_NOTE_SAME_WITHIN:
        return (
            _(
                "The last full month, %(month)s: %(amount)s, %(share)s more than the average of the "
                "months before (%(average)s)."
            )
            % said
        )
    if change <= -REVENUE_NOTE_SAME_WITHIN:
        return (
            _(
                "The last full month, %(month)s: %(amount)s, %(share)s less than the average of the "
                "months before (%(average)s)."
            )
            % said
        )
    return (
        _(
            "The last full month, %(month)s: %(amount)s, about the average of the months before "
            "(%(average)s)."
        )
        % said
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
            [cohort, count_shown(size), *("" if v is None else share_shown(v) for v in shares)]
            for cohort, size, shares in zip(cohorts, data["sizes"], data["shares"], strict=True)
        ],
        kind="heatmap",
        row_keys=[f"{cohort}-01" for cohort in data["cohorts"]],
        reading=_(
            "Each row is the customers whose first purchase fell in that month; each square, the "
            "share of them who bought again that many months later. Darker is better. A row "
            "that pales quickly loses new customers early: aftercare after a first purchase "
            "helps there."
        ),
        note=" ".join(
            note
            for note in (
                _cohort_note(cohorts, data["sizes"], data["shares"]),
                _no_newcomers_note(cohorts, data["sizes"]),
                _known_before_note(data.get("known_before", 0)),
            )
            if note
        )
        or None,
    )


def _cohort_note(cohorts: list[str], sizes: list[int], shares: list[list]) -> str | None:
    """Why the newest cohorts' last cells are empty: a month's share is known once that month is
    over (clv.figures.cohort_retention). Said only when a cohort with customers has such a
    cell; a cohort without customers has no shares at all, as its size of 0 says."""
    waiting = [
        (cohort, row)
        for cohort, size, row in zip(cohorts, sizes, shares, strict=True)
        if size and None in row
    ]
    if not waiting:
        return None
    note = _(
        "Empty cells are months not over yet: a month's share is known once it has ended, so "
        "the newest cohorts have fewer figures."
    )
    none_yet = [cohort for cohort, row in waiting if all(share is None for share in row)]
    if none_yet:
        note += " " + ngettext(
            "The cohort of %(cohorts)s has none yet.",
            "The cohorts of %(cohorts)s have none yet.",
            len(none_yet),
        ) % {"cohorts": ", ".join(none_yet)}
    return note


def _no_newcomers_note(cohorts: list[str], sizes: list[int]) -> str | None:
    """Which rows are empty because no new customer came that month: a restaurant read its
    empty rows of May to July as months not over yet, as the note above them says of cells."""
    empty = [cohort for cohort, size in zip(cohorts, sizes, strict=True) if not size]
    if not empty:
        return None
    return ngettext(
        "No new customer came in %(cohorts)s: its row stays empty.",
        "No new customers came in %(cohorts)s: their rows stay empty.",
        len(empty),
    ) % {"cohorts": ", ".join(empty)}


def _known_before_note(count: int) -> str | None:
    """Where the customers of years went: those who were customers before their first purchase
    on record (a till of a few months) are in no cohort (insights.prediction.known_before).
    None in the figures of refreshes before they were counted."""
    if not count:
        return None
    return ngettext(
        "%(count)s customer who was a customer before their first purchase on record is in no "
        "cohort.",
        "%(count)s customers who were customers before their first purchase on record are in "
        "no cohort.",
        count,
    ) % {"count": count_shown(count)}


def value_range_bounds(edges: list[float]) -> list[tuple[int | None, int | None]]:
    """The ranges of the value chart in cents, from its edges in euros: the first from nothing
    (a value below the first edge counts in it), the last without end (it holds the rest)."""
    cents = [round(edge * 100) for edge in edges]
    ranges = len(cents) - 1
    return [
        (None if index == 0 else cents[index], None if index == ranges - 1 else cents[index + 1])
        for index in range(ranges)
    ]


def value_range_masks(value_cents, bounds) -> list:
    """For each range of `bounds`, which of the values (numpy, cents) lie in it: how the
    refresh counts the chart's customers, by the bounds value_range_condition selects by."""
    masks = []
    for low, high in bounds:
        inside = np.isfinite(value_cents)
        if low is not None:
            inside &= value_cents >= low
        if high is not None:
            inside &= value_cents < high
        masks.append(inside)
    return masks


def value_range_condition(bounds: tuple[int | None, int | None], field: str) -> Q:
    """The insights whose `field` (value_cents, or spend_cents where no model predicts a
    value) lies in a range of value_range_bounds: the customers of that bar."""
    low, high = bounds
    condition = Q(**{f"{field}__isnull": False})
    if low is not None:
        condition &= Q(**{f"{field}__gte": low})
    if high is not None:
        condition &= Q(**{f"{field}__lt": high})
    return condition


def value_range_labels(edges: list[float], currency: str) -> tuple[list[str], list[str]]:
    """Each range of the value chart in money ("€ 0–250", ..., "€ 2.250 or more"), as its
    table and its rows say it, and as its axis writes it on two lines."""
    cents = [round(edge * 100) for edge in edges]  # edges in euros
    whole = all(edge % 100 == 0 for edge in cents)

    def upper(edge: int) -> str:
        # The range's end as its start is written, without the currency a second time.
        return number_format(
            edge // 100 if whole else edge / 100, 0 if whole else 2, force_grouping=True
        )

    ranges, axis, more = [], [], _("or more")
    for index in range(len(cents) - 1):
        low = amount_shown(cents[index], currency, whole=whole)
        if index == len(cents) - 2:
            ranges.append(_("%(amount)s or more") % {"amount": low})
            axis.append(f"{low}\n{more}")
        else:
            ranges.append(f"{low}–{upper(cents[index + 1])}")
            axis.append(f"{low}–\n{upper(cents[index + 1])}")
    return ranges, axis


def value_measure(run: InsightRun) -> tuple[str, str, str]:
    """The value chart's title, what it measures and how to read it: the predicted value where
    a model predicts one, else the spend so far."""
    if (run.figures.get("advice") or {}).get("based_on_model"):
        return (
            _("Distribution of predicted 12-month customer value"),
            _("Expected customer value (12 months)"),
            _(
                "How many customers fall in each range of what they are expected to spend in the "
                "next 12 months. Those on the right bring in the most each: know them by name. "
                "The table opens each range to its customers."
            ),
        )
    return (
        _("Distribution of customer spend so far"),
        _("Spent so far"),
        _(
            "How many customers fall in each range of what they have spent so far. Those on the "
            "right brought in the most each: know them by name. The table opens each range to "
            "its customers."
        ),
    )


def value_chart(run: InsightRun | None, currency: str = "EUR") -> ChartData | None:
    """How many customers fall in each range of value ("€ 0–250", ..., "€ 2.250 or more": the
    last bar holds the rest). Each bar says its range in money, on the axis as in the table and
    the text a screen reader reads, lest the first bar read as customers worth € 0."""
    data = (run.figures or {}).get("value_distribution") if run else None
    if not data or not data["counts"]:
        return None
    counts = data["counts"]
    ranges, axis = value_range_labels(data["edges"], currency)
    title, measure, reading = value_measure(run)
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
        row_keys=[str(index) for index in range(len(counts))],
        reading=reading,
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
    grace = promise_grace(business)
    # The list of promises of a month (promises.selectors.promise_outcomes with `month`), which
    # each cell opens to, counts by the same conditions.
    outcome = outcome_conditions(now=now, today=business.local(now).date(), grace=grace)
    days = (
        Promise.objects.filter(business=business, done_on__gte=months[0].date(), done_at__lte=now)
        .values("done_on")
        # A constant is counted rather than the id, which the index would otherwise have to
        # hand over for every promise.
        .annotate(done=Count(_ROW), on_time=Count(_ROW, filter=outcome[Outcome.ON_TIME]))
        .order_by()
    )
    empty = {"done": 0, "on_time": 0, "broken": 0}
    by_month: dict[date, dict[str, int]] = {}
    for day in days:
        month = by_month.setdefault(day["done_on"].replace(day=1), dict(empty))
        month["done"] += day["done"]
        month["on_time"] += day["on_time"]
    # The judged promises not done are those broken (the promise list's BROKEN among the
    # judged ones): read through the judged promises' indexes, which a filter by that
    # condition's alternatives would not use (five times slower at 60,000 promises).
    broken = promises_judged(business=business, since=months[0], now=now, grace=grace).filter(
        done_at__isnull=True
    )
    for cancelled_at, due_at in broken.values_list("cancelled_at", "due_at"):
        known = business.local(cancelled_at or grace.ends(due_at)).date().replace(day=1)
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
                share_shown(row["on_time"] / judged if judged else None),
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
        row_keys=[start.date().isoformat() for start in months],
        reading=_(
            "The promises due each month: kept on time, kept late, or broken. The green part "
            "should be nearly every bar; where the orange grows, promises are made too tight: "
            "promise less, deliver more."
        ),
        empty_text=None
        if any(on_time) or any(late) or any(broken_counts)
        else _(
            "No promise was kept or broken in the last 12 months. Promises are recorded on a "
            "customer's card with “+ Promise”; once one is kept or its moment has passed, this "
            "chart shows per month how many were kept on time."
        ),
    )


def complaint_chart(business: Business, now: datetime) -> ChartData:
    """How long the complaints received in the last 12 months waited for a first response, in
    ranges of hours; those answered on the spot (at the counter, on the phone) in a bar of their
    own, not in "0–1 hours", and those not answered yet in a red one at the end. The hours are written out as the scorecard's sentences write them
    ("binnen 4 uur"), not as "0-1 u". Counted in one query by the conditions the complaint list
    filters by (complaints.selectors.response_time_condition), for each bar opens to it."""
    since, _until = period_bounds(period=COMPLAINT_PERIOD, now=now)
    counted = Complaint.objects.filter(business=business, received_at__gte=since).aggregate(
        received=Count(_ROW),
        **{key: Count(_ROW, filter=response_time_condition(key)) for key in RESPONSE_TIMES},
    )
    choices = response_time_choices()
    labels = [label for _key, label in choices]
    counts = [counted[key] for key, _label in choices]
    # The complaints still waiting in a colour of their own, beside those answered.
    keys = [key for key, _label in choices]
    waiting = [counted[key] if key == NOT_ANSWERED else 0 for key in keys]
    answered = [0 if key == NOT_ANSWERED else counted[key] for key in keys]
    return ChartData(
        "complaints",
        _("Complaint first-response times (last 12 months)"),
        labels,
        [
            (_("answered"), answered, "complaints"),
            (pgettext("response time", "not answered yet"), waiting, "waiting"),
        ],
        "count",
        [_("first response within"), _("complaints")],
        [[label, count_shown(count)] for label, count in zip(labels, counts, strict=True)],
        row_keys=list(RESPONSE_TIMES),
        reading=_(
            "How long the complaints of the last 12 months waited for a first response, and how "
            "many still wait (the red bar). The more on the left, the better: a complaint "
            "answered quickly is the easiest to make good."
        ),
        # Drawn whenever a complaint came in, also when none has been answered yet.
        empty_text=None
        if counted["received"]
        else _(
            "No complaints in the last 12 months. When one comes in, note it on the customer's "
            "card with “+ Complaint”: this chart then shows how long each waited for a first "
            "response."
        ),
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
