from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import formats, timezone, translation

from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import ContactMoment
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.selectors import promise_with_status
from klantvriend.promises.status import PromiseStatus

from .factories import PromiseFactory


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries")


def test_a_promise_for_a_moment_is_stored_with_its_maker_and_audited(customer, owner):
    now = timezone.now()
    due = now + timedelta(minutes=15)

    promise = services.promise_create(
        customer=customer,
        description=" Rollade klaarzetten ",
        kind=PromiseKind.ORDER_READY,
        due_at=due,
        made_by=owner,
        now=now,
    )

    assert (promise.description, promise.made_at, promise.due_at, promise.due_all_day) == (
        "Rollade klaarzetten",
        now,
        due,
        False,
    )
    assert promise.made_by == owner
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id, event.actor, event.customer) == (
        "created",
        "promise",
        promise.pk,
        owner,
        customer,
    )
    assert event.changes["description"] == [None, "Rollade klaarzetten"]


def test_a_promise_for_a_day_is_due_at_the_end_of_that_day_in_the_business_time_zone(customer):
    promise = services.promise_create(
        customer=customer,
        description="Bezorgen",
        kind=PromiseKind.DELIVERY,
        due_date=date(2099, 3, 6),
    )

    assert promise.due_all_day is True
    assert promise.due_on == date(2099, 3, 6)
    assert promise.due_at == datetime(2099, 3, 6, 23, 59, 59, tzinfo=customer.business.tzinfo)


def test_a_promise_made_in_the_past_may_be_recorded(customer):
    made = timezone.now() - timedelta(days=3)

    promise = services.promise_create(
        customer=customer, description="Terugbellen", due_at=made + timedelta(hours=2), made_at=made
    )

    assert promise.made_at == made


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        (
            {"due_at_offset": timedelta(hours=-1)},
            "due_at",
            "due_before_made",
        ),
        ({"made_at_offset": timedelta(days=1)}, "made_at", "future"),
        ({"description": "   "}, "description", "blank"),
        ({"no_due": True}, "due_at", "required"),
        ({"kind": "haircut"}, "kind", "invalid_choice"),
    ],
)
def test_bad_promises_are_refused_and_nothing_is_stored(customer, fields, field, code):
    now = timezone.now()
    made_at = now + fields.get("made_at_offset", timedelta(0))
    arguments = {
        "customer": customer,
        "description": fields.get("description", "Bezorgen"),
        "kind": fields.get("kind", PromiseKind.DELIVERY),
        "made_at": made_at,
        "now": now,
    }
    if not fields.get("no_due"):
        arguments["due_at"] = made_at + fields.get("due_at_offset", timedelta(hours=4))

    with pytest.raises(services.ValidationError) as refused:
        services.promise_create(**arguments)

    assert refused.value.error_dict[field][0].code == code
    assert Promise.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_due_day_past_the_horizon_is_refused_so_the_lists_can_still_judge_every_promise(
    customer, owner
):
    """9999-12-31 was stored, and then every list holding the promise failed: its status adds
    the grace period to the due moment, beyond the last moment Python can hold."""
    kept = services.promise_create(
        customer=customer,
        description="Bellen",
        due_date=customer.business.today() + timedelta(days=30),
    )

    with pytest.raises(services.ValidationError) as refused:
        services.promise_create(
            customer=customer, description="Bellen", due_date=date(9999, 12, 31)
        )
    with pytest.raises(services.ValidationError) as moved:
        services.promise_update(promise=kept, actor=owner, due_date=date(9999, 12, 31))

    # Ahead of now, not of the moment it was made: a promise recorded as made long ago is
    # refused (if at all) for its own moment, not for a due day that is not far off.
    services.promise_update(
        promise=kept, actor=owner, made_at=datetime(1900, 6, 1, 12, 0, tzinfo=UTC)
    )

    assert refused.value.error_dict["due_at"][0].code == "too_far"
    assert moved.value.error_dict["due_at"][0].code == "too_far"
    assert list(Promise.objects.values_list("pk", "due_at", "made_at__year")) == [
        (kept.pk, kept.due_at, 1900)
    ]
    assert promise_with_status(promise=kept).status == PromiseStatus.OPEN


def test_marking_a_promise_kept_records_the_moment_and_the_local_day(customer, staff_user):
    promise = PromiseFactory(customer=customer)
    done = timezone.now() - timedelta(hours=1)

    services.promise_mark_kept(promise=promise, actor=staff_user, at=done)

    promise.refresh_from_db()
    assert promise.done_at == done
    assert promise.done_on == customer.business.local(done).date()
    event = AuditEvent.objects.get(action="completed")
    assert (event.actor, event.object_id) == (staff_user, promise.pk)


@pytest.mark.parametrize(
    ("offset", "code"),
    [(timedelta(hours=2), "future"), (timedelta(days=-5), "done_before_made")],
)
def test_a_done_moment_in_the_future_or_before_the_promise_is_refused(
    customer, owner, offset, code
):
    promise = PromiseFactory(customer=customer)

    with pytest.raises(services.ValidationError) as refused:
        services.promise_mark_kept(promise=promise, actor=owner, at=timezone.now() + offset)

    assert refused.value.error_dict["done_at"][0].code == code
    promise.refresh_from_db()
    assert (promise.done_at, promise.done_on) == (None, None)
    assert AuditEvent.objects.count() == 0


def test_a_finished_promise_cannot_be_kept_or_cancelled_again(customer, owner):
    promise = PromiseFactory(customer=customer)
    services.promise_mark_kept(promise=promise, actor=owner)
    kept_at = Promise.objects.get().done_at

    with pytest.raises(services.ValidationError) as again:
        services.promise_mark_kept(promise=promise, actor=owner)
    with pytest.raises(services.ValidationError) as cancel:
        services.promise_cancel(promise=promise, actor=owner)

    assert again.value.error_dict["done_at"][0].code == "finished"
    assert cancel.value.error_dict["done_at"][0].code == "finished"
    stored = Promise.objects.get()
    assert (stored.done_at, stored.cancelled_at) == (kept_at, None)


def test_a_stale_copy_cannot_keep_a_promise_twice(customer, owner):
    promise = PromiseFactory(customer=customer)
    stale = Promise.objects.get(pk=promise.pk)
    services.promise_mark_kept(promise=promise, actor=owner)

    with pytest.raises(services.ValidationError):
        services.promise_mark_kept(promise=stale, actor=owner)

    assert AuditEvent.objects.filter(action="completed").count() == 1


def test_changing_the_due_moment_is_audited_with_old_and_new_value(customer, owner):
    promise = PromiseFactory(customer=customer)
    old_due = promise.due_at
    new_due = old_due + timedelta(days=1)

    changed = services.promise_update(promise=promise, actor=owner, due_at=new_due)

    assert changed.due_at == new_due
    event = AuditEvent.objects.get(action="changed")
    assert event.changes == {"due_at": [old_due.isoformat(), new_due.isoformat()]}


def test_moving_the_due_moment_before_the_promise_was_made_is_refused(customer, owner):
    promise = PromiseFactory(customer=customer)
    old_due = promise.due_at

    with pytest.raises(services.ValidationError) as refused:
        services.promise_update(
            promise=promise, actor=owner, due_at=promise.made_at - timedelta(minutes=1)
        )

    assert refused.value.error_dict["due_at"][0].code == "due_before_made"
    assert Promise.objects.get().due_at == old_due
    assert AuditEvent.objects.count() == 0


# Status: a fixed clock at Tuesday 10 March 2026, 12:00 in Amsterdam.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.get_fixed_timezone(60))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date(2026, 3, day), time(hour, minute), tzinfo=NOW.tzinfo)


@pytest.mark.parametrize(
    ("due", "done", "cancelled", "expected"),
    [
        (_at(12, 17), None, None, PromiseStatus.OPEN),
        (_at(10, 17), None, None, PromiseStatus.DUE_TODAY),
        (_at(10, 11), None, None, PromiseStatus.OVERDUE),
        (_at(9, 12, 30), None, None, PromiseStatus.OVERDUE),  # 23.5 hours late: within the grace
        (_at(9, 11), None, None, PromiseStatus.BROKEN),  # 25 hours late, grace is 24 hours
        (_at(9, 17), _at(9, 16), None, PromiseStatus.KEPT),
        (_at(9, 17), _at(8, 16), None, PromiseStatus.KEPT_EARLY),
        (_at(9, 17), _at(9, 17, 1), None, PromiseStatus.KEPT_LATE),
        (_at(9, 17), None, _at(9, 10), PromiseStatus.CANCELLED),
        (_at(9, 17), None, _at(9, 18), PromiseStatus.BROKEN),
    ],
)
def test_status_is_derived_from_the_moments_and_the_list_filter_agrees(
    customer, due, done, cancelled, expected
):
    from klantvriend.promises.selectors import promise_list

    promise = PromiseFactory(
        customer=customer, made_at=_at(1, 9), due_at=due, done_at=done, cancelled_at=cancelled
    )

    assert promise_with_status(promise=promise, now=NOW).status == expected
    api_status = "open" if expected == PromiseStatus.DUE_TODAY else expected.value
    assert list(promise_list(business=customer.business, status=api_status, now=NOW)) == [promise]
    others = {status.value for status in PromiseStatus} - {expected.value, "open", "due_today"}
    for other in others:
        assert not promise_list(business=customer.business, status=other, now=NOW).exists()


def test_the_grace_period_is_a_business_setting(customer, owner):
    from klantvriend.core.care_settings import care_settings_update

    promise = PromiseFactory(customer=customer, made_at=_at(1, 9), due_at=_at(9, 11))
    care_settings_update(business=customer.business, actor=owner, promise_grace_hours=48)

    assert promise_with_status(promise=promise, now=NOW).status == PromiseStatus.OVERDUE


def test_a_kept_promise_keeps_its_due_moment_and_may_change_what_it_says(customer, owner):
    # Given a promise kept a day late
    due = timezone.now() - timedelta(days=3)
    kept = services.promise_create(
        customer=customer, description="Bellen", due_at=due, made_at=due - timedelta(days=1)
    )
    kept = services.promise_mark_kept(promise=kept, actor=owner, at=due + timedelta(days=1))
    events = AuditEvent.objects.count()

    # When its due moment is moved past the moment it was kept
    with pytest.raises(services.Conflict) as refused:
        services.promise_update(promise=kept, actor=owner, due_at=due + timedelta(days=2))

    # Then that is refused and nothing changed: it stays kept late
    assert refused.value.error_dict["due_at"][0].code == "finished"
    kept.refresh_from_db()
    assert (kept.due_at, AuditEvent.objects.count()) == (due, events)
    assert promise_with_status(promise=kept).status == PromiseStatus.KEPT_LATE
    # while what it says, and the same moment sent again, may still be saved
    services.promise_update(promise=kept, actor=owner, description="Terugbellen", due_at=due)
    kept.refresh_from_db()
    assert (kept.description, kept.due_at) == ("Terugbellen", due)


def test_promise_change_refuses_a_note_as_the_way_the_customer_was_told(business):
    promise = PromiseFactory(customer=CustomerFactory(business=business))
    before = snapshot()

    with pytest.raises(services.ValidationError) as refused:
        services.promise_change(
            promise=promise,
            actor=None,
            fields={"description": "Iets anders"},
            customer_told_by="note",
            customer_told="Gezegd.",
        )

    assert refused.value.error_dict["customer_told_by"][0].code == "invalid"
    assert snapshot() == before


def test_promise_change_records_the_customer_told_of_an_unmoved_promise(business, staff_user):
    """In the business's language, whatever the member reads in: everyone in the shop reads it."""
    business.language = "en"
    business.save(update_fields=["language"])
    promise = PromiseFactory(
        customer=CustomerFactory(business=business),
        description="Offerte remmen",
        due_at=datetime.combine(date(2099, 3, 5), time(10, 0), tzinfo=business.tzinfo),
    )

    with translation.override("nl"):
        services.promise_change(
            promise=promise,
            actor=staff_user,
            fields={},
            customer_told_by="email",
            customer_told="Sent the quote.",
        )

    moment = ContactMoment.objects.get()
    with translation.override("en"):
        due = formats.date_format(business.local(promise.due_at), "WEEKDAY_DATETIME_FORMAT")
    assert (moment.kind, moment.member, moment.summary) == (
        "email",
        staff_user,
        f"“Offerte remmen”, due {due}. Sent the quote.",
    )
