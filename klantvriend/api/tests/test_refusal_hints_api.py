"""Refusals that let a till carry on without a person reading them: an unknown field names the
field it probably meant ("amount": amount_cents)."""

import json

import pytest

from klantvriend.api.declared import closest_name
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.isolation import snapshot

LANGUAGES = pytest.mark.parametrize("language", ["en", "nl"])

SAID = {
    "en": {
        "required": "This field is required.",
        "amount": "Unknown field: amount. Did you mean amount_cents?",
        "price": "Unknown field: price.",
    },
    "nl": {
        "required": "Dit veld is verplicht.",
        "amount": "Onbekend veld: amount. Bedoel je amount_cents?",
        "price": "Onbekend veld: price.",
    },
}


def send(client, method, url, data, language="en"):
    return getattr(client, method)(
        url,
        data=json.dumps(data),
        content_type="application/json",
        headers={"Accept-Language": language},
    )


@LANGUAGES
def test_an_amount_sent_as_amount_is_told_of_amount_cents(api, business, language):
    customer = CustomerFactory(business=business)
    before = snapshot()

    response = send(
        api, "post", "/api/v1/purchases", {"customer": customer.pk, "amount": "89.50"}, language
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "amount_cents"], "msg": SAID[language]["required"], "type": "missing"},
            {"loc": ["body", "amount"], "msg": SAID[language]["amount"], "type": "extra_forbidden"},
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_field_like_none_of_the_schemas_is_named_without_a_guess(api, business, language):
    customer = CustomerFactory(business=business)
    body = {"customer": customer.pk, "amount_cents": 8950, "price": 8950}
    before = snapshot()

    response = send(api, "post", "/api/v1/purchases", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "price"], "msg": SAID[language]["price"], "type": "extra_forbidden"}
        ]
    }
    assert snapshot() == before


def test_the_guess_is_a_field_of_the_schema_that_refused(api, business):
    # A purchase's PATCH takes no `customer`: "custmer" there is not guessed as one, as it
    # would be on a POST, which takes it.
    purchase = PurchaseFactory(customer=CustomerFactory(business=business))

    patched = send(api, "patch", f"/api/v1/purchases/{purchase.pk}", {"custmer": 3})
    posted = send(api, "post", "/api/v1/purchases", {"custmer": 3, "amount_cents": 1})

    assert [entry["msg"] for entry in patched.json()["detail"]] == ["Unknown field: custmer."]
    assert [entry["msg"] for entry in posted.json()["detail"]] == [
        "This field is required.",
        "Unknown field: custmer. Did you mean customer?",
    ]


def test_the_closest_name_is_found_in_any_capitals_and_only_when_close():
    known = ["name", "email", "phone", "external_ref"]

    assert closest_name("emial", known) == "email"
    assert closest_name("EMAIL", known) == "email"
    assert closest_name("Phone_number", known) is None
    assert closest_name("receipt", ["customer", "amount_cents", "external_ref"]) is None
