"""The Today list: one function gives the page, the digest and the API the same content, with
a constant number of queries whatever the size of the business."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.selectors import follow_ups_due
from klantvriend.complaints.selectors import ComplaintView, complaint_queue
from klantvriend.core.models import Business
from klantvriend.gestures.selectors import OccasionToday, occasions_today
from klantvriend.promises.models import Promise
from klantvriend.promises.selectors import PromiseView, promise_agenda

LIMIT = 50


@dataclass(frozen=True)
class TodayList:
    day: date
    now: datetime
    overdue: list[PromiseView]
    due_today: list[PromiseView]
    follow_ups: list[FollowUp]
    complaints: list[ComplaintView]
    occasions: list[OccasionToday]

    @property
    def promise_count(self) -> int:
        return len(self.overdue) + len(self.due_today)

    @property
    def count(self) -> int:
        return (
            len(self.overdue)
            + len(self.due_today)
            + len(self.follow_ups)
            + len(self.complaints)
            + len(self.occasions)
        )


def today_list(*, business: Business, now: datetime | None = None) -> TodayList:
    now = now or timezone.now()
    agenda = promise_agenda(business=business, now=now, limit=LIMIT)
    return TodayList(
        day=business.local(now).date(),
        now=now,
        overdue=agenda.overdue,
        due_today=agenda.due_today,
        follow_ups=follow_ups_due(business=business, limit=LIMIT),
        complaints=complaint_queue(business=business, now=now),
        occasions=occasions_today(business=business),
    )


@dataclass(frozen=True)
class CalendarItem:
    uid: str
    summary: str
    description: str
    start: datetime | date
    all_day: bool


def calendar_items(*, business: Business, user) -> list[CalendarItem]:
    """A member's open promises and planned follow-ups, for their calendar feed. Two queries."""
    items: list[CalendarItem] = []
    promises = (
        Promise.objects.filter(
            business=business, made_by=user, done_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("customer")
        .order_by("due_at")[:500]
    )
    for promise in promises:
        items.append(
            CalendarItem(
                uid=f"promise-{promise.pk}@{business.slug}.klantvriend",
                summary=f"{promise.customer.name}: {promise.description}",
                description=promise.get_kind_display(),
                start=promise.due_on if promise.due_all_day else promise.due_at,
                all_day=promise.due_all_day,
            )
        )
    follow_ups = (
        FollowUp.objects.filter(business=business, assigned_to=user, done_at__isnull=True)
        .select_related("customer")
        .order_by("due_on")[:500]
    )
    for follow_up in follow_ups:
        items.append(
            CalendarItem(
                uid=f"follow-up-{follow_up.pk}@{business.slug}.klantvriend",
                summary=f"{follow_up.customer.name}: {follow_up.note}",
                description=follow_up.get_reason_display(),
                start=follow_up.due_on,
                all_day=True,
            )
        )
    return items
