"""Taking back a follow-up's outcome tapped by mistake (follow_up_outcome_undo, core/undo.py)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from klantvriend.aftercare import services
from klantvriend.aftercare.models import Reason
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.services import complaint_resolve
from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot


@pytest.fixture
def follow_up(business, staff_user):
    return services.follow_up_create(
        business=business,
        customer=CustomerFactory(business=business),
        note="Smaakte de rollade?",
        due_on=business.today(),
        reason=Reason.MANUAL,
        created_by=staff_user,
    )


def _stored(follow_up):
    follow_up.refresh_from_db()
    return (
        follow_up.done_at,
        follow_up.outcome,
        follow_up.outcome_note,
        follow_up.attempts,
        follow_up.due_on,
        follow_up.raised_complaint_id,
    )


def test_content_taken_back_opens_the_follow_up_again(follow_up, staff_user):
    done = services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome="content", note="Heerlijk"
    )

    undone = services.follow_up_outcome_undo(follow_up=done, actor=staff_user)

    assert _stored(undone) == (None, "", "", 0, follow_up.due_on, None)
    event = AuditEvent.objects.get(action="undone")
    assert (event.object_type, event.object_id, event.actor) == (
        "followup",
        follow_up.pk,
        staff_user,
    )
    assert event.changes == {
        "done_at": [done.done_at.isoformat(), None],
        "outcome": ["content", ""],
        "outcome_note": ["Heerlijk", ""],
    }


def test_not_content_taken_back_removes_the_complaint_it_opened(follow_up, staff_user):
    done = services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome="not_content", note="Te zout"
    )
    raised = done.raised_complaint

    undone = services.follow_up_outcome_undo(follow_up=done, actor=staff_user)

    assert _stored(undone) == (None, "", "", 0, follow_up.due_on, None)
    assert not Complaint.objects.exists()
    removed = AuditEvent.objects.get(action="deleted")
    assert (removed.object_type, removed.object_id, removed.actor) == (
        "complaint",
        raised.pk,
        staff_user,
    )
    assert removed.changes["description"] == ["Te zout", None]


def test_not_content_opens_a_complaint_answered_in_the_call_that_heard_it(follow_up, staff_user):
    """A restaurant's owner had just phoned the guest; the complaint it opened then said
    "wacht op eerste reactie · beantwoorden binnen 3 uur 59 min", its clock running against
    her until she also tapped "Antwoord gegeven"."""
    done = services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome="not_content", note="Soep was koud"
    )

    raised = Complaint.objects.get()
    assert raised == done.raised_complaint
    assert (raised.channel, raised.first_response_at) == ("phone", raised.received_at)
    assert raised.answered_on_the_spot
    # Answered as it was opened, it is nobody's work yet: taking the outcome back removes it.
    services.follow_up_outcome_undo(follow_up=done, actor=staff_user)
    assert not Complaint.objects.exists()


def test_not_content_stays_once_its_complaint_is_being_handled(follow_up, staff_user):
    done = services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome="not_content", note="Te zout"
    )
    complaint_resolve(
        complaint=done.raised_complaint, actor=staff_user, resolution="Nieuwe rollade gebracht"
    )
    before = snapshot()

    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.follow_up_outcome_undo(follow_up=done, actor=staff_user)

    assert refused.value.error_dict["outcome"][0].code == "complaint_handled"
    assert refused.value.messages == [
        "The complaint this opened is being handled already, so it stays."
    ]
    assert snapshot() == before


def test_not_reached_taken_back_restores_the_day_and_the_tries(follow_up, staff_user):
    services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome="not_reached", note="Voicemail"
    )
    replanned = services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome="not_reached", note="Weer niet"
    )
    first_try = AuditEvent.objects.filter(action="replanned").earliest("at", "id")
    assert replanned.attempts == 2

    undone = services.follow_up_outcome_undo(follow_up=replanned, actor=staff_user)

    # Back to how the first try left it; that try stays.
    assert _stored(undone) == (
        None,
        "",
        "Voicemail",
        1,
        date.fromisoformat(first_try.changes["due_on"][1]),
        None,
    )
    with pytest.raises(ValidationError) as refused:
        services.follow_up_outcome_undo(follow_up=undone, actor=staff_user)
    assert refused.value.error_dict["outcome"][0].code == "undone"


def test_still_deciding_taken_back_asks_on_the_day_planned_before(business, staff_user):
    quote = services.follow_up_create(
        business=business,
        customer=CustomerFactory(business=business),
        note="Heeft de klant al besloten over de offerte?",
        due_on=business.today(),
        reason=Reason.QUOTE,
        created_by=staff_user,
    )
    with pytest.raises(ValidationError) as nothing_yet:
        services.follow_up_outcome_undo(follow_up=quote, actor=staff_user)
    deciding = services.follow_up_complete(
        follow_up=quote, actor=staff_user, outcome="still_deciding", note="Belt vrijdag"
    )
    assert deciding.due_on > business.today()

    undone = services.follow_up_outcome_undo(follow_up=deciding, actor=staff_user)

    assert nothing_yet.value.error_dict["outcome"][0].code == "open"
    assert _stored(undone) == (None, "", "", 0, business.today(), None)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("no outcome", "open"),
        ("changed since", "changed"),
        ("a day on", "too_late"),
        ("recorded by an owner", "not_yours"),
    ],
)
def test_an_undo_not_allowed_is_refused_and_changes_nothing(
    follow_up, owner, staff_user, case, code
):
    now = timezone.now()
    if case != "no outcome":
        follow_up = services.follow_up_complete(
            follow_up=follow_up,
            actor=owner if case == "recorded by an owner" else staff_user,
            outcome="not_reached",
        )
    if case == "changed since":
        follow_up = services.follow_up_update(
            follow_up=follow_up, actor=staff_user, due_on=follow_up.due_on + timedelta(days=1)
        )
    if case == "a day on":
        now += timedelta(days=1, seconds=1)
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        services.follow_up_outcome_undo(follow_up=follow_up, actor=staff_user, now=now)

    assert refused.value.error_dict["outcome"][0].code == code
    assert snapshot() == before
