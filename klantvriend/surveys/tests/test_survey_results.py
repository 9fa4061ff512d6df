"""The results page's figures: months are ranges between precomputed local midnights, and the
score and the drivers come from one pass over the answers."""

from datetime import UTC, datetime, timedelta

import pytest

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys import selectors
from klantvriend.surveys.tests.factories import SurveyResponseFactory


def _answer(business, at: datetime, nps: int = 9, **scores):
    return SurveyResponseFactory(
        customer=CustomerFactory(business=business), answered_at=at, nps=nps, **scores
    )


def _answers_per_month(business, now: datetime) -> dict[str, int]:
    return {
        month.month.isoformat(): month.summary.answers
        for month in selectors.nps_trend(business=business, now=now)
        if month.summary.answers
    }


def test_an_answer_on_the_last_evening_of_a_month_in_amsterdam_counts_in_that_month(business):
    # Given answers around midnight between January and February in Amsterdam (UTC+1): 23:30 on
    # 31 January is 22:30 UTC, midnight on 1 February is 23:00 UTC on 31 January.
    business.time_zone = "Europe/Amsterdam"
    business.save(update_fields=["time_zone"])
    _answer(business, datetime(2026, 1, 31, 22, 30, tzinfo=UTC), nps=10)
    _answer(business, datetime(2026, 1, 31, 22, 59, 59, 999999, tzinfo=UTC), nps=2)
    _answer(business, datetime(2026, 1, 31, 23, 0, tzinfo=UTC), nps=8)

    # When the trend is read in March
    months = _answers_per_month(business, now=datetime(2026, 3, 15, 12, tzinfo=UTC))

    # Then the evening answers are January's and the one at midnight is February's
    assert months == {"2026-01-01": 2, "2026-02-01": 1}


def test_month_boundaries_follow_summer_time(business):
    # Given answers around midnight between June and July in Amsterdam (UTC+2)
    business.time_zone = "Europe/Amsterdam"
    business.save(update_fields=["time_zone"])
    _answer(business, datetime(2026, 6, 30, 21, 59, tzinfo=UTC))
    _answer(business, datetime(2026, 6, 30, 22, 0, tzinfo=UTC))

    months = _answers_per_month(business, now=datetime(2026, 7, 2, tzinfo=UTC))

    assert months == {"2026-06-01": 1, "2026-07-01": 1}


def test_a_month_begins_when_the_clock_jumps_over_its_midnight(business):
    # Given Asunción, where on 1 October 2023 the clock jumped from 00:00 (UTC-4) to 01:00
    # (UTC-3): that midnight never happened, October began at 04:00 UTC.
    business.time_zone = "America/Asuncion"
    business.save(update_fields=["time_zone"])
    _answer(business, datetime(2023, 10, 1, 3, 59, 59, tzinfo=UTC))
    _answer(business, datetime(2023, 10, 1, 4, 0, tzinfo=UTC))

    months = _answers_per_month(business, now=datetime(2023, 10, 15, tzinfo=UTC))

    assert months == {"2023-09-01": 1, "2023-10-01": 1}


def test_the_trend_covers_twelve_months_from_the_first_local_midnight(business):
    # Given answers just before and at the start of the oldest month shown (1 December 2025 in
    # Amsterdam is 23:00 UTC on 30 November), and one later in the current month
    business.time_zone = "Europe/Amsterdam"
    business.save(update_fields=["time_zone"])
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    _answer(business, datetime(2025, 11, 30, 22, 59, tzinfo=UTC))
    _answer(business, datetime(2025, 11, 30, 23, 0, tzinfo=UTC), nps=0)
    _answer(business, datetime(2026, 11, 30, 22, 59, tzinfo=UTC))

    trend = selectors.nps_trend(business=business, now=now)

    assert [month.month.isoformat() for month in trend][::11] == ["2025-12-01", "2026-11-01"]
    assert (trend[0].summary.answers, trend[0].summary.detractors) == (1, 1)
    assert trend[-1].summary.answers == 1
    assert sum(month.summary.answers for month in trend) == 2


def test_the_trend_is_one_query_however_many_months_have_answers(
    business, django_assert_num_queries
):
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    for months_back in range(12):
        _answer(business, now - timedelta(days=30 * months_back))

    with django_assert_num_queries(1):
        trend = selectors.nps_trend(business=business, now=now)

    assert [month.summary.answers for month in trend] == [1] * 12


def test_the_results_page_gives_the_same_score_and_drivers_as_their_own_selectors(
    business, django_assert_num_queries
):
    # Given answers inside and outside the year the page covers
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    _answer(business, now - timedelta(days=400), nps=0, reliability=1)
    _answer(business, now - timedelta(days=200), nps=10, reliability=5, flexibility=None)
    _answer(business, now - timedelta(days=100), nps=9, reliability=4, flexibility=3)
    _answer(business, now - timedelta(days=10), nps=3, reliability=2, flexibility=5)
    _answer(business, now - timedelta(days=1), nps=7, reliability=3, flexibility=4)
    since = now - timedelta(days=365)

    # When the page's figures are read, in four queries (the open invitations among them,
    # which the share answered leaves out)
    with django_assert_num_queries(4):
        results = selectors.survey_results(business=business, now=now)

    # Then they are exactly those of the separate selectors over the same answers
    assert results.since == since
    assert results.summary == selectors.nps_summary(business=business, since=since)
    assert results.drivers == selectors.driver_results(business=business, since=since)
    assert (results.summary.answers, results.summary.promoters, results.summary.detractors) == (
        4,
        2,
        1,
    )
    drivers = {driver.name: driver for driver in results.drivers}
    assert drivers["reliability"].average == pytest.approx(14 / 4)
    assert drivers["reliability"].gap == pytest.approx(4.5 - 2.0)
    assert drivers["flexibility"].answers == 3
    assert drivers["flexibility"].promoter_average == pytest.approx(3.0)
    # Four answers are too few to name a driver to start with.
    assert results.advice == selectors.driver_advice(results.drivers)
    assert (results.advice.separating, results.advice.lowest) == (None, [])
    assert results.advice.too_few == [driver for driver in results.drivers if driver.answers]


@pytest.mark.parametrize(
    "recent_since",
    [
        datetime(2026, 8, 17, 12, tzinfo=UTC),  # 90 days, in a month and in a UTC day
        datetime(2026, 8, 1, 0, tzinfo=UTC),  # a UTC midnight
        datetime(2026, 8, 31, 22, tzinfo=UTC),  # the first of a month in Amsterdam
    ],
)
def test_the_results_also_give_the_scorecards_score_of_its_own_period_in_the_same_queries(
    business, django_assert_num_queries, recent_since
):
    # Given answers on both sides of the recent period's start and before the year
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    _answer(business, now - timedelta(days=400), nps=0)
    _answer(business, now - timedelta(days=200), nps=10)
    _answer(business, recent_since - timedelta(microseconds=1), nps=2)
    _answer(business, recent_since, nps=9)
    _answer(business, now - timedelta(days=1), nps=3)

    # When the page's figures are read with the recent period, still in four queries
    with django_assert_num_queries(4):
        results = selectors.survey_results(business=business, now=now, recent_since=recent_since)

    # Then the recent score counts the answers from its start on alone, as nps_summary does,
    # and the year's is unchanged
    assert results.recent == selectors.nps_summary(business=business, since=recent_since)
    assert (results.recent.answers, results.recent.promoters, results.recent.detractors) == (
        2,
        1,
        1,
    )
    assert results.summary == selectors.nps_summary(business=business, since=results.since)
    assert results.summary.answers == 4
    assert selectors.survey_results(business=business, now=now).recent is None


def test_the_results_refuse_a_recent_period_outside_their_own(business):
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)

    with pytest.raises(ValueError, match="within the results' period"):
        selectors.survey_results(business=business, now=now, recent_since=now - timedelta(days=400))


def test_a_shorter_period_counts_its_own_answers_and_the_trend_all_of_its_months(business):
    # Given answers on both sides of the start of a 45-day period, which falls inside a month of
    # the trend (1 October 2026 12:00 UTC), and one older than the trend's first month
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    _answer(business, datetime(2025, 11, 1, tzinfo=UTC), nps=10)
    _answer(business, datetime(2026, 10, 1, 11, 59, tzinfo=UTC), nps=0, reliability=1)
    _answer(business, datetime(2026, 10, 1, 12, 0, tzinfo=UTC), nps=10, reliability=5)
    _answer(business, datetime(2026, 11, 14, tzinfo=UTC), nps=3, reliability=2)

    results = selectors.survey_results(business=business, days=45, now=now)

    # Then the score and the drivers count the two answers of the period alone
    assert results.since == datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    assert (results.summary.answers, results.summary.promoters, results.summary.detractors) == (
        2,
        1,
        1,
    )
    reliability = {driver.name: driver for driver in results.drivers}["reliability"]
    assert (reliability.answers, reliability.average, reliability.gap) == (2, 3.5, 3.0)
    # and the trend every answer of its twelve months, October's both halves
    assert {
        month.month.isoformat(): month.summary.answers
        for month in results.trend
        if month.summary.answers
    } == {"2026-10-01": 2, "2026-11-01": 1}
    assert results.summary == selectors.nps_summary(business=business, since=results.since)


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 15, 12, tzinfo=UTC),
        datetime(2026, 11, 15, 0, 0, tzinfo=UTC),  # every period begins at a midnight, UTC
        datetime(2026, 11, 15, 0, 0, 0, 1, tzinfo=UTC),
    ],
)
def test_the_scorecards_answers_are_its_two_scores_and_the_drivers_of_the_year_in_one_query(
    business, django_assert_num_queries, now
):
    # Given answers in each period, on its boundaries, before the year and after `now` (a
    # moment in the past: the drivers' year is open-ended, as driver_results reads it); the
    # whole UTC days of a period are read from the kept days, the rest from the answers
    start, previous_start = now - timedelta(days=90), now - timedelta(days=180)
    year = now - timedelta(days=365)
    _answer(business, year - timedelta(microseconds=1), nps=0, reliability=1)
    _answer(business, year, nps=10, reliability=5, flexibility=None)
    _answer(business, previous_start - timedelta(days=1), nps=9, reliability=4)
    _answer(business, previous_start, nps=2, reliability=1, flexibility=2)
    _answer(business, start - timedelta(microseconds=1), nps=10, reliability=5)
    _answer(business, start, nps=6, reliability=2, flexibility=3)
    _answer(business, now - timedelta(days=1), nps=9, reliability=4, flexibility=5)
    _answer(business, now, nps=1, reliability=2, certainty=1)

    # When the scorecard's answers are read
    with django_assert_num_queries(1):
        answers = selectors.scorecard_answers(
            business=business, now=now, start=start, previous_start=previous_start
        )

    # Then they are exactly those of the separate selectors
    assert answers.nps == selectors.nps_summary(business=business, since=start, until=now)
    assert answers.nps_before == selectors.nps_summary(
        business=business, since=previous_start, until=start
    )
    assert answers.drivers == selectors.driver_results(business=business, since=year)
    # and the year's score is the survey results' own, which the scorecard names beside its own
    assert answers.nps_year == selectors.nps_summary(business=business, since=year)
    assert answers.nps_year == selectors.survey_results(business=business, now=now).summary
    assert (answers.nps_year.answers, answers.nps_year.promoters) == (7, 4)
    assert (answers.nps.answers, answers.nps.promoters, answers.nps.detractors) == (2, 1, 1)
    assert (answers.nps_before.answers, answers.nps_before.promoters) == (2, 1)
    drivers = {driver.name: driver for driver in answers.drivers}
    assert drivers["reliability"].answers == 7
    assert drivers["reliability"].average == pytest.approx(23 / 7)


def test_the_scorecards_answers_refuse_periods_out_of_order(business):
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)

    with pytest.raises(ValueError, match="follow each other"):
        selectors.scorecard_answers(
            business=business, now=now, start=now - timedelta(days=200), previous_start=now
        )
