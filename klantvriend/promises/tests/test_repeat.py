"""A repeating promise (a standing order): kept, cancelled or moved, it is made again for its
next time, the same weekday and time on the shop's clock; one open promise carries the
arrangement on, and nothing is made twice or when the arrangement ends (after an erasure:
importers/tests/test_repeating_promise_data.py)."""

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from klantvriend.core.errors import Conflict
from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseKind

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A Saturday, a week before the clocks go forward (2027-03-28).
SATURDAY = date(2027, 3, 20)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)


def _weekly(business, staff_user, made=None, **fields) -> Promise:
    """A weekly order made on the Wednesday before SATURDAY for its 16:00; `made` another
    moment (the steps that take the clock's own moment need one that has passed)."""
    made = made or _at(SATURDAY - timedelta(days=3), 10)
    made_fields = {
        "description": "Rollade van 1 kilo klaarleggen",
        "kind": PromiseKind.ORDER_READY,
        "due_at": _at(SATURDAY, 16),
        "repeat_weeks": 1,
    }
    return services.promise_create(
        customer=CustomerFactory(business=business, name="Anna de Vries"),
        made_by=staff_user,
        made_at=made,
        now=made,
        **{**made_fields, **fields},
    )


def _weekly_from_now(business, staff_user, **fields) -> Promise:
    """A weekly order made yesterday, due in two days' time, at the clock's own moment."""
    now = timezone.now()
    return _weekly(
        business, staff_user, made=now - timedelta(days=1), due_at=now + timedelta(days=2), **fields
    )


def _next_of(promise: Promise) -> Promise:
    promise.refresh_from_db()
    return Promise.objects.get(pk=promise.repeated_as_id)


def test_kept_it_is_made_again_a_week_on_at_the_same_time(business, staff_user, owner):
    promise = _weekly(business, staff_user, kind=PromiseKind.DELIVERY)
    kept_at = _at(SATURDAY, 15, 30)

    services.promise_mark_kept(promise=promise, actor=owner, at=kept_at, now=kept_at)

    following = _next_of(promise)
    assert (following.due_at, following.due_all_day, following.due_on) == (
        _at(SATURDAY + timedelta(weeks=1), 16),
        False,
        SATURDAY + timedelta(weeks=1),
    )
    assert (
        following.description,
        following.kind,
        following.repeat_weeks,
        following.made_by,
        following.made_at,
        following.done_at,
        following.cancelled_at,
        following.survey_after_delivery,
        following.aftercare_after_kept,
    ) == (
        "Rollade van 1 kilo klaarleggen",
        PromiseKind.DELIVERY,
        1,
        staff_user,
        kept_at,
        None,
        None,
        True,
        False,
    )
    assert Promise.objects.count() == 2
    # Both in the trail, by whoever kept it: the next time made, and the link to it.
    made = AuditEvent.objects.get(object_type="promise", object_id=following.pk)
    assert (made.action, made.actor) == ("created", owner)
    linked = AuditEvent.objects.filter(object_id=promise.pk, action="changed").get()
    assert (linked.actor, linked.changes) == (
        owner,
        {"repeated_as": [None, following.pk]},
    )


def test_the_time_stays_on_the_shops_clock_when_the_clocks_go_forward(business, staff_user):
    promise = _weekly(business, staff_user)
    services.promise_mark_kept(promise=promise, actor=staff_user, now=_at(SATURDAY, 15))
    before_the_change = _next_of(promise)
    kept_at = _at(SATURDAY + timedelta(weeks=1), 15)

    services.promise_mark_kept(promise=before_the_change, actor=staff_user, now=kept_at)

    # 16:00 on the 27th in winter time, and on the 3rd of April in summer time: an hour
    # earlier in UTC.
    assert before_the_change.due_at == _at(date(2027, 3, 27), 16)
    after_the_change = _next_of(before_the_change)
    assert after_the_change.due_at == _at(date(2027, 4, 3), 16)
    assert [
        moment.astimezone(UTC).hour
        for moment in (before_the_change.due_at, after_the_change.due_at)
    ] == [15, 14]


def test_kept_weeks_late_the_next_time_lies_ahead(business, staff_user):
    promise = _weekly(business, staff_user, repeat_weeks=2)
    kept_at = _at(SATURDAY + timedelta(weeks=5), 12)

    services.promise_mark_kept(promise=promise, actor=staff_user, now=kept_at)

    assert _next_of(promise).due_at == _at(SATURDAY + timedelta(weeks=6), 16)


def test_a_promise_for_a_whole_day_repeats_for_the_whole_day(business, staff_user):
    promise = _weekly(business, staff_user, due_at=None, due_date=SATURDAY, repeat_weeks=4)
    kept_at = _at(SATURDAY, 11)

    services.promise_mark_kept(promise=promise, actor=staff_user, now=kept_at)

    following = _next_of(promise)
    assert (following.due_on, following.due_all_day) == (SATURDAY + timedelta(weeks=4), True)
    assert following.due_at == _at(SATURDAY + timedelta(weeks=4), 23, 59).replace(second=59)


def test_cancelled_this_time_the_arrangement_goes_on(business, staff_user):
    promise = _weekly(business, staff_user)
    cancelled_at = _at(SATURDAY - timedelta(days=1), 10)

    services.promise_cancel(promise=promise, actor=staff_user, at=cancelled_at, now=cancelled_at)

    assert _next_of(promise).due_at == _at(SATURDAY + timedelta(weeks=1), 16)


def test_made_not_to_repeat_as_it_is_cancelled_the_arrangement_ends(business, staff_user):
    promise = _weekly_from_now(business, staff_user)

    services.promise_change(
        promise=promise, actor=staff_user, fields={"repeat_weeks": 0}, cancelled_at=timezone.now()
    )

    promise.refresh_from_db()
    assert (promise.repeat_weeks, promise.repeated_as_id, Promise.objects.count()) == (0, None, 1)


def test_kept_undone_and_kept_again_it_is_made_again_once(business, staff_user):
    promise = _weekly_from_now(business, staff_user)
    services.promise_mark_kept(promise=promise, actor=staff_user)
    following = _next_of(promise)

    reopened = services.promise_reopen(promise=promise, actor=staff_user)
    services.promise_mark_kept(promise=reopened, actor=staff_user)

    assert list(Promise.objects.order_by("id").values_list("pk", flat=True)) == [
        promise.pk,
        following.pk,
    ]
    assert _next_of(promise) == following


def test_a_single_promise_is_not_made_again(business, staff_user):
    promise = _weekly(business, staff_user, repeat_weeks=0)

    services.promise_mark_kept(promise=promise, actor=staff_user, now=_at(SATURDAY, 15))

    promise.refresh_from_db()
    assert (promise.repeated_as_id, Promise.objects.count()) == (None, 1)


def test_moved_after_its_moment_the_arrangement_keeps_its_weekday(business, staff_user):
    promise = _weekly(business, staff_user)
    Promise.objects.filter(pk=promise.pk).update(created_at=promise.made_at)
    promise.refresh_from_db()
    now = _at(SATURDAY + timedelta(days=1), 10)

    moved = services.promise_reschedule(
        promise=promise, actor=staff_user, now=now, due_at=_at(SATURDAY + timedelta(days=2), 12)
    )

    promise.refresh_from_db()
    # The missed Saturday counts as broken and is made up on Monday, once; the order of next
    # Saturday stands.
    assert (promise.rescheduled_to_id, moved.repeat_weeks) == (moved.pk, 0)
    assert _next_of(promise).due_at == _at(SATURDAY + timedelta(weeks=1), 16)
    assert Promise.objects.count() == 3


def test_how_often_a_finished_promise_repeated_stays(business, staff_user):
    promise = _weekly(business, staff_user)
    services.promise_mark_kept(promise=promise, actor=staff_user, now=_at(SATURDAY, 15))
    promise.refresh_from_db()
    events = AuditEvent.objects.count()

    with pytest.raises(Conflict) as refused:
        services.promise_update(promise=promise, actor=staff_user, repeat_weeks=2)

    assert refused.value.error_dict["repeat_weeks"][0].code == "finished"
    promise.refresh_from_db()
    assert (promise.repeat_weeks, AuditEvent.objects.count()) == (1, events)


@pytest.mark.parametrize("weeks", [5, 12, 14])
def test_a_repeat_that_is_not_offered_is_refused_and_nothing_stored(business, staff_user, weeks):
    with pytest.raises(ValidationError) as refused:
        _weekly(business, staff_user, repeat_weeks=weeks)

    assert refused.value.error_dict["repeat_weeks"][0].code == "invalid_choice"
    assert Promise.objects.count() == 0


def test_a_quarterly_promise_is_made_again_thirteen_weeks_on(business, staff_user):
    # Given an office's quarterly return, every 13 weeks
    promise = _weekly(business, staff_user, description="BTW-aangifte indienen", repeat_weeks=13)
    kept_at = _at(SATURDAY, 15, 30)

    services.promise_mark_kept(promise=promise, actor=staff_user, at=kept_at, now=kept_at)

    # Then the next one is due a quarter on, at the same time on the shop's clock (across the
    # change of the clocks a week later)
    following = _next_of(promise)
    assert (following.due_at, following.repeat_weeks) == (
        _at(SATURDAY + timedelta(weeks=13), 16),
        13,
    )
    assert following.repeat_shown == "om de 13 weken"


def _kept_on_its_day(promise: Promise, staff_user) -> Promise:
    """`promise` kept at noon on its due day; its next time."""
    kept_at = _at(promise.due_on, 12)
    services.promise_mark_kept(promise=promise, actor=staff_user, at=kept_at, now=kept_at)
    return _next_of(promise)


def test_a_quarterly_return_is_due_at_the_end_of_each_quarter_s_next_month(business, staff_user):
    """An office's VAT return, due on the last day of the month after each quarter: 13 weeks
    drifted from 31 January to 2 May."""
    promise = _weekly(
        business,
        staff_user,
        made=_at(date(2027, 1, 4), 9),
        description="BTW-aangifte indienen",
        due_at=None,
        due_date=date(2027, 1, 31),
        repeat_weeks=0,
        repeat_months=3,
    )

    dues = []
    for _ in range(4):
        promise = _kept_on_its_day(promise, staff_user)
        dues.append(promise.due_on)

    assert dues == [date(2027, 4, 30), date(2027, 7, 31), date(2027, 10, 31), date(2028, 1, 31)]
    assert (promise.repeat_weeks, promise.repeat_months, promise.repeat_day) == (0, 3, 31)
    assert promise.repeat_shown == "elke 3 maanden (een kwartaal)"


def _monthly_from_31_january(business, staff_user) -> Promise:
    """A monthly order for 16:00 on 31 January, made on the 4th."""
    return _weekly(
        business,
        staff_user,
        made=_at(date(2027, 1, 4), 9),
        due_at=_at(date(2027, 1, 31), 16),
        repeat_weeks=0,
        repeat_months=1,
    )


def test_a_monthly_order_keeps_its_day_past_a_shorter_month(business, staff_user):
    promise = _monthly_from_31_january(business, staff_user)

    february = _kept_on_its_day(promise, staff_user)
    march = _kept_on_its_day(february, staff_user)

    assert (february.due_at, march.due_at) == (
        _at(date(2027, 2, 28), 16),
        _at(date(2027, 3, 31), 16),
    )


def test_a_monthly_promise_moved_to_another_day_comes_back_on_that_day(business, staff_user):
    promise = _monthly_from_31_january(business, staff_user)

    services.promise_update(
        promise=promise,
        actor=staff_user,
        now=_at(date(2027, 1, 5), 9),
        due_at=_at(date(2027, 2, 15), 16),
    )
    following = _kept_on_its_day(Promise.objects.get(pk=promise.pk), staff_user)

    assert (following.due_at, following.repeat_day) == (_at(date(2027, 3, 15), 16), 15)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"repeat_months": 2}, "repeat_months", "invalid_choice"),
        ({"repeat_weeks": 1, "repeat_months": 3}, "repeat_months", "both"),
    ],
)
def test_a_repeat_not_offered_or_in_weeks_and_months_is_refused(
    business, staff_user, fields, field, code
):
    with pytest.raises(ValidationError) as refused:
        _weekly(business, staff_user, **fields)

    assert refused.value.error_dict[field][0].code == code
    assert Promise.objects.count() == 0


def test_an_open_weekly_promise_is_made_quarterly(business, staff_user):
    promise = _weekly_from_now(business, staff_user)

    services.promise_update(promise=promise, actor=staff_user, repeat_weeks=0, repeat_months=3)
    following = _next_of(services.promise_mark_kept(promise=promise, actor=staff_user))

    local = business.local(promise.due_at)
    assert (following.repeat_weeks, following.repeat_months, following.repeat_day) == (
        0,
        3,
        local.day,
    )
    assert business.local(following.due_at).date() == services.months_on(
        local.date(), 3, on_day=local.day
    )


def test_an_open_promise_is_made_to_repeat_less_often(business, staff_user):
    promise = _weekly_from_now(business, staff_user)

    services.promise_update(promise=promise, actor=staff_user, repeat_weeks=2)
    services.promise_mark_kept(promise=promise, actor=staff_user)

    following = _next_of(promise)
    assert (following.repeat_weeks, following.due_at) == (2, promise.due_at + timedelta(weeks=2))


def _api_json(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


def test_the_api_makes_a_weekly_promise_and_names_its_next_time(api, business):
    customer = CustomerFactory(business=business, name="Anna de Vries")
    due = timezone.now() + timedelta(days=2)
    made = _api_json(
        api,
        "post",
        "/api/v1/promises",
        {
            "customer": customer.pk,
            "description": "Rollade klaarleggen",
            "kind": "order_ready",
            "due_at": due.isoformat(),
            "repeat_weeks": 1,
        },
    )
    assert made.status_code == 201
    assert (made.json()["repeat_weeks"], made.json()["repeated_as"]) == (1, None)

    kept = _api_json(
        api,
        "patch",
        f"/api/v1/promises/{made.json()['id']}",
        {"done_at": timezone.now().isoformat()},
    )

    following = Promise.objects.exclude(pk=made.json()["id"]).get()
    assert kept.json()["repeated_as"] == following.pk
    assert following.due_at == due + timedelta(weeks=1)
    shown = api.get(f"/api/v1/promises/{following.pk}").json()
    assert (shown["repeat_weeks"], shown["status"], shown["aftercare_after_kept"]) == (
        1,
        "open",
        False,
    )


@pytest.mark.parametrize(
    ("weeks", "code"),
    [(5, "invalid_choice"), (True, "int_type"), (1.0, "int_type"), ("1", "int_type")],
)
def test_the_api_refuses_a_repeat_not_offered_and_stores_nothing(api, business, weeks, code):
    customer = CustomerFactory(business=business, name="Anna de Vries")

    refused = _api_json(
        api,
        "post",
        "/api/v1/promises",
        {
            "customer": customer.pk,
            "description": "Rollade klaarleggen",
            "due_date": (timezone.now() + timedelta(days=2)).date().isoformat(),
            "repeat_weeks": weeks,
        },
    )

    assert refused.status_code == 422
    assert [(error["loc"], error["type"]) for error in refused.json()["detail"]] == [
        (["body", "repeat_weeks"], code)
    ]
    assert Promise.objects.count() == 0


def test_ended_after_keeping_was_undone_its_next_time_goes_too(business, staff_user):
    """Gedaan tapped by mistake made next week's; undone, and the customer then said stop:
    next week's order stayed open and went on repeating every week."""
    promise = _weekly_from_now(business, staff_user)
    services.promise_mark_kept(promise=promise, actor=staff_user)
    following = _next_of(promise)
    reopened = services.promise_reopen(promise=promise, actor=staff_user)

    services.promise_change(
        promise=reopened, actor=staff_user, fields={"repeat_weeks": 0}, cancelled_at=timezone.now()
    )

    following.refresh_from_db()
    assert (following.cancelled_at is not None, following.repeat_weeks) == (True, 0)
    assert (following.repeated_as_id, Promise.objects.count()) == (None, 2)
    assert not Promise.objects.filter(done_at=None, cancelled_at=None).exists()


def test_kept_undone_and_made_to_repeat_otherwise_its_next_time_is_made_anew(business, staff_user):
    """A quarterly return at 13 weeks, kept, undone and made "every 3 months": its next time
    stayed due 13 weeks on ("volgende keer zo 30 jan" beside "elke 3 maanden"), repeating
    every 13 weeks, beside a second open one."""
    promise = _weekly_from_now(business, staff_user, repeat_weeks=13)
    services.promise_mark_kept(promise=promise, actor=staff_user)
    stale = _next_of(promise)
    reopened = services.promise_reopen(promise=promise, actor=staff_user)

    services.promise_update(promise=reopened, actor=staff_user, repeat_weeks=0, repeat_months=3)

    stale.refresh_from_db()
    reopened.refresh_from_db()
    assert (stale.cancelled_at is not None, stale.repeat_weeks, reopened.repeated_as_id) == (
        True,
        0,
        None,
    )
    # Kept again, its next time is due by the new arrangement
    services.promise_mark_kept(promise=reopened, actor=staff_user)
    following = _next_of(reopened)
    local = business.local(reopened.due_at)
    assert (following.repeat_weeks, following.repeat_months) == (0, 3)
    assert following.due_at == datetime.combine(
        services.months_on(local.date(), 3, on_day=local.day), local.time(), tzinfo=local.tzinfo
    )
    assert Promise.objects.filter(done_at=None, cancelled_at=None).get() == following


def test_the_api_makes_a_yearly_promise_and_refuses_weeks_with_months(api, business):
    customer = CustomerFactory(business=business, name="Anna de Vries")
    day = (timezone.now() + timedelta(days=2)).date()
    sent = {
        "customer": customer.pk,
        "description": "APK-keuring",
        "due_date": day.isoformat(),
        "repeat_months": 12,
    }

    both = _api_json(api, "post", "/api/v1/promises", {**sent, "repeat_weeks": 4})
    made = _api_json(api, "post", "/api/v1/promises", sent)

    assert both.status_code == 422
    assert [(error["loc"], error["type"]) for error in both.json()["detail"]] == [
        (["body", "repeat_months"], "both")
    ]
    assert made.status_code == 201
    assert (made.json()["repeat_weeks"], made.json()["repeat_months"]) == (0, 12)
    kept = _api_json(
        api,
        "patch",
        f"/api/v1/promises/{made.json()['id']}",
        {"done_at": timezone.now().isoformat()},
    )
    following = Promise.objects.get(pk=kept.json()["repeated_as"])
    assert (following.due_on, following.repeat_months) == (
        services.months_on(day, 12, on_day=day.day),
        12,
    )
