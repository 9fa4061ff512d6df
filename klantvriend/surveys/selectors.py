"""Reads of surveys: invitations, answers, and the results an owner sees.

The Net Promoter Score and its confidence interval
--------------------------------------------------
NPS = 100 * (p_P - p_D), with p_P and p_D the shares of promoters (9-10) and detractors (0-6)
among n answers. Each answer scores +1 (promoter), 0 (passive) or -1 (detractor); NPS/100 is the
mean of that score, whose variance is E[X^2] - E[X]^2 = (p_P + p_D) - (p_P - p_D)^2. The standard
error of the mean is sqrt(that / n), and the 95% interval is NPS +/- 1.96 * 100 * SE (the Wald
interval of the promoter-minus-detractor score; see e.g. Rocks, "Confidence intervals for the Net
Promoter Score", 2016). It is clipped to [-100, 100] and not given below two answers; with fewer
than about thirty answers it is wide, which is the honest message to the owner.

Which driver separates detractors from promoters
------------------------------------------------
For each driver, the mean score among promoters minus the mean among detractors (both over the
answers that scored the driver). The driver with the largest gap is where unhappy customers
differ most from enthusiasts: the first place to look. A gap needs at least one promoter and one
detractor who scored it."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.core.models import Business
from klantvriend.core.selectors import owned_get
from klantvriend.core.timeline import TimelineEntry, known_none

from .models import (
    DETRACTOR_MAX,
    DRIVERS,
    PROMOTER_MIN,
    DriverName,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)

Z_95 = 1.959963984540054


def survey_get(*, business: Business) -> Survey:
    """The business's survey; an unsaved one with the default texts if it was never edited."""
    return Survey.objects.filter(business=business).first() or Survey(business=business)


def survey_invitation_list(
    *, business: Business, customer_id: int | None = None
) -> QuerySet[SurveyInvitation]:
    invitations = SurveyInvitation.objects.filter(business=business).select_related(
        "customer", "response"
    )
    if customer_id is not None:
        invitations = invitations.filter(customer_id=customer_id)
    return invitations.order_by("-created_at", "-id")


def survey_invitation_get(*, business: Business, survey_invitation_id: int) -> SurveyInvitation:
    return owned_get(
        SurveyInvitation.objects.select_related("customer", "response"),
        business=business,
        pk=survey_invitation_id,
    )


def survey_response_list(
    *,
    business: Business,
    customer_id: int | None = None,
    since: datetime | None = None,
    category: str | None = None,
) -> QuerySet[SurveyResponse]:
    responses = SurveyResponse.objects.filter(business=business).select_related("customer")
    if customer_id is not None:
        responses = responses.filter(customer_id=customer_id)
    if since is not None:
        responses = responses.filter(answered_at__gte=since)
    if category == "promoter":
        responses = responses.filter(nps__gte=PROMOTER_MIN)
    elif category == "detractor":
        responses = responses.filter(nps__lte=DETRACTOR_MAX)
    elif category == "passive":
        responses = responses.filter(nps__gt=DETRACTOR_MAX, nps__lt=PROMOTER_MIN)
    return responses.order_by("-answered_at", "-id")


def survey_response_get(*, business: Business, survey_response_id: int) -> SurveyResponse:
    return owned_get(
        SurveyResponse.objects.select_related("customer"), business=business, pk=survey_response_id
    )


@dataclass(frozen=True)
class NpsSummary:
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        if not self.answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.answers

    @property
    def standard_error(self) -> float | None:
        if self.answers < 2:
            return None
        p_promoter = self.promoters / self.answers
        p_detractor = self.detractors / self.answers
        variance = p_promoter + p_detractor - (p_promoter - p_detractor) ** 2
        return 100 * math.sqrt(max(variance, 0.0) / self.answers)

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.score is None or self.standard_error is None:
            return None
        margin = Z_95 * self.standard_error
        return (max(-100.0, self.score - margin), min(100.0, self.score + margin))


def _counts() -> dict:
    return {
        "answers": Count("id"),
        "promoters": Count("id", filter=Q(nps__gte=PROMOTER_MIN)),
        "detractors": Count("id", filter=Q(nps__lte=DETRACTOR_MAX)),
    }


def _summary(row: dict) -> NpsSummary:
    answers, promoters, detractors = row["answers"], row["promoters"], row["detractors"]
    return NpsSummary(answers, promoters, answers - promoters - detractors, detractors)


def nps_summary(
    *, business: Business, since: datetime | None = None, until: datetime | None = None
) -> NpsSummary:
    responses = SurveyResponse.objects.filter(business=business)
    if since is not None:
        responses = responses.filter(answered_at__gte=since)
    if until is not None:
        responses = responses.filter(answered_at__lt=until)
    return _summary(responses.aggregate(**_counts()))


@dataclass(frozen=True)
class MonthNps:
    month: date
    summary: NpsSummary


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def nps_trend(
    *, business: Business, months: int = 12, now: datetime | None = None
) -> list[MonthNps]:
    """One entry per calendar month (in the business's time zone), oldest first, the current
    month included; a month without answers has an empty summary. One query."""
    now = now or timezone.now()
    tz = business.tzinfo
    first = _month_start(business.local(now).date(), months - 1)
    since = datetime(first.year, first.month, 1, tzinfo=tz)
    rows = (
        SurveyResponse.objects.filter(business=business, answered_at__gte=since)
        .annotate(month=TruncMonth("answered_at", tzinfo=tz))
        .values("month")
        .annotate(**_counts())
        .order_by("month")
    )
    by_month = {
        (row["month"].date() if isinstance(row["month"], datetime) else row["month"]): _summary(row)
        for row in rows
    }
    return [
        MonthNps(month, by_month.get(month, NpsSummary(0, 0, 0, 0)))
        for month in (_month_start(first, -offset) for offset in range(months))
    ]


@dataclass(frozen=True)
class DriverResult:
    name: str
    label: str
    average: float | None
    answers: int
    promoter_average: float | None
    detractor_average: float | None

    @property
    def gap(self) -> float | None:
        if self.promoter_average is None or self.detractor_average is None:
            return None
        return self.promoter_average - self.detractor_average


def driver_results(*, business: Business, since: datetime | None = None) -> list[DriverResult]:
    """Average of each driver overall, among promoters and among detractors. One query."""
    responses = SurveyResponse.objects.filter(business=business)
    if since is not None:
        responses = responses.filter(answered_at__gte=since)
    aggregates = {}
    for name in DRIVERS:
        aggregates[f"{name}_avg"] = Avg(name)
        aggregates[f"{name}_n"] = Count(name)
        aggregates[f"{name}_promoters"] = Avg(name, filter=Q(nps__gte=PROMOTER_MIN))
        aggregates[f"{name}_detractors"] = Avg(name, filter=Q(nps__lte=DETRACTOR_MAX))
    row = responses.aggregate(**aggregates)
    labels = dict(DriverName.choices)

    def plain(value) -> float | None:
        return None if value is None else float(value)

    return [
        DriverResult(
            name=name,
            label=str(labels[name]),
            average=plain(row[f"{name}_avg"]),
            answers=row[f"{name}_n"],
            promoter_average=plain(row[f"{name}_promoters"]),
            detractor_average=plain(row[f"{name}_detractors"]),
        )
        for name in DRIVERS
    ]


def most_separating_driver(drivers: list[DriverResult]) -> DriverResult | None:
    with_gap = [driver for driver in drivers if driver.gap is not None]
    return max(with_gap, key=lambda driver: driver.gap) if with_gap else None  # type: ignore[arg-type,return-value]


@dataclass
class SurveyResults:
    since: datetime
    summary: NpsSummary
    trend: list[MonthNps]
    drivers: list[DriverResult]
    separating: DriverResult | None
    comments: list[SurveyResponse] = field(default_factory=list)
    invitations_sent: int = 0


def survey_results(
    *, business: Business, days: int = 365, now: datetime | None = None, comments: int = 20
) -> SurveyResults:
    """Everything on the results page in a fixed number of queries (five)."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    drivers = driver_results(business=business, since=since)
    return SurveyResults(
        since=since,
        summary=nps_summary(business=business, since=since),
        trend=nps_trend(business=business, now=now),
        drivers=drivers,
        separating=most_separating_driver(drivers),
        comments=list(
            survey_response_list(business=business, since=since).exclude(comment="")[:comments]
        ),
        invitations_sent=SurveyInvitation.objects.filter(
            business=business, created_at__gte=since
        ).count(),
    )


def promoter_customer_ids(*, business: Business, days: int = 365) -> set[int]:
    """Customers whose latest answer within `days` is a promoter's (9-10). Counts toward the
    ambassador stage: a promoter who has since become a detractor is no ambassador."""
    since = timezone.now() - timedelta(days=days)
    latest: dict[int, int] = {}
    rows = (
        SurveyResponse.objects.filter(business=business, answered_at__gte=since)
        .order_by("answered_at", "id")
        .values_list("customer_id", "nps")
    )
    for customer_id, score in rows:
        latest[customer_id] = score
    return {customer_id for customer_id, score in latest.items() if score >= PROMOTER_MIN}


def promoter_answer_counts(*, business: Business, customer_ids: list[int]) -> dict[int, int]:
    rows = (
        SurveyResponse.objects.filter(
            business=business, customer_id__in=customer_ids, nps__gte=PROMOTER_MIN
        )
        .values("customer_id")
        .annotate(count=Count("id"))
    )
    return {row["customer_id"]: row["count"] for row in rows}


def survey_response_timeline(*, customer, limit: int) -> list[TimelineEntry]:
    if known_none(customer, "survey_responses"):
        return []
    responses = SurveyResponse.objects.filter(
        business_id=customer.business_id, customer=customer
    ).order_by("-answered_at")[:limit]
    return [
        TimelineEntry(
            at=response.answered_at,
            kind="survey",
            label=_("survey"),
            summary=_("Recommendation %(score)d/10") % {"score": response.nps}
            + (f" — {response.comment[:200]}" if response.comment else ""),
        )
        for response in responses
    ]
