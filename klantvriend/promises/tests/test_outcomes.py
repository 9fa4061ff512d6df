"""The list of promises behind the reliability figures: for every figure, the promises listed
with its filters are exactly as many as the figure counts."""

from datetime import datetime, timedelta

import pytest
from django.core.paginator import Paginator
from django.db.models import Case, F, Value, When
from django.utils import timezone, translation

from klantvriend.core.services import user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.selectors import (
    KEPT_LATE,
    MADE_BY_NOBODY,
    Outcome,
    promise_grace,
    promise_outcomes,
    promise_reliability,
)

from .factories import PromiseFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(60))


def _promise(customer, *, due_days_ago: float, late_hours: float | None, **fields):
    due = NOW - timedelta(days=due_days_ago)
    done = None if late_hours is None else due + timedelta(hours=late_hours)
    return PromiseFactory(
        customer=customer, made_at=due - timedelta(days=3), due_at=due, done_at=done, **fields
    )


@pytest.fixture
def history(business, owner, staff_user):
    """Promises of every outcome, both windows and beyond, by two members, a former member
    (their account kept, their membership gone) and nobody recorded."""
    customer = CustomerFactory(business=business)
    former = user_create(username="kees", password="pw-kees-123", first_name="Kees")
    delivery = {"kind": PromiseKind.DELIVERY}
    _promise(customer, due_days_ago=10, late_hours=-1, made_by=owner)  # on time
    _promise(customer, due_days_ago=11, late_hours=2, made_by=owner, **delivery)  # late
    _promise(customer, due_days_ago=12, late_hours=10, made_by=staff_user)  # late
    _promise(customer, due_days_ago=13, late_hours=None, made_by=staff_user)  # broken: open
    _promise(customer, due_days_ago=14, late_hours=-30, made_by=former)  # early
    _promise(customer, due_days_ago=120, late_hours=0, made_by=None, **delivery)  # on time
    _promise(customer, due_days_ago=121, late_hours=5, made_by=staff_user)  # late, 90 days ago+
    _promise(customer, due_days_ago=400, late_hours=1, made_by=owner)  # more than a year ago
    # Cancelled after it was due (broken) and in time (not judged), both recent.
    PromiseFactory(
        customer=customer,
        made_by=owner,
        made_at=NOW - timedelta(days=20),
        due_at=NOW - timedelta(days=11),
        cancelled_at=NOW - timedelta(days=10),
    )
    PromiseFactory(
        customer=customer,
        made_at=NOW - timedelta(days=5),
        due_at=NOW - timedelta(days=2),
        cancelled_at=NOW - timedelta(days=4),
        made_by=staff_user,
    )
    # Open: not yet due, and overdue within the grace.
    PromiseFactory(
        customer=customer,
        made_by=owner,
        made_at=NOW - timedelta(days=1),
        due_at=NOW + timedelta(days=1),
        **delivery,
    )
    PromiseFactory(
        customer=customer,
        made_by=staff_user,
        made_at=NOW - timedelta(days=1),
        due_at=NOW - timedelta(hours=3),
    )
    return customer


def _listed(business, **filters) -> int:
    listed = promise_outcomes(business=business, now=NOW, **filters)
    rows = len(listed.promises[0:1000])
    assert rows == listed.tally.count(filters.get("outcome", ""))
    return rows


def test_every_figure_of_the_reliability_page_lists_as_many_promises_as_it_counts(
    business, history
):
    with translation.override("en"):
        figures = promise_reliability(business=business, now=NOW)

    overall = figures.overall
    assert (overall.judged, overall.kept_on_time, overall.kept_late, overall.broken) == (8, 3, 3, 2)
    assert _listed(business, outcome=Outcome.JUDGED) == 8
    assert _listed(business, outcome=Outcome.ON_TIME) == 3
    assert _listed(business, outcome=Outcome.LATE) == 3
    assert _listed(business, outcome=Outcome.BROKEN) == 2
    assert _listed(business, outcome=Outcome.KEPT) == 6
    # Beside the judged ones: one cancelled in time, two still open.
    assert _listed(business, outcome=Outcome.CANCELLED) == 1
    assert _listed(business, outcome=Outcome.OPEN) == 2
    assert _listed(business) == 11
    # The trend's last 90 days.
    assert figures.trend.judged_last_90_days == _listed(business, period="90d", outcome="judged")
    assert _listed(business, period="90d", outcome="judged") == 6
    assert _listed(business, period="90d", outcome="on_time") == 2  # 2 of 6: 33%
    assert figures.trend.last_90_days == pytest.approx(2 / 6)
    # Per member (the former member and nobody recorded are rows of their own) and per kind.
    assert len(figures.by_member) == 4
    for member, _name, row in figures.by_member:
        counts = [
            _listed(business, made_by_id=member, outcome=outcome)
            for outcome in ("judged", "on_time", "late", "broken")
        ]
        assert counts == [row.judged, row.kept_on_time, row.kept_late, row.broken]
    assert [(name, row.judged) for _member, name, row in figures.by_member] == [
        ("Joris", 3),
        ("Sanne", 3),
        ("former member", 1),
        ("nobody recorded", 1),
    ]
    for kind, _label, row in figures.by_kind:
        counts = [
            _listed(business, kind=kind, outcome=outcome)
            for outcome in ("judged", "on_time", "late", "broken")
        ]
        assert counts == [row.judged, row.kept_on_time, row.kept_late, row.broken]
    assert [(kind, row.judged) for kind, _label, row in figures.by_kind] == [
        ("delivery", 2),
        ("order_ready", 6),
    ]


def test_the_list_gives_the_share_and_lateness_as_the_page_does(business, history, staff_user):
    figures = promise_reliability(business=business, now=NOW)
    listed = promise_outcomes(business=business, now=NOW)
    joris = promise_outcomes(business=business, now=NOW, made_by_id=staff_user.pk)

    assert listed.tally.figures == figures.overall
    # Lateness of the six kept: 0, 0, 0, 2, 5, 10 hours.
    assert (
        listed.tally.figures.median_lateness_hours,
        listed.tally.figures.p90_lateness_hours,
    ) == (
        1.0,
        10.0,
    )
    assert joris.tally.figures == next(
        row for member, _name, row in figures.by_member if member == staff_user.pk
    )


def test_the_list_is_sorted_most_late_first_for_the_lateness_figures(business, history):
    listed = promise_outcomes(business=business, now=NOW, outcome="kept", order="-lateness")
    # A page that begins in the late ones and goes on into the others.
    second_page = listed.promises[2:5]

    assert [round(promise.lateness or 0) for promise in second_page] == [2 * 3600, 0, 0]
    assert [promise.due_at for promise in listed.promises[3:6]] == [
        NOW - timedelta(days=days) for days in (10, 14, 120)
    ]

    # julianday() on SQLite is exact to a millisecond or so: whole seconds.
    assert [
        None if promise.lateness is None else round(promise.lateness)
        for promise in listed.promises[0:50]
    ] == [
        10 * 3600,
        5 * 3600,
        2 * 3600,
        None,
        None,
        None,
    ]


def test_promises_that_name_nobody_are_listed_under_nobody(business, history):
    listed = promise_outcomes(business=business, now=NOW, made_by_id=MADE_BY_NOBODY)

    assert [promise.made_by_id for promise in listed.promises[0:50]] == [None]


def test_another_businesss_promises_are_not_listed(business, history, other_business):
    _promise(CustomerFactory(business=other_business), due_days_ago=10, late_hours=1)

    listed = promise_outcomes(business=other_business, now=NOW)

    assert listed.tally.judged == len(listed.promises[0:50]) == 1
    assert _listed(business) == 11


def test_the_90_days_before_list_the_promises_the_trend_compares_with(business, history):
    """The trend's other side, "before: 50%", opened to nothing: the list had only the year and
    the last 90 days."""
    figures = promise_reliability(business=business, now=NOW)
    before = promise_outcomes(business=business, now=NOW, period="90d-before")

    assert figures.trend.previous_90_days == 1 / 2
    assert (before.tally.judged, before.tally.on_time) == (2, 1)
    assert _listed(business, period="90d-before", outcome="judged") == 2
    assert _listed(business, period="90d-before", outcome="on_time") == 1
    # Nothing of it is still open: the promises open then are broken now.
    assert _listed(business, period="90d-before") == 2
    assert (before.since, before.until) == (NOW - timedelta(days=180), NOW - timedelta(days=90))
    # The lateness of its one promise kept late, as the list's sentence gives it.
    assert before.tally.figures.median_lateness_hours == 2.5
    assert before.tally.figures.p90_lateness_hours == 5.0


def test_a_promise_on_the_border_of_the_trends_windows_is_on_one_side_in_figure_and_list(
    business,
):
    """Each outcome just before and at the moment the last 90 days begin, and the 180 days: the
    figures and the lists put each promise on the same side."""
    customer = CustomerFactory(business=business)
    grace = promise_grace(business)
    border, far = NOW - timedelta(days=90), NOW - timedelta(days=180)
    second = timedelta(seconds=1)

    def promise(due, done=None, cancelled=None):
        PromiseFactory(
            customer=customer,
            made_at=due - timedelta(days=1),
            due_at=due,
            done_at=done,
            cancelled_at=cancelled,
        )

    hour = timedelta(hours=1)
    promise(border + hour, done=border)  # on time at the border: the last 90 days
    promise(border + hour, done=border - second)  # on time, a second before: the 90 before
    broken_from = grace.broken_before(border)  # the closed days' pause taken into account
    promise(broken_from - second)  # left open: broken a second before the border
    promise(broken_from)  # left open: broken at the border
    promise(border - timedelta(days=2), cancelled=border - timedelta(days=1))  # broken
    promise(border - timedelta(days=1), cancelled=border - timedelta(days=2))  # in time
    promise(far - hour, done=far)  # late, on the far border: the 90 before
    promise(far - hour, done=far - second)  # late, a second too early: in neither

    figures = promise_reliability(business=business, now=NOW)
    before = promise_outcomes(business=business, now=NOW, period="90d-before")
    recent = promise_outcomes(business=business, now=NOW, period="90d")

    # Before: on time, broken (open), broken (cancelled), late; one cancelled in time.
    assert (before.tally.on_time, before.tally.late, before.tally.broken) == (1, 1, 2)
    assert before.tally.cancelled == 1
    assert figures.trend.previous_90_days == 1 / 4
    # The last 90 days: on time at the border, broken (open) at the border.
    assert (recent.tally.on_time, recent.tally.late, recent.tally.broken) == (1, 0, 1)
    assert figures.trend.last_90_days == 1 / 2
    assert figures.trend.judged_last_90_days == recent.tally.judged == 2


@pytest.mark.parametrize("outcome", ["", "kept"])
@pytest.mark.parametrize("order", ["-due", "due", "-lateness"])
def test_every_page_of_the_list_holds_the_rows_of_one_plain_ordered_query(
    business, history, order, outcome
):
    """Pages in the second half are read from the end, in the reverse order: ties on the due
    moment (broken by id) and the pages' edges as one plain ORDER BY gives them."""
    for hours in (1, 1, 1, 2):  # kept late, three of them due at the same moment
        _promise(history, due_days_ago=30, late_hours=hours)
    listed = promise_outcomes(business=business, now=NOW, outcome=outcome, order=order)
    kept_late = Case(When(KEPT_LATE, then=Value(0)), default=Value(1))
    not_late_due = Case(When(KEPT_LATE, then=Value(None)), default=F("due_at"))
    plain = {
        "-due": ["-due_at", "-id"],
        "due": ["due_at", "id"],
        # The late ones by lateness, the others by due moment; both newest first on a tie
        "-lateness": [kept_late, F("lateness").desc(), not_late_due.desc(), "-id"],
    }[order]
    expected = [promise.pk for promise in listed.promises.rows.order_by(*plain)]

    for size in (1, 2, 3):
        pages = Paginator(listed.promises, size)
        found = [promise.pk for number in pages.page_range for promise in pages.page(number)]
        assert found == expected, size
    assert len(expected) == listed.tally.count(outcome) > 6
