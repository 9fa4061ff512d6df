"""Reads of follow-ups: lists, what is due, the coverage figure, timeline and open items."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.complaints.models import Complaint
from klantvriend.core.care_settings import DEFAULTS, care_settings
from klantvriend.core.members import staff_name
from klantvriend.core.models import Business
from klantvriend.core.rows import Rows, first_rows
from klantvriend.core.selectors import owned_get
from klantvriend.core.timeline import OpenItem, TimelineEntry, known_none
from klantvriend.promises.models import Promise, PromiseKind

from .models import FollowUp, Reason

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
    return follow_ups.select_related("customer", "assigned_to").order_by("due_on", "id")


def follow_up_get(*, business: Business, follow_up_id: int) -> FollowUp:
    return owned_get(
        FollowUp.objects.select_related("business", "customer", "assigned_to"),
        business=business,
        pk=follow_up_id,
    )


def follow_ups_due(
    *, business: Business, limit: int = 50, today: date | None = None
) -> Rows[FollowUp]:
    """Open follow-ups planned for `today` (the business's, unless given) or the two weeks
    before, the longest waiting first: a check-up call months late helps no one (it counts as
    missed in the coverage figure). One query, two when there are more than `limit`."""
    today = today or business.today()
    return first_rows(
        FollowUp.objects.filter(
            business=business,
            done_at__isnull=True,
            due_on__lte=today,
            due_on__gte=today - DUE_WINDOW,
        )
        .select_related("customer", "assigned_to")
        .order_by("due_on", "id"),
        limit,
    )


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


# A judged event as _judged_events gives it: (due day, which record: a complaint after a
# promise of the same day, its id, customer, reason, done at, covered).
_Judged = tuple[date, int, int, int, Reason, datetime | None, bool]


def _judged_events(*, business: Business, today: date | None) -> list[_Judged]:
    """The events the coverage figure judges, unordered. Two queries. A rule switched off
    still counts its events with the default number of days: switching aftercare off must not
    make the figure look better."""
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
    for record_id, customer_id, kind, done_on, due_on, done_at in (
        Promise.objects.filter(business=business, kind__in=list(days_after), done_on__gte=since)
        .order_by()
        .values_list(
            "id", "customer_id", "kind", "done_on", "follow_up__due_on", "follow_up__done_at"
        )
    ):
        due_on = due_on or done_on + timedelta(days=days_after[kind])
        covered = judged(due_on, done_at)
        if covered is not None:
            events.append((due_on, 0, record_id, customer_id, Reason(kind), done_at, covered))
    for record_id, customer_id, resolved_at, due_on, done_at in (
        Complaint.objects.filter(business=business, resolved_at__gte=business.start_of(since))
        .order_by()
        .values_list("id", "customer_id", "resolved_at", "follow_up__due_on", "follow_up__done_at")
    ):
        due_on = due_on or business.local(resolved_at).date() + timedelta(days=complaint_days)
        covered = judged(due_on, done_at)
        if covered is not None:
            events.append((due_on, 1, record_id, customer_id, Reason.COMPLAINT, done_at, covered))
    return events


def follow_up_coverage_events(
    *, business: Business, today: date | None = None
) -> list[CoverageEvent]:
    """The events the coverage figure judges, the latest follow-up day first (then the latest
    record: a stable order, for the pages of the figure's rows). Two queries."""
    events = _judged_events(business=business, today=today)
    events.sort(key=lambda event: event[:3], reverse=True)
    return [
        CoverageEvent(customer_id, reason, due_on, done_at, covered)
        for due_on, _record, _id, customer_id, reason, done_at, covered in events
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
                summary=f"{follow_up.note} · {follow_up.get_outcome_display()}"
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
            summary=follow_up.note,
            due=None,
            overdue=follow_up.due_on < today,
        )
        for follow_up in customer.follow_ups.filter(done_at__isnull=True).order_by("due_on", "id")[
            :20
        ]
    ]
