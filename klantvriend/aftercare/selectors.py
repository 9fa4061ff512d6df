"""Reads of follow-ups: lists, what is due, the coverage figure, timeline and open items."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.complaints.models import Complaint
from klantvriend.core.care_settings import DEFAULTS, care_settings
from klantvriend.core.members import staff_name
from klantvriend.core.models import Business
from klantvriend.core.rows import IdsFirst, Rows, first_rows
from klantvriend.core.selectors import owned_get
from klantvriend.core.timeline import OpenItem, TimelineEntry, known_none
from klantvriend.promises.models import Promise, PromiseKind

from .models import FollowUp, Outcome, Reason

# A purchase and a delivery or repair kept for the same customer within this long of each
# other are one job: one call after it, the kept promise's (which the aftercare figure judges),
# not one for each (services.follow_up_plan_for_purchase and follow_up_plan_for_promise). A
# garage's repair, kept and paid for, planned "Was alles naar wens: Distributieriem +
# waterpomp?" for Wednesday and "Is alles naar wens na: Auto klaar…?" for the Monday after.
SAME_JOB = timedelta(days=2)
JOB_REASONS = frozenset({Reason.DELIVERY, Reason.REPAIR})


def job_calls(*, customer_id: int, at: datetime) -> QuerySet[FollowUp]:
    """The customer's open calls after a delivery or repair kept within SAME_JOB of `at`."""
    return FollowUp.objects.filter(
        customer_id=customer_id,
        reason__in=JOB_REASONS,
        done_at__isnull=True,
        promise__done_at__range=(at - SAME_JOB, at + SAME_JOB),
    )


def call_after_purchase(purchase) -> FollowUp | None:
    """The call planned after `purchase`: its own, or the call after the delivery or repair of
    its job (job_calls), for the page that records it to say when."""
    own = FollowUp.objects.filter(purchase=purchase, done_at__isnull=True).first()
    return own or job_calls(customer_id=purchase.customer_id, at=purchase.at).first()


COVERAGE_PERIOD = timedelta(days=90)
# A follow-up a couple of days after its planned day (a weekend, a busy Saturday) still counts.
COVERAGE_TOLERANCE = timedelta(days=2)
DUE_WINDOW = timedelta(days=14)


class FollowUpStatus(models.TextChoices):
    PLANNED = "planned", gettext_lazy("planned")
    DUE = "due", gettext_lazy("due")
    DONE = "done", gettext_lazy("done")


def follow_up_status(follow_up: FollowUp, *, today: date) -> FollowUpStatus:
    if follow_up.done_at is not None:
        return FollowUpStatus.DONE
    return FollowUpStatus.DUE if follow_up.due_on <= today else FollowUpStatus.PLANNED


def follow_up_list(
    *, business: Business, customer_id: int | None = None, status: str | None = None
) -> QuerySet[FollowUp]:
    follow_ups = FollowUp.objects.filter(business=business)
    if customer_id is not None:
        follow_ups = follow_ups.filter(customer_id=customer_id)
    today = business.today()
    if status:
        follow_ups = follow_ups.filter(
            {
                FollowUpStatus.PLANNED: Q(done_at__isnull=True, due_on__gt=today),
                FollowUpStatus.DUE: Q(done_at__isnull=True, due_on__lte=today),
                FollowUpStatus.DONE: Q(done_at__isnull=False),
            }[FollowUpStatus(status)]
        )
    return follow_ups.select_related("customer", "assigned_to", "survey_response").order_by(
        "due_on", "id"
    )


def open_follow_ups_assigned_count(*, business: Business, user) -> int:
    """How many open follow-ups of `business` are assigned to `user`: said before removing them
    from the business, after which those follow-ups are for everyone."""
    return FollowUp.objects.filter(business=business, assigned_to=user, done_at=None).count()


def follow_up_get(*, business: Business, follow_up_id: int) -> FollowUp:
    return owned_get(
        FollowUp.objects.select_related("business", "customer", "assigned_to"),
        business=business,
        pk=follow_up_id,
    )


def due_now(today: date) -> Q:
    """The follow-ups still to do on `today`: open and planned for it or the two weeks before.
    A check-up call months late helps no one (it counts as missed in the coverage figure). The
    rule of Today's list and of the aftercare list's "open and due" both."""
    return Q(done_at__isnull=True, due_on__lte=today, due_on__gte=today - DUE_WINDOW)


def follow_ups_due(
    *,
    business: Business,
    limit: int = 50,
    today: date | None = None,
    assigned_to_id: int | None = None,
) -> Rows[FollowUp]:
    """Open follow-ups due on `today` (the business's, unless given; due_now), the longest
    waiting first; those assigned to one member with `assigned_to_id` (Today's "Only mine").
    One query, two when there are more than `limit`."""
    today = today or business.today()
    due = FollowUp.objects.filter(due_now(today), business=business)
    if assigned_to_id is not None:
        due = due.filter(assigned_to_id=assigned_to_id)
    return first_rows(
        # The purchase: Today says which one a rule's question is about (purchase_unquoted); the
        # survey answer one brought forward after a complaint or a job says its score (survey_answer).
        due.select_related("customer", "assigned_to", "purchase", "survey_response").order_by(
            "due_on", "id"
        ),
        limit,
    )


class FollowUpState(models.TextChoices):
    """The aftercare list's states: what to do now (as Today lists it), what was let slip,
    what is planned, what is done."""

    # Every open one, whatever its day (what is not decided yet of the quotes).
    # Named by the words the rows say (due, missed, planned): "late" was none of them.
    OPEN = "open", gettext_lazy("open: due, missed or later")
    DUE = "due", gettext_lazy("open and due")
    MISSED = "missed", gettext_lazy("missed: two weeks past its day")
    LATER = "later", gettext_lazy("open, planned later")
    DONE = "done", gettext_lazy("done, with the outcome")


# Who a follow-up is assigned to, as the list filters it: a member's user id, or this for
# follow-ups assigned to nobody.
ASSIGNED_TO_NOBODY = 0
# The aftercare list's periods: how many days before today the planned day may be (None: any);
# follow-ups planned for a later day are in every period.
FOLLOW_UP_PERIODS = {"12m": timedelta(days=365), "90d": timedelta(days=90), "all": None}


def _state_condition(state: str, today: date) -> Q:
    return {
        FollowUpState.OPEN: Q(done_at__isnull=True),
        FollowUpState.DUE: due_now(today),
        FollowUpState.MISSED: Q(done_at__isnull=True, due_on__lt=today - DUE_WINDOW),
        FollowUpState.LATER: Q(done_at__isnull=True, due_on__gt=today),
        FollowUpState.DONE: Q(done_at__isnull=False),
    }[FollowUpState(state)]


def follow_up_state(follow_up: FollowUp, *, today: date) -> FollowUpState:
    """A follow-up's state as the list filters it (_state_condition), for its row."""
    if follow_up.done_at is not None:
        return FollowUpState.DONE
    if follow_up.due_on > today:
        return FollowUpState.LATER
    return FollowUpState.MISSED if follow_up.due_on < today - DUE_WINDOW else FollowUpState.DUE


@dataclass(frozen=True)
class FollowUpRows:
    # Ordered, with what each follows joined; a page's ids read first.
    follow_ups: IdsFirst
    count: int
    since: date | None
    # How many of the listed follow-ups were done with each outcome, in Outcome's order, those
    # with none left out: what came of them (of quotes, how many were accepted).
    outcomes: list[tuple[Outcome, int]]


def follow_up_rows(
    *,
    business: Business,
    state: str = "",
    period: str = "12m",
    assigned_to_id: int | None = None,
    reason: str = "",
    today: date | None = None,
) -> FollowUpRows:
    """Every follow-up of the business planned in `period` (a key of FOLLOW_UP_PERIODS) or
    later, in a state of FollowUpState (or any), assigned to one member (ASSIGNED_TO_NOBODY:
    to nobody) or anyone, for one Reason (or any). What is still open comes the longest
    waiting first, as Today lists it; the done ones and all together the latest planned first.
    Two queries a page, and one for the outcomes of those done."""
    today = today or business.today()
    back = FOLLOW_UP_PERIODS[period]
    since = None if back is None else today - back
    follow_ups = FollowUp.objects.filter(business=business)
    if since is not None:
        follow_ups = follow_ups.filter(due_on__gte=since)
    if state:
        follow_ups = follow_ups.filter(_state_condition(state, today))
    if assigned_to_id is not None:
        follow_ups = follow_ups.filter(
            assigned_to_id=None if assigned_to_id == ASSIGNED_TO_NOBODY else assigned_to_id
        )
    if reason:
        follow_ups = follow_ups.filter(reason=reason)
    count = follow_ups.count()
    order = ("due_on", "id") if state and state != FollowUpState.DONE else ("-due_on", "-id")
    # The survey answer a call was brought forward for, which its row says (survey_answer).
    rows = follow_ups.select_related(
        "customer",
        "assigned_to",
        "promise",
        "complaint",
        "purchase",
        "referred_customer",
        "survey_response",
    ).order_by(*order)
    # The open states hold nothing done: no query for them (Today's "Show all" is one).
    done = (
        {}
        if state and state != FollowUpState.DONE
        else dict(
            follow_ups.filter(done_at__isnull=False)
            .order_by()
            .values_list("outcome")
            .annotate(Count("id"))
        )
    )
    return FollowUpRows(
        follow_ups=IdsFirst(rows, count=count),
        count=count,
        since=since,
        outcomes=[(outcome, done[outcome]) for outcome in Outcome if done.get(outcome)],
    )


@dataclass(frozen=True)
class QuoteDecisions:
    """What came of the quotes followed up (Reason.QUOTE) that were planned since `since` or
    later, as the aftercare list filtered to them counts: the customer's decisions, and those
    not decided yet (still to ask, asked again later, or let slip)."""

    accepted: int
    declined: int
    undecided: int
    since: date

    @property
    def decided(self) -> int:
        return self.accepted + self.declined

    @property
    def accepted_share(self) -> float | None:
        """The share of the decided quotes that were accepted; None before any decision."""
        return self.accepted / self.decided if self.decided else None


def quote_decisions(*, business: Business, today: date | None = None) -> QuoteDecisions:
    """The quote follow-ups of the aftercare list's default period (the last 12 months and
    later), by what came of them: one query."""
    today = today or business.today()
    since = today - FOLLOW_UP_PERIODS["12m"]
    counts = FollowUp.objects.filter(
        business=business, reason=Reason.QUOTE, due_on__gte=since
    ).aggregate(
        accepted=Count("id", filter=Q(done_at__isnull=False, outcome=Outcome.ACCEPTED)),
        declined=Count("id", filter=Q(done_at__isnull=False, outcome=Outcome.DECLINED)),
        undecided=Count("id", filter=Q(done_at__isnull=True)),
    )
    return QuoteDecisions(**counts, since=since)


@dataclass(frozen=True)
class Coverage:
    """Share of kept deliveries and repairs and resolved complaints of the last 90 days whose
    follow-up was done within a few days of its planned day. Events whose follow-up day has not
    yet come (plus the tolerance) are not judged yet."""

    judged: int
    covered: int

    @property
    def share(self) -> float | None:
        return self.covered / self.judged if self.judged else None


@dataclass(frozen=True)
class CoverageEvent:
    """A judged event of the coverage figure: what ended, when its follow-up was due (planned,
    or the rule's day when none was planned) and when it was done. The customer by id only: the
    figure needs no names, and joining every customer to a few thousand events made PostgreSQL
    hash all of a large shop's customers (the rows' page reads the names of its own)."""

    customer_id: int
    reason: Reason
    due_on: date
    done_at: datetime | None
    covered: bool
    # Content or not content ("" while not done): whether the check found the customer
    # content again, which the figure's rows show beside whether it was done in time.
    outcome: str = ""


# A judged event as _judged_events gives it: (due day, which record: a complaint after a
# promise of the same day, its id, customer, reason, done at, covered, outcome).
_Judged = tuple[date, int, int, int, Reason, datetime | None, bool, str]


def _judged_events(*, business: Business, today: date | None) -> list[_Judged]:
    """The events the coverage figure judges, unordered. Two queries. A rule switched off
    still counts its events with the default number of days: switching aftercare off must not
    make the figure look better. A follow-up closed as not needed (the delivery was funeral
    flowers) leaves its event out: neither done nor missed."""
    rules = care_settings(business)
    today = today or business.today()
    # The last 90 days are today and the 89 days before it, as the other 90-day figures.
    since = today - COVERAGE_PERIOD + timedelta(days=1)
    days_after = {
        PromiseKind.DELIVERY: rules.aftercare_delivery_days
        if rules.aftercare_delivery_days is not None
        else DEFAULTS.aftercare_delivery_days,
        PromiseKind.REPAIR: rules.aftercare_repair_days
        if rules.aftercare_repair_days is not None
        else DEFAULTS.aftercare_repair_days,
    }
    complaint_days = (
        rules.aftercare_complaint_days
        if rules.aftercare_complaint_days is not None
        else DEFAULTS.aftercare_complaint_days
    )
    # A follow-up is in time when done on a local day up to the tolerance after its due day:
    # before the first moment of the day after, worked out once per due day rather than each
    # moment's local day (a third of the figure's Python).
    in_time_before: dict[date, datetime] = {}

    def judged(due_on: date, done_at: datetime | None) -> bool | None:
        """Whether the follow-up due on `due_on` was done in time; None when not judged yet."""
        if done_at is None:
            return None if due_on + COVERAGE_TOLERANCE >= today else False
        end = in_time_before.get(due_on)
        if end is None:
            end = in_time_before[due_on] = business.start_of(
                due_on + COVERAGE_TOLERANCE + timedelta(days=1)
            ).astimezone(UTC)
        return done_at < end

    events: list[_Judged] = []
    # Read unordered: the models' default order by due moment or receipt led the database
    # through every promise or complaint of the business in that order instead of through the
    # range of the last 90 days (60,000 promises for 3,700).
    for record_id, customer_id, kind, done_on, due_on, done_at, outcome in (
        Promise.objects.filter(business=business, kind__in=list(days_after), done_on__gte=since)
        .order_by()
        .values_list(
            "id",
            "customer_id",
            "kind",
            "done_on",
            "follow_up__due_on",
            "follow_up__done_at",
            "follow_up__outcome",
        )
    ):
        due_on = due_on or done_on + timedelta(days=days_after[kind])
        covered = judged(due_on, done_at)
        if covered is not None and outcome != Outcome.NOT_NEEDED:
            events.append(
                (due_on, 0, record_id, customer_id, Reason(kind), done_at, covered, outcome or "")
            )
    for record_id, customer_id, resolved_at, due_on, done_at, outcome in (
        Complaint.objects.filter(business=business, resolved_at__gte=business.start_of(since))
        .order_by()
        .values_list(
            "id",
            "customer_id",
            "resolved_at",
            "follow_up__due_on",
            "follow_up__done_at",
            "follow_up__outcome",
        )
    ):
        due_on = due_on or business.local(resolved_at).date() + timedelta(days=complaint_days)
        covered = judged(due_on, done_at)
        if covered is not None and outcome != Outcome.NOT_NEEDED:
            events.append(
                (
                    due_on,
                    1,
                    record_id,
                    customer_id,
                    Reason.COMPLAINT,
                    done_at,
                    covered,
                    outcome or "",
                )
            )
    return events


def follow_up_coverage_events(
    *, business: Business, today: date | None = None
) -> list[CoverageEvent]:
    """The events the coverage figure judges, the latest follow-up day first (then the latest
    record: a stable order, for the pages of the figure's rows). Two queries."""
    events = _judged_events(business=business, today=today)
    events.sort(key=lambda event: event[:3], reverse=True)
    return [
        CoverageEvent(customer_id, reason, due_on, done_at, covered, outcome)
        for due_on, _record, _id, customer_id, reason, done_at, covered, outcome in events
    ]


def follow_up_coverage(*, business: Business, today: date | None = None) -> Coverage:
    """The coverage figure over the events follow_up_coverage_events lists, counted without
    ordering or listing them. Two queries."""
    events = _judged_events(business=business, today=today)
    return Coverage(judged=len(events), covered=sum(event[6] for event in events))


def follow_up_timeline(*, customer, limit: int) -> list[TimelineEntry]:
    if known_none(customer, "follow_ups"):
        return []
    entries = []
    for follow_up in customer.follow_ups.select_related("assigned_to").order_by("-due_on", "-id")[
        :limit
    ]:
        if follow_up.done_at is None:
            continue  # a plan is an open item, not something that happened
        entries.append(
            TimelineEntry(
                at=follow_up.done_at,
                kind="follow_up",
                label=_("follow-up"),
                summary=f"{follow_up.asks} · {follow_up.get_outcome_display()}"
                + (f": {follow_up.outcome_note}" if follow_up.outcome_note else ""),
                actor=staff_name(follow_up.assigned_to) if follow_up.assigned_to else "",
                extra={"outcome": follow_up.outcome, "follow_up_id": follow_up.pk},
            )
        )
    return entries


def follow_up_open_items(*, customer) -> list[OpenItem]:
    if known_none(customer, "follow_ups"):
        return []
    today = customer.business.today()
    return [
        OpenItem(
            kind="follow_up",
            label=_("follow-up"),
            summary=follow_up.asks,
            due=None,
            overdue=follow_up.due_on < today,
            pk=follow_up.pk,
        )
        for follow_up in customer.follow_ups.filter(done_at__isnull=True).order_by("due_on", "id")[
            :20
        ]
    ]
