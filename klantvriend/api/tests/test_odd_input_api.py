"""Odd input an integration may send (numbers beyond what the database holds, moments at the
edge of the calendar, control characters): a clear 422 or an empty answer, never a 500."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.core.calendar import calendar_token_create
from klantvriend.customers.models import ContactMoment, Customer, Purchase, Tag
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.gestures.models import Gesture
from klantvriend.promises.models import Promise

BEYOND_BIGINT = 2**63  # one more than the largest id a database column holds


@pytest.fixture
def api(api_key) -> Client:
    # Server errors as answers rather than raised into the test: the status code is the point.
    return Client(
        headers={"Authorization": f"Bearer {api_key}", "Accept-Language": "en"},
        raise_request_exception=False,
    )


@pytest.mark.parametrize("path", ["purchases", "contact-moments", "important-dates"])
def test_a_customer_filter_beyond_any_id_is_refused_as_input(api, business, path):
    PurchaseFactory(customer=CustomerFactory(business=business))

    response = api.get(f"/api/v1/{path}?customer={BEYOND_BIGINT}")

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "customer"]]


def test_an_offset_beyond_what_the_database_takes_is_refused_as_input(api, business):
    CustomerFactory(business=business)

    response = api.get(f"/api/v1/customers?offset={10**20}")

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "offset"]]


def post(api, url, data):
    return api.post(url, data=json.dumps(data), content_type="application/json")


def test_a_moment_that_falls_outside_the_calendar_in_utc_is_refused(api, business):
    customer = CustomerFactory(business=business)

    response = post(
        api,
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": 500, "at": "0001-01-01T00:00:00+01:00"},
    )

    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["at"]
    assert Purchase.objects.count() == 0


def test_a_promise_due_on_the_last_day_of_the_calendar_is_refused(api, business):
    customer = CustomerFactory(business=business)

    response = post(
        api,
        "/api/v1/promises",
        {"customer": customer.pk, "description": "Bellen", "due_date": "9999-12-31"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "due_at"],
            "msg": "The due moment lies more than a hundred years ahead; check the year.",
            "type": "too_far",
        }
    ]
    assert Promise.objects.count() == 0
    assert api.get("/api/v1/promises").status_code == 200


def test_a_follow_up_planned_on_the_last_day_of_the_calendar_is_refused(api, membership, business):
    # Taken, it broke the member's calendar feed (its all-day event ends the day after) with a
    # server error, and with it every other promise and follow-up in their calendar app.
    customer = CustomerFactory(business=business)
    _token, key = calendar_token_create(membership=membership)

    planned = FollowUpFactory(business=business, customer=customer, due_on=business.today())

    response = post(
        api,
        "/api/v1/follow-ups",
        {"customer": customer.pk, "note": "Bellen", "due_on": "9999-12-31"},
    )
    moved = api.patch(
        f"/api/v1/follow-ups/{planned.pk}",
        json.dumps({"due_on": "9999-12-31"}),
        content_type="application/json",
    )

    refusal = [
        {
            "loc": ["body", "due_on"],
            "msg": "The day lies more than a hundred years ahead; check the year.",
            "type": "too_far",
        }
    ]
    assert (response.status_code, response.json()["detail"]) == (422, refusal)
    assert (moved.status_code, moved.json()["detail"]) == (422, refusal)
    assert list(FollowUp.objects.values_list("pk", "due_on")) == [(planned.pk, business.today())]
    assert Client().get(reverse("web:calendar_feed", args=[key])).status_code == 200


@pytest.mark.parametrize(
    ("path", "fields", "field"),
    [
        ("customers", {"name": "An\u0000na"}, "name"),
        ("customers", {"name": "Bea", "tags": ["buurt\u0000"]}, "tags"),
        ("contact-moments", {"kind": "call", "summary": "Gebeld\u0000"}, "summary"),
        ("complaints", {"description": "Te\u0000laat"}, "description"),
        ("gestures", {"what": "\u0000koffie"}, "what"),
        ("promises", {"description": "Bel\u0000len", "due_date": "2099-01-01"}, "description"),
    ],
)
def test_a_nul_character_in_a_text_is_refused_on_its_field_and_nothing_is_stored(
    api, business, path, fields, field
):
    """PostgreSQL cannot store a NUL in text; it was a server error there (and stored on
    SQLite). The web forms refuse it with the same message."""
    customer = CustomerFactory(business=business, name="Anna")
    before = counts()

    # A customer has no customer field: sent there, it would be refused as unknown.
    of_customer = {} if path == "customers" else {"customer": customer.pk}
    response = post(api, f"/api/v1/{path}", {**of_customer, **fields})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", field],
            "msg": "Null characters are not allowed.",
            "type": "null_characters_not_allowed",
        }
    ]
    assert counts() == before


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Customer, Tag, ContactMoment, Complaint, Gesture, Promise)
    }


@pytest.mark.parametrize("parameter", ["search", "tag"])
def test_a_nul_character_in_a_query_parameter_is_refused_on_that_parameter(
    api, business, parameter
):
    CustomerFactory(business=business, name="Anna")

    response = api.get(f"/api/v1/customers?{parameter}=An%00na")

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["query", parameter],
            "msg": "Null characters are not allowed.",
            "type": "null_characters_not_allowed",
        }
    ]


def test_a_retried_purchase_with_its_receipt_number_is_refused_on_that_field(api, business):
    """A network retry of the same POST must not count the sale twice; the integration reads
    from the answer that the receipt number is why."""
    customer = CustomerFactory(business=business)
    sale = {"customer": customer.pk, "amount_cents": 1250, "external_ref": "BON-7"}

    first = post(api, "/api/v1/purchases", sale)
    retried = post(api, "/api/v1/purchases", sale)

    assert first.status_code == 201
    assert retried.status_code == 422
    assert retried.json()["detail"] == [
        {
            "loc": ["body", "external_ref"],
            "msg": "A purchase with this receipt number already exists.",
            "type": "unique",
            "existing_id": first.json()["id"],
        }
    ]
    assert list(Purchase.objects.values_list("external_ref", "amount_cents")) == [("BON-7", 1250)]


def test_a_retried_customer_with_its_customer_number_is_refused_on_that_field(api, business):
    first = post(api, "/api/v1/customers", {"name": "Anna", "external_ref": "K-1"})
    retried = post(api, "/api/v1/customers", {"name": "Anna", "external_ref": "K-1"})

    assert first.status_code == 201
    assert retried.status_code == 422
    assert retried.json()["detail"] == [
        {
            "loc": ["body", "external_ref"],
            "msg": "Another customer already has this customer number.",
            "type": "unique",
            "existing_id": first.json()["id"],
        }
    ]
    assert list(Customer.objects.values_list("name", "external_ref")) == [("Anna", "K-1")]


@pytest.mark.parametrize(
    ("path", "fields", "moment_field"),
    [
        ("purchases", {"amount_cents": 1250}, "at"),
        ("contact-moments", {"kind": "call", "summary": "Gebeld"}, "at"),
        ("complaints", {"description": "Te laat"}, "received_at"),
        ("gestures", {"what": "Koffie"}, "given_at"),
    ],
)
def test_a_moment_comes_back_in_utc_as_every_read_gives_it_not_in_the_offset_sent(
    api, business, path, fields, moment_field
):
    customer = CustomerFactory(business=business)

    created = post(
        api,
        f"/api/v1/{path}",
        {"customer": customer.pk, moment_field: "2026-03-01T14:30:00+01:00", **fields},
    )
    read = api.get(f"/api/v1/{path}/{created.json()['id']}")

    assert created.status_code == 201, created.content
    assert created.json()[moment_field] == "2026-03-01T13:30:00Z"
    assert read.json()[moment_field] == "2026-03-01T13:30:00Z"
