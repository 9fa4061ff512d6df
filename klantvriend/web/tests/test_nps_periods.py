"""The scorecard's NPS (the last 90 days) and the survey results' (the last twelve months) are
different figures: each page says its own period beside its figure and names the other's,
counted by the same function, with a link to the page that shows it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys.tests.factories import SurveyResponseFactory


@pytest.fixture
def answers(business):
    """Half a year ago two promoters and a detractor; last month a promoter and two
    detractors: the year's score +0, the 90 days' -33."""
    now = timezone.now()
    for days, score in [(180, 10), (181, 9), (182, 2), (30, 9), (20, 1), (10, 6)]:
        SurveyResponseFactory(
            customer=CustomerFactory(business=business),
            answered_at=now - timedelta(days=days),
            nps=score,
        )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


@pytest.mark.parametrize(
    ("language", "year", "recent"),
    [
        (
            "en",
            "Last 12 months: 0 (6 answers), on the survey results",
            "Last 12 months. Last 90 days: −33 (3 answers), on the scorecard.",
        ),
        (
            "nl",
            "Laatste 12 maanden: 0 (6 antwoorden), bij de enquêteresultaten",
            "Laatste 12 maanden. Laatste 90 dagen: −33 (3 antwoorden), in de "
            "klantgerichtheidsscan.",
        ),
    ],
)
def test_each_page_says_its_period_and_links_to_the_others_figure(
    staff_client, staff_user, answers, language, year, recent
):
    # Given a staff member reading in their language
    account_language_set(user=staff_user, language=language)

    # When they open the scorecard and the survey results
    scorecard = staff_client.get(reverse("web:insights_scorecard")).content.decode()
    results = staff_client.get(reverse("web:survey_results")).content.decode()

    # Then the scorecard's NPS of 90 days names the year's, opening the survey results
    nps = scorecard.split('data-testid="score-nps"')[1].split('class="score ')[0]
    assert re.search(r">\s*([^<]+)</span>", nps.split('class="score-value"')[1])[1] == "−33"
    link = re.search(r'<a [^>]*href="([^"]+)" data-testid="see-also-nps">([^<]+)</a>', nps)
    assert (link[1], link[2]) == (reverse("web:survey_results"), year)
    # and no other figure names another period
    assert scorecard.count('data-testid="see-also-') == 1
    # and the survey results' NPS of the year says its period and names the 90 days', opening
    # the scorecard
    assert re.search(r'data-testid="nps-score">([^<]+)<', results)[1] == "0"
    period = re.search(r'<p class="subtle" data-testid="nps-period">(.*?)</p>', results, re.S)[1]
    assert _text(period) == recent
    assert f'<a href="{reverse("web:insights_scorecard")}" data-testid="nps-recent">' in period


def test_without_answers_neither_page_names_a_score_of_the_other_period(staff_client, business):
    scorecard = staff_client.get(reverse("web:insights_scorecard")).content.decode()
    results = staff_client.get(reverse("web:survey_results")).content.decode()

    assert 'data-testid="see-also-' not in scorecard
    assert 'data-testid="nps-period"' not in results
