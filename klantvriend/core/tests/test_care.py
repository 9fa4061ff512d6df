from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from klantvriend.core.audit import audit_for_object
from klantvriend.core.calendar import (
    calendar_membership,
    calendar_token_create,
    calendar_token_revoke,
)
from klantvriend.core.care_settings import DEFAULTS, care_settings, care_settings_update
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent, Business
from klantvriend.core.working_hours import add_working_hours, next_working_day

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SHOP = {"tz": AMSTERDAM, "working_days": range(6), "opening": time(9), "closing": time(18)}


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
    night_shop = {**SHOP, "working_days": range(7), "opening": time(0), "closing": time(12)}

    deadline = add_working_hours(start.replace(tzinfo=AMSTERDAM), 4, **night_shop)

    assert deadline == expected_utc.replace(tzinfo=ZoneInfo("UTC"))


def test_without_working_time_clock_hours_are_used():
    start = datetime(2026, 3, 10, 22, 0, tzinfo=AMSTERDAM)

    assert add_working_hours(start, 4, **{**SHOP, "working_days": []}) == start + timedelta(hours=4)


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
        ({"working_days": []}, "working_days"),
        ({"opening_time": time(18), "closing_time": time(9)}, "closing_time"),
    ],
)
def test_bad_care_settings_are_refused_and_nothing_changes(business, owner, values, field):
    with pytest.raises(ValidationError) as refused:
        care_settings_update(business=business, actor=owner, **values)

    assert field in refused.value.error_dict
    assert Business.objects.get(pk=business.pk).settings == {}
    assert AuditEvent.objects.count() == 0


def test_a_damaged_stored_setting_falls_back_to_its_default(business):
    business.settings = {"care": {"promise_grace_hours": "lots", "opening_time": "8:00"}}

    assert care_settings(business).promise_grace_hours == 24


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
