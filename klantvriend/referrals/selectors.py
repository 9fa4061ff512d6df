"""Who brought whom, what they are worth, the ambassadors, and where new customers come from.

Everything reads `Customer.referred_by` (validated by the customer services: same business, not
oneself, no circle) and the purchases; promoter answers come from the surveys app."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from klantvriend.core.models import Business
from klantvriend.customers.models import AcquisitionChannel, Customer, Purchase
from klantvriend.insights.models import CustomerInsight
from klantvriend.surveys.selectors import promoter_answer_counts, promoter_customer_ids


def _spend_subquery(**filters) -> Subquery:
    return Subquery(
        Purchase.objects.filter(**filters)
        .order_by()
        .values("customer__business")
        .annotate(total=Sum("amount_cents"))
        .values("total")[:1],
        output_field=IntegerField(),
    )


def referred_customer_list(
    *, business: Business, referrer_id: int | None = None
) -> QuerySet[Customer]:
    """Referred customers, each with `spend_cents` (the sum of their purchases) and
    `predicted_value_cents` (the insights' expected value over the next 12 months, None before
    the first insight refresh). One query."""
    customers = Customer.objects.filter(business=business, referred_by__isnull=False)
    if referrer_id is not None:
        customers = customers.filter(referred_by_id=referrer_id)
    return (
        customers.select_related("referred_by")
        .annotate(
            spend_cents=Coalesce(_spend_subquery(customer=OuterRef("pk")), Value(0)),
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
    the next 12 months. Three queries; one for the many customers who brought in nobody."""
    referred = referred_customer_list(business=customer.business, referrer_id=customer.pk)
    shown = list(referred[:limit])
    if not shown:
        return ReferralSummary(customers=[], count=0, value_cents=0, predicted_value_cents=None)
    # Through the referred customers' ids: filtering on the joined customer made SQLite walk
    # every purchase of the business (over a second with a hundred thousand customers).
    referred_ids = Customer.objects.filter(
        business_id=customer.business_id, referred_by=customer
    ).values("pk")
    totals = Purchase.objects.filter(customer_id__in=referred_ids).aggregate(
        total=Sum("amount_cents")
    )
    predicted = CustomerInsight.objects.filter(customer_id__in=referred_ids).aggregate(
        total=Sum("value_cents")
    )
    count = len(shown) if len(shown) < limit else referred.count()
    return ReferralSummary(
        customers=shown,
        count=count,
        value_cents=totals["total"] or 0,
        predicted_value_cents=predicted["total"],
    )


@dataclass(frozen=True)
class Ambassador:
    customer: Customer
    referred: int
    referred_value_cents: int
    promoter_answers: int
    promoter: bool


def ambassador_ranking(*, business: Business, limit: int = 50) -> list[Ambassador]:
    """Customers ranked by the value of the customers they referred, then by how many, then by
    their promoter answers; promoters who referred nobody yet follow. Four queries."""
    referrers = (
        Customer.objects.filter(business=business, referrals__isnull=False)
        .annotate(
            referred=Count("referrals", distinct=True),
            referred_value_cents=Coalesce(
                _spend_subquery(customer__referred_by=OuterRef("pk")), Value(0)
            ),
        )
        .order_by("-referred_value_cents", "-referred", "name")[:limit]
    )
    referrers = list(referrers)
    promoters = promoter_customer_ids(business=business)
    missing = [pk for pk in promoters if pk not in {c.pk for c in referrers}]
    extra = list(
        Customer.objects.filter(business=business, pk__in=missing, erased_at__isnull=True).order_by(
            "name"
        )[: max(0, limit - len(referrers))]
    )
    everyone = referrers + extra
    answers = promoter_answer_counts(business=business, customer_ids=[c.pk for c in everyone])
    ranking = [
        Ambassador(
            customer=customer,
            referred=getattr(customer, "referred", 0),
            referred_value_cents=getattr(customer, "referred_value_cents", 0),
            promoter_answers=answers.get(customer.pk, 0),
            promoter=customer.pk in promoters,
        )
        for customer in everyone
    ]
    ranking.sort(key=lambda row: (-row.referred_value_cents, -row.referred, -row.promoter_answers))
    return ranking


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


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def acquisition_report(
    *, business: Business, months: int = 12, now: datetime | None = None
) -> list[AcquisitionMonth]:
    """New customers per month (by `customer_since`) and channel, oldest first. One query."""
    today = business.local(now or timezone.now()).date()
    first = _month_start(today, months - 1)
    rows = (
        Customer.objects.filter(business=business, customer_since__gte=first)
        .annotate(month=TruncMonth("customer_since"))
        .values("month", "acquisition_channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[date, dict[str, int]] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        counts.setdefault(month, {})[row["acquisition_channel"]] = row["count"]
    result = []
    for offset in range(months):
        month = _month_start(first, -offset)
        by_channel = counts.get(month, {})
        result.append(
            AcquisitionMonth(
                month=month,
                counts={
                    channel: by_channel.get(channel, 0) for channel in AcquisitionChannel.values
                },
            )
        )
    return result
