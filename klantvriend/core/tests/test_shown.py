"""Lengths of time and moments as the pages write them: in words, rounded to what a shopkeeper
needs, and on one line (no-break spaces)."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.core.shown import duration_shown, moment_shown, range_end_shown

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("delta", "nl", "en"),
    [
        (timedelta(0), "0 min", "0 min"),
        # Any length at all is a minute: "0 min te laat" read as not late.
        (timedelta(seconds=29), "1 min", "1 min"),
        (timedelta(seconds=30), "1 min", "1 min"),
        (timedelta(minutes=40), "40 min", "40 min"),
        # Just under an hour rounds to the hour, said as an hour, not as "60 min".
        (timedelta(minutes=59, seconds=29), "59 min", "59 min"),
        (timedelta(minutes=59, seconds=30), "1 uur", "1 hour"),
        (timedelta(hours=4, minutes=42), "4 uur 42 min", "4 hours 42 min"),
        (timedelta(hours=10), "10 uur", "10 hours"),
        # Just under a day: the minutes round up to a day, not to "24 hours" or "23 hours 60 min".
        (timedelta(hours=23, minutes=59, seconds=29), "23 uur 59 min", "23 hours 59 min"),
        (timedelta(hours=23, minutes=59, seconds=30), "1 dag", "1 day"),
        # From a day on, to the hour: the minutes of a waiting time of days are left out.
        (timedelta(days=1, hours=3, minutes=29), "1 dag 3 uur", "1 day 3 hours"),
        (timedelta(days=1, hours=3, minutes=30), "1 dag 4 uur", "1 day 4 hours"),
        (timedelta(days=2, hours=23), "2 dagen 23 uur", "2 days 23 hours"),
        (timedelta(days=3), "3 dagen", "3 days"),
        (timedelta(days=6, hours=23, minutes=29), "6 dagen 23 uur", "6 days 23 hours"),
        # From a week on, in days.
        (timedelta(days=6, hours=23, minutes=30), "7 dagen", "7 days"),
        (timedelta(days=12, hours=11), "12 dagen", "12 days"),
        (timedelta(days=12, hours=12), "13 dagen", "13 days"),
        # A time overdue is said by its size, as a time left.
        (-timedelta(days=1, hours=2), "1 dag 2 uur", "1 day 2 hours"),
    ],
)
def test_a_length_of_time_is_said_in_words_rounded_to_what_it_needs(delta, nl, en):
    for language, expected in (("nl", nl), ("en", en)):
        with translation.override(language):
            assert duration_shown(delta) == expected.replace(" ", NBSP), language


def test_a_length_of_time_has_no_ordinary_space_to_break_at():
    with translation.override("nl"):
        shown = duration_shown(timedelta(days=2, hours=5))

    assert shown == f"2{NBSP}dagen{NBSP}5{NBSP}uur"
    assert " " not in shown


@pytest.mark.parametrize(
    ("delta", "up", "nl", "en"),
    [
        (timedelta(minutes=51, seconds=40), False, "51 min", "51 min"),
        (timedelta(minutes=51, seconds=20), True, "52 min", "52 min"),
        # Into the next unit, said in it: not "60 min" or "24 hours".
        (timedelta(minutes=59, seconds=20), True, "1 uur", "1 hour"),
        (timedelta(minutes=59, seconds=20), False, "59 min", "59 min"),
        (timedelta(hours=20, minutes=6), False, "20 uur", "20 hours"),
        (timedelta(hours=20, minutes=6), True, "21 uur", "21 hours"),
        (timedelta(hours=23, minutes=10), True, "1 dag", "1 day"),
        (timedelta(days=2, hours=12), False, "2 dagen", "2 days"),
        (timedelta(days=4, hours=15), True, "5 dagen", "5 days"),
        (timedelta(days=3), True, "3 dagen", "3 days"),
        (timedelta(0), False, "0 min", "0 min"),
    ],
)
def test_an_end_of_a_range_of_lengths_is_said_in_its_largest_unit(delta, up, nl, en):
    for language, expected in (("nl", nl), ("en", en)):
        with translation.override(language):
            assert range_end_shown(delta, up=up) == expected.replace(" ", NBSP), language


@pytest.mark.parametrize(
    ("language", "style", "expected"),
    [
        ("nl", "SHORT", "29 nov 2026 17:00"),
        ("nl", "WEEKDAY", "zo 29 nov 17:00"),
        ("en", "SHORT", "29 Nov 2026 17:00"),
        ("en", "WEEKDAY", "Sun 29 Nov 17:00"),
    ],
)
def test_a_moment_keeps_its_day_and_time_on_one_line(language, style, expected):
    # 16:00 UTC is 17:00 in Amsterdam in November.
    at = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)

    with translation.override(language):
        shown = moment_shown(at, style, zone=zoneinfo.ZoneInfo("Europe/Amsterdam"))

    assert shown == expected.replace(" ", NBSP)


def test_a_moment_is_written_in_the_active_time_zone_without_one_given():
    at = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)

    with translation.override("nl"), timezone.override(zoneinfo.ZoneInfo("Europe/Amsterdam")):
        shown = moment_shown(at, "WEEKDAY")

    assert shown == f"ma{NBSP}30{NBSP}nov{NBSP}00:30"


def test_a_date_alone_is_written_without_a_time():
    with translation.override("nl"):
        assert moment_shown(date(2026, 11, 29), "WEEKDAY") == f"zo{NBSP}29{NBSP}nov"
        assert moment_shown(date(2026, 11, 29)) == f"29{NBSP}nov{NBSP}2026"
