"""Days the shop is closed besides its week's closed days (Christmas, a summer break): counted
as closed by the working hours, kept in the care settings in order, refused when they make no
sense, and added or removed one at a time without losing another's."""

import zoneinfo
from datetime import date, datetime, time

import pytest
from django.utils import translation

from klantvriend.core.audit import AuditAction
from klantvriend.core.care_settings import (
    ClosedPeriod,
    care_settings,
    care_settings_update,
    care_settings_update_refusals,
    closed_period_add,
    closed_period_remove,
    closed_periods_add_holidays,
    shop_closed_on,
)
from klantvriend.core.errors import ValidationError
from klantvriend.core.holidays import dutch_public_holidays, easter_sunday
from klantvriend.core.models import AuditEvent, Business
from klantvriend.core.working_hours import (
    add_working_hours,
    next_working_day,
    next_working_moment,
    same_hours,
)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Monday to Saturday, 9 to 18.
SHOP = same_hours(range(6), time(9), time(18))
CHRISTMAS = frozenset({date(2026, 12, 25), date(2026, 12, 26)})


def test_working_hours_do_not_run_on_a_closed_day():
    # Thursday 24 December 16:00, four working hours: two that evening; Christmas Day and
    # Boxing Day (Friday, Saturday) closed, Sunday closed every week: Monday 11:00.
    received = datetime(2026, 12, 24, 16, 0, tzinfo=AMSTERDAM)

    assert add_working_hours(received, 4, tz=AMSTERDAM, week=SHOP, closed=CHRISTMAS) == (
        datetime(2026, 12, 28, 11, 0, tzinfo=AMSTERDAM)
    )
    assert add_working_hours(received, 4, tz=AMSTERDAM, week=SHOP) == (
        datetime(2026, 12, 25, 11, 0, tzinfo=AMSTERDAM)
    )


def test_the_next_opening_and_working_day_pass_the_closed_days():
    christmas_morning = datetime(2026, 12, 25, 10, 0, tzinfo=AMSTERDAM)

    assert next_working_moment(christmas_morning, tz=AMSTERDAM, week=SHOP, closed=CHRISTMAS) == (
        datetime(2026, 12, 28, 9, 0, tzinfo=AMSTERDAM)
    )
    assert next_working_day(date(2026, 12, 25), working_days=range(6), closed=CHRISTMAS) == (
        date(2026, 12, 28)
    )
    # Open on Christmas Eve: the moment and the day themselves.
    eve = datetime(2026, 12, 24, 10, 0, tzinfo=AMSTERDAM)
    assert next_working_moment(eve, tz=AMSTERDAM, week=SHOP, closed=CHRISTMAS) == eve
    assert next_working_day(date(2026, 12, 24), working_days=range(6), closed=CHRISTMAS) == (
        date(2026, 12, 24)
    )


def test_closed_periods_are_kept_in_order_of_their_days(business, owner):
    care_settings_update(
        business=business,
        actor=owner,
        closed_periods=[
            {"first": "2027-04-27", "last": "2027-04-27", "reason": "Koningsdag"},
            {"first": date(2026, 12, 25), "last": date(2026, 12, 26), "reason": "  Kerst "},
        ],
    )

    settings = care_settings(Business.objects.get(pk=business.pk))
    assert settings.closed_periods == (
        ClosedPeriod(date(2026, 12, 25), date(2026, 12, 26), "Kerst"),
        ClosedPeriod(date(2027, 4, 27), date(2027, 4, 27), "Koningsdag"),
    )
    assert settings.closed_dates == {date(2026, 12, 25), date(2026, 12, 26), date(2027, 4, 27)}
    assert settings.closed_period_on(date(2026, 12, 26)).reason == "Kerst"
    assert settings.closed_period_on(date(2026, 12, 24)) is None
    assert shop_closed_on(business, date(2026, 12, 25))  # a Friday
    assert not shop_closed_on(business, date(2026, 12, 24))


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (
            {"first": "2026-12-26", "last": "2026-12-25"},
            (
                "last",
                "Closed days 2, up to and including: the last day closed cannot lie before "
                "the first.",
            ),
        ),
        (
            {"first": None, "last": "2026-12-25"},
            ("first", "Closed days 2, closed from: give a day."),
        ),
        (
            {"first": "25-12-2026", "last": "2026-12-25"},
            ("first", "Closed days 2, closed from: give a day."),
        ),
        (
            {"first": "0026-12-25", "last": "2026-12-25"},
            ("first", "Closed days 2, closed from: give a day from the year 2000 to 2200."),
        ),
        (
            {"first": "2026-01-01", "last": "2027-01-02"},
            ("last", "Closed days 2, up to and including: at most 366 days at a time."),
        ),
        (
            {"first": "2026-12-25", "last": "2026-12-25", "reason": "x" * 61},
            ("reason", "Closed days 2, why: at most 60 characters."),
        ),
    ],
)
def test_a_closed_period_that_makes_no_sense_is_refused_by_its_number(
    business, owner, period, expected
):
    kept = {"first": "2026-07-20", "last": "2026-08-07", "reason": "Zomervakantie"}
    care_settings_update(business=business, actor=owner, closed_periods=[kept])
    before = Business.objects.get(pk=business.pk).settings

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        care_settings_update(business=business, actor=owner, closed_periods=[kept, period])

    (error,) = refused.value.error_dict["closed_periods"]
    with translation.override("en"):
        said = (error.params["name"], error.message % error.params)
    assert said == expected
    assert Business.objects.get(pk=business.pk).settings == before
    assert list(care_settings_update_refusals(business=business, closed_periods=[period])) == [
        "closed_periods"
    ]


def test_too_many_closed_periods_are_refused(business, owner):
    periods = [{"first": date(2026, 1, day), "last": date(2026, 1, day)} for day in range(1, 31)]
    periods += [{"first": date(2026, 2, day), "last": date(2026, 2, day)} for day in range(1, 29)]
    periods += [{"first": date(2026, 3, day), "last": date(2026, 3, day)} for day in range(1, 4)]

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        care_settings_update(business=business, actor=owner, closed_periods=periods)

    (error,) = refused.value.error_dict["closed_periods"]
    assert error.message % error.params == ("At most 60 closed periods; remove some that are past.")
    assert care_settings(Business.objects.get(pk=business.pk)).closed_periods == ()


def test_a_damaged_stored_period_is_left_out_not_breaking_the_pages(business):
    Business.objects.filter(pk=business.pk).update(
        settings={
            "care": {
                "closed_periods": [
                    {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst"},
                    {"first": "kerst", "last": "2026-12-26"},
                    {"first": "2026-12-31", "last": "2026-12-30"},
                    "2027-01-01",
                ]
            }
        }
    )

    assert care_settings(Business.objects.get(pk=business.pk)).closed_periods == (
        ClosedPeriod(date(2026, 12, 25), date(2026, 12, 26), "Kerst"),
    )


def test_periods_added_one_at_a_time_are_all_kept_and_each_removed_alone(business, owner):
    christmas = closed_period_add(
        business=business,
        actor=owner,
        first=date(2026, 12, 25),
        last=date(2026, 12, 26),
        reason="Kerst",
    )
    closed_period_add(business=business, actor=owner, first=date(2027, 4, 27))
    # The same period again (the form sent twice): not twice.
    assert (
        closed_period_add(
            business=business,
            actor=owner,
            first=date(2026, 12, 25),
            last=date(2026, 12, 26),
            reason="Kerst",
        )
        is None
    )

    assert care_settings(Business.objects.get(pk=business.pk)).closed_periods == (
        christmas,
        ClosedPeriod(date(2027, 4, 27), date(2027, 4, 27), ""),
    )
    assert closed_period_remove(business=business, actor=owner, period=christmas) is True
    assert closed_period_remove(business=business, actor=owner, period=christmas) is False
    assert care_settings(Business.objects.get(pk=business.pk)).closed_periods == (
        ClosedPeriod(date(2027, 4, 27), date(2027, 4, 27), ""),
    )
    changes = [
        event.changes["closed_periods"]
        for event in AuditEvent.objects.filter(action=AuditAction.SETTINGS).order_by("id")
    ]
    assert changes[-1] == [
        [
            {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst"},
            {"first": "2027-04-27", "last": "2027-04-27", "reason": ""},
        ],
        [{"first": "2027-04-27", "last": "2027-04-27", "reason": ""}],
    ]
    assert len(changes) == 3  # two added, one removed; the one added again changed nothing


def test_a_period_changed_into_one_there_already_leaves_that_one(business, owner):
    """The summer break changed to exactly the days of the inventory: the summer break goes,
    the inventory stays once, where it was kept as it was and the summer break too."""
    summer = closed_period_add(
        business=business, actor=owner, first=date(2027, 7, 19), last=date(2027, 7, 31)
    )
    inventory = closed_period_add(
        business=business, actor=owner, first=date(2027, 8, 9), reason="Inventaris"
    )

    closed_period_add(
        business=business,
        actor=owner,
        first=date(2027, 8, 9),
        reason="Inventaris",
        replacing=summer,
    )

    assert care_settings(Business.objects.get(pk=business.pk)).closed_periods == (inventory,)


def test_a_period_added_wrongly_is_refused_per_field_and_nothing_is_stored(business, owner):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        closed_period_add(
            business=business, actor=owner, first=date(2026, 12, 26), last=date(2026, 12, 25)
        )

    assert {
        name: [error.message for error in errors]
        for name, errors in refused.value.error_dict.items()
    } == {"last": ["The last day closed cannot lie before the first."]}
    assert care_settings(Business.objects.get(pk=business.pk)).closed_periods == ()
    assert not AuditEvent.objects.filter(action=AuditAction.SETTINGS).exists()


def test_days_closed_already_are_not_closed_again_for_another_reason(business, owner):
    # A day closed for two reasons would be said for the first alone, and removing one period
    # would leave it closed.
    summer = closed_period_add(
        business=business,
        actor=owner,
        first=date(2027, 7, 19),
        last=date(2027, 8, 6),
        reason="Zomervakantie",
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        closed_period_add(
            business=business,
            actor=owner,
            first=date(2027, 8, 6),
            last=date(2027, 8, 9),
            reason="Verbouwing",
        )
    with translation.override("en"), pytest.raises(ValidationError) as in_one_list:
        care_settings_update(
            business=business,
            actor=owner,
            closed_periods=[
                summer,
                ClosedPeriod(date(2027, 12, 24), date(2027, 12, 26), "Kerst"),
                ClosedPeriod(date(2027, 12, 26), date(2027, 12, 26), ""),
            ],
        )

    assert {
        name: [error.message for error in errors]
        for name, errors in refused.value.error_dict.items()
    } == {
        "first": [
            "These days overlap Zomervakantie (Mon\xa019\xa0Jul – Fri\xa06\xa0Aug\xa02027); "
            "change that one, or choose other days."
        ]
    }
    assert [
        (error.code, error.message % error.params)
        for error in in_one_list.value.error_dict["closed_periods"]
    ] == [
        (
            "overlaps",
            "Closed days 3, closed from: these days overlap Kerst (Fri\xa024\xa0Dec – "
            "Sun\xa026\xa0Dec\xa02027); change that one, or choose other days.",
        )
    ]
    assert care_settings(Business.objects.get(pk=business.pk)).closed_periods == (summer,)
    assert AuditEvent.objects.filter(action=AuditAction.SETTINGS).count() == 1


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2000, date(2000, 4, 23)),
        (2024, date(2024, 3, 31)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_falls_as_the_calendars_say(year, easter):
    assert easter_sunday(year) == easter


def test_the_dutch_public_holidays_are_added_at_once_in_the_shops_language(business, owner):
    # A Christmas break already closes Christmas, if more days than its own.
    closed_period_add(
        business=business,
        actor=owner,
        first=date(2027, 12, 20),
        last=date(2028, 1, 2),
        reason="Kerstvakantie",
    )

    with translation.override("en"):  # whoever pressed it reads English; the shop is Dutch
        added = closed_periods_add_holidays(business=business, actor=owner, year=2027)
    again = closed_periods_add_holidays(business=business, actor=owner, year=2027)

    assert [(period.first, period.last, period.reason) for period in added] == [
        (date(2027, 1, 1), date(2027, 1, 1), "Nieuwjaarsdag"),
        (date(2027, 3, 28), date(2027, 3, 29), "Pasen"),
        (date(2027, 4, 27), date(2027, 4, 27), "Koningsdag"),
        (date(2027, 5, 6), date(2027, 5, 6), "Hemelvaartsdag"),
        (date(2027, 5, 16), date(2027, 5, 17), "Pinksteren"),
    ]
    assert again == []
    assert len(care_settings(Business.objects.get(pk=business.pk)).closed_periods) == 6
    # King's Day on a Sunday is kept the day before.
    assert dutch_public_holidays(2025)[2][:2] == (date(2025, 4, 26), date(2025, 4, 26))
