"""Today's two lists of promises around the business's midnight: all of today's (passed ones
marked late, a promise for the day late only once the day is over), and apart those overdue
from an earlier day."""

from datetime import UTC, datetime, time, timedelta

import pytest

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import Promise, due_moment_for_day
from klantvriend.promises.selectors import (
    AGENDA_ALIASES,
    Agenda,
    agenda_condition,
    agenda_counts,
    promise_agenda,
)
from klantvriend.promises.status import PromiseStatus
from klantvriend.promises.tests.factories import PromiseFactory

# Tuesday 1 December 2026 in Amsterdam (UTC+1 in winter).
DAY = datetime(2026, 12, 1).date()


@pytest.fixture
def shop(business):
    assert business.time_zone == "Europe/Amsterdam"
    return business


def _local(business, day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=business.tzinfo)


@pytest.fixture
def promises(shop):
    """Open promises due at 00:30 and 23:30 today, for the whole of today, at 23:30 and for the
    whole of yesterday, at 00:30 tomorrow, eight days ago; and one of today's already kept."""
    customer = CustomerFactory(business=shop)
    yesterday, tomorrow = DAY - timedelta(days=1), DAY + timedelta(days=1)
    made = _local(shop, DAY - timedelta(days=10), 9)

    def promise(description, due_at, **fields):
        return PromiseFactory(
            customer=customer, description=description, made_at=made, due_at=due_at, **fields
        )

    return {
        "early": promise("Vroeg", _local(shop, DAY, 0, 30)),
        "late": promise("Laat", _local(shop, DAY, 23, 30)),
        "today_all_day": promise(
            "Ergens vandaag", due_moment_for_day(business=shop, day=DAY), due_all_day=True
        ),
        "yesterday": promise("Gisteravond", _local(shop, yesterday, 23, 30)),
        "yesterday_all_day": promise(
            "Ergens gisteren", due_moment_for_day(business=shop, day=yesterday), due_all_day=True
        ),
        "tomorrow": promise("Morgen vroeg", _local(shop, tomorrow, 0, 30)),
        "forgotten": promise("Vergeten", _local(shop, DAY - timedelta(days=8), 12)),
        "kept": promise("Al gedaan", _local(shop, DAY, 0, 45), done_at=_local(shop, DAY, 0, 40)),
    }


def _names(rows, promises):
    by_pk = {promise.pk: name for name, promise in promises.items()}
    return [by_pk[view.promise.pk] for view in rows.items]


def test_just_after_midnight_today_holds_the_whole_day_and_yesterday_is_overdue(
    shop, promises, django_assert_max_num_queries
):
    now = _local(shop, DAY, 0, 45)
    assert now.astimezone(UTC) == datetime(2026, 11, 30, 23, 45, tzinfo=UTC)

    with django_assert_max_num_queries(2):
        agenda = promise_agenda(business=shop, now=now)

    # Time order; the promise for the day stands at the day's end.
    assert _names(agenda.due_today, promises) == ["early", "late", "today_all_day"]
    assert agenda.due_today.total == 3
    assert [view.late_by for view in agenda.due_today.items] == [timedelta(minutes=15), None, None]
    assert [view.status for view in agenda.due_today.items] == [
        PromiseStatus.OVERDUE,
        PromiseStatus.DUE_TODAY,
        PromiseStatus.DUE_TODAY,
    ]
    # Oldest first; yesterday's promise for the day is late since its last second.
    assert _names(agenda.overdue, promises) == ["yesterday", "yesterday_all_day"]
    assert agenda.overdue.total == 2
    assert [view.late_by for view in agenda.overdue.items] == [
        timedelta(hours=1, minutes=15),
        timedelta(minutes=45, seconds=1),
    ]


def test_late_in_the_evening_the_morning_promise_is_still_todays_and_marked_late(shop, promises):
    now = _local(shop, DAY, 23, 45)

    agenda = promise_agenda(business=shop, now=now)

    assert _names(agenda.due_today, promises) == ["early", "late", "today_all_day"]
    assert [view.late_by for view in agenda.due_today.items] == [
        timedelta(hours=23, minutes=15),
        timedelta(minutes=15),
        None,
    ]
    assert _names(agenda.overdue, promises) == ["yesterday", "yesterday_all_day"]


def test_after_midnight_the_day_moves_on_to_tomorrow(shop, promises):
    now = _local(shop, DAY + timedelta(days=1), 0, 5)

    agenda = promise_agenda(business=shop, now=now)

    assert _names(agenda.due_today, promises) == ["tomorrow"]
    assert [view.late_by for view in agenda.due_today.items] == [None]
    # Today's three are from an earlier day now, the day's one late by six minutes and a second.
    assert _names(agenda.overdue, promises) == [
        "yesterday",
        "yesterday_all_day",
        "early",
        "late",
        "today_all_day",
    ]
    assert agenda.overdue.items[-1].late_by == timedelta(minutes=5, seconds=1)


def test_the_promise_lists_filter_holds_the_same_rows(shop, promises):
    now = _local(shop, DAY, 0, 45)

    def listed(name):
        matching = Promise.objects.filter(business=shop).filter(
            agenda_condition(name, business=shop, now=now)
        )
        by_pk = {promise.pk: name for name, promise in promises.items()}
        return sorted(by_pk[pk] for pk in matching.values_list("pk", flat=True))

    assert listed(Agenda.TODAY) == ["early", "late", "today_all_day"]
    assert listed(Agenda.OVERDUE) == ["yesterday", "yesterday_all_day"]
    assert listed(AGENDA_ALIASES["due_today"]) == listed(Agenda.TODAY)


def test_the_coming_week_holds_the_open_promises_from_tomorrow_for_seven_days(
    shop, promises, django_assert_max_num_queries
):
    """A promise for next Monday was on the customer's card only: Today counts the coming
    week's, from tomorrow's first minute to the last of the seventh day after today."""
    customer = promises["early"].customer
    made = _local(shop, DAY - timedelta(days=1), 9)
    for description, day, hour, fields in [
        ("Volgende week dinsdag", DAY + timedelta(days=7), 23, {}),
        ("Over acht dagen", DAY + timedelta(days=8), 0, {}),
        ("Al gedaan, morgen", DAY + timedelta(days=1), 12, {"done_at": made}),
        ("Geannuleerd, morgen", DAY + timedelta(days=1), 12, {"cancelled_at": made}),
    ]:
        PromiseFactory(
            customer=customer,
            description=description,
            made_at=made,
            due_at=_local(shop, day, hour, 30 if hour == 23 else 0),
            **fields,
        )
    now = _local(shop, DAY, 23, 45)

    coming = Promise.objects.filter(business=shop).filter(
        agenda_condition(Agenda.COMING, business=shop, now=now)
    )
    with django_assert_max_num_queries(1):
        count = agenda_counts(business=shop, now=now)["coming"]

    assert sorted(coming.values_list("description", flat=True)) == [
        "Morgen vroeg",
        "Volgende week dinsdag",
    ]
    assert count == 2


def test_a_promise_overdue_for_more_than_a_week_is_counted_apart_not_dropped(
    shop, django_assert_max_num_queries
):
    customer = CustomerFactory(business=shop)
    now = _local(shop, DAY, 10)
    made = now - timedelta(days=30)
    for description, due, fields in [
        ("Terugbellen over de offerte", now - timedelta(days=17), {}),
        ("Net een week", now - timedelta(days=7, seconds=1), {}),
        ("Zes dagen", now - timedelta(days=6), {}),
        ("Oud maar gedaan", now - timedelta(days=20), {"done_at": now - timedelta(days=19)}),
        ("Oud maar afgezegd", now - timedelta(days=20), {"cancelled_at": made}),
    ]:
        PromiseFactory(
            customer=customer, description=description, made_at=made, due_at=due, **fields
        )

    def listed(name):
        return sorted(
            Promise.objects.filter(business=shop)
            .filter(agenda_condition(name, business=shop, now=now))
            .values_list("description", flat=True)
        )

    with django_assert_max_num_queries(1):
        counts = agenda_counts(business=shop, now=now)

    assert listed(Agenda.OLDER) == ["Net een week", "Terugbellen over de offerte"]
    assert listed(Agenda.OVERDUE) == ["Zes dagen"]
    assert counts == {"coming": 0, "older": 2}
