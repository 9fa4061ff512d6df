"""The promise grace stands still on the days the business is closed: a Saturday's promise not
marked kept by closing time is overdue, not broken, until the grace has run on open days, and
Christmas Eve's orders are not broken on Christmas Day while the shop is shut. The status of
one promise, the lists' filters and the reliability figures agree on it."""

import zoneinfo
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klantvriend.core.care_settings import closed_period_add
from klantvriend.core.working_hours import add_open_days_time, open_days_time_reaches, same_hours
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.selectors import (
    promise_grace,
    promise_list,
    promise_outcomes,
    promise_reliability,
    promise_with_status,
)
from klantvriend.promises.status import PromiseStatus

from .factories import PromiseFactory

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Monday to Saturday, 9 to 18: closed on Sundays (the business fixture's own hours).
SHOP = same_hours(range(6), time(9), time(18))
CHRISTMAS = frozenset({date(2026, 12, 25), date(2026, 12, 26)})
DAY = timedelta(hours=24)
SECOND = timedelta(seconds=1)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("start", "span", "closed", "ends"),
    [
        # Saturday 17:00: Sunday does not count, Monday 17:00.
        (at(2026, 12, 5, 17), DAY, frozenset(), at(2026, 12, 7, 17)),
        # Christmas Eve's orders, due at the day's end: Christmas, Boxing Day and Sunday closed.
        (at(2026, 12, 24, 23, 59, 59), DAY, CHRISTMAS, at(2026, 12, 28, 23, 59, 59)),
        # On an ordinary weekday, the clock: Tuesday 10:00 and 48 hours, Thursday 10:00.
        (at(2026, 12, 1, 10), 2 * DAY, frozenset(), at(2026, 12, 3, 10)),
        # Due on the closed Sunday itself: counted from Monday's first moment.
        (at(2026, 12, 6, 11), timedelta(hours=5), frozenset(), at(2026, 12, 7, 5)),
        # Across the change to summer time on Sunday 28 March 2027, closed: Saturday's 7 hours
        # and Monday's 17 are 24 hours, whatever Sunday's length.
        (at(2027, 3, 27, 17), DAY, frozenset(), at(2027, 3, 29, 17)),
        # No grace: the moment itself.
        (at(2026, 12, 5, 17), timedelta(0), frozenset(), at(2026, 12, 5, 17)),
    ],
)
def test_the_grace_runs_on_the_clock_of_open_days_only(start, span, closed, ends):
    assert add_open_days_time(start, span, tz=AMSTERDAM, week=SHOP, closed=closed) == ends
    # And back from that end, the first moment whose grace reaches it.
    reaches = open_days_time_reaches(ends, span, tz=AMSTERDAM, week=SHOP, closed=closed)
    assert reaches <= start
    assert add_open_days_time(reaches, span, tz=AMSTERDAM, week=SHOP, closed=closed) >= ends
    assert add_open_days_time(reaches - SECOND, span, tz=AMSTERDAM, week=SHOP, closed=closed) < (
        ends
    )


def test_a_grace_ending_at_midnight_after_a_closed_day_reaches_back_over_it():
    # 24 hours from any moment of the closed Sunday end at Tuesday 00:00, as from Monday 00:00:
    # the first moment that reaches Tuesday's midnight is Sunday's.
    tuesday = at(2026, 12, 8)
    assert open_days_time_reaches(tuesday, DAY, tz=AMSTERDAM, week=SHOP) == at(2026, 12, 6)
    assert add_open_days_time(at(2026, 12, 6, 12), DAY, tz=AMSTERDAM, week=SHOP) == tuesday
    assert add_open_days_time(at(2026, 12, 5, 23, 59, 59), DAY, tz=AMSTERDAM, week=SHOP) == (
        at(2026, 12, 7, 23, 59, 59)
    )


def test_a_business_without_open_days_counts_every_day():
    never = same_hours((), time(9), time(18))
    start = at(2026, 12, 5, 17)
    assert add_open_days_time(start, DAY, tz=AMSTERDAM, week=never) == start + DAY
    assert open_days_time_reaches(start, DAY, tz=AMSTERDAM, week=never) == start - DAY


@settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    hours=st.integers(min_value=0, max_value=24 * 60),
    closed_days=st.sets(
        st.dates(min_value=date(2026, 1, 1), max_value=date(2029, 6, 30)), max_size=40
    ),
)
def test_the_first_moment_that_reaches_an_end_is_exactly_where_the_grace_ends_after(
    moment, hours, closed_days
):
    """What a query compares due moments with (open_days_time_reaches) splits them exactly
    where the grace of one promise (add_open_days_time) ends before or at the end."""
    end = moment.replace(tzinfo=AMSTERDAM)
    span = timedelta(hours=hours)
    kwargs = {"tz": AMSTERDAM, "week": SHOP, "closed": frozenset(closed_days)}
    reaches = open_days_time_reaches(end, span, **kwargs)
    assert add_open_days_time(reaches, span, **kwargs) >= end
    assert add_open_days_time(reaches - SECOND, span, **kwargs) < end


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business)


@pytest.fixture
def saturday_promise(customer):
    """A delivery promised for Saturday 5 December 2026 at 17:00, made that week."""
    return PromiseFactory(
        customer=customer,
        made_at=at(2026, 12, 1, 10),
        due_at=at(2026, 12, 5, 17),
    )


def _status_everywhere(business, promise, now) -> tuple[str, set[str], int, int]:
    """The promise's status, the list filters that find it, and the reliability figures'
    promises judged and broken."""
    status = promise_with_status(promise=promise, now=now).status
    listed = {
        name
        for name in ("open", "overdue", "broken")
        if promise_list(business=business, status=name, now=now).filter(pk=promise.pk).exists()
    }
    figures = promise_reliability(business=business, now=now)
    outcomes = promise_outcomes(business=business, now=now)
    assert outcomes.tally.judged == figures.overall.judged
    return status, listed, figures.overall.judged, outcomes.tally.broken


def test_a_saturday_promise_is_overdue_on_the_closed_sunday_and_broken_on_monday(
    business, saturday_promise
):
    # Sunday 18:00, 25 hours after its moment: the shop was shut all Sunday.
    sunday = at(2026, 12, 6, 18)
    assert _status_everywhere(business, saturday_promise, sunday) == (
        PromiseStatus.OVERDUE,
        {"overdue"},
        0,
        0,
    )
    # Monday 17:00, the end of its 24 hours (Saturday's 7 and Monday's 17): still overdue.
    assert _status_everywhere(business, saturday_promise, at(2026, 12, 7, 17))[0] == (
        PromiseStatus.OVERDUE
    )
    # A second later it is broken, in the lists and the figures alike.
    assert _status_everywhere(business, saturday_promise, at(2026, 12, 7, 17) + SECOND) == (
        PromiseStatus.BROKEN,
        {"broken"},
        1,
        1,
    )


def test_christmas_eves_order_kept_after_the_holidays_may_still_be_set_on_time(
    business, owner, customer
):
    closed_period_add(business=business, actor=owner, first="2026-12-25", last="2026-12-26")
    order = services.promise_create(
        customer=customer,
        description="Kerstrollade, 1,5 kg",
        due_date=date(2026, 12, 24),
        made_at=at(2026, 12, 10, 10),
        now=at(2026, 12, 10, 10),
    )
    grace = promise_grace(business)
    assert grace.ends(order.due_at) == at(2026, 12, 28, 23, 59, 59)
    # Without the holidays closed it would have been broken on Christmas Day.
    assert replace(grace, closed=frozenset()).ends(order.due_at) == at(2026, 12, 25, 23, 59, 59)
    # Back on Monday the 28th at 9:00, it is overdue, not broken, and "Done" then may be set
    # to its moment ("It was on time": it was collected on the 24th).
    monday = at(2026, 12, 28, 9)
    assert promise_with_status(promise=order, now=monday).status == PromiseStatus.OVERDUE
    kept = services.promise_mark_kept(promise=order, actor=owner, now=monday)
    view = promise_with_status(promise=kept, now=monday)
    assert (view.status, view.may_be_set_on_time) == (PromiseStatus.KEPT_LATE, True)
