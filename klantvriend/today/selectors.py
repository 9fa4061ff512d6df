"""The Today list: one function gives the page, the digest and the API the same content, with
a constant number of queries whatever the size of the business."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, Q
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.selectors import follow_ups_due
from klantvriend.complaints.selectors import ComplaintView, complaint_queue
from klantvriend.core.care_settings import ClosedPeriod, care_settings, care_settings_saved
from klantvriend.core.models import Business, Membership
from klantvriend.core.rows import Rows, first_rows
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.selectors import (
    ComingBirthday,
    ComingDate,
    birthdays_coming,
    coming_birthdays,
    coming_dates,
    coming_dates_called,
    important_dates_coming,
)
from klantvriend.gestures.selectors import OccasionToday, occasions_today
from klantvriend.promises.models import Promise
from klantvriend.promises.selectors import PromiseView, promise_agenda

# The most rows of one list (the API, the digest, a list shown whole on the page).
LIMIT = 50
# The rows of each list the Today page shows at first: a morning's glance, not a report.
SHOWN = 10
LISTS = ("overdue", "due_today", "follow_ups", "complaints", "occasions")


@dataclass(frozen=True)
class TodayList:
    day: date
    now: datetime
    overdue: Rows[PromiseView]
    due_today: Rows[PromiseView]
    follow_ups: Rows[FollowUp]
    complaints: Rows[ComplaintView]
    occasions: Rows[OccasionToday]

    @property
    def promise_count(self) -> int:
        return self.overdue.total + self.due_today.total

    @property
    def count(self) -> int:
        return sum(getattr(self, name).total for name in LISTS)


def today_list(
    *,
    business: Business,
    now: datetime | None = None,
    rows: int = LIMIT,
    whole: str = "",
    occasions_from: int = 0,
    member_id: int | None = None,
) -> TodayList:
    """At most `rows` of each list, and LIMIT of the list named `whole` (one of LISTS), each
    with its total; the occasions of the customers from the `occasions_from`-th (a later page
    of them). With `member_id`, that member's own: the promises they made and the follow-ups
    assigned to them ("Only mine"); complaints and occasions are the whole shop's."""

    def limit(name: str) -> int:
        return LIMIT if name == whole else rows

    now = now or timezone.now()
    agenda = promise_agenda(
        business=business,
        now=now,
        overdue_limit=limit("overdue"),
        due_today_limit=limit("due_today"),
        made_by_id=member_id,
    )
    complaints = complaint_queue(business=business, now=now, limit=limit("complaints"))
    day = business.local(now).date()
    return TodayList(
        day=day,
        now=now,
        overdue=agenda.overdue,
        due_today=agenda.due_today,
        follow_ups=follow_ups_due(
            business=business, limit=limit("follow_ups"), today=day, assigned_to_id=member_id
        ),
        complaints=complaints,
        occasions=occasions_today(
            business=business, limit=limit("occasions"), offset=occasions_from, day=day
        ),
    )


@dataclass(frozen=True)
class ComingUp(Rows[ComingDate]):
    """Today's "Coming up" with how many of its dates someone called about this time."""

    called: int

    @property
    def to_call(self) -> int:
        return self.total - self.called


def coming_up(*, business: Business, day: date, rows: int = SHOWN) -> ComingUp:
    """Today's "Coming up": the first `rows` important dates from today to the business's
    coming_up_days ahead (a care setting), the soonest first, with how many there are and how
    many of them were called about. One query, three when there are more (then they are
    counted). Not in today_list (nor in the morning email's count): a date a week ahead is no
    thing to do today."""
    dates = important_dates_coming(business=business, day=day)
    found = first_rows(dates, rows)
    items = coming_dates(found.items, business=business, day=day)
    called = (
        coming_dates_called(dates, business=business, day=day)
        if found.hidden
        else sum(1 for coming in items if coming.called_on)
    )
    return ComingUp(items, found.total, called)


@dataclass(frozen=True)
class ComingBirthdays(Rows[ComingBirthday]):
    """The consenting customers' birthdays coming up, and how many of those who did not agree
    to hear from the business fall in the same days: left out without a word, a salon that
    had typed in a regular's birthday looked for it in vain."""

    without_consent: int


def birthdays_coming_up(*, business: Business, day: date, rows: int = SHOWN) -> ComingBirthdays:
    """Today's "Coming up" birthdays: the first `rows` of the consenting customers' birthdays
    after today within the business's coming_up_days (customers.selectors.birthdays_coming),
    with how many there are, and how many others without consent. Two queries, three when
    there are more."""
    found = first_rows(birthdays_coming(business=business, day=day), rows)
    return ComingBirthdays(
        coming_birthdays(found.items, business=business, day=day),
        found.total,
        birthdays_coming(business=business, day=day, consenting=False).order_by().count(),
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
                summary=f"{follow_up.customer.name}: {follow_up.asks}",
                description=follow_up.get_reason_display(),
                start=follow_up.due_on,
                all_day=True,
            )
        )
    return items


@dataclass(frozen=True)
class GettingStarted:
    """Today's "Getting started" card: each step (by name, in the order shown) and whether the
    business's own data shows it done."""

    steps: dict[str, bool]

    @property
    def done(self) -> int:
        return sum(self.steps.values())

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def finished(self) -> bool:
        return self.done == self.total


def getting_started(*, business: Business, membership: Membership) -> GettingStarted | None:
    """The steps a new business takes first, or None where the card is not shown: once it is
    closed (business.getting_started_closed_at) and, for staff, once there is a customer.

    An owner's steps: a customer (added or imported), a purchase (recorded or imported: the
    advice and customer values are worked out from purchases), the working hours and targets
    saved, and another member. Staff may only do the first, so theirs is that step alone. One
    query of EXISTS tests, whatever the size of the business; none once the card is closed."""
    if business.getting_started_closed_at is not None:
        return None
    customers = Customer.objects.filter(business=business)
    if not membership.is_owner:
        return None if customers.exists() else GettingStarted(steps={"customers": False})
    found = (
        Business.objects.filter(pk=business.pk)
        .values_list(
            Exists(customers),
            Exists(Purchase.objects.filter(business=business)),
            Exists(Membership.objects.filter(business=business).exclude(pk=membership.pk)),
        )
        .get()
    )
    return GettingStarted(
        steps={
            "customers": found[0],
            "purchases": found[1],
            "working_hours": care_settings_saved(business),
            "staff": found[2],
        }
    )


# At most this many open promises and follow-ups are listed under the closed days they fall on:
# more than a shop moves by hand, and the page stays a page.
ON_CLOSED_DAYS_SHOWN = 100


@dataclass(frozen=True)
class OnClosedDay:
    """An open promise or follow-up falling on a closed day, as the closed days page lists it
    under its period: whoever added Christmas sees at once the orders and calls that fall on
    it, to move them or tell the customer."""

    kind: str  # "promise" or "follow_up"
    record: Promise | FollowUp
    day: date


def _on_periods(business: Business, periods: Sequence[ClosedPeriod]) -> tuple[list[Q], list[Q]]:
    """Per period, the conditions of an open promise's due moment and of a follow-up's due day
    falling within it: (promises', follow-ups')."""

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=business.tzinfo)

    on_promises = [
        Q(due_at__gte=start_of(period.first), due_at__lt=start_of(period.last + timedelta(days=1)))
        for period in periods
    ]
    on_follow_ups = [Q(due_on__gte=period.first, due_on__lte=period.last) for period in periods]
    return on_promises, on_follow_ups


def _open_promises(business: Business):
    return Promise.objects.filter(
        business=business, done_at__isnull=True, cancelled_at__isnull=True
    )


def _open_follow_ups(business: Business):
    return FollowUp.objects.filter(business=business, done_at__isnull=True)


def open_on_weekdays(*, business: Business, weekdays: set[int], day: date) -> tuple[int, int]:
    """How many open promises and follow-ups fall on one of `weekdays` (0 is Monday) from
    `day` on: those the shop has just closed on (the settings page says so), which the rules
    would no longer plan there and which nobody moved. Two queries."""
    on = {"due_on__gte": day, "due_on__iso_week_day__in": [weekday + 1 for weekday in weekdays]}
    return (
        _open_promises(business).filter(**on).count(),
        _open_follow_ups(business).filter(**on).count(),
    )


def open_on_closed_days(
    *, business: Business, periods: Sequence[ClosedPeriod]
) -> dict[ClosedPeriod, list[OnClosedDay]]:
    """Per period the open promises and follow-ups due on its days, soonest first. Two
    queries, over the closed days alone: over the whole span from the first period to the
    last, the open days between filled the limit and a later holiday's orders went unlisted."""
    found: dict[ClosedPeriod, list[OnClosedDay]] = {period: [] for period in periods}
    if not periods:
        return found
    on_promises, on_follow_ups = _on_periods(business, periods)
    items = [
        OnClosedDay("promise", promise, business.local(promise.due_at).date())
        for promise in _open_promises(business)
        .filter(reduce(or_, on_promises))
        .select_related("customer")
        .order_by("due_at", "pk")[:ON_CLOSED_DAYS_SHOWN]
    ] + [
        OnClosedDay("follow_up", follow_up, follow_up.due_on)
        for follow_up in _open_follow_ups(business)
        .filter(reduce(or_, on_follow_ups))
        .select_related("customer")
        .order_by("due_on", "pk")[:ON_CLOSED_DAYS_SHOWN]
    ]
    for item in sorted(items, key=lambda item: item.day):
        for period in periods:
            if period.first <= item.day <= period.last:
                found[period].append(item)
                break
    return found


@dataclass(frozen=True)
class ClosureComing:
    """A closed period of the shop's (core.care_settings.ClosedPeriod) coming up, and how many
    open promises and follow-ups still fall on it."""

    period: ClosedPeriod
    promises: int
    follow_ups: int


def closures_coming(*, business: Business, day: date) -> list[ClosureComing]:
    """The closed periods under way or starting within the days Today looks ahead
    (coming_up_days), soonest first, with what is still planned on each: Today says them
    ahead, so that whoever serves tells the customers and moves their orders (Christmas and
    New Year's Day both, a week apart). No query without one, two with any."""
    settings = care_settings(business)
    horizon = day + timedelta(days=settings.coming_up_days)
    periods = [
        period
        for period in settings.closed_periods
        if period.last >= day and period.first <= horizon
    ]
    if not periods:
        return []
    # Counted, not listed: a butcher's Christmas holds more orders than a list shows.
    on_promises, on_follow_ups = _on_periods(business, periods)

    def counted(rows, conditions) -> dict[str, int]:
        # Over the closed days alone (the due-day index), each period counted apart.
        return rows.filter(reduce(or_, conditions)).aggregate(
            **{f"p{i}": Count("pk", filter=on) for i, on in enumerate(conditions)}
        )

    promises = counted(_open_promises(business), on_promises)
    follow_ups = counted(_open_follow_ups(business), on_follow_ups)
    return [
        ClosureComing(period, promises=promises[f"p{i}"], follow_ups=follow_ups[f"p{i}"])
        for i, period in enumerate(periods)
    ]
