"""A refusal that comes from the state of a record (a complaint already resolved, a promise
already finished, a customer anonymised or with purchases) is 409 Conflict with
{"detail", "code"}, whatever the route; a refused value stays 422 with the field errors. So a
client can tell "fix your input" from "this record no longer allows it" by the status alone."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.importers.privacy import customer_erase
from klantvriend.isolation import snapshot
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.tests.factories import SurveyInvitationFactory

ANONYMISED = "This customer has been anonymised: nothing new can be recorded about them."


def send(client, method, url, data=None, **headers):
    if data is None:
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


def _iso(moment) -> str:
    return moment.isoformat()


def _resolved_complaint(customer):
    received = timezone.now() - timedelta(days=2)
    return ComplaintFactory(
        customer=customer,
        received_at=received,
        first_response_at=received + timedelta(hours=1),
        resolved_at=received + timedelta(hours=2),
        resolution="Nieuwe rollade gebracht",
    )


def _answered_complaint(customer):
    received = timezone.now() - timedelta(days=2)
    return ComplaintFactory(
        customer=customer, received_at=received, first_response_at=received + timedelta(hours=1)
    )


def _cancelled_promise(customer):
    return PromiseFactory(customer=customer, cancelled_at=timezone.now() - timedelta(days=1))


def _kept_promise(customer):
    return PromiseFactory(customer=customer, done_at=timezone.now() - timedelta(hours=30))


def _done_follow_up(customer):
    return FollowUpFactory(customer=customer, done_at=timezone.now(), outcome="content")


# (name, make the record, method, url of the record, body, detail, code)
STATE_REFUSALS = [
    (
        "resolving a resolved complaint",
        _resolved_complaint,
        "patch",
        "complaints/{id}",
        {"resolved_at": "NOW", "resolution": "Nogmaals opgelost"},
        "This complaint is already resolved.",
        "resolved",
    ),
    (
        "answering an answered complaint",
        _answered_complaint,
        "patch",
        "complaints/{id}",
        {"first_response_at": "NOW"},
        "This complaint was already answered.",
        "responded",
    ),
    (
        "keeping a cancelled promise",
        _cancelled_promise,
        "patch",
        "promises/{id}",
        {"done_at": "NOW"},
        "This promise is already finished.",
        "finished",
    ),
    (
        "cancelling a kept promise",
        _kept_promise,
        "patch",
        "promises/{id}",
        {"cancelled_at": "NOW"},
        "This promise is already finished.",
        "finished",
    ),
    (
        # Judged against that moment: moved afterwards, kept late would read as kept on time.
        "moving the due moment of a kept promise",
        _kept_promise,
        "patch",
        "promises/{id}",
        {"due_at": "2031-03-01T12:00:00+01:00"},
        "A kept or cancelled promise keeps the moment it was due: its outcome was judged "
        "against it.",
        "finished",
    ),
    (
        "moving the due day of a cancelled promise",
        _cancelled_promise,
        "patch",
        "promises/{id}",
        {"due_date": "2031-03-01"},
        "A kept or cancelled promise keeps the moment it was due: its outcome was judged "
        "against it.",
        "finished",
    ),
    (
        # Kept without a trail (an import, an old record): nobody can say who may take it back.
        "reopening a promise kept without a trail",
        _kept_promise,
        "patch",
        "promises/{id}",
        {"done_at": None},
        "Klantvriend holds no record of who did this and when, so it cannot be undone.",
        "unrecorded",
    ),
    (
        "reopening a cancelled promise",
        _cancelled_promise,
        "patch",
        "promises/{id}",
        {"cancelled_at": None},
        "A cancelled promise cannot be opened again.",
        "reopen",
    ),
    (
        "recording the outcome of a done follow-up",
        _done_follow_up,
        "patch",
        "follow-ups/{id}",
        {"outcome": "not_reached"},
        "This follow-up is already done.",
        "finished",
    ),
]


@pytest.mark.parametrize(
    ("make", "method", "url", "body", "detail", "code"),
    [case[1:] for case in STATE_REFUSALS],
    ids=[case[0] for case in STATE_REFUSALS],
)
def test_an_action_the_records_state_forbids_is_a_conflict_and_changes_nothing(
    api, business, make, method, url, body, detail, code
):
    record = make(CustomerFactory(business=business))
    body = {name: _iso(timezone.now()) if value == "NOW" else value for name, value in body.items()}
    before = snapshot()

    response = send(api, method, f"/api/v1/{url.format(id=record.pk)}", body)

    assert (response.status_code, response.json()) == (409, {"detail": detail, "code": code})
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("contact-moments", {"kind": "call", "summary": "Gebeld"}),
        ("purchases", {"amount_cents": 1250}),
        ("promises", {"description": "Terugbellen", "due_date": "2099-01-01"}),
        ("complaints", {"description": "Te laat"}),
        ("gestures", {"what": "Koffie"}),
        ("follow-ups", {"note": "Bellen", "due_on": "2099-01-01"}),
        ("important-dates", {"label": "Trouwdag", "date": "2000-06-01"}),
        ("survey-invitations", {"channel": "link"}),
    ],
)
def test_recording_anything_new_about_an_anonymised_customer_is_a_conflict(
    api, business, url, body
):
    customer = CustomerFactory(business=business)
    customer_erase(customer=customer)
    before = snapshot()

    response = send(api, "post", f"/api/v1/{url}", {"customer": customer.pk, **body})

    assert (response.status_code, response.json()) == (
        409,
        {"detail": ANONYMISED, "code": "anonymised"},
    )
    assert snapshot() == before


def test_changing_an_anonymised_customer_is_a_conflict_in_the_language_asked_for(api, business):
    customer = CustomerFactory(business=business)
    customer_erase(customer=customer)
    before = snapshot()

    response = send(
        api,
        "patch",
        f"/api/v1/customers/{customer.pk}",
        {"notes": "Belt terug"},
        **{"Accept-Language": "nl"},
    )

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "Deze klant is geanonimiseerd: er kan niets nieuws over worden vastgelegd.",
            "code": "anonymised",
        },
    )
    assert snapshot() == before


def test_an_invitation_within_the_surveys_interval_is_a_conflict(api, business):
    customer = CustomerFactory(business=business)
    SurveyInvitationFactory(customer=customer, created_at=timezone.now() - timedelta(days=1))
    before = snapshot()

    response = send(api, "post", "/api/v1/survey-invitations", {"customer": customer.pk})

    assert response.status_code == 409
    assert response.json()["code"] == "too_soon"
    assert response.json()["detail"].startswith("This customer was invited recently;")
    assert snapshot() == before


def test_deleting_a_customer_with_purchases_and_erasing_twice_carry_their_code(api, business):
    buyer = CustomerFactory(business=business)
    PurchaseFactory(customer=buyer)
    erased = CustomerFactory(business=business)
    customer_erase(customer=erased)
    before = snapshot()

    deleted = api.delete(f"/api/v1/customers/{buyer.pk}")
    erased_again = api.post(f"/api/v1/customers/{erased.pk}/erase")

    assert deleted.status_code == 409
    assert deleted.json()["code"] == "has_purchases"
    assert erased_again.status_code == 409
    assert erased_again.json()["code"] == "already_erased"
    assert snapshot() == before


def test_a_refused_value_on_a_record_stays_a_field_error(api, business):
    """Not a conflict: the same request with another value would succeed."""
    promise = PromiseFactory(customer=CustomerFactory(business=business))
    before = snapshot()

    response = send(
        api, "patch", f"/api/v1/promises/{promise.pk}", {"done_at": "2099-01-01T10:00:00+01:00"}
    )

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "done_at"],
                    "msg": "A promise cannot be kept in the future.",
                    "type": "future",
                }
            ]
        },
    )
    assert snapshot() == before


def test_every_write_route_declares_the_conflict_answer():
    from klantvriend.api.urls import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    writes = [
        (method, path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"post", "put", "patch", "delete"}
    ]
    assert writes
    for method, path, operation in writes:
        conflict = operation["responses"].get(409)
        assert conflict is not None, f"{method.upper()} {path} does not declare 409"
        reference = conflict["content"]["application/json"]["schema"]["$ref"]
        assert reference.endswith("/Conflict"), f"{method.upper()} {path}: {reference}"
