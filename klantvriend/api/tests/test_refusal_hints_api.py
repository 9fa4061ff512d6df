"""Refusals that let a till carry on without a person reading them: an unknown field names the
field it probably meant ("amount": amount_cents), and a value taken by a record of the business
(a receipt number sent again) names that record (`existing_id`), never one of another
business."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from klantvriend.api.declared import closest_name
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.isolation import snapshot

LANGUAGES = pytest.mark.parametrize("language", ["en", "nl"])

SAID = {
    "en": {
        "required": "This field is required.",
        "amount": "Unknown field: amount. Did you mean amount_cents?",
        "colour": "Unknown field: colour.",
        "receipt": "A purchase with this receipt number already exists.",
        "number": "Another customer already has this customer number.",
    },
    "nl": {
        "required": "Dit veld is verplicht.",
        "amount": "Onbekend veld: amount. Bedoel je amount_cents?",
        "colour": "Onbekend veld: colour.",
        "receipt": "Er bestaat al een aankoop met dit bonnummer.",
        "number": "Een andere klant heeft dit klantnummer al.",
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
    body = {"customer": customer.pk, "amount_cents": 8950, "colour": "red"}
    before = snapshot()

    response = send(api, "post", "/api/v1/purchases", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "colour"], "msg": SAID[language]["colour"], "type": "extra_forbidden"}
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
    # A till's word for a purchase's field, where it is a purchase's; elsewhere no guess, not
    # even the spelling nearest ("street").
    assert closest_name("receipt", ["customer", "amount_cents", "external_ref"]) == "external_ref"
    assert closest_name("receipt", ["name", "street", "external_ref"]) is None


@LANGUAGES
def test_a_receipt_number_sent_again_names_the_purchase_it_made(
    api, business, other_business, language
):
    # The other business's purchase of the same number is older: were the business not
    # looked at, its id would be the one found.
    PurchaseFactory(customer=CustomerFactory(business=other_business), external_ref="BON-7")
    customer = CustomerFactory(business=business)
    sale = {"customer": customer.pk, "amount_cents": 8950, "external_ref": "BON-7"}
    first = send(api, "post", "/api/v1/purchases", sale, language)
    before = snapshot()

    retried = send(api, "post", "/api/v1/purchases", sale, language)

    assert first.status_code == 201
    assert retried.status_code == 422
    assert retried.json() == {
        "detail": [
            {
                "loc": ["body", "external_ref"],
                "msg": SAID[language]["receipt"],
                "type": "unique",
                "existing_id": first.json()["id"],
            }
        ]
    }
    assert snapshot() == before


def test_a_receipt_number_of_another_business_is_no_refusal_at_all(api, business, other_business):
    theirs = PurchaseFactory(
        customer=CustomerFactory(business=other_business), external_ref="BON-7"
    )
    customer = CustomerFactory(business=business)

    response = send(
        api,
        "post",
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": 8950, "external_ref": "BON-7"},
    )

    assert response.status_code == 201
    assert response.json()["id"] != theirs.pk
    assert Purchase.objects.filter(external_ref="BON-7").count() == 2


def test_a_correction_to_a_receipt_number_taken_names_the_other_purchase(api, business):
    customer = CustomerFactory(business=business)
    taken = PurchaseFactory(customer=customer, external_ref="BON-1")
    corrected = PurchaseFactory(customer=customer, external_ref="BON-2")
    before = snapshot()

    response = send(api, "patch", f"/api/v1/purchases/{corrected.pk}", {"external_ref": "BON-1"})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "external_ref"],
            "msg": SAID["en"]["receipt"],
            "type": "unique",
            "existing_id": taken.pk,
        }
    ]
    assert snapshot() == before


@LANGUAGES
def test_a_customer_number_taken_in_other_capitals_names_the_customer(
    api, business, other_business, language
):
    CustomerFactory(business=other_business, external_ref="K-1")
    anna = services.customer_create(business=business, name="Anna", external_ref="K-1")
    before = snapshot()

    response = send(
        api, "post", "/api/v1/customers", {"name": "Anna", "external_ref": "k-1"}, language
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "external_ref"],
                "msg": SAID[language]["number"],
                "type": "unique",
                "existing_id": anna.pk,
            }
        ]
    }
    assert snapshot() == before


def test_a_customer_number_of_another_business_is_no_refusal_at_all(api, business, other_business):
    CustomerFactory(business=other_business, external_ref="K-1")

    response = send(api, "post", "/api/v1/customers", {"name": "Anna", "external_ref": "K-1"})

    assert response.status_code == 201
    assert Customer.objects.filter(business=business, external_ref="K-1").count() == 1


def test_the_web_form_says_the_customer_number_taken_as_before(business):
    # The record's id rides along with the refusal (a parameter of its message); the message
    # itself, as the web form and the importers show it, stays the same.
    services.customer_create(business=business, name="Anna", external_ref="K-1")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.customer_create(business=business, name="Bram", external_ref="K-1")

    with translation.override("en"):
        assert refused.value.message_dict == {
            "external_ref": ["Another customer already has this customer number."]
        }
    assert Customer.objects.filter(business=business).count() == 1
