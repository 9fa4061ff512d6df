from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.selectors import follow_up_coverage
from klantvriend.complaints.models import Channel, Complaint
from klantvriend.complaints.services import NOT_ANSWERABLE_ON_THE_SPOT
from klantvriend.core.care_settings import care_settings
from klantvriend.customers.models import ImportantDate
from klantvriend.demo.promises import IMPORTANT_DATES_COMING
from klantvriend.demo.shop import DEMO_WEEK, demo_create
from klantvriend.gestures.models import Gesture
from klantvriend.promises.models import Promise
from klantvriend.promises.selectors import promise_reliability
from klantvriend.promises.status import PromiseStatus
from klantvriend.today.selectors import coming_up, today_list


@pytest.fixture(scope="module")
def demo_shop(module_db):
    """The demo shop of 300 customers made on today's clock, which the tests below only read:
    made once for them all, with an owner of its own (the others' demos log in as "demo")."""
    return demo_create(customers=300, seed=3, username="zorg").business


def _fingerprint(business):
    return list(
        Promise.objects.filter(business=business)
        .order_by("made_at", "description")
        .values_list("kind", "description", "made_at", "due_at", "done_at", "cancelled_at")
    )


def test_the_demo_shop_has_promises_complaints_aftercare_and_gestures_alive_today(db, demo_shop):
    business = demo_shop

    today = today_list(business=business)
    reliability = promise_reliability(business=business)

    assert today.overdue.total >= 2
    assert today.complaints.total >= 3
    assert today.complaints.items[0].clock.breached is True
    assert today.occasions.total >= 2
    assert 0.6 < reliability.overall.kept_on_time_share < 0.95
    assert reliability.trend.change > 0  # the better last quarter
    statuses = {view.status for view in _views(business)}
    assert {
        PromiseStatus.KEPT,
        PromiseStatus.KEPT_LATE,
        PromiseStatus.BROKEN,
        PromiseStatus.CANCELLED,
    } <= statuses
    assert Complaint.objects.filter(business=business, public=True).exists()
    assert FollowUp.objects.filter(business=business, done_at__isnull=False).exists()
    assert follow_up_coverage(business=business).share > 0.5
    assert Gesture.objects.filter(business=business).count() >= 5
    assert not Promise.objects.filter(business=business, done_at__gt=timezone.now()).exists()
    # One customer in fifty (300 here) has a date to remember, a few of them in the coming days.
    assert ImportantDate.objects.filter(business=business).count() == 6
    assert coming_up(business=business, day=business.today()).total >= IMPORTANT_DATES_COMING


def test_a_demo_made_late_in_the_evening_still_has_promises_due_later_today(db):
    """Today's page of a demo shown in the evening: its promises "due later today" were due
    45 minutes to 4 hours on, so after 20:00 some, and after 23:15 all, fell on tomorrow; the
    one passed two hours before is today's too."""
    now = datetime(2026, 6, 30, 21, 30, tzinfo=UTC)  # 23:30 in Amsterdam

    business = demo_create(customers=60, seed=5, now=now).business

    due_today = today_list(business=business, now=now).due_today
    assert due_today.total == 4
    # The one passed at 21:30 first, late; then the three due at 23:59:59 in Amsterdam.
    assert [view.promise.due_at for view in due_today.items] == [
        datetime(2026, 6, 30, 19, 30, tzinfo=UTC)
    ] + [datetime(2026, 6, 30, 21, 59, 59, tzinfo=UTC)] * 3
    assert [view.late_by for view in due_today.items] == [timedelta(hours=2)] + [None] * 3


def test_todays_own_promises_of_the_demo_fall_on_the_quarter_hour(db):
    """A demo shown at 9:24 promises what is due later today for 10:00, 11:15 and 13:15 (45
    minutes, two and four hours on, down to the quarter), not 10:09, 11:24 and 13:24; today's
    list holds the one passed at 7:15 before them."""
    now = datetime(2026, 6, 30, 7, 24, 31, tzinfo=UTC)  # 9:24 in Amsterdam

    business = demo_create(customers=60, seed=5, now=now).business

    today = today_list(business=business, now=now)
    assert [business.local(view.promise.due_at).time() for view in today.due_today.items] == [
        time(7, 15),
        time(10, 0),
        time(11, 15),
        time(13, 15),
    ]
    overdue = Promise.objects.filter(
        business=business,
        made_at__in=[now - timedelta(days=1, hours=hours) for hours in (50, 26, 2)],
    ).order_by("due_at")
    assert [business.local(promise.due_at) for promise in overdue] == [
        datetime(2026, 6, 28, 7, 15, tzinfo=business.tzinfo),
        datetime(2026, 6, 29, 7, 15, tzinfo=business.tzinfo),
        datetime(2026, 6, 30, 7, 15, tzinfo=business.tzinfo),
    ]
    assert [view.promise for view in today.overdue.items] == list(overdue[:2])


def test_most_counter_complaints_of_the_demo_were_answered_on_the_spot(db):
    """As staff log them (complaint_create(answered_on_the_spot=...)): most complaints made at
    the counter are answered there and then; what waits for a first response came in where the
    customer was not there to be answered."""
    business = demo_create(customers=1000, seed=3, today=date(2026, 6, 30)).business
    # Those about a promise kept late were all called in and answered on the phone.
    about_promises = Complaint.objects.filter(business=business, promise__isnull=False)
    assert about_promises.count() == 6
    assert set(about_promises.values_list("channel", flat=True)) == {Channel.PHONE}
    assert about_promises.filter(first_response_at=F("received_at")).count() == 6
    assert all(c.promise.done_at - c.promise.due_at > timedelta(hours=1) for c in about_promises)
    assert all(c.promise.customer_id == c.customer_id for c in about_promises)
    complaints = Complaint.objects.filter(business=business, promise__isnull=True)
    counter = complaints.filter(channel=Channel.COUNTER)
    on_the_spot = complaints.filter(first_response_at=F("received_at"))

    assert (counter.count(), on_the_spot.filter(channel=Channel.COUNTER).count()) == (12, 11)
    assert on_the_spot.filter(channel=Channel.PHONE).count() == 3  # of 5
    assert not on_the_spot.filter(channel__in=NOT_ANSWERABLE_ON_THE_SPOT).exists()
    # The other one at the counter was answered later.
    assert counter.filter(first_response_at__gt=F("received_at")).count() == 1
    assert set(
        complaints.filter(first_response_at__isnull=True).values_list("channel", flat=True)
    ) == {Channel.REVIEW_SITE, Channel.EMAIL}


def _views(business):
    from klantvriend.promises.selectors import promise_views

    return promise_views(business=business, promises=Promise.objects.filter(business=business))


def test_the_same_seed_gives_the_same_history(db):
    first = demo_create(customers=60, seed=5, today=date(2026, 6, 30), username="a")
    second = demo_create(
        customers=60, seed=5, today=date(2026, 6, 30), username="b", business_name="Tweede"
    )

    assert _fingerprint(first.business) == _fingerprint(second.business)
    assert len(_fingerprint(first.business)) > 30


def test_the_demo_promises_a_moment_while_the_shop_is_open_on_the_quarter_hour(db, demo_shop):
    business = demo_shop

    moments = [
        business.local(due_at)
        for due_at in Promise.objects.filter(business=business, due_all_day=False)
        .filter(made_at__lt=timezone.now() - timedelta(days=4))  # not Today's own few (3 d 2 h)
        .values_list("due_at", flat=True)
    ]

    assert len(moments) > 100
    assert {(moment.minute % 15, moment.second) for moment in moments} == {(0, 0)}
    # Within the butcher's own hours: none on Sunday or Monday, none after 16:00 on Saturday.
    assert [moment for moment in moments if not _while_open(moment)] == []
    assert {moment.weekday() for moment in moments} == {1, 2, 3, 4, 5}


def _while_open(moment: datetime) -> bool:
    hours = DEMO_WEEK[moment.weekday()]
    return hours is not None and hours.opens <= moment.time() <= hours.closes


def test_the_demo_shop_keeps_a_butchers_week_and_its_complaint_clock_counts_in_it(db, demo_shop):
    business = demo_shop

    complaints = Complaint.objects.filter(business=business, public=False)

    assert care_settings(business).opening_hours == DEMO_WEEK
    assert [(hours.opens, hours.closes) for hours in DEMO_WEEK if hours is not None] == [
        (time(8), time(18)),
        (time(8), time(18)),
        (time(8), time(18)),
        (time(8), time(20)),  # Friday's late evening
        (time(8), time(16)),  # the short Saturday
    ]
    assert complaints.count() > 5
    # Four working hours on: always while the shop is open, never on its closed Monday.
    responses = [business.local(complaint.respond_by) for complaint in complaints]
    assert [moment for moment in responses if not _while_open(moment)] == []


def test_the_demo_plans_aftercare_on_working_days_as_the_rules_do(db, demo_shop):
    business = demo_shop

    days = FollowUp.objects.filter(business=business).values_list("due_on", flat=True)

    assert len(days) > 20
    assert {day.weekday() for day in days} <= {1, 2, 3, 4, 5}  # closed Sunday and Monday


def test_the_demo_has_a_promise_moved_to_a_new_moment_kept_early_there(db, demo_shop):
    """So that a newcomer sees the two linked on a profile and in the promise list."""
    business = demo_shop

    old = Promise.objects.get(business=business, rescheduled_to__isnull=False)
    new = old.rescheduled_to
    views = {view.promise.pk: view.status for view in _views(business)}

    assert (views[old.pk], views[new.pk]) == (PromiseStatus.BROKEN, PromiseStatus.KEPT_EARLY)
    assert (new.customer_id, new.description, new.kind) == (
        old.customer_id,
        old.description,
        old.kind,
    )
    assert old.due_at < old.cancelled_at == new.made_at < new.done_at <= new.due_at


def test_the_demo_has_a_weekly_order_kept_five_saturdays_and_open_for_the_next(db, demo_shop):
    """So that a newcomer sees a promise that repeats, each time naming the next."""
    business = demo_shop
    now = timezone.now()

    times = list(Promise.objects.filter(business=business, repeat_weeks=1).order_by("due_at"))

    assert len(times) == 6
    assert [promise.repeated_as_id for promise in times] == [
        *(promise.pk for promise in times[1:]),
        None,
    ]
    assert {
        (business.local(p.due_at).weekday(), business.local(p.due_at).time()) for p in times
    } == {(5, time(11))}
    assert [promise.done_at is not None for promise in times] == [True] * 5 + [False]
    assert times[-1].due_at > now > times[-2].due_at
    assert times[-1].due_at - times[-2].due_at <= timedelta(weeks=1, hours=1)
    views = {view.promise.pk: view.status for view in _views(business)}
    assert {views[promise.pk] for promise in times[:5]} == {PromiseStatus.KEPT}
    assert len({promise.customer_id for promise in times}) == 1
