"""The answers counted per UTC day and score (surveys.models.SurveyDay), kept by triggers on the
answers (surveys 0007): after every kind of write to the answers, through the survey link, the
ORM one by one and in bulk, a merge, an anonymisation and a deletion, the kept days are the
answers counted afresh, and the scorecard's scores and drivers and the results page say what
reading the answers themselves says. Here, beside the importers, because those writes are
theirs."""

from collections import Counter
from datetime import UTC, timedelta

from django.utils import timezone

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_erase
from klantvriend.insights.scorecard import trend_window
from klantvriend.surveys import selectors, services
from klantvriend.surveys.models import DRIVERS, InvitationChannel, SurveyDay, SurveyResponse
from klantvriend.surveys.tests.factories import SurveyResponseFactory


def _counted_afresh() -> dict[tuple, Counter]:
    counted: dict[tuple, Counter] = {}
    for answer in SurveyResponse.objects.all():
        totals = counted.setdefault(
            (answer.business_id, answer.answered_at.astimezone(UTC).date(), answer.nps),
            Counter(),
        )
        totals["answers"] += 1
        for name in DRIVERS:
            score = getattr(answer, name)
            if score is not None:
                totals[f"{name}_sum"] += score
                totals[f"{name}_n"] += 1
    return counted


def _kept() -> dict[tuple, Counter]:
    totals = ["answers", *(f"{name}_{total}" for name in DRIVERS for total in ("sum", "n"))]
    kept = {}
    for day in SurveyDay.objects.all():
        counts = Counter({total: getattr(day, total) for total in totals})
        if any(counts.values()):  # a day whose answers are all gone keeps its row at zero
            kept[(day.business_id, day.day, day.nps)] = +counts
    return kept


def _assert_kept(business, now) -> None:
    assert _kept() == _counted_afresh()
    for moment in (now, now - timedelta(days=100), now + timedelta(hours=13)):
        start, _end = trend_window(moment)
        previous_start, _start = trend_window(moment, before=True)
        answers = selectors.scorecard_answers(
            business=business, now=moment, start=start, previous_start=previous_start
        )
        assert answers.nps == selectors.nps_summary(business=business, since=start, until=moment)
        assert answers.nps_before == selectors.nps_summary(
            business=business, since=previous_start, until=start
        )
        year = moment - timedelta(days=selectors.RESULTS_DAYS)
        assert answers.drivers == selectors.driver_results(business=business, since=year)
        results = selectors.survey_results(business=business, now=moment)
        assert results.summary == selectors.nps_summary(business=business, since=year)
        assert results.drivers == answers.drivers
        # The year's answers the results open to say the same figures.
        assert selectors.survey_figures_since(business=business, since=year) == (
            selectors.nps_summary(business=business, since=year),
            selectors.driver_results(business=business, since=year),
        )


def test_the_kept_days_are_the_answers_counted_afresh_after_every_kind_of_write(
    business, other_business
):
    now = timezone.now().replace(microsecond=0)
    anna, bram, cor, dirk = (
        CustomerFactory(business=business, name=name) for name in ("Anna", "Bram", "Cor", "Dirk")
    )

    # Answers on either side of midnight UTC and of the windows' ends, one of another business,
    for customer, hours_ago, nps, scores in [
        (anna, 24 * 400, 10, {"reliability": 5}),
        (anna, 24 * 200, 3, {"reliability": 1, "flexibility": None}),
        (bram, 24 * 100, 9, {"certainty": 2}),
        (bram, 24 * 10 + 1, 6, {"complaint_handling": 3}),
        (cor, 5, 8, {}),
        (cor, 1, 0, {"customisation": None}),
    ]:
        SurveyResponseFactory(
            customer=customer, answered_at=now - timedelta(hours=hours_ago), nps=nps, **scores
        )
    SurveyResponseFactory(customer=CustomerFactory(business=other_business), nps=4)
    _assert_kept(business, now)

    # through the survey link,
    created = services.survey_invitation_create(
        business=business, customer=dirk, channel=InvitationChannel.COUNTER
    )
    services.survey_answer(
        key=created.key,
        answers={"nps": "9", "certainty": "4", "flexibility": "", "comment": "Prima"},
    )
    _assert_kept(business, now)

    # moved to another day one by one and in bulk, rescored, moved to another business,
    moved = SurveyResponse.objects.get(customer=bram, nps=9)
    moved.answered_at = now - timedelta(days=50, hours=3)
    moved.save(update_fields=["answered_at"])
    _assert_kept(business, now)
    SurveyResponse.objects.filter(business=business).update(answered_at=now - timedelta(days=30))
    _assert_kept(business, now)
    SurveyResponse.objects.filter(customer=anna).update(nps=7, certainty=None, reliability=2)
    _assert_kept(business, now)
    SurveyResponse.objects.filter(customer=cor, nps=0).update(business=other_business)
    _assert_kept(business, now)

    # merged, anonymised, deleted one by one, in bulk and with the customer.
    customer_merge(keep=anna, other=bram)
    _assert_kept(business, now)
    customer_erase(customer=anna)
    _assert_kept(business, now)
    SurveyResponse.objects.filter(customer=cor).first().delete()
    _assert_kept(business, now)
    SurveyResponse.objects.filter(business=other_business).delete()
    _assert_kept(business, now)
    cor.delete()
    _assert_kept(business, now)
    assert sorted((nps, counts["answers"]) for (_b, _day, nps), counts in _kept().items()) == [
        (6, 1),
        (7, 2),
        (9, 2),
    ]
