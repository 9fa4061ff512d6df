"""Reads of promises: lists, the Today agenda, reliability figures and on-time advice. Every
function takes the business (directly or through a customer read through it)."""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.care_settings import care_settings, shop_closed_on
from klantvriend.core.db import SecondsBetween
from klantvriend.core.members import staff_name
from klantvriend.core.models import Business
from klantvriend.core.rows import IdsFirst, Rows, first_rows
from klantvriend.core.selectors import owned_get
from klantvriend.core.shown import NEAR, one_line
from klantvriend.core.timeline import OpenItem, TimelineEntry, known_none
from klantvriend.core.working_hours import (
    last_working_day,
    last_working_moment,
    next_working_day,
    next_working_moment,
)

from .models import Promise, PromiseKind, PromiseOutcomeDay, due_moment_for_day
from .status import Grace, PromiseStatus, may_be_set_on_time, promise_status, status_condition

# How much history the figures and the advice look at, and how much the advice needs.
FIGURES_PERIOD = timedelta(days=365)
TREND_WINDOW = timedelta(days=90)
ADVICE_SAMPLE = 200
ADVICE_MIN_HISTORY = 10
ADVICE_TARGET = 0.9
AGENDA_OVERDUE_WINDOW = timedelta(days=7)


# A promise moved to a new moment and its successor (promise_reschedule), and a repeating
# one's next time (promise_repeat), read with the rows that show them: one join each, no query
# per row.
LINKED = ("rescheduled_to", "rescheduled_from", "repeated_as")


def promise_grace(business: Business) -> Grace:
    rules = care_settings(business)
    return Grace(
        timedelta(hours=rules.promise_grace_hours),
        tz=business.tzinfo,
        week=rules.opening_hours,
        closed=rules.closed_dates,
    )


def promise_list(
    *,
    business: Business,
    customer_id: int | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Promise]:
    promises = Promise.objects.filter(business=business)
    if customer_id is not None:
        promises = promises.filter(customer_id=customer_id)
    if status:
        now = now or timezone.now()
        promises = promises.filter(
            status_condition(
                status,
                now=now,
                today=business.local(now).date(),
                grace=promise_grace(business),
            )
        )
    return promises.select_related("customer", "made_by", *LINKED).order_by("due_at", "id")


def promise_get(*, business: Business, promise_id: int) -> Promise:
    return owned_get(
        Promise.objects.select_related("business", "customer", "made_by", *LINKED),
        business=business,
        pk=promise_id,
    )


@dataclass(frozen=True)
class PromiseView:
    """A promise with its status worked out once, for templates and the API; `late_by` how long
    an open promise is past its due moment (None before it, or once kept or cancelled)."""

    promise: Promise
    status: PromiseStatus
    late_by: timedelta | None = None
    # Marked kept late, but within the grace: "It was on time" is offered (may_be_set_on_time).
    may_be_set_on_time: bool = False

    @property
    def finished(self) -> bool:
        return self.promise.done_at is not None or self.promise.cancelled_at is not None


def promise_views(
    *, business: Business, promises, now: datetime | None = None
) -> list[PromiseView]:
    now = now or timezone.now()
    grace, today = promise_grace(business), business.local(now).date()
    return [
        PromiseView(
            promise,
            promise_status(promise, now=now, today=today, grace=grace),
            _late_by(promise, now=now),
            may_be_set_on_time(promise, grace=grace),
        )
        for promise in promises
    ]


def _late_by(promise: Promise, *, now: datetime) -> timedelta | None:
    # A promise for the day is due at its last second (due_moment_for_day): it is late only
    # once that day is over, as its status says.
    if promise.done_at is not None or promise.cancelled_at is not None or now <= promise.due_at:
        return None
    return now - promise.due_at


def promise_with_status(*, promise: Promise, now: datetime | None = None) -> PromiseView:
    return promise_views(business=promise.business, promises=[promise], now=now)[0]


class Agenda(TextChoices):
    """Today's two lists of promises, which the promise list can show whole, and the open
    promises of the coming week and those overdue for longer, which Today counts and links
    to."""

    TODAY = "today", gettext_lazy("due today, passed ones too")
    OVERDUE = "overdue", gettext_lazy("overdue before today (7 days)")
    COMING = "coming", gettext_lazy("due in the coming 7 days")
    OLDER = "older", gettext_lazy("overdue for more than 7 days")


# How far ahead Today looks for promises still to keep (Agenda.COMING).
AGENDA_COMING_DAYS = 7


# Values of older addresses, still understood so that a bookmark keeps working: "due_today"
# was only what was still to come today; the day's list now holds its passed promises too.
AGENDA_ALIASES = {"due_today": Agenda.TODAY}


def agenda_condition(name: str, *, business: Business, now: datetime) -> Q:
    """The open promises of one of Today's lists: all those due on today's local date, in the
    past or still to come (a promise for the day among them, as it is due at the day's end), or
    due on an earlier day in the last week; or those of the coming week after today; or those
    overdue for longer. A promise forgotten for weeks is broken in the figures and on the
    profile, and not among this morning's rows, but still owed: Today counts them and links to
    them (an accountant's callback of three weeks ago had gone from every page but the list of
    promises). The rule of Today and of the promise list's filter both, so that the list holds
    what Today counts. Bounded by due moments, so that the open promises' index (business,
    due_at) reads only those days."""
    today = business.local(now).date()
    start = business.start_of(today)
    tomorrow = business.start_of(today + timedelta(days=1))
    due = {
        Agenda.TODAY: Q(due_at__gte=start, due_at__lt=tomorrow),
        Agenda.OVERDUE: Q(due_at__lt=start, due_at__gte=now - AGENDA_OVERDUE_WINDOW),
        Agenda.COMING: Q(
            due_at__gte=tomorrow,
            due_at__lt=business.start_of(today + timedelta(days=1 + AGENDA_COMING_DAYS)),
        ),
        Agenda.OLDER: Q(due_at__lt=now - AGENDA_OVERDUE_WINDOW),
    }
    return IS_OPEN & due[Agenda(name)]


def _made_by(promises: QuerySet, made_by_id: int | None) -> QuerySet:
    """The promises one member made (Today's "Only mine"), or all of them for None."""
    return promises if made_by_id is None else promises.filter(made_by_id=made_by_id)


def agenda_counts(
    *, business: Business, now: datetime | None = None, made_by_id: int | None = None
) -> dict[str, int]:
    """How many open promises are due in the coming week, after today (Agenda.COMING), and how
    many are overdue for more than a week (Agenda.OLDER): Today names both, as a promise for
    next Monday was on the customer's card only, and one forgotten for weeks on no page but
    the list; those one member made with `made_by_id`. One query."""
    now = now or timezone.now()
    coming, older = (
        agenda_condition(name, business=business, now=now) for name in (Agenda.COMING, Agenda.OLDER)
    )
    promises = _made_by(
        Promise.objects.filter(business=business).filter(coming | older), made_by_id
    )
    return promises.aggregate(coming=Count("pk", filter=coming), older=Count("pk", filter=older))


@dataclass(frozen=True)
class PromiseAgenda:
    overdue: Rows[PromiseView]
    due_today: Rows[PromiseView]


def promise_agenda(
    *,
    business: Business,
    now: datetime | None = None,
    overdue_limit: int = 50,
    due_today_limit: int = 50,
    made_by_id: int | None = None,
) -> PromiseAgenda:
    """Open promises due on an earlier day (oldest first) and all those due today, passed or
    not, in time order; the first rows of each with their totals: two to four queries whatever
    the number of promises. Those one member made with `made_by_id`."""
    now = now or timezone.now()
    promises = _made_by(
        Promise.objects.filter(business=business).select_related(
            "customer", "made_by", "rescheduled_from"
        ),
        made_by_id,
    )
    overdue = first_rows(
        promises.filter(agenda_condition(Agenda.OVERDUE, business=business, now=now)).order_by(
            "due_at", "id"
        ),
        overdue_limit,
    )
    due_today = first_rows(
        promises.filter(agenda_condition(Agenda.TODAY, business=business, now=now)).order_by(
            "due_at", "id"
        ),
        due_today_limit,
    )
    return PromiseAgenda(
        overdue=Rows(
            promise_views(business=business, promises=overdue.items, now=now), overdue.total
        ),
        due_today=Rows(
            promise_views(business=business, promises=due_today.items, now=now), due_today.total
        ),
    )


@dataclass(frozen=True)
class Figures:
    """Reliability over promises whose outcome is known."""

    judged: int = 0
    kept_on_time: int = 0
    kept_late: int = 0
    broken: int = 0
    kept_on_time_share: float | None = None
    median_lateness_hours: float | None = None
    p90_lateness_hours: float | None = None

    @property
    def kept(self) -> int:
        return self.kept_on_time + self.kept_late

    @property
    def lateness_spread_shown(self) -> bool:
        """Whether "usually" (the median) says more than the latest of them: from three kept
        promises. Of one, "usually: half of the promises kept" stood beside "50% kept on time
        (1 of 2)", and a garage read the two as at odds."""
        return self.kept >= 3

    @property
    def p90_is_the_latest(self) -> bool:
        """Whether the 90th percentile (nearest rank) is the latest kept promise, as it is of
        fewer than ten: then it is said as what it is, "all 4 promises kept"."""
        return self.kept < 10


@dataclass(frozen=True)
class Trend:
    last_90_days: float | None
    previous_90_days: float | None
    judged_last_90_days: int = 0
    kept_last_90_days: int = 0

    @property
    def change(self) -> float | None:
        if self.last_90_days is None or self.previous_90_days is None:
            return None
        return self.last_90_days - self.previous_90_days


@dataclass(frozen=True)
class Reliability:
    overall: Figures
    trend: Trend
    by_member: list[tuple[int, str, Figures]] = field(default_factory=list)
    by_kind: list[tuple[str, str, Figures]] = field(default_factory=list)
    since: datetime | None = None


@dataclass
class _Tally:
    """Counts of one group of judged promises (overall, a member, a kind)."""

    on_time: int = 0
    late: int = 0
    broken: int = 0

    def add(self, other: "_Tally") -> None:
        self.on_time += other.on_time
        self.late += other.late
        self.broken += other.broken

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.broken

    @property
    def share(self) -> float | None:
        return _share(self.on_time, self.judged)


def _share(on_time: int, judged: int) -> float | None:
    return on_time / judged if judged else None


_LATENESS = SecondsBetween("done_at", "due_at")
_ROW = Value(1)


def _lateness_at_rank(late_promises: QuerySet[Promise], tally: _Tally, rank: int) -> float:
    """The lateness in hours at 0-based `rank` among the group's done promises, ordered from
    least to most late; the promises kept on time come first, at zero hours. The late promises
    are read in the order of the promise_late indexes (the same expression, then id), so the
    database steps through an index up to the rank instead of sorting the group's late ones."""
    if rank < tally.on_time:
        return 0.0
    value = (
        late_promises.annotate(lateness=_LATENESS)
        .order_by("lateness", "id")
        .values_list("lateness", flat=True)[rank - tally.on_time]
    )
    # To the second: SQLite's difference of two moments is a float a few microseconds off.
    return round(value) / 3600


def _figures(tally: _Tally, late_promises: QuerySet[Promise] | None) -> Figures:
    """Shares from the counts; the median (interpolated between the middle two, as
    statistics.median does) and the nearest-rank 90th percentile of lateness from at most three
    indexed single-row queries, so the cost does not grow with the number of promises."""
    if not tally.judged:
        return Figures()
    done = tally.on_time + tally.late
    median = p90 = None
    if done and late_promises is not None:
        # Not rounded to a tenth of an hour here: the pages say these to the minute (a tenth
        # said 20 minutes as 18); the API rounds them to 0.1 hour (api.promises.FiguresOut).
        middle = [(done - 1) // 2, done // 2]
        median = sum(_lateness_at_rank(late_promises, tally, rank) for rank in set(middle))
        median = median / len(set(middle))
        p90 = _lateness_at_rank(late_promises, tally, max(0, math.ceil(0.9 * done) - 1))
    return Figures(
        judged=tally.judged,
        kept_on_time=tally.on_time,
        kept_late=tally.late,
        broken=tally.broken,
        kept_on_time_share=tally.share,
        median_lateness_hours=median,
        p90_lateness_hours=p90,
    )


# Neither kept nor cancelled.
IS_OPEN = Q(done_at__isnull=True, cancelled_at__isnull=True)
# When the outcome of a promise done or cancelled became known: the one of the two that is set.
KNOWN_AT = Coalesce("done_at", "cancelled_at")
# Of the judged promises, those kept on time (early included): what every reliability figure
# counts as kept, and what the scorecard's list of promises counts under its figure.
KEPT_ON_TIME = Q(done_at__lte=F("due_at"))
# Of the judged promises, those done after their due moment.
KEPT_LATE = Q(done_at__gt=F("due_at"))


def outcome_known(
    *,
    since: datetime,
    until: datetime | None = None,
    grace: Grace,
    known_at: str = "",
) -> Q:
    """The promises whose outcome became known from `since` until before `until`: done or
    cancelled then, or open with the end of their grace then. Without `until` an open promise
    within its grace is in too, its outcome not known yet. The one rule of the periods of the
    reliability figures (the year, the trend's last 90 days and the 90 before) and of the list
    of promises behind them. Done and cancelled exclude each other (a constraint), so a promise
    is in one period of a row of periods, and the 90 days before are exactly what the 180 days
    have more than the last 90.

    `known_at`: the name of an alias of KNOWN_AT on the promises, compared once instead of
    both moments: cheaper where every promise is compared (a count), while a filter compares
    the moments themselves, which their indexes hold."""
    if known_at:
        settled = Q(**{f"{known_at}__gte": since})
        if until is not None:
            settled &= Q(**{f"{known_at}__lt": until})
    else:
        done, cancelled = Q(done_at__gte=since), Q(cancelled_at__gte=since)
        if until is not None:
            done &= Q(done_at__lt=until)
            cancelled &= Q(cancelled_at__lt=until)
        settled = done | cancelled
    due = Q(due_at__gte=grace.broken_before(since))
    if until is not None:
        due &= Q(due_at__lt=grace.broken_before(until))
    return settled | (IS_OPEN & due)


def promises_judged(
    *,
    business: Business,
    since: datetime,
    now: datetime,
    grace: Grace | None = None,
    until: datetime | None = None,
) -> QuerySet[Promise]:
    """The promises whose outcome became known from `since` to `now` (or until before
    `until`, an earlier moment: the trend's 90 days before): done, cancelled after they were due
    (broken), or still open at the end of their grace (broken). A promise cancelled in time is
    never judged. What the reliability figures count and what the scorecard lists under
    them."""
    grace = promise_grace(business) if grace is None else grace
    judged = Promise.objects.filter(business=business).filter(
        Q(done_at__gte=since)
        | Q(cancelled_at__gte=since, cancelled_at__gt=F("due_at"))
        | (IS_OPEN & Q(due_at__gte=grace.broken_before(since), due_at__lt=grace.broken_before(now)))
    )
    if until is not None:
        judged = judged.filter(outcome_known(since=since, until=until, grace=grace))
    return judged


def _trend_counts(*, now: datetime, grace: Grace) -> dict:
    """The filtered counts the trend is worked out from (_trend), over promises aliased with
    KNOWN_AT as `known_at`. The previous window is counted together with the recent one, which
    is a part of it, and the recent one is subtracted in _trend. A promise kept on time became
    known when it was done."""

    def known_since(moment: datetime) -> Q:
        return outcome_known(since=moment, grace=grace, known_at="known_at")

    return {
        "recent": Count(_ROW, filter=known_since(now - TREND_WINDOW)),
        "recent_on_time": Count(_ROW, filter=Q(done_at__gte=now - TREND_WINDOW) & KEPT_ON_TIME),
        "since_previous": Count(_ROW, filter=known_since(now - 2 * TREND_WINDOW)),
        "since_previous_on_time": Count(
            _ROW, filter=Q(done_at__gte=now - 2 * TREND_WINDOW) & KEPT_ON_TIME
        ),
    }


def _trend(windows) -> Trend:
    return Trend(
        last_90_days=_share(windows["recent_on_time"], windows["recent"]),
        previous_90_days=_share(
            windows["since_previous_on_time"] - windows["recent_on_time"],
            windows["since_previous"] - windows["recent"],
        ),
        judged_last_90_days=windows["recent"],
        kept_last_90_days=windows["recent_on_time"],
    )


def _utc_day_bounds(moment: datetime) -> tuple[date, datetime]:
    """The first UTC day wholly from `moment` on, and the midnight it begins."""
    day = moment.astimezone(UTC).date()
    midnight = datetime.combine(day, time.min, tzinfo=UTC)
    if midnight < moment:
        day += timedelta(days=1)
        midnight += timedelta(days=1)
    return day, midnight


def promise_trend(*, business: Business, now: datetime | None = None) -> Trend:
    """The share kept on time in the last 90 days and in the 90 before: what Today and the
    scorecard show of the reliability, the promise_reliability page's trend. Three queries of
    a few hundred rows: the promises done or cancelled late on the whole UTC days since each
    window began are added up from the days kept by the database (PromiseOutcomeDay), those
    of the day a window begins inside are counted from the promises, and the open ones past
    their grace from their own index. Counting the 38,000 promises of those 180 days took 18
    ms at 100,000 customers, on both databases."""
    now = now or timezone.now()
    grace = promise_grace(business)
    begins = {"recent": now - TREND_WINDOW, "since_previous": now - 2 * TREND_WINDOW}
    whole = {window: _utc_day_bounds(moment) for window, moment in begins.items()}
    kept = PromiseOutcomeDay.objects.filter(
        business=business, day__gte=min(day for day, _midnight in whole.values())
    ).aggregate(
        **{
            f"{window}_{outcome}": Coalesce(
                Sum("promises", filter=Q(day__gte=day, outcome=outcome)), 0
            )
            for window, (day, _midnight) in whole.items()
            for outcome in PromiseOutcomeDay.Outcome.values
        }
    )
    # The day each window begins inside, up to its first whole day: done promises found by
    # the local days of those moments (promise_done_on), cancelled ones by their own index.
    done, cancelled = {}, {}
    pieces = Q(pk__in=[])
    for window, moment in begins.items():
        midnight = whole[window][1]
        done[window] = Q(done_at__gte=moment, done_at__lt=midnight)
        cancelled[window] = Q(cancelled_at__gte=moment, cancelled_at__lt=midnight)
        pieces |= (
            Q(
                done[window],
                done_on__gte=business.local(moment).date(),
                done_on__lte=business.local(midnight).date(),
            )
            | cancelled[window]
        )
    edges = (
        Promise.objects.filter(business=business)
        .filter(pieces)
        .aggregate(
            **{
                name: Count(_ROW, filter=condition)
                for window in begins
                for name, condition in (
                    (f"{window}_done", done[window]),
                    (f"{window}_on_time", done[window] & KEPT_ON_TIME),
                    (f"{window}_cancelled", cancelled[window] & Q(cancelled_at__gt=F("due_at"))),
                )
            }
        )
    )
    still_open = Promise.objects.filter(
        IS_OPEN,
        business=business,
        due_at__gte=grace.broken_before(begins["since_previous"]),
        due_at__lt=grace.broken_before(now),
    ).aggregate(
        **{
            window: Count(_ROW, filter=Q(due_at__gte=grace.broken_before(moment)))
            for window, moment in begins.items()
        }
    )
    counts = {}
    for window in begins:
        on_time = kept[f"{window}_on_time"] + edges[f"{window}_on_time"]
        counts[window] = (
            on_time
            + kept[f"{window}_late"]
            + edges[f"{window}_done"]
            - edges[f"{window}_on_time"]
            + kept[f"{window}_cancelled_late"]
            + edges[f"{window}_cancelled"]
            + still_open[window]
        )
        counts[f"{window}_on_time"] = on_time
    return _trend(counts)


def promise_reliability(
    *,
    business: Business,
    now: datetime | None = None,
    made_by_id: int | None = None,
) -> Reliability:
    """Share kept on time, median and 90th-percentile lateness, per business, member and kind,
    over the promises whose outcome became known in the last year; the trend compares the last
    90 days with the 90 before (promise_trend alone is what Today and the scorecard show).
    Cancelled-in-time promises are left out: cancelling by agreement is not failing. Counted in
    the database (one grouped query, plus a few single-row queries per group for the lateness
    percentiles), so the page stays fast with years of promises."""
    now = now or timezone.now()
    grace = promise_grace(business)
    since = now - FIGURES_PERIOD
    judged = promises_judged(business=business, since=since, now=now, grace=grace).alias(
        known_at=KNOWN_AT
    )
    if made_by_id is not None:
        judged = judged.filter(made_by_id=made_by_id)
    # A comparison with a missing done_at is not true, so an open or cancelled promise is in
    # neither; what is judged and in neither is broken.
    on_time, late = KEPT_ON_TIME, KEPT_LATE
    # Grouped only by kind and member, with the outcomes and trend windows as filtered counts:
    # the groups come in the order of the promise_reliability index, which holds every column
    # read, so the database streams through it instead of sorting a year of promises by four
    # computed keys. A constant is counted rather than the id, which the index would otherwise
    # hand over for every count and promise (a fifth of the query on SQLite).
    trend_counts = _trend_counts(now=now, grace=grace)
    rows = (
        judged.values("kind", "made_by_id")
        .annotate(
            judged=Count(_ROW),
            on_time=Count(_ROW, filter=on_time),
            late=Count(_ROW, filter=late),
            **trend_counts,
        )
        .order_by()
    )
    overall = _Tally()
    per_member: dict[int | None, _Tally] = {}
    per_kind: dict[str, _Tally] = {}
    windows: Counter[str] = Counter()
    for row in rows:
        tally = _Tally(row["on_time"], row["late"], row["judged"] - row["on_time"] - row["late"])
        overall.add(tally)
        per_member.setdefault(row["made_by_id"], _Tally()).add(tally)
        per_kind.setdefault(row["kind"], _Tally()).add(tally)
        windows.update({key: row[key] for key in trend_counts})
    trend = _trend(windows)
    late_promises = _late_promises(business=business, since=since, made_by_id=made_by_id, kind=None)
    members = {
        membership.user_id: staff_name(membership.user)
        for membership in business.memberships.select_related("user")
    }
    kind_labels = dict(PromiseKind.choices)
    return Reliability(
        overall=_figures(overall, late_promises),
        trend=trend,
        by_member=sorted(
            (
                (
                    # The key the promises list filters by (MADE_BY_NOBODY for none recorded).
                    MADE_BY_NOBODY if member_id is None else member_id,
                    _("nobody recorded")
                    if member_id is None
                    else members.get(member_id, _("former member")),
                    _figures(tally, late_promises.filter(made_by_id=member_id)),
                )
                for member_id, tally in per_member.items()
            ),
            key=lambda item: item[1],
        ),
        by_kind=[
            (
                kind,
                str(kind_labels[kind]),
                _figures(per_kind[kind], late_promises.filter(kind=kind)),
            )
            for kind in PromiseKind.values
            if kind in per_kind
        ],
        since=since,
    )


# The list of promises behind the reliability figures ------------------------------------------

# Who made a promise, as the list filters it: a member's user id, or this for promises that
# name nobody (made before members were recorded, or by a member whose account was deleted).
MADE_BY_NOBODY = 0
# The windows of the reliability page, as how long before now each begins and ends (None: now,
# and the promises still open are in it): its year, the last 90 days of its trend and the 90
# days before those, the other side of the trend.
PERIODS = {
    "12m": (FIGURES_PERIOD, None),
    "90d": (TREND_WINDOW, None),
    "90d-before": (2 * TREND_WINDOW, TREND_WINDOW),
}


def period_bounds(*, period: str, now: datetime) -> tuple[datetime, datetime | None]:
    """When a period of PERIODS begins before `now`, and ends (None: it runs up to `now`). The
    complaints list offers the same periods."""
    begins, ends = PERIODS[period]
    return now - begins, None if ends is None else now - ends


class Outcome(TextChoices):
    """What became of a promise, as the reliability figures count it. Judged promises are kept
    on time, kept late or broken; a promise cancelled in time and one still open (within its
    grace) are not judged."""

    # Lazy: the labels are read in the language of each request, not of the module's import.
    JUDGED = "judged", gettext_lazy("judged: on time, late or broken")
    KEPT = "kept", gettext_lazy("kept: on time or late")
    ON_TIME = "on_time", gettext_lazy("on time")
    LATE = "late", gettext_lazy("late")
    BROKEN = "broken", gettext_lazy("broken")
    CANCELLED = "cancelled", gettext_lazy("cancelled in time")
    OPEN = "open", gettext_lazy("open")


def outcome_conditions(*, now: datetime, today, grace: Grace) -> dict[str, Q]:
    """Each outcome as a filter, from the statuses' own rules (status.py) and the figures'
    KEPT_ON_TIME and KEPT_LATE, so that the list cannot count by another rule than the page."""

    def status(name: PromiseStatus) -> Q:
        return status_condition(name, now=now, today=today, grace=grace)

    broken = status(PromiseStatus.BROKEN)
    return {
        Outcome.JUDGED: KEPT_ON_TIME | KEPT_LATE | broken,
        Outcome.KEPT: KEPT_ON_TIME | KEPT_LATE,
        Outcome.ON_TIME: KEPT_ON_TIME,
        Outcome.LATE: KEPT_LATE,
        Outcome.BROKEN: broken,
        Outcome.CANCELLED: status(PromiseStatus.CANCELLED),
        # Overdue but within its grace is still open: not yet judged.
        Outcome.OPEN: status(PromiseStatus.OPEN) | status(PromiseStatus.OVERDUE),
    }


@dataclass(frozen=True)
class OutcomeTally:
    """How many promises of a list have each outcome (open ones and cancelled-in-time ones
    beside the judged), and the figures of its judged ones as the reliability page gives them."""

    on_time: int
    late: int
    broken: int
    cancelled: int
    open: int
    figures: Figures
    # Of the open ones, those past their moment and within the grace: "100% on time" beside a
    # promise overdue read as a mistake unless the list says when that one will count.
    overdue: int = 0
    grace: timedelta = timedelta(0)  # its span, as the list says it

    @property
    def judged(self) -> int:
        return self.on_time + self.late + self.broken

    @property
    def kept(self) -> int:
        return self.on_time + self.late

    @property
    def total(self) -> int:
        return self.judged + self.cancelled + self.open

    def count(self, outcome: str) -> int:
        return self.total if not outcome else getattr(self, Outcome(outcome).name.lower())


@dataclass(frozen=True)
class PromiseOutcomes:
    # Ordered, with customer and maker and `lateness` (seconds, for those kept late), read a
    # page's ids first; for the order by lateness in two parts.
    promises: IdsFirst
    tally: OutcomeTally
    since: datetime
    until: datetime | None = None  # None: up to now, the promises still open included


ORDERS = {
    "-due": ("-due_at", "-id"),
    "due": ("due_at", "id"),
    # The most late first, then the others newest due first (see promise_outcomes).
    "-lateness": (),
}


def _late_promises(
    *,
    business: Business,
    since: datetime,
    made_by_id: int | None,
    kind: str | None,
    until: datetime | None = None,
) -> QuerySet[Promise]:
    """The promises kept late whose outcome became known since `since` (and before `until`; a
    late promise is done, so it was judged exactly when it was done then), for the lateness
    percentiles; the condition and order match the promise_late indexes."""
    late = Promise.objects.filter(business=business, done_at__gte=since).filter(KEPT_LATE)
    if until is not None:
        late = late.filter(done_at__lt=until)
    if made_by_id is not None:
        late = late.filter(made_by_id=None if made_by_id == MADE_BY_NOBODY else made_by_id)
    if kind:
        late = late.filter(kind=kind)
    return late


def promise_outcomes(
    *,
    business: Business,
    period: str = "12m",
    outcome: str = "",
    made_by_id: int | None = None,
    kind: str = "",
    order: str = "-due",
    agenda: str = "",
    month: date | None = None,
    now: datetime | None = None,
) -> PromiseOutcomes:
    """The promises whose outcome became known in `period` (a key of PERIODS, the reliability
    page's windows) or in the calendar `month` instead (a month of the charts' promises, which
    counts by the same conditions), with those still open, by maker, kind and outcome (a value
    of Outcome, or every one): what each reliability figure is made of. The tally counts the
    outcomes of the period, maker and kind in one query, as promise_reliability does, and gives
    the share and lateness percentiles of their judged promises by the same function."""
    now = now or timezone.now()
    grace = promise_grace(business)
    if month is not None:
        since, until = business.month_bounds(month)
    else:
        since, until = period_bounds(period=period, now=now)
    today = business.local(now).date()
    conditions = outcome_conditions(now=now, today=today, grace=grace)
    # The outcome became known when the promise was done or cancelled, or at the end of its
    # grace; an open promise within its grace is in every period up to now.
    promises = Promise.objects.filter(business=business).filter(
        outcome_known(since=since, until=until, grace=grace)
    )
    if made_by_id is not None:
        promises = promises.filter(made_by_id=None if made_by_id == MADE_BY_NOBODY else made_by_id)
    if kind:
        promises = promises.filter(kind=kind)
    if agenda:
        # Today's lists whole: the period, maker and kind filter them further (the default
        # year holds them all), and the tally counts them as it counts any list.
        promises = promises.filter(agenda_condition(agenda, business=business, now=now))
    counts = promises.aggregate(
        **{
            name: Count(_ROW, filter=conditions[name])
            for name in (
                Outcome.ON_TIME,
                Outcome.LATE,
                Outcome.BROKEN,
                Outcome.CANCELLED,
                Outcome.OPEN,
            )
        },
        overdue=Count(
            _ROW, filter=status_condition(PromiseStatus.OVERDUE, now=now, today=today, grace=grace)
        ),
        earliest_due=Min("due_at"),
        latest_due=Max("due_at"),
    )
    tally = _Tally(counts[Outcome.ON_TIME], counts[Outcome.LATE], counts[Outcome.BROKEN])
    late = _late_promises(
        business=business, since=since, until=until, made_by_id=made_by_id, kind=kind
    )
    if outcome:
        promises = promises.filter(conditions[Outcome(outcome)])
    # Read in the order of due moments, the list would step over every promise due after the
    # period (or before it, oldest first) one by one, as its index holds no column to refuse
    # them by: 30 of the 60 ms of the 90 days before the last 90 at 60,000 promises. The first
    # and last due moment are counted with the rest.
    by_due = (
        promises.filter(due_at__range=(counts["earliest_due"], counts["latest_due"]))
        if counts["earliest_due"] is not None
        else promises.none()
    )

    def with_lateness(promises: QuerySet[Promise]) -> QuerySet[Promise]:
        return promises.select_related("customer", "made_by", *LINKED).annotate(
            lateness=Case(When(KEPT_LATE, then=_LATENESS))
        )

    outcomes = OutcomeTally(
        on_time=tally.on_time,
        late=tally.late,
        broken=tally.broken,
        cancelled=counts[Outcome.CANCELLED],
        open=counts[Outcome.OPEN],
        figures=_figures(tally, late),
        overdue=counts["overdue"],
        grace=grace.span,
    )
    rows = with_lateness(promises)
    if order == "-lateness":
        # Sorting a year of promises by a computed lateness took 150 ms at 60,000 promises: the
        # late ones come in the order of the promise_late index instead, and the rest by due
        # moment, each part read only as far as the page needs.
        listed = IdsFirst(
            rows,
            parts=[
                promises.filter(KEPT_LATE).order_by(_LATENESS.desc(), "-id"),
                by_due.exclude(KEPT_LATE).order_by(*ORDERS["-due"]),
            ],
            count=outcomes.count(outcome),
        )
    else:
        # A page's ids first: cut from the whole rows' query, a deep page joined the customer
        # and the maker of every promise it stepped over (the 1,201st page 215 ms in SQLite).
        listed = IdsFirst(
            with_lateness(by_due).order_by(*ORDERS[order]), count=outcomes.count(outcome)
        )
    return PromiseOutcomes(promises=listed, tally=outcomes, since=since, until=until)


@dataclass(frozen=True)
class Advice:
    """How safe a due moment is, from this business's own history of the kind."""

    kind: str
    kind_label: str
    history: int
    enough_history: bool
    lead: timedelta
    # The chance this moment is kept: of the earlier promises, how many were kept by as long
    # after their own moment as this one lies after the moment advised on (advised_from), or,
    # when no suggestion is being followed, by their moment (kept_on_time).
    on_time_probability: float | None = None
    # Of the earlier promises, how many were kept by their own moment.
    kept_on_time: float | None = None
    # The moment first typed, when the one advised on is the suggestion for it taken (the
    # form's "Use this moment"): the earlier promises say how late the work runs after the
    # moment first planned for, not after any moment promised. Read from the due moment
    # itself, a suggestion followed was advised to move on again, a quarter of an hour each
    # time, never safe. None when the moment was typed.
    advised_from: datetime | None = None
    suggested_due_at: datetime | None = None
    suggested_lead: timedelta | None = None
    suggested_probability: float | None = None
    all_day: bool = False
    # The due day when the shop is closed on it (not one of its working days, or in one of its
    # closed periods): said under the form, as a promise or a call planned for the closed
    # Sunday was saved without a word; and why, when a closed period says ("Kerst").
    closed_day: date | None = None
    closed_for: str = ""
    # A promise for a time of an open day when the shop is closed then (19:00 after its 17:30
    # closing, in its lunch break): asked about under the form as a closed day is.
    closed_at_time: bool = False
    # Whether the due moment has gone by (due_gone_by): then it is asked about alone, as the
    # chance of keeping a moment gone is no question; and whether the moment the promise was
    # made was given (written down afterwards), or it is made now, which the service refuses.
    gone_by: bool = False
    made_at_given: bool = False
    # The earlier promises the chance is read from (made about as far ahead as this one), and
    # how far ahead they were made, shortest and longest.
    similar: int = 0
    similar_shortest: timedelta | None = None
    similar_longest: timedelta | None = None
    # Whether this promise leaves clearly less time than any of those (a quarter of an hour
    # where the shop always promised an hour or more): their chance is a hopeful guess for it.
    sooner_than_them: bool = False
    # The moment advised on, as the form gave it.
    due_at: datetime | None = None
    # For a customer who needs it on the day itself (the cake for Saturday's party), a later
    # promise is no answer: when to have it ready instead, as much before the moment as the
    # suggestion is after it (_ready_by). None where nothing is suggested, or where the kind
    # has no day a customer needs it by (a callback, a quote).
    ready_by: datetime | None = None
    # False when that moment (for a day: its closing) has gone by already: then it will be
    # tight, and the customer is best told so.
    ready_in_time: bool = False

    @property
    def safe(self) -> bool:
        return (
            self.on_time_probability is not None
            and self.on_time_probability >= ADVICE_TARGET
            and not self.sooner_than_them
        )


def _round_up(moment: datetime, step: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    steps = math.ceil((moment - epoch) / step)
    return epoch + steps * step


def _step(needed: timedelta) -> timedelta:
    """What a suggested moment is rounded to: quarter hours for a short delay, else hours."""
    return timedelta(minutes=15) if needed < timedelta(hours=6) else timedelta(hours=1)


def _round_down(moment: datetime, step: timedelta) -> datetime:
    epoch = datetime(2000, 1, 1, tzinfo=moment.tzinfo)
    return epoch + (moment - epoch) // step * step


ZERO = timedelta(0)


@dataclass(frozen=True)
class _Judged:
    """An earlier promise as the advice reads it: how far ahead it was made, and how late it
    was kept (nothing when on time; None when it never was)."""

    lead: timedelta
    late_by: timedelta | None

    @classmethod
    def of(cls, promise: Promise) -> "_Judged":
        late_by = None if promise.done_at is None else max(ZERO, promise.done_at - promise.due_at)
        return cls(promise.due_at - promise.made_at, late_by)


# A lead this much shorter than the shortest of the promises it is judged by is "sooner than
# them" (Advice.sooner_than_them): three quarters of an hour where they all left an hour.
SOONER_THAN_THEM = 0.75


def _made_as_far_ahead(history: list[_Judged], lead: timedelta) -> list[_Judged]:
    """The earlier promises made about as far ahead as `lead`: the third of them nearest to it
    (at least ADVICE_MIN_HISTORY), near as a ratio (a day is near two, an hour is not near two),
    with every one as near as the last. A promise for tomorrow is judged by others for a day
    or two ahead, not by those booked for next week."""
    minute = timedelta(minutes=1)

    def distance(judged: _Judged) -> float:
        return abs(math.log(max(judged.lead, minute) / max(lead, minute)))

    by_distance = sorted(history, key=distance)
    count = max(ADVICE_MIN_HISTORY, len(history) // 3)
    furthest = distance(by_distance[count - 1])
    return [judged for judged in by_distance if distance(judged) <= furthest]


# The kinds a customer may need by a day of their own (a party, a trip): for them the advice
# also says when to have it ready (Advice.ready_by). A callback or a quote waits for the shop.
NEEDED_BY_A_DAY = frozenset(
    {PromiseKind.DELIVERY, PromiseKind.REPAIR, PromiseKind.ORDER_READY, PromiseKind.OTHER}
)


def _ready_by(
    business: Business, *, due_at: datetime, needed: timedelta, all_day: bool, rules
) -> datetime:
    """The moment to have a promise ready by for it to be on time nine times in ten: `needed`
    (the delay nine in ten of the earlier ones stayed within) before its moment, the working
    day or moment at or before it. A promise for a day is ready a whole day earlier at least:
    one kept late was kept on a later day."""
    if all_day:
        days_before = max(1, math.ceil(needed / timedelta(days=1)))
        day = last_working_day(
            business.local(due_at).date() - timedelta(days=days_before),
            working_days=rules.working_days,
            closed=rules.closed_dates,
        )
        return due_moment_for_day(business=business, day=day)
    return last_working_moment(
        business.local(_round_down(due_at - needed, _step(needed))),
        tz=business.tzinfo,
        week=rules.opening_hours,
        closed=rules.closed_dates,
    )


def open_promise_alike(*, customer, description: str, due_at: datetime) -> Promise | None:
    """The customer's open promise of the same words (capitals aside) and due moment, if any:
    the form asks before recording it again (web.care_forms.PromiseForm.refuse_repeat)."""
    return (
        Promise.objects.filter(
            IS_OPEN,
            business_id=customer.business_id,
            customer=customer,
            due_at=due_at,
            description__iexact=description.strip(),
        )
        .order_by("-created_at")
        .first()
    )


def due_gone_by(*, business: Business, due_at: datetime, all_day: bool, now: datetime) -> bool:
    """Whether a due moment typed has gone by: a time before now, a day before today. Today is
    not, for a promise for the day: the person at the counter knows whether it is still to be
    done today. Typed for a new promise, it is written down afterwards, or typed wrong (a
    month, a year): saved, it is overdue at once, and then broken."""
    if all_day:
        return business.local(due_at).date() < business.local(now).date()
    return due_at < now


def due_when_closed(*, business: Business, due_at: datetime, all_day: bool) -> dict:
    """Whether the shop is closed when a promise is due, as Advice says it: `closed_day`, the
    due day when the shop is closed on it (not a working day, or in a closed period), with
    `closed_for` the period's reason; else `closed_at_time`, whether a promise at a time falls
    when the shop is closed that day (after closing, in its lunch break)."""
    rules = care_settings(business)
    due_day = business.local(due_at).date()
    closed_day = due_day if shop_closed_on(business, due_day) else None
    closure = rules.closed_period_on(due_day)
    return {
        "closed_day": closed_day,
        "closed_for": closure.reason if closure else "",
        "closed_at_time": not all_day
        and closed_day is None
        and next_working_moment(
            due_at, tz=business.tzinfo, week=rules.opening_hours, closed=rules.closed_dates
        )
        != due_at,
    }


def promise_advice(
    *,
    business: Business,
    kind: str,
    due_at: datetime,
    all_day: bool = False,
    made_at: datetime | None = None,
    advised_from: datetime | None = None,
    now: datetime | None = None,
) -> Advice:
    """ "Of the 20 earlier 'repair' promises made 2 to 3 days ahead, 50% were kept on time;
    promise a day later and you make it 90% of the time." Read from the earlier promises of
    the kind made about as far ahead as this one (_made_as_far_ahead): how many of them were
    kept by their moment, and how late the others were. The suggestion is this moment moved
    on by the delay that nine in ten of them stayed within (whole days for a promise for a
    day, quarter hours or hours otherwise, moved to the next opening when the business is
    closed then); none when more than one in ten was never kept.

    Not the time each took from made to done: most work is done by the moment promised, not
    as fast as it could be, so a delivery booked for next week "took" a week, and a delivery
    for tomorrow was advised a week's wait. How late a promise was kept says what the moment
    needed. One query.

    `advised_from`: the moment first typed, when `due_at` is the suggestion for it taken (or
    a moment after it): the advice is that of the moment first typed, and the chance is of
    `due_at`, so that a suggestion followed is called safe rather than moved on again."""
    now = now or timezone.now()
    made_at_given = made_at is not None
    # Spans are counted in UTC: Python adds to and subtracts moments of one zone on the wall
    # clock, and a form gives both in the business's, so across the night the clocks change a
    # lead and the suggestion were an hour off (as core.working_hours counts).
    made_at = (made_at or now).astimezone(UTC)
    due_at = due_at.astimezone(UTC)
    grace = promise_grace(business)
    lead = due_at - made_at
    following = advised_from is not None and made_at <= advised_from < due_at
    first = advised_from.astimezone(UTC) if following else due_at
    label = str(dict(PromiseKind.choices).get(kind, kind))
    if due_gone_by(business=business, due_at=due_at, all_day=all_day, now=now):
        return Advice(
            kind,
            label,
            0,
            False,
            lead,
            all_day=all_day,
            due_at=due_at,
            gone_by=True,
            made_at_given=made_at_given,
        )
    history = [
        _Judged.of(promise)
        for promise in Promise.objects.filter(business=business, kind=kind)
        .filter(
            Q(done_at__isnull=False)
            | Q(cancelled_at__gt=F("due_at"))
            | Q(
                done_at__isnull=True,
                cancelled_at__isnull=True,
                due_at__lt=grace.broken_before(now),
            )
        )
        .only("made_at", "due_at", "done_at")
        .order_by("-made_at")[:ADVICE_SAMPLE]
    ]
    rules = care_settings(business)
    closed = due_when_closed(business=business, due_at=due_at, all_day=all_day)
    if len(history) < ADVICE_MIN_HISTORY:
        return Advice(
            kind, label, len(history), False, lead, all_day=all_day, due_at=due_at, **closed
        )
    similar = _made_as_far_ahead(history, first - made_at)
    never = timedelta.max
    delays = sorted(never if judged.late_by is None else judged.late_by for judged in similar)

    def probability(delay: timedelta) -> float:
        return sum(1 for late_by in delays if late_by <= delay) / len(delays)

    needed = delays[math.ceil(ADVICE_TARGET * len(delays)) - 1]
    leads = [judged.lead for judged in similar]
    sooner = lead < min(leads) * SOONER_THAN_THEM
    # Advised from the least time they left, when the moment first typed leaves less.
    if first - made_at < min(leads) * SOONER_THAN_THEM:
        base = max(first, made_at + min(leads))
    else:
        base = first
    on_time = probability(max(ZERO, due_at - base))
    suggested_due = None
    if needed != never and not (following and on_time >= ADVICE_TARGET):
        earliest = base + needed
        if all_day:
            # Not the closed Sunday or Christmas Day either: the shop's next working day.
            day = next_working_day(
                business.local(earliest).date(),
                working_days=rules.working_days,
                closed=rules.closed_dates,
            )
            suggested_due = due_moment_for_day(business=business, day=day)
        else:
            step = _step(needed)
            # Never "call back at 22:00" or on the closed Sunday: the first open moment.
            suggested_due = next_working_moment(
                business.local(_round_up(earliest, step)),
                tz=business.tzinfo,
                week=rules.opening_hours,
                closed=rules.closed_dates,
            )
    ready_by = (
        _ready_by(business, due_at=due_at, needed=needed, all_day=all_day, rules=rules)
        if suggested_due and needed > ZERO and kind in NEEDED_BY_A_DAY
        else None
    )
    return Advice(
        kind=kind,
        kind_label=label,
        history=len(history),
        enough_history=True,
        lead=lead,
        on_time_probability=on_time,
        kept_on_time=probability(ZERO),
        advised_from=first if following else None,
        suggested_due_at=suggested_due,
        suggested_lead=(suggested_due - made_at) if suggested_due else None,
        suggested_probability=probability(suggested_due - base) if suggested_due else None,
        all_day=all_day,
        **closed,
        similar=len(similar),
        similar_shortest=min(leads),
        similar_longest=max(leads),
        sooner_than_them=sooner,
        due_at=due_at,
        ready_by=ready_by,
        # A day to be ready by is gone at its closing: asked after it, it is too late
        ready_in_time=ready_by is not None
        and last_working_moment(
            ready_by, tz=business.tzinfo, week=rules.opening_hours, closed=rules.closed_dates
        )
        > made_at,
    )


def _due_text(promise: Promise, business) -> str:
    """When the promise is due, in the business's time zone, on one line as every moment on a
    page is (core.shown): the profile's timeline and open items say it inside a sentence, which
    a phone would otherwise break between "24 nov" and "14:30"."""
    local = business.local(promise.due_at)
    # 24 nov (Dutch), 24 Nov (English); with its year half a year or more off (core.shown.NEAR):
    # a yearly inspection's "6 nov", read in December, was last month's.
    near = abs(local.date() - business.today()) < NEAR
    day = date_format(local.date(), "MONTH_DAY_FORMAT" if near else "SHORT_DATE_FORMAT")
    return one_line(day if promise.due_all_day else f"{day} {date_format(local, 'H:i')}")


def promise_timeline(*, customer, limit: int) -> list[TimelineEntry]:
    if known_none(customer, "promises"):
        return []
    promises = list(customer.promises.select_related("made_by").order_by("-made_at", "-id")[:limit])
    views = promise_views(business=customer.business, promises=promises)
    return [
        TimelineEntry(
            at=view.promise.done_at or view.promise.cancelled_at or view.promise.made_at,
            kind="promise",
            label=_("promise"),
            summary=_("%(what)s (due %(due)s): %(status)s")
            % {
                "what": view.promise.description,
                "due": _due_text(view.promise, customer.business),
                "status": view.status.label,
            },
            actor=staff_name(view.promise.made_by) if view.promise.made_by else "",
            time_known=view.promise.done_at is None or view.promise.done_time_known,
            extra={"status": view.status.value, "promise_id": view.promise.pk},
        )
        for view in views
    ]


def _open_summary(promise: Promise, business) -> str:
    """What is still to keep, as the briefing card says it: a standing order with how often it
    comes back, so that whoever serves knows it is this week's, not a one-off."""
    said = {"what": promise.description, "due": _due_text(promise, business)}
    if promise.repeats:
        # One sentence for the translator, not a bracket joined on in code.
        return _("%(what)s, due %(due)s (%(how_often)s)") % {
            **said,
            "how_often": promise.repeat_shown,
        }
    return _("%(what)s, due %(due)s") % said


def promise_open_items(*, customer) -> list[OpenItem]:
    if known_none(customer, "promises"):
        return []
    now = timezone.now()
    return [
        OpenItem(
            kind="promise",
            label=_("promise"),
            summary=_open_summary(promise, customer.business),
            due=promise.due_at,
            overdue=promise.due_at < now,
            pk=promise.pk,
        )
        for promise in customer.promises.filter(
            done_at__isnull=True, cancelled_at__isnull=True
        ).order_by("due_at", "id")[:20]
    ]
