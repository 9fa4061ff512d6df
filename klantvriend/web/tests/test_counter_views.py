"""What a staff member at the counter reads on the customer profile after each step."""

import re

import pytest
from django.urls import reverse

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints.models import Complaint
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture
from klantvriend.promises.models import Promise

HTMX = {"HX-Request": "true"}


def _care_forms(business):
    day = business.today().isoformat()
    return {
        "promise": (
            "web:promise_add",
            {"description": "Rollade klaarzetten", "kind": "order_ready", "due_date": day},
            Promise,
        ),
        "complaint": (
            "web:complaint_add",
            {
                "description": "Worst te zout",
                "channel": "counter",
                "severity": "medium",
                "driver": "other",
                "answered_on_the_spot": "on",
            },
            Complaint,
        ),
        "follow-up": (
            "web:follow_up_add",
            {"note": "Vragen of het smaakte", "due_on": day},
            FollowUp,
        ),
        "gesture": (
            "web:gesture_add",
            {"what": "Bakje salade", "occasion": "just_because", "confirm_repeat": "on"},
            Gesture,
        ),
    }


@pytest.mark.parametrize(
    ("language", "kind", "message"),
    [
        ("nl", "promise", "Belofte opgeslagen."),
        ("nl", "complaint", "Klacht opgeslagen."),
        ("nl", "follow-up", "Nazorg opgeslagen."),
        ("nl", "gesture", "Attentie opgeslagen."),
        ("en", "promise", "Promise saved."),
        ("en", "complaint", "Complaint saved."),
        ("en", "follow-up", "Follow-up saved."),
        ("en", "gesture", "Gesture saved."),
    ],
)
def test_a_new_promise_complaint_follow_up_or_gesture_says_it_was_saved_in_its_card(
    staff_client, staff_user, business, language, kind, message
):
    # The form closes and the new row shows above it, often out of sight on a phone: without a
    # word the assistant could not tell whether it was stored.
    account_language_set(user=staff_user, language=language)
    url_name, data, model = _care_forms(business)[kind]
    customer = CustomerFactory(business=business)
    url = reverse(url_name, args=[customer.pk])

    fragment = staff_client.post(url, data, headers=HTMX).content.decode()
    refused = staff_client.post(url, {}, headers=HTMX)
    page = staff_client.post(url, data, follow=True).content.decode()

    assert model.objects.filter(customer=customer).count() == 2
    saved = (
        f'<p class="message message-success" role="status" data-testid="record-saved">{message}</p>'
    )
    assert fragment.count('data-testid="record-saved"') == 1
    # Right above the button that opens the form again, in that kind's card.
    assert re.search(saved + r"\s*<details class=\"record-form\" id=\"new-" + kind + '"', fragment)
    assert refused.status_code == 422
    assert "record-saved" not in refused.content.decode()
    # Without htmx: the profile again, with the message at its top.
    assert f'<p class="message message-success">{message}</p>' in page
    assert "record-saved" not in page
