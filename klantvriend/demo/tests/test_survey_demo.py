from datetime import date

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.demo.shop import demo_create
from klantvriend.referrals.selectors import (
    acquisition_report,
    ambassador_rows,
    ambassadors_in_order,
)
from klantvriend.surveys.models import SurveyResponse
from klantvriend.surveys.selectors import nps_trend, survey_results


def test_the_demo_shop_has_a_year_of_surveys_and_a_referral_network(db):
    summary = demo_create(customers=400, seed=3)
    business = summary.business

    results = survey_results(business=business)
    trend = [month.summary for month in nps_trend(business=business)]

    assert results.summary.answers >= 80
    assert -20 < results.summary.score < 70
    assert results.summary.interval is not None
    assert sum(1 for month in trend if month.answers) >= 10
    early = [m.score for m in trend[:4] if m.score is not None]
    late = [m.score for m in trend[-4:] if m.score is not None]
    assert sum(late) / len(late) > sum(early) / len(early)  # the NPS climbed
    assert results.advice.separating.name == "reliability"
    assert results.comments
    ranking = ambassador_rows(
        business=business, customers=ambassadors_in_order(business=business)[0:50]
    )
    assert len(ranking) >= 5
    assert ranking[0].referred_value_cents > 0
    assert any(month.referral_share for month in acquisition_report(business=business))
    assert (
        FollowUp.objects.filter(
            business=business, reason=Reason.SURVEY, done_at__isnull=True
        ).exists()
        or not SurveyResponse.objects.filter(business=business, nps__lte=6).exists()
    )


def test_the_same_seed_gives_the_same_answers(db):
    def fingerprint(business):
        return list(
            SurveyResponse.objects.filter(business=business)
            .order_by("answered_at", "customer__name")
            .values_list("answered_at", "nps", "reliability", "comment", "customer__name")
        )

    first = demo_create(customers=80, seed=5, today=date(2026, 6, 30), username="a")
    second = demo_create(
        customers=80, seed=5, today=date(2026, 6, 30), username="b", business_name="Tweede"
    )
    assert fingerprint(first.business) == fingerprint(second.business)
    assert fingerprint(first.business)
