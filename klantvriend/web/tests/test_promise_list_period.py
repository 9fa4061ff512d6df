"""The promise list's line of its period: a calendar month (opened from the charts) reads as
days, a period up to now keeps its moment."""

import re

import pytest
from django.urls import reverse

from klantvriend.core.accounts import account_language_set


def _period_line(page: str) -> str:
    return re.search(r'<p class="subtle">(.*?)</p>', page, re.S)[1]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Promises whose outcome became known from 1\xa0Oct\xa02026 to 31\xa0Oct\xa02026."),
        (
            "nl",
            "Beloften waarvan de afloop bekend werd van 1\xa0okt\xa02026 tot en met 31\xa0okt\xa02026.",
        ),
    ],
)
def test_a_month_of_the_charts_reads_as_its_first_and_last_day(
    owner_client, owner, business, language, said
):
    # Given an owner in Amsterdam, where October 2026 ends in winter time (the clocks go back
    # on the 25th): its end is midnight of 1 November at +01:00, its start at +02:00
    assert business.time_zone == "Europe/Amsterdam"
    account_language_set(user=owner, language=language)

    # When they open October's promises from the charts
    page = owner_client.get(reverse("web:promise_list") + "?month=2026-10-01").content.decode()

    # Then the period is written in days, without a clock time and without 1 November
    assert _period_line(page) == said


def test_a_period_up_to_now_keeps_its_moment(owner_client, owner, business):
    # Given an owner reading English
    account_language_set(user=owner, language="en")

    # When they open the last twelve months (which begin at this moment a year ago)
    page = owner_client.get(reverse("web:promise_list") + "?period=12m").content.decode()

    # Then the line names that moment, day and time
    line = _period_line(page)
    assert re.fullmatch(
        # A day written on one line: its parts joined by no-break spaces
        r"Promises whose outcome became known since \d{1,2}\xa0\w{3}\xa0\d{4}\xa0\d{2}:\d{2}, and those "
        r"still open\.",
        line,
    ), line
