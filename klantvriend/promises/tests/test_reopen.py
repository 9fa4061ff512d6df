"""Taking back "kept" tapped by mistake (promise_reopen, by the rule of core/undo.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from klantvriend.aftercare import services as aftercare
from klantvriend.aftercare.models import FollowUp
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises import services
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.selectors import promise_reliability, promise_with_status
from klantvriend.promises.status import PromiseStatus

from .factories import PromiseFactory


@pytest.fixture
def promise(business):
    now = timezone.now()
    return PromiseFactory(
        customer=CustomerFactory(business=business, name="Anna de Vries"),
        kind=PromiseKind.DELIVERY,
        description="Taart bezorgen",
        made_at=now - timedelta(days=1),
        due_at=now + timedelta(days=3),
    )


def _kept(promise, actor, django_capture_on_commit_callbacks):
    """Kept as the button keeps it, with what runs after commit (aftercare plans)."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.promise_mark_kept(promise=promise, actor=actor)


def _refusal(error: ValidationError) -> tuple[str, str]:
    [(field, [refused])] = error.error_dict.items()
    return field, refused.code


def test_whoever_kept_it_reopens_it_and_it_counts_as_open_again(
    promise, staff_user, django_capture_on_commit_callbacks
):
    kept = _kept(promise, staff_user, django_capture_on_commit_callbacks)
    assert promise_reliability(business=promise.business).overall.judged == 1

    reopened = services.promise_reopen(promise=kept, actor=staff_user)

    reopened.refresh_from_db()
    assert (reopened.done_at, reopened.done_on, reopened.cancelled_at) == (None, None, None)
    assert promise_with_status(promise=reopened).status == PromiseStatus.OPEN
    assert promise_reliability(business=promise.business).overall.judged == 0
    event = AuditEvent.objects.filter(action="undone").get()
    assert (event.object_type, event.object_id, event.actor, event.customer_id) == (
        "promise",
        promise.pk,
        staff_user,
        promise.customer_id,
    )
    assert event.changes == {"done_at": [kept.done_at.isoformat(), None]}


def test_the_follow_up_planned_for_it_goes_and_comes_back_when_kept_again(
    promise, staff_user, django_capture_on_commit_callbacks
):
    kept = _kept(promise, staff_user, django_capture_on_commit_callbacks)
    planned = FollowUp.objects.get(promise=promise)

    services.promise_reopen(promise=kept, actor=staff_user)

    assert not FollowUp.objects.filter(pk=planned.pk).exists()
    removed = AuditEvent.objects.get(action="deleted", object_type="followup")
    assert (removed.object_id, removed.actor, removed.customer_id) == (
        planned.pk,
        staff_user,
        promise.customer_id,
    )
    assert removed.changes["note"] == [planned.note, None]

    promise.refresh_from_db()
    _kept(promise, staff_user, django_capture_on_commit_callbacks)
    assert FollowUp.objects.filter(promise=promise).count() == 1


def test_a_follow_up_someone_has_worked_on_stays(
    promise, staff_user, django_capture_on_commit_callbacks
):
    kept = _kept(promise, staff_user, django_capture_on_commit_callbacks)
    planned = FollowUp.objects.get(promise=promise)
    aftercare.follow_up_update(follow_up=planned, actor=staff_user, note="Vragen naar de taart")

    services.promise_reopen(promise=kept, actor=staff_user)

    assert FollowUp.objects.get(pk=planned.pk).note == "Vragen naar de taart"
    assert not AuditEvent.objects.filter(action="deleted").exists()


def test_an_owner_reopens_a_promise_a_colleague_kept(
    promise, owner, staff_user, django_capture_on_commit_callbacks
):
    kept = _kept(promise, staff_user, django_capture_on_commit_callbacks)

    reopened = services.promise_reopen(promise=kept, actor=owner)

    assert reopened.done_at is None
    assert AuditEvent.objects.get(action="undone").actor == owner


@pytest.fixture
def colleague(business):
    user = user_create(username="ilse", password="pw-ilse-123", first_name="Ilse")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("colleague", "not_yours", "Only whoever recorded this, or an owner, can undo it."),
        (
            "a day later",
            "too_late",
            "This was recorded more than 24 hours ago and can no longer be undone.",
        ),
        # Reopened once, it is open: the second tap (another tab, a double click) changes nothing.
        ("twice", "open", "This promise is open already."),
        ("never kept", "open", "This promise is open already."),
        ("cancelled", "cancelled", "A cancelled promise cannot be opened again."),
        (
            "kept without a trail",
            "unrecorded",
            "Klantvriend holds no record of who did this and when, so it cannot be undone.",
        ),
    ],
)
def test_a_reopening_that_is_not_allowed_is_refused_and_changes_nothing(
    promise, staff_user, colleague, django_capture_on_commit_callbacks, case, code, message
):
    actor, now = staff_user, timezone.now()
    if case in ("colleague", "a day later", "twice"):
        promise = _kept(promise, staff_user, django_capture_on_commit_callbacks)
    if case == "colleague":
        actor = colleague
    elif case == "a day later":
        now += timedelta(hours=24, seconds=1)
    elif case == "twice":
        promise = services.promise_reopen(promise=promise, actor=staff_user)
    elif case == "cancelled":
        promise = services.promise_cancel(promise=promise, actor=staff_user)
    elif case == "kept without a trail":
        promise.done_at = timezone.now()
        promise.save()
    before = snapshot()

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.promise_reopen(promise=promise, actor=actor, now=now)

    assert _refusal(refused.value) == ("done_at", code)
    assert refused.value.messages == [message]
    assert snapshot() == before


def test_a_promise_can_still_be_reopened_just_before_the_day_is_over(
    promise, staff_user, django_capture_on_commit_callbacks
):
    kept = _kept(promise, staff_user, django_capture_on_commit_callbacks)
    recorded = AuditEvent.objects.get(action="completed").at

    reopened = services.promise_reopen(
        promise=kept, actor=staff_user, now=recorded + timedelta(hours=24)
    )

    assert reopened.done_at is None
