"""Taking back "answered" tapped by mistake (complaint_response_undo, core/undo.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from klantvriend.complaints import services
from klantvriend.complaints.selectors import ComplaintStatus, complaint_views
from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot

from .factories import ComplaintFactory


@pytest.fixture
def complaint(business):
    return ComplaintFactory(
        customer=CustomerFactory(business=business),
        description="Rollade was te zout",
        received_at=timezone.now() - timedelta(hours=2),
    )


def test_an_answer_taken_back_sets_the_response_clock_running_again(complaint, staff_user):
    answered = services.complaint_respond(complaint=complaint, actor=staff_user)

    undone = services.complaint_response_undo(complaint=answered, actor=staff_user)

    undone.refresh_from_db()
    assert undone.first_response_at is None
    [view] = complaint_views(business=complaint.business, complaints=[undone])
    assert view.status == ComplaintStatus.OPEN
    event = AuditEvent.objects.get(action="undone")
    assert (event.object_type, event.object_id, event.actor) == (
        "complaint",
        complaint.pk,
        staff_user,
    )
    assert event.changes == {"first_response_at": [answered.first_response_at.isoformat(), None]}


def test_an_answer_ticked_on_the_spot_by_mistake_can_be_taken_back(business, staff_user):
    complaint = services.complaint_create(
        customer=CustomerFactory(business=business),
        description="Te laat klaar",
        received_by=staff_user,
        answered_on_the_spot=True,
    )

    undone = services.complaint_response_undo(complaint=complaint, actor=staff_user)

    assert undone.first_response_at is None


def test_a_resolved_complaint_keeps_its_answer(complaint, staff_user):
    services.complaint_respond(complaint=complaint, actor=staff_user)
    resolved = services.complaint_resolve(
        complaint=complaint, actor=staff_user, resolution="Nieuwe rollade gegeven"
    )
    before = snapshot()

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.complaint_response_undo(complaint=resolved, actor=staff_user)

    assert refused.value.error_dict["first_response_at"][0].code == "resolved"
    assert refused.value.messages == [
        "This complaint is resolved, and its resolution answered the customer."
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("case", "code"),
    [("not answered", "open"), ("answered by an owner", "not_yours"), ("a day on", "too_late")],
)
def test_an_undo_not_allowed_is_refused_and_changes_nothing(
    complaint, owner, staff_user, case, code
):
    now = timezone.now()
    if case != "not answered":
        complaint = services.complaint_respond(
            complaint=complaint, actor=owner if case == "answered by an owner" else staff_user
        )
    if case == "a day on":
        now += timedelta(days=1, seconds=1)
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        services.complaint_response_undo(complaint=complaint, actor=staff_user, now=now)

    assert refused.value.error_dict["first_response_at"][0].code == code
    assert snapshot() == before
