from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from klantvriend.core.audit import audit_for_object
from klantvriend.core.calendar import (
    calendar_membership,
    calendar_token_create,
    calendar_token_revoke,
)
from klantvriend.core.care_settings import DEFAULTS, care_settings, care_settings_update
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent, Business
from klantvriend.core.tests.days import SALON
from klantvriend.core.working_hours import (
    DayHours,
    add_working_hours,
    next_working_day,
    next_working_moment,
    same_hours,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SHOP = {"tz": AMSTERDAM, "week": same_hours(range(6), time(9), time(18))}


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (datetime(2026, 3, 10, 10, 0), 4, datetime(2026, 3, 10, 14, 0)),  # within the day
        (datetime(2026, 3, 10, 16, 0), 4, datetime(2026, 3, 11, 11, 0)),  # into the next day
        (datetime(2026, 3, 10, 7, 0), 1, datetime(2026, 3, 10, 10, 0)),  # before opening
        (datetime(2026, 3, 7, 17, 0), 4, datetime(2026, 3, 9, 12, 0)),  # over the closed Sunday
        (datetime(2026, 3, 8, 12, 0), 2, datetime(2026, 3, 9, 11, 0)),  # on a closed day
    ],
)
def test_working_hours_skip_evenings_and_closed_days(start, hours, expected):
    assert add_working_hours(start.replace(tzinfo=AMSTERDAM), hours, **SHOP) == expected.replace(
        tzinfo=AMSTERDAM
    )


@pytest.mark.parametrize(
    ("start", "expected_utc"),
    [
        # The clocks go forward at 02:00 on 29 March 2026: four hours from 01:00 (00:00 UTC)
        # end at 04:00 UTC, which reads 06:00.
        (datetime(2026, 3, 29, 1, 0), datetime(2026, 3, 29, 4, 0)),
        # And back at 03:00 on 25 October 2026: from 01:00 (23:00 UTC) to 03:00 UTC, 04:00.
        (datetime(2026, 10, 25, 1, 0), datetime(2026, 10, 25, 3, 0)),
    ],
)
def test_a_working_hour_is_an_hour_on_the_night_the_clocks_change(start, expected_utc):
    night_shop = {**SHOP, "week": same_hours(range(7), time(0), time(12))}

    deadline = add_working_hours(start.replace(tzinfo=AMSTERDAM), 4, **night_shop)

    assert deadline == expected_utc.replace(tzinfo=ZoneInfo("UTC"))


def test_without_working_time_clock_hours_are_used():
    start = datetime(2026, 3, 10, 22, 0, tzinfo=AMSTERDAM)

    closed = {**SHOP, "week": same_hours([], time(9), time(18))}

    assert add_working_hours(start, 4, **closed) == start + timedelta(hours=4)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # Wednesday 17:00 (2 December 2026), 4 working hours: one on Wednesday, three on
        # Thursday from 9.
        (datetime(2026, 12, 2, 17, 0), 4, datetime(2026, 12, 3, 12, 0)),
        # Thursday 17:00: four hours of the late evening, until 21:00 that same day.
        (datetime(2026, 12, 3, 17, 0), 4, datetime(2026, 12, 3, 21, 0)),
        # Thursday 19:00, 4 hours: two that evening, two on Friday from 9.
        (datetime(2026, 12, 3, 19, 0), 4, datetime(2026, 12, 4, 11, 0)),
        # Saturday 14:00, 4 hours: two until 16:00, none on Sunday and the closed Monday, two
        # on Tuesday.
        (datetime(2026, 12, 5, 14, 0), 4, datetime(2026, 12, 8, 11, 0)),
        # Saturday before opening: counting starts at 8:30.
        (datetime(2026, 12, 5, 7, 0), 1, datetime(2026, 12, 5, 9, 30)),
        # Received on the closed Monday: counting starts on Tuesday at opening.
        (datetime(2026, 12, 7, 10, 0), 4, datetime(2026, 12, 8, 13, 0)),
    ],
)
def test_working_hours_follow_each_days_own_hours(start, hours, expected):
    deadline = add_working_hours(start.replace(tzinfo=AMSTERDAM), hours, tz=AMSTERDAM, week=SALON)

    assert deadline == expected.replace(tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 12, 3, 20, 30), datetime(2026, 12, 3, 20, 30)),  # open late on Thursday
        (datetime(2026, 12, 2, 20, 30), datetime(2026, 12, 3, 9, 0)),  # Wednesday evening
        (datetime(2026, 12, 5, 17, 0), datetime(2026, 12, 8, 9, 0)),  # past Sat 16:00, to Tue
        (datetime(2026, 12, 7, 10, 0), datetime(2026, 12, 8, 9, 0)),  # the closed Monday
        (datetime(2026, 12, 5, 8, 0), datetime(2026, 12, 5, 8, 30)),  # before Saturday's 8:30
    ],
)
def test_the_next_working_moment_follows_each_days_own_hours(moment, expected):
    found = next_working_moment(moment.replace(tzinfo=AMSTERDAM), tz=AMSTERDAM, week=SALON)

    assert found == expected.replace(tzinfo=AMSTERDAM)


def test_care_settings_default_until_the_owner_changes_them(business, owner):
    assert care_settings(business) == DEFAULTS

    updated = care_settings_update(
        business=business, actor=owner, promise_grace_hours=48, aftercare_delivery_days=None
    )

    stored = care_settings(Business.objects.get(pk=business.pk))
    assert stored == updated
    assert (stored.promise_grace_hours, stored.aftercare_delivery_days) == (48, None)
    event = audit_for_object(business=business, obj=business).get()
    assert event.changes == {"promise_grace_hours": [24, 48], "aftercare_delivery_days": [3, None]}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"promise_grace_hours": -1}, "promise_grace_hours"),
        ({"complaint_resolution_days": 0}, "complaint_resolution_days"),
        ({"opening_hours": [None] * 7}, "opening_hours"),
        ({"opening_hours": [None] * 6}, "opening_hours"),
        ({"opening_hours": [*SALON[:3], (time(18), time(9)), *SALON[4:]]}, "thursday_closes"),
    ],
)
def test_bad_care_settings_are_refused_and_nothing_changes(business, owner, values, field):
    with pytest.raises(ValidationError) as refused:
        care_settings_update(business=business, actor=owner, **values)

    assert field in refused.value.error_dict
    assert Business.objects.get(pk=business.pk).settings == {}
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "closes_too_early", "no_open_day"),
    [
        (
            "nl",
            "De sluitingstijd op donderdag moet later zijn dan de openingstijd, of na middernacht "
            "uiterlijk 06:00.",
            "Wees ten minste één dag van de week open: een dag die niet op gesloten staat.",
        ),
        (
            "en",
            "The closing time on Thursday must be later than the opening time, or after midnight at "
            "06:00 at the latest.",
            "Open on at least one day of the week: a day not marked closed.",
        ),
    ],
)
def test_refused_opening_hours_name_the_day_in_the_users_language(
    business, owner, language, closes_too_early, no_open_day
):
    # Given a business with its own hours saved
    care_settings_update(business=business, actor=owner, opening_hours=SALON)
    before = Business.objects.get(pk=business.pk).settings
    thursday_closes_at_nine = [*SALON[:3], (time(9), time(9)), *SALON[4:]]

    # When hours closing no later than they open, or no open day at all, are saved
    with translation.override(language):
        with pytest.raises(ValidationError) as early:
            care_settings_update(
                business=business, actor=owner, opening_hours=thursday_closes_at_nine
            )
        with pytest.raises(ValidationError) as none_open:
            care_settings_update(business=business, actor=owner, opening_hours=[None] * 7)
        early_messages, none_messages = early.value.message_dict, none_open.value.message_dict

    # Then each refusal says which day and which field, and nothing was stored
    assert early_messages == {"thursday_closes": [closes_too_early]}
    assert none_messages == {"opening_hours": [no_open_day]}
    assert Business.objects.get(pk=business.pk).settings == before
    assert AuditEvent.objects.filter(action="settings").count() == 1


def test_hours_saved_as_one_pair_for_all_working_days_read_as_those_hours_on_each_day(
    business, owner
):
    """A business that saved its settings before each day had its own hours keeps its hours:
    the stored dict as such a business has it."""
    business.settings = {
        "care": {
            "promise_grace_hours": 24,
            "complaint_response_working_hours": 4,
            "working_days": [1, 2, 3, 4, 5],
            "opening_time": "08:30",
            "closing_time": "17:30",
            "coming_up_days": 14,
        }
    }
    business.save(update_fields=["settings"])
    business = Business.objects.get(pk=business.pk)

    settings = care_settings(business)

    tuesday_to_saturday = DayHours(time(8, 30), time(17, 30))
    assert settings.opening_hours == (None, *[tuesday_to_saturday] * 5, None)
    assert settings.working_days == (1, 2, 3, 4, 5)
    # A change of another setting stores the hours the new way, unchanged, and records only
    # that change.
    care_settings_update(business=business, actor=owner, promise_grace_hours=48)
    stored = Business.objects.get(pk=business.pk).settings["care"]
    assert stored["opening_hours"] == [None, *[["08:30", "17:30"]] * 5, None]
    assert not {"working_days", "opening_time", "closing_time"} & set(stored)
    assert care_settings(Business.objects.get(pk=business.pk)).opening_hours == (
        settings.opening_hours
    )
    event = AuditEvent.objects.get(action="settings")
    assert event.changes == {"promise_grace_hours": [24, 48]}


def test_one_pair_of_hours_with_a_damaged_value_keeps_the_rest(business):
    business.settings = {"care": {"working_days": [0, 1], "opening_time": "8 uur"}}

    assert care_settings(business).opening_hours == (
        DayHours(time(9), time(18)),
        DayHours(time(9), time(18)),
        None,
        None,
        None,
        None,
        None,
    )


def test_opening_hours_per_day_are_stored_and_read_back(business, owner):
    updated = care_settings_update(business=business, actor=owner, opening_hours=SALON)

    stored = Business.objects.get(pk=business.pk)
    assert stored.settings["care"]["opening_hours"] == [
        None,
        ["09:00", "18:00"],
        ["09:00", "18:00"],
        ["09:00", "21:00"],
        ["09:00", "18:00"],
        ["08:30", "16:00"],
        None,
    ]
    assert care_settings(stored) == updated
    assert updated.opening_hours == SALON
    assert updated.working_days == (1, 2, 3, 4, 5)


def test_a_damaged_stored_setting_falls_back_to_its_default(business):
    business.settings = {
        "care": {"promise_grace_hours": "lots", "opening_hours": [["09:00", "18:00"]] * 3}
    }

    assert care_settings(business).promise_grace_hours == 24
    assert care_settings(business).opening_hours == DEFAULTS.opening_hours


def test_a_calendar_link_works_until_it_is_replaced_or_revoked(membership):
    _, first = calendar_token_create(membership=membership)
    _, second = calendar_token_create(membership=membership)

    assert calendar_membership(key=first) is None
    assert calendar_membership(key=second) == membership
    assert calendar_membership(key="cal_guess") is None

    calendar_token_revoke(membership=membership)

    assert calendar_membership(key=second) is None


@pytest.mark.parametrize(
    ("day", "working_days", "expected"),
    [
        (date(2026, 11, 29), (0, 1, 2, 3, 4, 5), date(2026, 11, 30)),  # Sunday -> Monday
        (date(2026, 11, 28), (0, 1, 2, 3, 4), date(2026, 11, 30)),  # Saturday -> Monday
        (date(2026, 11, 26), (0, 1, 2, 3, 4, 5), date(2026, 11, 26)),  # Thursday stays
        (date(2026, 11, 29), (), date(2026, 11, 29)),  # no working days set: unchanged
    ],
)
def test_the_next_working_day_skips_closed_days(day, working_days, expected):
    assert next_working_day(day, working_days=working_days) == expected
