"""A promise kept, or a complaint answered, before it was recorded is refused naming that
moment to the second, in the business's time zone (on one line, as every moment shown): a till whose clock runs a few seconds
behind the server's sends "now" before the promise it has just made, and was told only that a
promise cannot be kept before it was made."""

import json
from datetime import UTC, datetime

import pytest

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers import services
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import PromiseFactory

RECORDED = datetime(2026, 11, 30, 13, 43, 24, tzinfo=UTC)  # 14:43:24 in Amsterdam


def patch(client, url, data, language):
    return client.patch(
        url,
        data=json.dumps(data),
        content_type="application/json",
        headers={"Accept-Language": language},
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A promise cannot be kept before it was made: 30\u00a0Nov\u00a02026\u00a014:43:24."),
        (
            "nl",
            "Een belofte kan niet nagekomen zijn voordat ze gedaan werd: 30\u00a0nov\u00a02026\u00a014:43:24.",
        ),
    ],
)
def test_a_promise_kept_seconds_before_it_was_made_is_refused_naming_when(
    api, business, language, message
):
    customer = services.customer_create(business=business, name="Anna")
    promise = PromiseFactory(customer=customer, made_at=RECORDED)
    before = snapshot()

    response = patch(
        api, f"/api/v1/promises/{promise.pk}", {"done_at": "2026-11-30T13:43:10Z"}, language
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "done_at"], "msg": message, "type": "done_before_made"}]
    }
    assert snapshot() == before
    assert Promise.objects.get(pk=promise.pk).done_at is None


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "This lies before the complaint was received: 30\u00a0Nov\u00a02026\u00a014:43:24."),
        (
            "nl",
            "Dit ligt vóór het moment waarop de klacht binnenkwam: 30\u00a0nov\u00a02026\u00a014:43:24.",
        ),
    ],
)
def test_a_complaint_answered_before_it_was_received_is_refused_naming_when(
    api, business, language, message
):
    customer = services.customer_create(business=business, name="Anna")
    complaint = ComplaintFactory(customer=customer, received_at=RECORDED)
    before = snapshot()

    response = patch(
        api,
        f"/api/v1/complaints/{complaint.pk}",
        {"first_response_at": "2026-11-30T14:43:10+01:00"},
        language,
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "first_response_at"],
                "msg": message,
                "type": "response_before_received",
            }
        ]
    }
    assert snapshot() == before
    assert Complaint.objects.get(pk=complaint.pk).first_response_at is None
