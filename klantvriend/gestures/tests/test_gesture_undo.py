"""A gesture logged by mistake (a double tap, the wrong customer) taken back by the rule of
core/undo.py, on the profile and through the API."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.errors import Conflict
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures import services
from klantvriend.gestures.models import Gesture, Occasion
from klantvriend.isolation import snapshot


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Koen Brouwer")


def _refusal(call) -> tuple[str, str]:
    with translation.override("nl"), pytest.raises(Conflict) as refused:
        call()
    error = refused.value.error_dict["what"][0]
    return error.code, error.messages[0]


def test_whoever_logged_it_takes_it_back_and_the_trail_keeps_both(customer, staff_user):
    gesture = services.gesture_create(
        customer=customer, what="Fles wijn", value_cents=1250, given_by=staff_user
    )

    services.gesture_undo(gesture=gesture, actor=staff_user)

    assert not Gesture.objects.exists()
    trail = list(
        AuditEvent.objects.filter(object_type="gesture", object_id=gesture.pk)
        .order_by("id")
        .values_list("action", "actor", "changes")
    )
    assert trail[1] == (
        "undone",
        staff_user.pk,
        {
            "what": ["Fles wijn", None],
            "value_cents": [1250, None],
            "occasion": ["just_because", None],
            "given_at": [trail[0][2]["given_at"][1], None],
        },
    )


def test_a_colleague_a_day_later_or_a_changed_gesture_is_refused_and_nothing_changes(
    customer, staff_user, owner
):
    colleague = user_create(username="mila", password="pw-mila-12345")
    membership_create(business=customer.business, user=colleague, role=Role.STAFF)
    gesture = services.gesture_create(customer=customer, what="Bloemen", given_by=staff_user)
    before = snapshot()

    not_yours = _refusal(lambda: services.gesture_undo(gesture=gesture, actor=colleague))
    too_late = _refusal(
        lambda: services.gesture_undo(
            gesture=gesture, actor=staff_user, now=timezone.now() + timedelta(hours=25)
        )
    )
    assert snapshot() == before
    services.gesture_update(gesture=gesture, actor=staff_user, what="Bos bloemen")
    changed = _refusal(lambda: services.gesture_undo(gesture=gesture, actor=owner))

    assert not_yours == (
        "not_yours",
        "Alleen wie dit vastlegde, of een eigenaar, kan het ongedaan maken.",
    )
    assert too_late[0] == "too_late"
    assert changed[0] == "changed"
    assert Gesture.objects.get().what == "Bos bloemen"


def test_a_complaints_recovery_gesture_is_changed_on_its_complaint(customer, owner):
    complaint = ComplaintFactory(
        customer=customer,
        received_at=timezone.now() - timedelta(days=1),
        first_response_at=timezone.now() - timedelta(hours=20),
        resolved_at=timezone.now(),
    )
    gesture = services.gesture_create(
        customer=customer,
        what="Gratis rollade",
        occasion=Occasion.COMPLAINT_RECOVERY,
        given_by=owner,
        complaint=complaint,
    )

    refused = _refusal(lambda: services.gesture_undo(gesture=gesture, actor=owner))

    assert refused == (
        "recovery",
        "Deze attentie hoort bij een klacht: wijzig haar bij die klacht.",
    )
    assert Gesture.objects.filter(pk=gesture.pk).exists()


def test_taking_back_a_thank_you_gesture_opens_the_thank_you_it_closed(customer, owner):
    thanks = FollowUpFactory(
        customer=customer,
        reason=Reason.REFERRAL,
        note="Bedank voor het doorverwijzen van Eva de Groot.",
        referred_customer=CustomerFactory(business=customer.business, name="Eva de Groot"),
    )
    gesture = services.gesture_create(
        customer=customer, what="Fles wijn", occasion=Occasion.REFERRAL_THANKS, given_by=owner
    )
    assert FollowUp.objects.get().outcome == "thanked"

    services.gesture_undo(gesture=gesture, actor=owner)

    thanks.refresh_from_db()
    assert (thanks.done_at, thanks.outcome, thanks.outcome_note) == (None, "", "")


def test_the_profile_offers_the_undo_to_whoever_may_and_takes_it_back(
    owner_client, staff_client, customer, staff_user, owner
):
    mine = services.gesture_create(customer=customer, what="Fles wijn", given_by=staff_user)
    theirs = services.gesture_create(customer=customer, what="Koekje", given_by=owner)
    profile = reverse("web:customer_detail", args=[customer.pk])

    page = staff_client.get(profile).content.decode()
    refused = staff_client.post(
        reverse("web:gesture_undo", args=[theirs.pk]), headers={"HX-Request": "true"}
    )
    undone = staff_client.post(
        reverse("web:gesture_undo", args=[mine.pk]), headers={"HX-Request": "true"}
    )

    assert f'action="/gestures/{mine.pk}/undo/"' in page
    assert f'action="/gestures/{theirs.pk}/undo/"' not in page
    assert refused.status_code == 422
    assert (
        '<p class="form-errors error" role="alert">Alleen wie dit vastlegde, of een eigenaar, '
        "kan het ongedaan maken.</p>"
    ) in refused.content.decode()
    assert undone.status_code == 200
    assert "Attentie ongedaan gemaakt." in undone.content.decode()
    assert list(Gesture.objects.values_list("what", flat=True)) == ["Koekje"]
    # An owner may take back a colleague's: the button is there for them.
    assert f'action="/gestures/{theirs.pk}/undo/"' in owner_client.get(profile).content.decode()


def test_another_businesss_gesture_is_not_found_and_stays(owner_client, other_business):
    theirs = services.gesture_create(
        customer=CustomerFactory(business=other_business), what="Fles wijn"
    )

    response = owner_client.post(reverse("web:gesture_undo", args=[theirs.pk]))

    assert response.status_code == 404
    assert Gesture.objects.filter(pk=theirs.pk).exists()


def test_the_api_takes_a_gesture_back_with_delete(api, customer, owner):
    made = api.post(
        "/api/v1/gestures",
        data=json.dumps({"customer": customer.pk, "what": "Fles wijn"}),
        content_type="application/json",
    )
    gesture_id = made.json()["id"]
    stale = api.delete(f"/api/v1/gestures/{gesture_id}", headers={"If-Match": '"stale"'})

    gone = api.delete(f"/api/v1/gestures/{gesture_id}", headers={"If-Match": made["ETag"]})

    assert (made.status_code, stale.status_code, gone.status_code) == (201, 412, 204)
    assert api.get(f"/api/v1/gestures/{gesture_id}").status_code == 404
    assert api.delete(f"/api/v1/gestures/{gesture_id}").status_code == 404
