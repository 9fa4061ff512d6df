"""Reads of gestures, the repeat warning and today's occasions."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.complaints.models import Complaint
from klantvriend.core.db import MonthDay
from klantvriend.core.members import staff_name
from klantvriend.core.models import Business
from klantvriend.core.rows import Rows
from klantvriend.core.selectors import owned_get
from klantvriend.core.timeline import TimelineEntry, known_none
from klantvriend.customers.important_dates import celebrated_on
from klantvriend.customers.models import Customer

from .models import Gesture, Occasion

# The same gesture within half a year starts to feel mechanical rather than personal.
REPEAT_WINDOW = timedelta(days=180)


def gesture_list(
    *,
    business: Business,
    customer_id: int | None = None,
    occasion: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Gesture]:
    """The gestures, newest first; those of one customer, one occasion, or given in [since,
    until) when given."""
    gestures = Gesture.objects.filter(business=business)
    if customer_id is not None:
        gestures = gestures.filter(customer_id=customer_id)
    if occasion:
        gestures = gestures.filter(occasion=occasion)
    if since is not None:
        gestures = gestures.filter(given_at__gte=since)
    if until is not None:
        gestures = gestures.filter(given_at__lt=until)
    return gestures.select_related("customer", "given_by").order_by("-given_at", "-id")


def gesture_get(*, business: Business, gesture_id: int) -> Gesture:
    return owned_get(
        Gesture.objects.select_related("business", "customer", "given_by"),
        business=business,
        pk=gesture_id,
    )


def gesture_recent_repeats(*, customer, what: str, now: datetime | None = None) -> list[Gesture]:
    """Earlier gestures with the same description to this customer in the last half year."""
    what = what.strip()
    # No stored gesture holds a NUL (refused on saving), and PostgreSQL takes none in a query.
    if not what or "\x00" in what:
        return []
    now = now or timezone.now()
    return list(
        Gesture.objects.filter(
            business_id=customer.business_id,
            customer=customer,
            what__iexact=what,
            given_at__gte=now - REPEAT_WINDOW,
        ).order_by("-given_at")[:5]
    )


@dataclass(frozen=True)
class OccasionToday:
    customer: Customer
    occasion: str  # Occasion.BIRTHDAY or Occasion.ANNIVERSARY
    label: str
    years: int | None
    congratulated: bool


def _celebrating(*, business: Business, day: date, customer_id: int | None = None):
    """The consenting customers with a birthday on `day`, those with a customer anniversary,
    and the (month, day) pairs celebrated."""
    celebrated = celebrated_on(day)
    days = sorted(month * 100 + day_of_month for month, day_of_month in celebrated)
    consenting = Customer.objects.alias(
        birthday_day=MonthDay("birthday"), since_day=MonthDay("customer_since")
    ).filter(business=business, marketing_consent=True)
    if customer_id is not None:
        consenting = consenting.filter(pk=customer_id)
    # Each kind is looked up in its own index on month and day (customers.Customer.Meta), and
    # the two joined: one index lookup each, whatever statistics the planner has.
    birthdays = consenting.filter(birthday_day__in=days)
    # Not of a day an import gave for want of theirs (Customer.customer_since_known).
    anniversaries = consenting.filter(
        since_day__in=days, customer_since__lt=day, customer_since_known=True
    )
    return birthdays, anniversaries, celebrated


def occasion_customer_count(*, business: Business, day: date) -> int:
    """How many customers celebrate something on `day` (some celebrate twice): what pages
    through occasions_today. One query."""
    birthdays, anniversaries, _celebrated = _celebrating(business=business, day=day)
    return Customer.objects.filter(
        pk__in=birthdays.values("pk").union(anniversaries.values("pk"))
    ).count()


def occasions_today(
    *,
    business: Business,
    limit: int = 30,
    offset: int = 0,
    customer_id: int | None = None,
    day: date | None = None,
) -> Rows[OccasionToday]:
    """Birthdays and customer-since anniversaries of today, or of `day` (of one customer, given
    `customer_id`), for customers who agreed to hear from the business (marketing consent): a
    personal date is not used without it. The occasions of `limit` customers from the
    `offset`-th, with the number of occasions of them all. One query, three when more than
    `limit` customers celebrate or a later page is asked for (then the occasions are counted)."""
    day = day or business.today()
    start = business.start_of(day)
    given_today = Gesture.objects.filter(
        customer=OuterRef("pk"),
        occasion__in=[Occasion.BIRTHDAY, Occasion.ANNIVERSARY],
        given_at__gte=start,
    )
    birthdays, anniversaries, celebrated = _celebrating(
        business=business, day=day, customer_id=customer_id
    )
    customers = list(
        Customer.objects.filter(pk__in=birthdays.values("pk").union(anniversaries.values("pk")))
        .annotate(congratulated=Exists(given_today))
        .order_by("sort_name", "id")[offset : offset + limit]
    )
    occasions = []
    for customer in customers:
        birthday_date = customer.birthday
        if birthday_date and (birthday_date.month, birthday_date.day) in celebrated:
            occasions.append(
                OccasionToday(
                    customer,
                    Occasion.BIRTHDAY,
                    _("birthday"),
                    day.year - birthday_date.year,
                    customer.congratulated,
                )
            )
        since = customer.customer_since
        if customer.customer_since_known and since < day and (since.month, since.day) in celebrated:
            occasions.append(
                OccasionToday(
                    customer,
                    Occasion.ANNIVERSARY,
                    _("customer anniversary"),
                    day.year - since.year,
                    customer.congratulated,
                )
            )
    total = len(occasions)
    if len(customers) == limit or offset:
        total = birthdays.count() + anniversaries.count()
    return Rows(occasions, total)


def gesture_timeline(*, customer, limit: int) -> list[TimelineEntry]:
    if known_none(customer, "gestures"):
        return []
    return [
        TimelineEntry(
            at=gesture.given_at,
            kind="gesture",
            label=_("gesture"),
            summary=f"{gesture.what} ({gesture.get_occasion_display()})",
            actor=staff_name(gesture.given_by) if gesture.given_by else "",
            amount_cents=gesture.value_cents,
            currency=customer.business.currency if gesture.value_cents is not None else "",
            extra={"gesture_id": gesture.pk},
        )
        for gesture in customer.gestures.select_related("given_by").order_by("-given_at", "-id")[
            :limit
        ]
    ]


def gestures_given_between(*, business: Business, since: datetime, until: datetime):
    """(customer id, given at, occasion, value in cents or None, id, what) of the gestures
    given in [since, until): what the insights refresh weighs against the customers' buying,
    and the gestures page lists under its figures."""
    return Gesture.objects.filter(
        business=business, given_at__gte=since, given_at__lt=until
    ).values_list("customer_id", "given_at", "occasion", "value_cents", "id", "what")


def complaints_resolved_without_gesture(*, business: Business, since: datetime, until: datetime):
    """(customer id, resolved at, id, description) of the complaints resolved in [since, until)
    without a recovery gesture: the customers the gestures that made up for a complaint are
    compared with."""
    return Complaint.objects.filter(
        business=business,
        resolved_at__gte=since,
        resolved_at__lt=until,
        recovery_gesture="",
        logged_gesture__isnull=True,
    ).values_list("customer_id", "resolved_at", "id", "description")
