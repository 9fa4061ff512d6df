"""A restaurant's week: closed between lunch and dinner, and open past midnight on Friday and
Saturday. The complaint clock counts no working hour in the break or after closing, and the
night after Friday's dinner is Friday's hours."""

from datetime import date, datetime, time

import pytest
from django.utils import translation

from klantvriend.core.care_settings import care_settings, care_settings_update
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import Business
from klantvriend.core.working_hours import (
    DayHours,
    add_working_days,
    add_working_hours,
    last_working_moment,
    next_working_moment,
)

from .test_care import AMSTERDAM

LUNCH_AND_DINNER = DayHours(time(12), time(22), time(14, 30), time(17, 30))
LATE = DayHours(time(17), time(1))
# Monday closed; Tuesday to Thursday and Sunday lunch and dinner; Friday and Saturday from 17:00
# until 01:00 the next morning.
RESTAURANT = (None, *[LUNCH_AND_DINNER] * 3, LATE, LATE, LUNCH_AND_DINNER)
WEEK = {"tz": AMSTERDAM, "week": RESTAURANT}


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Tuesday 1 December 2026 (Friday is the 4th, Monday the 7th)."""
    return datetime(2026, 12, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (_at(1, 14), 1, _at(1, 18)),  # half an hour before the break, half an hour after it
        (_at(1, 15), 1, _at(1, 18, 30)),  # received in the break: counted from 17:30
        (_at(4, 23, 30), 2, _at(5, 17, 30)),  # 1½ hours until 01:00, then Saturday's 17:00
        (_at(5, 0, 30), 1, _at(5, 17, 30)),  # Saturday 00:30 is Friday's: half an hour left
        (_at(6, 21), 2, _at(8, 13)),  # Sunday's last hour, none on Monday, then Tuesday's lunch
    ],
)
def test_working_hours_skip_the_break_and_run_past_midnight(start, hours, expected):
    assert add_working_hours(start, hours, **WEEK) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # Tuesday has opened: Wednesday is the first working day, Thursday the second, and the
        # day closes at 22:00.
        (_at(1, 13), 2, _at(3, 22)),
        (_at(1, 23), 1, _at(2, 22)),  # after Tuesday's closing: the same
        (_at(1, 9), 1, _at(1, 22)),  # before Tuesday's opening: Tuesday counts
        # Friday night 00:30 on Saturday is Friday's hours: Saturday's ends at 01:00 on Sunday.
        (_at(5, 0, 30), 1, _at(6, 1)),
        # Sunday evening: the closed Monday passed, Tuesday and Wednesday.
        (_at(6, 20), 2, _at(9, 22)),
        (_at(7, 12), 1, _at(8, 22)),  # on the closed Monday: Tuesday counts
    ],
)
def test_working_days_end_at_the_closing_of_the_last_and_pass_the_closed_days(
    start, days, expected
):
    assert add_working_days(start, days, **WEEK) == expected


def test_working_days_pass_the_closed_days_and_their_nights():
    # Wednesday and Thursday closed: from Tuesday's lunch, Friday and its night to 01:00.
    closed = {date(2026, 12, 2), date(2026, 12, 3)}

    assert add_working_days(_at(1, 13), 1, **WEEK, closed=closed) == _at(5, 1)


def test_working_days_of_a_business_without_hours_are_calendar_days():
    closed_week = (None,) * 7
    # Across the change to summer time on 29 March: the same hour, three days on.
    saturday = datetime(2026, 3, 28, 10, tzinfo=AMSTERDAM)

    assert add_working_days(saturday, 3, tz=AMSTERDAM, week=closed_week) == datetime(
        2026, 3, 31, 10, tzinfo=AMSTERDAM
    )


def test_a_year_of_working_days_is_reached_with_one_open_day_a_week():
    sundays_only = (None,) * 6 + (LUNCH_AND_DINNER,)

    # 365 Sundays after Tuesday 1 December 2026, the first being the 6th: 364 weeks on.
    assert add_working_days(_at(1, 13), 365, tz=AMSTERDAM, week=sundays_only) == datetime(
        2033, 11, 27, 22, tzinfo=AMSTERDAM
    )


@pytest.mark.parametrize(
    ("moment", "next_open", "last_open"),
    [
        (_at(1, 13), _at(1, 13), _at(1, 13)),  # at lunch: open
        (_at(1, 15), _at(1, 17, 30), _at(1, 14, 30)),  # in the break
        (_at(5, 0, 30), _at(5, 0, 30), _at(5, 0, 30)),  # Friday's night: open
        (_at(5, 3), _at(5, 17), _at(5, 1)),  # after Friday's closing at 01:00
        (_at(7, 12), _at(8, 12), _at(6, 22)),  # the closed Monday
    ],
)
def test_the_open_moment_before_and_after_follows_breaks_and_late_nights(
    moment, next_open, last_open
):
    assert next_working_moment(moment, **WEEK) == next_open
    assert last_working_moment(moment, **WEEK) == last_open


def test_a_closed_friday_takes_its_night_with_it():
    closed = {date(2026, 12, 4)}

    assert next_working_moment(_at(5, 0, 30), **WEEK, closed=closed) == _at(5, 17)
    assert add_working_hours(_at(4, 23), 1, **WEEK, closed=closed) == _at(5, 18)


def test_the_restaurants_week_is_stored_and_read_back(business, owner):
    updated = care_settings_update(business=business, actor=owner, opening_hours=RESTAURANT)

    stored = Business.objects.get(pk=business.pk)
    assert stored.settings["care"]["opening_hours"] == [
        None,
        *[["12:00", "22:00", "14:30", "17:30"]] * 3,
        ["17:00", "01:00"],
        ["17:00", "01:00"],
        ["12:00", "22:00", "14:30", "17:30"],
    ]
    assert care_settings(stored).opening_hours == RESTAURANT == updated.opening_hours
    assert updated.working_days == (1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize(
    ("friday", "field", "message"),
    [
        (
            DayHours(time(18), time(9)),  # the times the wrong way round, not a night
            "friday_closes",
            "De sluitingstijd op vrijdag moet later zijn dan de openingstijd, of na middernacht "
            "uiterlijk 06:00.",
        ),
        (
            DayHours(time(12), time(22), time(11), time(13)),  # a break before opening
            "friday_break_starts",
            "De pauze op vrijdag moet na de opening beginnen en voor de sluiting eindigen, later "
            "dan ze begint.",
        ),
        (
            DayHours(time(17), time(1), time(23), time(22)),  # ends before it starts
            "friday_break_starts",
            "De pauze op vrijdag moet na de opening beginnen en voor de sluiting eindigen, later "
            "dan ze begint.",
        ),
        (
            DayHours(time(17), time(1), time(23), time(2)),  # ends after the night's closing
            "friday_break_starts",
            "De pauze op vrijdag moet na de opening beginnen en voor de sluiting eindigen, later "
            "dan ze begint.",
        ),
        (
            DayHours(time(12), time(22), time(14), None),  # half a break
            "friday_break_starts",
            "De pauze op vrijdag moet na de opening beginnen en voor de sluiting eindigen, later "
            "dan ze begint.",
        ),
    ],
)
def test_hours_that_cannot_be_are_refused_at_their_day(business, owner, friday, field, message):
    before = Business.objects.get(pk=business.pk).settings
    week = [*RESTAURANT[:4], friday, *RESTAURANT[5:]]

    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        care_settings_update(business=business, actor=owner, opening_hours=week)

    assert refused.value.message_dict == {field: [message]}
    assert Business.objects.get(pk=business.pk).settings == before


def test_a_break_past_midnight_inside_a_late_night_is_taken(business, owner):
    friday = DayHours(time(17), time(3), time(23, 30), time(0, 30))
    week = [*RESTAURANT[:4], friday, *RESTAURANT[5:]]

    updated = care_settings_update(business=business, actor=owner, opening_hours=week)

    assert updated.opening_hours[4] == friday
    assert add_working_hours(_at(4, 23), 1, tz=AMSTERDAM, week=updated.opening_hours) == (_at(5, 1))
