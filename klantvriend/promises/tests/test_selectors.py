from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.selectors import (
    Trend,
    promise_advice,
    promise_agenda,
    promise_open_items,
    promise_reliability,
    promise_trend,
)
from klantvriend.promises.status import PromiseStatus

from .factories import PromiseFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(60))


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business)


def _promise(customer, *, due_days_ago: float, late_hours: float | None, **fields):
    due = NOW - timedelta(days=due_days_ago)
    done = None if late_hours is None else due + timedelta(hours=late_hours)
    return PromiseFactory(
        customer=customer, made_at=due - timedelta(days=3), due_at=due, done_at=done, **fields
    )


def test_reliability_counts_kept_on_time_lateness_and_the_90_day_trend(customer, owner, staff_user):
    # Last 90 days: on time (owner), 2 h late (owner), 10 h late, broken, kept a day early.
    _promise(customer, due_days_ago=10, late_hours=-1, made_by=owner)
    _promise(customer, due_days_ago=11, late_hours=2, made_by=owner, kind=PromiseKind.DELIVERY)
    _promise(customer, due_days_ago=12, late_hours=10, made_by=staff_user)
    _promise(customer, due_days_ago=13, late_hours=None, made_by=staff_user)
    _promise(customer, due_days_ago=14, late_hours=-30, made_by=staff_user)
    # The 90 days before: one on time, one 5 h late.
    _promise(customer, due_days_ago=120, late_hours=0, made_by=staff_user)
    _promise(customer, due_days_ago=121, late_hours=5, made_by=staff_user)
    # Not judged: cancelled in time, not yet due, overdue within the grace, older than a year.
    PromiseFactory(
        customer=customer,
        made_at=NOW - timedelta(days=5),
        due_at=NOW - timedelta(days=2),
        cancelled_at=NOW - timedelta(days=4),
    )
    PromiseFactory(
        customer=customer, made_at=NOW - timedelta(days=1), due_at=NOW + timedelta(days=1)
    )
    PromiseFactory(
        customer=customer, made_at=NOW - timedelta(days=1), due_at=NOW - timedelta(hours=3)
    )
    _promise(customer, due_days_ago=400, late_hours=None)

    figures = promise_reliability(business=customer.business, now=NOW)

    overall = figures.overall
    assert (overall.judged, overall.kept_on_time, overall.kept_late, overall.broken) == (7, 3, 3, 1)
    assert overall.kept_on_time_share == pytest.approx(3 / 7)
    # Lateness of the six done promises: 0, 0, 0, 2, 5, 10 hours.
    assert (overall.median_lateness_hours, overall.p90_lateness_hours) == (1.0, 10.0)
    assert figures.trend.last_90_days == pytest.approx(2 / 5)
    assert figures.trend.previous_90_days == pytest.approx(1 / 2)
    assert figures.trend.change == pytest.approx(2 / 5 - 1 / 2)
    assert promise_trend(business=customer.business, now=NOW) == figures.trend
    by_member = {name: member.kept_on_time_share for _id, name, member in figures.by_member}
    assert by_member == {"Sanne": 0.5, "Joris": pytest.approx(2 / 5)}
    by_kind = {kind: item.judged for kind, _, item in figures.by_kind}
    assert by_kind == {"delivery": 1, "order_ready": 6}


def test_reliability_of_another_business_is_not_mixed_in(customer, other_business):
    _promise(CustomerFactory(business=other_business), due_days_ago=3, late_hours=None)

    assert promise_reliability(business=customer.business, now=NOW).overall.judged == 0
    assert (
        promise_reliability(business=customer.business, now=NOW).overall.kept_on_time_share is None
    )


def _history(customer, kind, durations, *, due_after):
    """Earlier promises of a kind, each done `duration` after it was made (None: never)."""
    for index, duration in enumerate(durations):
        made = NOW - timedelta(days=60) + timedelta(hours=index)
        PromiseFactory(
            customer=customer,
            kind=kind,
            made_at=made,
            due_at=made + due_after,
            done_at=None if duration is None else made + duration,
        )


def _repair_history(customer, durations_in_days):
    days = [None if d is None else timedelta(days=d) for d in durations_in_days]
    _history(customer, PromiseKind.REPAIR, days, due_after=timedelta(days=2))


def test_advice_gives_the_on_time_chance_and_the_earliest_safe_due_moment(customer):
    # 20 repairs: 3 took a day, 7 two days, 8 three days, 1 four days, 1 was never done.
    _repair_history(customer, [1] * 3 + [2] * 7 + [3] * 8 + [4] + [None])

    advice = promise_advice(
        business=customer.business,
        kind=PromiseKind.REPAIR,
        due_at=NOW + timedelta(days=2),
        made_at=NOW,
        now=NOW,
    )

    assert (advice.enough_history, advice.history, advice.kind) == (True, 20, "repair")
    assert advice.on_time_probability == 0.5
    assert advice.suggested_due_at == NOW + timedelta(days=3)
    assert advice.suggested_probability == 0.9
    assert advice.safe is False


def test_advice_counts_lead_and_delay_in_hours_across_the_night_the_clocks_change(customer):
    # Made on Friday 12:00 as typed on the form (local time), due on Monday 12:00: the night
    # summer time starts lies between, so the promise leaves 71 hours, not 72; a day's delay
    # added to Monday 12:00 is Tuesday 12:00.
    _repair_history(customer, [1] * 3 + [2] * 7 + [3] * 8 + [4] + [None])
    tz = customer.business.tzinfo
    made_at = datetime(2027, 3, 26, 12, 0, tzinfo=tz)

    advice = promise_advice(
        business=customer.business,
        kind=PromiseKind.REPAIR,
        due_at=datetime(2027, 3, 29, 12, 0, tzinfo=tz),
        made_at=made_at,
        now=made_at,
    )

    assert advice.lead == timedelta(hours=71)
    assert customer.business.local(advice.suggested_due_at) == datetime(
        2027, 3, 30, 12, 0, tzinfo=tz
    )
    assert advice.suggested_lead == timedelta(hours=95)


def test_advice_for_a_day_suggests_the_end_of_an_open_day(customer):
    # The repairs were promised two days ahead, half kept on time, nine in ten within a day
    # late: a repair for Saturday is advised for the day after, which is the closed Sunday,
    # so Monday.
    _repair_history(customer, [1] * 3 + [2] * 7 + [3] * 8 + [4] + [None])
    tz = customer.business.tzinfo

    advice = promise_advice(
        business=customer.business,
        kind=PromiseKind.REPAIR,
        due_at=datetime(2026, 3, 14, 23, 59, 59, tzinfo=tz),
        all_day=True,
        made_at=NOW,
        now=NOW,
    )

    assert advice.suggested_due_at == datetime(2026, 3, 16, 23, 59, 59, tzinfo=tz)
    # Two days later than typed: all but the repair never done stayed within that.
    assert (advice.on_time_probability, advice.suggested_probability) == (0.5, 0.95)
    assert advice.safe is False
    # Needed on Saturday all the same: nine in ten were at most a day late, so ready on Friday
    assert advice.ready_by == datetime(2026, 3, 13, 23, 59, 59, tzinfo=tz)
    assert advice.ready_in_time is True


@pytest.mark.parametrize(
    ("made_at", "due_on", "ready_on", "in_time"),
    [
        # Asked on Friday for Saturday: ready today, by closing (18:00).
        ((13, 9, 30), 14, 13, True),
        ((13, 17, 59), 14, 13, True),
        # Asked on Friday after closing: today has gone as well.
        ((13, 18, 1), 14, 13, False),
        # Asked on Saturday for Saturday: the Friday it needed has gone.
        ((14, 9, 30), 14, 13, False),
        # For Monday: a day earlier is the closed Sunday, so the Saturday before.
        ((11, 9, 30), 16, 14, True),
    ],
)
def test_advice_for_a_day_says_when_to_have_it_ready_for_a_customer_who_needs_that_day(
    customer, made_at, due_on, ready_on, in_time
):
    # The cake for Saturday's party: a later promise is no answer, an earlier start is.
    _repair_history(customer, [1] * 3 + [2] * 7 + [3] * 8 + [4] + [None])
    tz = customer.business.tzinfo
    made_at = datetime(2026, 3, *made_at, tzinfo=tz)

    advice = promise_advice(
        business=customer.business,
        kind=PromiseKind.REPAIR,
        due_at=datetime(2026, 3, due_on, 23, 59, 59, tzinfo=tz),
        all_day=True,
        made_at=made_at,
        now=made_at,
    )

    assert advice.safe is False
    assert advice.ready_by == datetime(2026, 3, ready_on, 23, 59, 59, tzinfo=tz)
    assert advice.ready_in_time is in_time


def _deliveries(customer, ahead: timedelta, late_hours: list[float | None]):
    """Earlier deliveries promised `ahead`, each kept that many hours late (0: on time, on the
    due day; None: never)."""
    for index, hours in enumerate(late_hours):
        made = NOW - timedelta(days=40) + timedelta(hours=index)
        PromiseFactory(
            customer=customer,
            kind=PromiseKind.DELIVERY,
            made_at=made,
            due_at=made + ahead,
            done_at=None
            if hours is None
            else made + ahead + timedelta(hours=hours) - timedelta(minutes=30 if hours == 0 else 0),
        )


def test_a_delivery_for_tomorrow_is_judged_by_those_for_tomorrow_not_by_those_for_next_week(
    customer,
):
    """Deliveries booked a week ahead were all kept on their day; those booked for the next
    day were late four times in ten, by up to three hours. Measured by the time each took from
    made to done, a delivery for tomorrow was advised a week's wait."""
    _deliveries(customer, timedelta(days=7), [0] * 15)
    _deliveries(customer, timedelta(days=1), [0] * 9 + [1, 2, 2, 3, 3, 3])
    tomorrow = NOW + timedelta(days=1)

    def advice(due_at):
        return promise_advice(
            business=customer.business,
            kind=PromiseKind.DELIVERY,
            due_at=due_at,
            made_at=NOW,
            now=NOW,
        )

    soon, next_week = advice(tomorrow), advice(NOW + timedelta(days=7))

    assert (soon.similar, soon.similar_shortest, soon.similar_longest) == (
        15,
        timedelta(days=1),
        timedelta(days=1),
    )
    assert (soon.on_time_probability, soon.safe) == (0.6, False)
    assert soon.suggested_due_at == tomorrow + timedelta(hours=3)
    assert soon.suggested_probability == 1.0
    # Or, needed by then all the same, ready three hours before: Wednesday 9:00, at opening
    assert (soon.ready_by, soon.ready_in_time) == (tomorrow - timedelta(hours=3), True)
    # For 10:00, three hours before is before opening: ready at Tuesday's closing
    early = advice(tomorrow - timedelta(hours=2))
    tz = customer.business.tzinfo
    assert early.ready_by == datetime(2026, 3, 10, 18, 0, tzinfo=tz)
    assert (next_week.on_time_probability, next_week.safe, next_week.similar) == (1.0, True, 15)
    assert next_week.ready_by is None


def test_a_promise_leaving_less_time_than_any_before_is_advised_from_the_least_they_left(
    customer,
):
    # Every callback was promised for a day later and kept: one for two hours' time is not
    # safe on their word, and is advised a day.
    _history(
        customer, PromiseKind.CALLBACK, [timedelta(hours=20)] * 12, due_after=timedelta(days=1)
    )
    made_at = datetime(2026, 3, 10, 10, 0, tzinfo=customer.business.tzinfo)

    advice = promise_advice(
        business=customer.business,
        kind=PromiseKind.CALLBACK,
        due_at=made_at + timedelta(hours=2),
        made_at=made_at,
        now=made_at,
    )

    assert (advice.sooner_than_them, advice.on_time_probability, advice.safe) == (True, 1.0, False)
    assert advice.suggested_due_at == made_at + timedelta(days=1)


def test_with_little_history_the_advice_says_so_instead_of_guessing(customer):
    _repair_history(customer, [1] * 9)

    advice = promise_advice(
        business=customer.business,
        kind=PromiseKind.REPAIR,
        due_at=NOW + timedelta(days=2),
        made_at=NOW,
        now=NOW,
    )

    assert (advice.enough_history, advice.history) == (False, 9)
    assert (advice.on_time_probability, advice.suggested_due_at) == (None, None)


def test_advice_looks_only_at_the_kind_and_the_business(customer, other_business):
    _repair_history(CustomerFactory(business=other_business), [1] * 20)
    _repair_history(customer, [])
    for _ in range(12):
        PromiseFactory(
            customer=customer,
            kind=PromiseKind.CALLBACK,
            made_at=NOW - timedelta(days=3),
            done_at=NOW - timedelta(days=1),
        )

    advice = promise_advice(
        business=customer.business, kind=PromiseKind.REPAIR, due_at=NOW + timedelta(days=1), now=NOW
    )

    assert (advice.enough_history, advice.history) == (False, 0)


def test_agenda_lists_todays_in_time_order_and_earlier_overdue_apart_with_constant_queries(
    customer, django_assert_max_num_queries
):
    # Noon in the shop, so that a promise due at 23:59 is still today's whatever the hour the
    # suite runs (run in the last minute of the day, it was already overdue).
    now = customer.business.local(timezone.now()).replace(hour=12, minute=0, second=0)
    # Broken on any day of the week: the grace stands still on the closed Sunday.
    late = PromiseFactory(
        customer=customer, made_at=now - timedelta(days=4), due_at=now - timedelta(days=3)
    )
    later = PromiseFactory(
        customer=customer, made_at=now - timedelta(days=3), due_at=now - timedelta(hours=1)
    )
    today_end = customer.business.local(now).replace(hour=23, minute=59, second=0)
    due_today = PromiseFactory(customer=customer, made_at=now - timedelta(days=1), due_at=today_end)
    PromiseFactory(
        customer=customer, made_at=now - timedelta(days=1), due_at=now + timedelta(days=2)
    )
    forgotten = now - timedelta(days=8)  # more than a week past: history, not today's work
    PromiseFactory(customer=customer, made_at=forgotten - timedelta(days=1), due_at=forgotten)
    PromiseFactory(
        customer=customer,
        made_at=now - timedelta(days=3),
        due_at=now - timedelta(days=1),
        done_at=now - timedelta(days=1, hours=1),
    )

    with django_assert_max_num_queries(3):
        agenda = promise_agenda(business=customer.business, now=now)

    # From an earlier day; the one passed an hour ago is today's, marked late.
    assert [view.promise for view in agenda.overdue.items] == [late]
    assert agenda.overdue.total == 1
    assert [view.status for view in agenda.overdue.items] == [PromiseStatus.BROKEN]
    assert [view.promise for view in agenda.due_today.items] == [later, due_today]
    assert agenda.due_today.total == 2
    assert [(view.status, view.late_by) for view in agenda.due_today.items] == [
        (PromiseStatus.OVERDUE, timedelta(hours=1)),
        (PromiseStatus.DUE_TODAY, None),
    ]


def test_the_trend_alone_counts_what_the_reliability_page_does(customer, owner):
    # Recent: on time and late; the 90 days before: one on time; older: left out of both.
    _promise(customer, due_days_ago=10, late_hours=-1, made_by=owner)
    _promise(customer, due_days_ago=11, late_hours=2, made_by=owner)
    _promise(customer, due_days_ago=120, late_hours=-1, made_by=owner)
    _promise(customer, due_days_ago=200, late_hours=3, made_by=owner)

    full = promise_reliability(business=customer.business, now=NOW)
    trend = promise_trend(business=customer.business, now=NOW)

    assert trend == full.trend == Trend(0.5, 1.0, 2, 1)
    assert full.overall.judged == 4


def test_reliability_trend_places_each_promise_where_its_outcome_became_known(
    customer, owner, staff_user
):
    # Recent: cancelled a day after it was due (broken) and done 5 h late.
    PromiseFactory(
        customer=customer,
        made_at=NOW - timedelta(days=20),
        due_at=NOW - timedelta(days=11),
        cancelled_at=NOW - timedelta(days=10),
        made_by=staff_user,
    )
    _promise(customer, due_days_ago=10, late_hours=5, made_by=owner, kind=PromiseKind.DELIVERY)
    # The 90 days before: cancelled late, forgotten (due 100 days ago, the grace long over) and
    # kept on time.
    PromiseFactory(
        customer=customer,
        made_at=NOW - timedelta(days=110),
        due_at=NOW - timedelta(days=101),
        cancelled_at=NOW - timedelta(days=100),
        made_by=staff_user,
    )
    _promise(customer, due_days_ago=100, late_hours=None, made_by=staff_user)
    _promise(customer, due_days_ago=100, late_hours=-2, made_by=owner)
    # Older than 180 days: in the year's figures, not in the trend.
    _promise(
        customer, due_days_ago=200, late_hours=0, made_by=staff_user, kind=PromiseKind.DELIVERY
    )
    # Done an hour late more than a year ago: not judged, so not the least late promise either.
    _promise(customer, due_days_ago=400, late_hours=1, made_by=owner, kind=PromiseKind.DELIVERY)

    figures = promise_reliability(business=customer.business, now=NOW)

    overall = figures.overall
    assert (overall.judged, overall.kept_on_time, overall.kept_late, overall.broken) == (6, 2, 1, 3)
    assert (overall.median_lateness_hours, overall.p90_lateness_hours) == (0.0, 5.0)
    assert figures.trend.last_90_days == 0.0
    assert figures.trend.previous_90_days == pytest.approx(1 / 3)
    assert promise_trend(business=customer.business, now=NOW) == figures.trend
    by_member = {
        name: (member.judged, member.p90_lateness_hours) for _id, name, member in figures.by_member
    }
    assert by_member == {"Sanne": (2, 5.0), "Joris": (4, 0.0)}
    by_kind = {
        kind: (item.judged, item.median_lateness_hours, item.p90_lateness_hours)
        for kind, _, item in figures.by_kind
    }
    assert by_kind == {"delivery": (2, 2.5, 5.0), "order_ready": (4, 0.0, 0.0)}


def test_open_promises_say_when_they_are_due_in_the_businesss_time_zone(business):
    business.time_zone = "America/Curacao"  # UTC-4 all year
    business.save(update_fields=["time_zone"])
    customer = CustomerFactory(business=business)
    # Ten days on, at 18:00 UTC: a day of 24 December 2026 was said with its year from half a
    # year after it, as the open items say a day that far.
    due = datetime.combine(timezone.now().date() + timedelta(days=10), time(18), tzinfo=UTC)
    PromiseFactory(
        customer=customer,
        description="Taart",
        made_at=due - timedelta(days=1),
        due_at=due,
        due_all_day=False,
    )

    with translation.override("nl"), timezone.override("Europe/Amsterdam"):
        items = promise_open_items(customer=customer)

    # 14:00 in Curaçao (19:00 in Amsterdam), on one line on a phone: no-break spaces inside.
    with translation.override("nl"):
        day = date_format(due.date(), "j\xa0M").lower()
    assert [item.summary for item in items] == [f"Taart, uiterlijk {day}\xa014:00"]


def test_the_briefing_says_a_standing_order_comes_back(business):
    customer = CustomerFactory(business=business)
    due = datetime.combine(timezone.now().date() + timedelta(days=10), time(10), tzinfo=UTC)
    PromiseFactory(
        customer=customer,
        description="Rollade",
        made_at=due - timedelta(days=3),
        due_at=due,
        repeat_weeks=2,
    )

    with translation.override("nl"), timezone.override("Europe/Amsterdam"):
        items = promise_open_items(customer=customer)

    with translation.override("nl"):
        day = date_format(due.date(), "j\xa0M").lower()
    hour = due.astimezone(business.tzinfo).strftime("%H:%M")  # Amsterdam's, as overridden
    assert [item.summary for item in items] == [
        f"Rollade, uiterlijk {day}\xa0{hour} (om de 2 weken)"
    ]


@pytest.mark.parametrize(
    ("made_at", "suggested"),
    [
        # Tuesday 17:00: the safe 19:45 is after closing (18:00): Wednesday at opening.
        (datetime(2026, 3, 10, 17, 0), datetime(2026, 3, 11, 9, 0)),
        # Saturday 17:00: the shop is closed on Sunday: Monday at opening.
        (datetime(2026, 3, 14, 17, 0), datetime(2026, 3, 16, 9, 0)),
        # Tuesday 6:00, before opening: 8:45 becomes 9:00.
        (datetime(2026, 3, 10, 6, 0), datetime(2026, 3, 10, 9, 0)),
        # Tuesday 15:00: 17:45 is within the working hours and stays.
        (datetime(2026, 3, 10, 15, 0), datetime(2026, 3, 10, 17, 45)),
    ],
)
def test_advice_suggests_a_moment_within_the_working_hours(customer, made_at, suggested):
    # 20 callbacks: 18 done within 2 h 45 min, 2 after 3 hours.
    minutes = [60] * 10 + [165] * 8 + [180] * 2
    _history(
        customer,
        PromiseKind.CALLBACK,
        [timedelta(minutes=m) for m in minutes],
        due_after=timedelta(hours=1),
    )
    tz = customer.business.tzinfo
    made_at = made_at.replace(tzinfo=tz)

    advice = promise_advice(
        business=customer.business,
        kind=PromiseKind.CALLBACK,
        due_at=made_at + timedelta(hours=1),
        made_at=made_at,
        now=made_at,
    )

    assert advice.suggested_due_at == suggested.replace(tzinfo=tz)
    assert advice.suggested_probability == (
        0.9 if suggested - made_at.replace(tzinfo=None) < timedelta(hours=3) else 1.0
    )
    # A callback has no day of the customer's to be ready by: the customer waits for it
    assert advice.ready_by is None


def test_a_suggestion_taken_is_judged_by_the_moment_first_typed_and_called_safe(customer):
    """Judged by itself, the moment suggested was advised to move on again, a quarter of an
    hour or a day each time it was taken, and never called safe."""
    _repair_history(customer, [1] * 3 + [2] * 7 + [3] * 8 + [4] + [None])
    first, suggested = NOW + timedelta(days=2), NOW + timedelta(days=3)

    def advice(due_at, advised_from=None):
        return promise_advice(
            business=customer.business,
            kind=PromiseKind.REPAIR,
            due_at=due_at,
            made_at=NOW,
            advised_from=advised_from,
            now=NOW,
        )

    # Typed by hand, the suggestion is judged by itself, and moved on.
    assert advice(suggested).suggested_due_at > suggested

    taken = advice(suggested, advised_from=first)
    assert (taken.on_time_probability, taken.kept_on_time, taken.safe) == (0.9, 0.5, True)
    assert (taken.advised_from, taken.suggested_due_at) == (first, None)

    # Half way there: the chance of that moment, and the same suggestion as before.
    halfway = advice(NOW + timedelta(days=2, hours=12), advised_from=first)
    assert (halfway.on_time_probability, halfway.safe) == (0.5, False)
    assert halfway.suggested_due_at == suggested

    # A moment first typed after the one advised on is no suggestion taken: ignored.
    assert advice(first, advised_from=suggested).advised_from is None
