"""A promise not kept by the moment it was due keeps that moment: the new moment the customer
agreed to is a new promise, and the old one counts as broken (services.promise_reschedule).
Moved instead, it would have counted as kept on time once kept by the new moment."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.selectors import promise_with_status
from klantvriend.promises.status import PromiseStatus
from klantvriend.promises.tests.factories import overdue_promise


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def overdue(customer, owner, now):
    """Promised on Monday for Wednesday 17:00 (recorded then), and now it is Thursday."""
    return overdue_promise(
        customer=customer, made_by=owner, now=now, due_at=now - timedelta(hours=20)
    )


def _rows(promise_model=Promise):
    return list(
        promise_model.objects.order_by("pk").values_list(
            "description", "kind", "made_at", "due_at", "done_at", "cancelled_at", "made_by"
        )
    )


def test_moving_a_passed_due_moment_is_refused_and_changes_nothing(overdue, owner, now):
    before, events = _rows(), AuditEvent.objects.count()

    with pytest.raises(services.Conflict) as refused, translation.override("en"):
        services.promise_update(
            promise=overdue, actor=owner, due_at=now + timedelta(days=2), now=now
        )

    error = refused.value.error_dict["due_at"][0]
    assert error.code == "overdue"
    assert error.messages == [
        "This promise was not kept by the moment it was due, so that moment stays: moved, the "
        "promise would count as kept on time. Reschedule it instead: it is cancelled, counting "
        "as broken, and a new promise is made for the new moment."
    ]
    assert (_rows(), AuditEvent.objects.count()) == (before, events)


def test_what_an_overdue_promise_says_may_still_be_corrected(overdue, owner, now):
    services.promise_update(
        promise=overdue, actor=owner, description="Fiets en bel gerepareerd", now=now
    )

    overdue.refresh_from_db()
    assert (overdue.description, overdue.due_at) == (
        "Fiets en bel gerepareerd",
        now - timedelta(hours=20),
    )


def test_rescheduling_counts_the_old_promise_broken_and_makes_a_new_one(
    overdue, customer, owner, staff_user, now
):
    new_due = now + timedelta(days=2)

    new = services.promise_reschedule(promise=overdue, actor=staff_user, due_at=new_due, now=now)

    old = Promise.objects.get(pk=overdue.pk)
    assert new.pk != old.pk
    assert (old.due_at, old.cancelled_at, old.done_at) == (now - timedelta(hours=20), now, None)
    assert promise_with_status(promise=old, now=now).status == PromiseStatus.BROKEN
    assert (new.customer, new.description, new.kind, new.made_by, new.made_at) == (
        customer,
        "Fiets gerepareerd",
        PromiseKind.REPAIR,
        staff_user,
        now,
    )
    assert (new.due_at, new.due_all_day, new.done_at, new.cancelled_at) == (
        new_due,
        False,
        None,
        None,
    )
    assert promise_with_status(promise=new, now=now).status == PromiseStatus.OPEN
    trail = list(
        AuditEvent.objects.filter(actor=staff_user)
        .order_by("pk")
        .values_list("action", "object_id", "customer")
    )
    # The old one then names the new one as its successor (test_reschedule_link.py).
    assert trail == [
        ("cancelled", old.pk, customer.pk),
        ("created", new.pk, customer.pk),
        ("changed", old.pk, customer.pk),
    ]


def test_kept_by_the_new_moment_the_figures_still_see_one_broken_promise(overdue, owner, now):
    from klantvriend.promises.selectors import promise_list

    new = services.promise_reschedule(
        promise=overdue, actor=owner, due_date=(now + timedelta(days=3)).date(), now=now
    )
    services.promise_mark_kept(promise=new, actor=owner, at=now, now=now)

    broken = promise_list(business=overdue.business, status="broken", now=now)
    kept = promise_list(business=overdue.business, status="kept_early", now=now)
    assert list(broken) == [overdue]
    assert list(kept) == [new]
    new.refresh_from_db()
    assert new.due_all_day is True


def test_other_changes_sent_with_the_new_moment_correct_the_old_promise_first(overdue, owner, now):
    new = services.promise_reschedule(
        promise=overdue,
        actor=owner,
        description="Fiets en bel gerepareerd",
        kind=PromiseKind.DELIVERY,
        survey_after_delivery=False,
        due_at=now + timedelta(days=1),
        now=now,
    )

    old = Promise.objects.get(pk=overdue.pk)
    said = ("Fiets en bel gerepareerd", PromiseKind.DELIVERY, False)
    assert (old.description, old.kind, old.survey_after_delivery) == said
    assert (new.description, new.kind, new.survey_after_delivery) == said


def test_a_promise_not_yet_due_is_simply_moved(customer, owner, now):
    ahead = services.promise_create(
        customer=customer, description="Terugbellen", due_at=now + timedelta(hours=2), now=now
    )

    moved = services.promise_reschedule(
        promise=ahead, actor=owner, due_at=now + timedelta(days=1), now=now
    )

    assert moved.pk == ahead.pk
    assert (moved.due_at, moved.cancelled_at) == (now + timedelta(days=1), None)
    assert Promise.objects.count() == 1
    assert (moved.rescheduled_to_id, moved.predecessor) == (None, None)


def test_the_same_moment_sent_again_makes_no_new_promise(overdue, owner, now):
    same = services.promise_reschedule(
        promise=overdue, actor=owner, due_at=overdue.due_at, description="Fiets klaar", now=now
    )

    assert same.pk == overdue.pk
    assert (same.description, same.cancelled_at) == ("Fiets klaar", None)
    assert Promise.objects.count() == 1


def test_a_promise_typed_in_after_it_was_due_may_have_its_moment_corrected(customer, owner, now):
    # Recorded now for yesterday (what was promised at the counter, typed in later)
    typed_in = services.promise_create(
        customer=customer,
        description="Rollade klaarzetten",
        due_at=now - timedelta(days=1),
        made_at=now - timedelta(days=2),
        now=now,
    )

    moved = services.promise_reschedule(
        promise=typed_in, actor=owner, due_at=now - timedelta(days=1, hours=2), now=now
    )

    assert moved.pk == typed_in.pk
    assert moved.due_at == now - timedelta(days=1, hours=2)
    assert moved.cancelled_at is None


def _typed_in_late(customer, now, *, recorded_ago: timedelta) -> Promise:
    """Promised three days ago for the day before yesterday, written down `recorded_ago`
    (after its moment)."""
    typed_in = services.promise_create(
        customer=customer,
        description="Terugbellen over de offerte",
        kind=PromiseKind.CALLBACK,
        due_at=now - timedelta(days=2),
        made_at=now - timedelta(days=3),
        now=now - recorded_ago,
    )
    Promise.objects.filter(pk=typed_in.pk).update(created_at=now - recorded_ago)
    typed_in.refresh_from_db()
    return typed_in


def test_a_promise_typed_in_late_and_moved_to_a_moment_to_come_counts_as_broken(
    customer, owner, now
):
    # Given a callback typed in a day after its moment, 25 hours ago (past the 24 hours' grace)
    typed_in = _typed_in_late(customer, now, recorded_ago=timedelta(hours=25))

    # When it is moved to next week
    new = services.promise_reschedule(
        promise=typed_in, actor=owner, due_at=now + timedelta(days=7), now=now
    )

    # Then it was not kept by its moment: it counts as broken, and next week's is a new promise,
    # where moved it would have counted as kept on time next week
    typed_in.refresh_from_db()
    assert new.pk != typed_in.pk
    assert (typed_in.cancelled_at, typed_in.rescheduled_to) == (now, new)
    assert promise_with_status(promise=typed_in, now=now).status == PromiseStatus.BROKEN
    assert new.due_at == now + timedelta(days=7)
    # And moving it by promise_update is refused, naming the reschedule
    second = _typed_in_late(customer, now, recorded_ago=timedelta(hours=25))
    before = _rows()
    with pytest.raises(services.Conflict) as refused:
        services.promise_update(
            promise=second, actor=owner, due_at=now + timedelta(days=7), now=now
        )
    assert refused.value.error_dict["due_at"][0].code == "overdue"
    assert _rows() == before


def test_a_promise_typed_in_late_may_be_moved_ahead_at_once_a_date_typed_wrong(
    customer, owner, now
):
    # Given a callback typed in a minute ago with a date gone by (meant: next week)
    typed_in = _typed_in_late(customer, now, recorded_ago=timedelta(minutes=1))

    moved = services.promise_reschedule(
        promise=typed_in, actor=owner, due_at=now + timedelta(days=6), now=now
    )

    # Then it is the same promise, put right
    assert moved.pk == typed_in.pk
    assert (moved.due_at, moved.cancelled_at, Promise.objects.count()) == (
        now + timedelta(days=6),
        None,
        1,
    )


def test_a_promise_typed_in_late_and_moved_with_the_customer_told_is_a_new_one(
    customer, owner, now
):
    """A salon rescheduled a late promise "told by phone: the shampoo arrives Tuesday" within
    a day of writing it down: taken for a date typed wrong, its broken promise left the
    figures. A moment the customer is told of is theirs: a new promise, the old one broken."""
    typed_in = _typed_in_late(customer, now, recorded_ago=timedelta(minutes=1))

    moved = services.promise_change(
        promise=typed_in,
        actor=owner,
        fields={"due_at": now + timedelta(days=6)},
        reschedule=True,
        customer_told_by="call",
        customer_told="Shampoo komt dinsdag binnen",
    )

    assert moved.pk != typed_in.pk
    old = Promise.objects.get(pk=typed_in.pk)
    assert (old.due_at, old.rescheduled_to_id) == (typed_in.due_at, moved.pk)
    assert old.cancelled_at is not None
    assert promise_with_status(promise=old, now=now).status == PromiseStatus.BROKEN
    assert moved.due_at == now + timedelta(days=6)


def test_a_refused_new_moment_leaves_both_as_they_were(overdue, owner, now):
    before, events = _rows(), AuditEvent.objects.count()

    with pytest.raises(services.ValidationError) as refused:
        services.promise_reschedule(
            promise=overdue,
            actor=owner,
            description="Fiets klaar",
            due_at=now - timedelta(days=5),
            now=now,
        )

    assert refused.value.error_dict["due_at"][0].code == "due_before_made"
    assert (_rows(), AuditEvent.objects.count()) == (before, events)


def test_a_kept_promise_is_not_rescheduled(overdue, owner, now):
    services.promise_mark_kept(promise=overdue, actor=owner, at=now, now=now)
    before = _rows()

    with pytest.raises(services.Conflict) as refused:
        services.promise_reschedule(
            promise=overdue, actor=owner, due_at=now + timedelta(days=1), now=now
        )

    assert refused.value.error_dict["due_at"][0].code == "finished"
    assert _rows() == before


def test_undoing_done_does_not_open_the_way_to_moving_it(overdue, owner, now):
    # Marked kept (late), then taken back within the undo window (core/undo.py)
    kept = services.promise_mark_kept(promise=overdue, actor=owner)
    reopened = services.promise_reopen(promise=kept, actor=owner)

    with pytest.raises(services.Conflict) as refused:
        services.promise_update(
            promise=reopened, actor=owner, due_at=timezone.now() + timedelta(days=1)
        )

    assert refused.value.error_dict["due_at"][0].code == "overdue"
