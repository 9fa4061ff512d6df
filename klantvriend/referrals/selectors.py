"""Who brought whom, what they are worth, the ambassadors, and where new customers come from.

Everything reads `Customer.referred_by` (validated by the customer services: same business, not
oneself, no circle) and the purchases; promoter answers come from the surveys app."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.core.models import Business
from klantvriend.core.rows import IdsFirst
from klantvriend.core.shown import moment_shown
from klantvriend.customers.models import AcquisitionChannel, Customer, ReferrerTally
from klantvriend.customers.selectors import came_through_referral
from klantvriend.surveys.models import PROMOTER_MIN, PROMOTER_WINDOW, SurveyResponse


def referral_order_doubt(*, referrer: Customer, referred: Customer) -> str:
    """Why a referral may be recorded the wrong way round, or "": the customer said to be
    brought in was a customer before the one said to have brought them. Someone who starts
    from the card of the guest who brings others, where "referred by" is asked of the guest
    brought in, easily records it the other way round, which is stored without a word and
    falsifies the ambassadors and where new customers came from. Not refused: a customer
    recorded late (an import's day) can have been brought in by one recorded earlier. Nor is
    it asked when the referrer's own day is not known: a file made them a customer of its day,
    by which they may have been one for years."""
    if referred.customer_since >= referrer.customer_since or not referrer.customer_since_known:
        return ""
    return _(
        "%(referred)s has been a customer since %(since)s, longer than %(referrer)s (since "
        "%(referrer_since)s): did %(referred)s perhaps bring %(referrer)s in?"
    ) % {
        "referred": referred.name,
        "since": moment_shown(referred.customer_since),
        "referrer": referrer.name,
        "referrer_since": moment_shown(referrer.customer_since),
    }


def referred_customer_list(
    *, business: Business, referrer_id: int | None = None
) -> QuerySet[Customer]:
    """Referred customers, each with `spend_cents` (the sum of their purchases, kept by the
    database: CustomerSpend) and `predicted_value_cents` (the insights' expected value over the
    next 12 months, None before the first insight refresh). One query."""
    customers = Customer.objects.filter(business=business, referred_by__isnull=False)
    if referrer_id is not None:
        customers = customers.filter(referred_by_id=referrer_id)
    return (
        customers.select_related("referred_by")
        .annotate(
            spend_cents=Coalesce(F("spend__cents"), 0),
            predicted_value_cents=F("insight__value_cents"),
        )
        .order_by("-customer_since", "-id")
    )


@dataclass(frozen=True)
class ReferralSummary:
    customers: list[Customer]  # with spend_cents and predicted_value_cents
    count: int
    value_cents: int
    predicted_value_cents: int | None  # None when no insight has been computed for them


def customer_referrals(*, customer: Customer, limit: int = 20) -> ReferralSummary:
    """Whom the customer brought in, what those customers bought and are expected to buy in
    the next 12 months. One query; three when more than `limit` were brought in (then they are
    counted and added up by the database)."""
    referred = referred_customer_list(business=customer.business, referrer_id=customer.pk)
    shown = list(referred[:limit])
    if len(shown) < limit:  # every one of them is shown: their figures add up here
        spent = sum(row.spend_cents for row in shown)
        predictions = [row.predicted_value_cents for row in shown]
        known = [cents for cents in predictions if cents is not None]
        predicted = sum(known) if known else None
        count = len(shown)
    else:
        totals = Customer.objects.filter(business_id=customer.business_id, referred_by=customer)
        totals = totals.aggregate(spent=Sum("spend__cents"), predicted=Sum("insight__value_cents"))
        spent, predicted, count = totals["spent"] or 0, totals["predicted"], referred.count()
    return ReferralSummary(
        customers=shown,
        count=count,
        value_cents=int(spent),
        predicted_value_cents=None if predicted is None else int(predicted),
    )


@dataclass(frozen=True)
class Ambassador:
    customer: Customer
    referred: int
    referred_value_cents: int
    promoter_answers: int
    promoter: bool


def ambassadors_in_order(*, business: Business) -> IdsFirst:
    """Every ambassador, as customers to page through: those who brought in others, ranked by
    what the customers they referred have bought, then by how many they referred, then by who
    was recorded first; after them the promoters who referred nobody yet, by name. Not anyone
    anonymised: no one to thank or to ask again. The same customers as the ambassador stage
    (insights.selectors.ambassador_customer_ids).

    How many customers each referrer brought in and what those bought is kept by the database
    (ReferrerTally, from CustomerSpend): grouping every referred customer with their spend took
    40 ms on PostgreSQL at 100,000 customers on every view, the kept tallies are read in ranking
    order from their index. A page reads the ids of its part (the promoters' only where the
    referrers end) and builds those rows alone, each with its tally."""
    customers = Customer.objects.filter(business=business, erased_at__isnull=True)
    referrers = customers.filter(
        referred_tally__business=business, referred_tally__referred__gt=0
    ).order_by("-referred_tally__cents", "-referred_tally__referred", "pk")
    since = timezone.now() - PROMOTER_WINDOW
    promoters = (
        customers.filter(
            pk__in=SurveyResponse.objects.filter(
                business=business, answered_at__gte=since, nps__gte=PROMOTER_MIN
            ).values("customer_id")
        )
        .exclude(referred_tally__referred__gt=0)
        .annotate(latest_nps=Subquery(_latest_answer(since).values("nps")[:1]))
        .filter(latest_nps__gte=PROMOTER_MIN)
        .order_by("sort_name", "pk")
    )
    # The rows are built from the page's ids alone; the parts say who is listed and count them
    # (an OR of the two as one condition took 87 ms to count at 100,000 customers, and as
    # much again where the rows were built with it).
    return IdsFirst(
        customers.select_related("referred_tally"),
        parts=[referrers, promoters],
        counted_by_parts=True,
    )


def ambassador_rows(*, business: Business, customers: list[Customer]) -> list[Ambassador]:
    """A page of ambassadors_in_order, in its order, with what each referral brought in (their
    tally, read with them) and their promoter answers: one query."""
    promoter_answers: dict[int, int] = {}
    latest_score: dict[int, int] = {}  # of the answers within the window, the last one's
    since = timezone.now() - PROMOTER_WINDOW
    answers = SurveyResponse.objects.filter(
        business=business, customer_id__in=[customer.pk for customer in customers]
    )
    for customer_id, answered_at, nps in answers.order_by("answered_at", "id").values_list(
        "customer_id", "answered_at", "nps"
    ):
        if nps >= PROMOTER_MIN:
            promoter_answers[customer_id] = promoter_answers.get(customer_id, 0) + 1
        if answered_at >= since:
            latest_score[customer_id] = nps

    def tally(customer: Customer) -> ReferrerTally | None:
        return getattr(customer, "referred_tally", None)

    return [
        Ambassador(
            customer=customer,
            referred=tally(customer).referred if tally(customer) else 0,
            referred_value_cents=tally(customer).cents if tally(customer) else 0,
            promoter_answers=promoter_answers.get(customer.pk, 0),
            promoter=latest_score.get(customer.pk, 0) >= PROMOTER_MIN,
        )
        for customer in customers
    ]


def _latest_answer(since: datetime) -> QuerySet[SurveyResponse]:
    """The customer's (OuterRef "pk") answers since `since`, the latest first."""
    return SurveyResponse.objects.filter(customer=OuterRef("pk"), answered_at__gte=since).order_by(
        "-answered_at", "-id"
    )


@dataclass(frozen=True)
class AcquisitionMonth:
    month: date
    counts: dict[str, int]  # channel -> new customers

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, channel: str) -> float | None:
        return self.counts.get(channel, 0) / self.total if self.total else None

    @property
    def referral_share(self) -> float | None:
        return self.share(AcquisitionChannel.REFERRAL)

    @property
    def last_day(self) -> date:
        return _month_start(self.month, -1) - timedelta(days=1)


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def acquisition_report(
    *, business: Business, months: int = 12, now: datetime | None = None
) -> list[AcquisitionMonth]:
    """New customers per month (by `customer_since`) and channel, oldest first, without those
    whose day is not known (Customer.customer_since_known: an import's day). One query."""
    today = business.local(now or timezone.now()).date()
    first = _month_start(today, months - 1)
    # Counted per day and channel, and the days added up per month here: truncating each
    # date to its month in the query is a function call per customer on SQLite (85 ms for
    # 32,000 new customers). A customer with a referrer counts as referred whatever channel
    # was ticked, as on the scorecard.
    rows = (
        Customer.objects.filter(
            business=business, customer_since__gte=first, customer_since_known=True
        )
        .annotate(
            channel=Case(
                When(came_through_referral(), then=Value(AcquisitionChannel.REFERRAL.value)),
                default=F("acquisition_channel"),
            )
        )
        .values_list("customer_since", "channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[date, dict[str, int]] = {}
    for day, channel, count in rows:
        by_channel = counts.setdefault(day.replace(day=1), {})
        by_channel[channel] = by_channel.get(channel, 0) + count
    channels = report_channels(counts.values())
    result = []
    for offset in range(months):
        month = _month_start(first, -offset)
        by_channel = counts.get(month, {})
        result.append(
            AcquisitionMonth(
                month=month,
                counts={channel: by_channel.get(channel, 0) for channel in channels},
            )
        )
    return result


def report_channels(counts: Iterable[dict[str, int]]) -> list[str]:
    """The channels the report has a column for: every one a customer can be given, and "not
    known" (an import's customers) only in a year that has them; a shop that never imported
    would read a column of zeros about something it never did."""
    unknown = AcquisitionChannel.UNKNOWN.value
    known = [channel for channel in AcquisitionChannel.values if channel != unknown]
    return [*known, unknown] if any(by.get(unknown) for by in counts) else known
