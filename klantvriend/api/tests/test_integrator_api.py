"""What an integrator new to the API meets first (a web shop or a till syncing customers and
purchases, with only docs/api.md): every refusal says what was wrong and what to send instead,
in the language asked for, in the shape of the others, and changes nothing."""

import json
from unittest.mock import ANY

import pytest
from django.test import Client

from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "The body is not JSON (it breaks off at line 1, column 2): send one JSON object, "
            'such as {"name": "Anna"}.',
        ),
        (
            "nl",
            "De body is geen JSON (hij loopt vast op regel 1, kolom 2): stuur één JSON-object, "
            'zoals {"name": "Anna"}.',
        ),
    ],
)
def test_a_body_that_is_not_json_says_where_it_broke_off_in_the_language_asked_for(
    api, business, language, expected
):
    response = api.post(
        "/api/v1/customers",
        data="{name: 'Anna'}",
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": expected}
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", 'The body is not JSON: send one JSON object in UTF-8, such as {"name": "Anna"}.'),
        ("nl", 'De body is geen JSON: stuur één JSON-object in UTF-8, zoals {"name": "Anna"}.'),
    ],
)
def test_a_body_that_is_not_text_is_refused_in_the_language_asked_for(
    api, business, language, expected
):
    response = api.post(
        "/api/v1/customers",
        data=b"\xff\xfe\xfa",
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 400
    assert response.json() == {"detail": expected}
    assert Customer.objects.count() == 0


def post(api, url, data, language="en"):
    return api.post(
        url,
        data=json.dumps(data),
        content_type="application/json",
        headers={"Accept-Language": language},
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "PUT is not done at this address; it takes DELETE, GET, PATCH."),
        ("nl", "PUT kan niet op dit adres, wel DELETE, GET, PATCH."),
    ],
)
def test_a_method_an_address_does_not_take_is_refused_in_json_saying_which_it_takes(
    api, business, language, expected
):
    customer = Customer.objects.create(business=business, name="Anna")

    response = api.put(
        f"/api/v1/customers/{customer.pk}",
        data=json.dumps({"name": "Overschreven"}),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 405
    assert response.json() == {"detail": expected}
    assert sorted(response["Allow"].split(", ")) == ["DELETE", "GET", "PATCH"]
    assert Customer.objects.get().name == "Anna"


@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        (
            "/api/v1/customer",
            "en",
            "The API has no address /api/v1/customer; its addresses are listed at /api/v1/docs.",
        ),
        (
            "/api/v1/customers/",
            "nl",
            "De API heeft geen adres /api/v1/customers/; de adressen staan op /api/v1/docs.",
        ),
    ],
)
def test_an_address_the_api_does_not_have_is_a_404_in_json(api, business, path, language, expected):
    response = api.post(
        path,
        data=json.dumps({"name": "Anna"}),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {"detail": expected}
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "language", "expected"),
    [
        ("birthday", "12-03-1980", "en", "Enter a valid date as YYYY-MM-DD, e.g. 2026-03-01."),
        (
            "birthday",
            "12-03-1980",
            "nl",
            "Voer een geldige datum in als JJJJ-MM-DD, bijvoorbeeld 2026-03-01.",
        ),
        (
            "at",
            "30-11-2026 14:30",
            "en",
            "Enter a valid moment as ISO 8601 text with its time zone, e.g. "
            "2026-03-01T14:30:00+01:00.",
        ),
        (
            "at",
            "30-11-2026 14:30",
            "nl",
            "Voer een geldig moment in als ISO 8601-tekst met de tijdzone, bijvoorbeeld "
            "2026-03-01T14:30:00+01:00.",
        ),
    ],
)
def test_a_date_or_moment_in_another_format_is_refused_naming_the_format(
    api, business, field, value, language, expected
):
    customer = Customer.objects.create(business=business, name="Anna")
    url, body = (
        (f"/api/v1/customers/{customer.pk}", {field: value})
        if field == "birthday"
        else ("/api/v1/purchases", {"customer": customer.pk, "amount_cents": 1250, field: value})
    )

    response = api.generic(
        "PATCH" if field == "birthday" else "POST",
        url,
        data=json.dumps(body),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["body", field], "msg": expected, "type": ANY}]}
    customer.refresh_from_db()
    assert customer.birthday is None
    assert customer.purchases.count() == 0


def test_the_business_currency_in_small_letters_is_the_business_currency(api, business):
    customer = Customer.objects.create(business=business, name="Anna")

    response = post(
        api, "/api/v1/purchases", {"customer": customer.pk, "amount_cents": 1250, "currency": "eur"}
    )

    assert response.status_code == 201
    assert response.json()["currency"] == "EUR"
    assert customer.purchases.get().currency == "EUR"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This business keeps its amounts in EUR; an amount in USD would be counted as EUR."),
        (
            "nl",
            "Dit bedrijf houdt zijn bedragen bij in EUR; een bedrag in USD zou als EUR worden "
            "geteld.",
        ),
    ],
)
def test_another_currency_in_small_letters_is_refused_naming_it_as_written_in_capitals(
    api, business, language, expected
):
    customer = Customer.objects.create(business=business, name="Anna")

    response = post(
        api,
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": 1250, "currency": "usd"},
        language,
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "currency"], "msg": expected, "type": "other_currency"}]
    }
    assert customer.purchases.count() == 0


def test_a_customer_is_found_by_their_customer_number_in_any_capitals(
    api, business, other_business
):
    CustomerFactory(business=business, name="Anna de Vries", external_ref="K-1001")
    CustomerFactory(business=business, name="Anna de Vries", external_ref="K-10011")
    CustomerFactory(business=business, name="Kees Bakker", external_ref="")
    CustomerFactory(business=other_business, name="Geheim", external_ref="k-1002")

    found = api.get("/api/v1/customers?external_ref=k-1001").json()
    none = api.get("/api/v1/customers?external_ref=K-1002").json()
    both = api.get("/api/v1/customers?external_ref=K-1001&search=anna").json()

    assert [(c["name"], c["external_ref"]) for c in found["items"]] == [("Anna de Vries", "K-1001")]
    assert found["count"] == 1
    assert none == {"items": [], "count": 0}
    assert [c["external_ref"] for c in both["items"]] == ["K-1001"]


def test_a_customer_number_longer_than_any_is_refused_naming_the_parameter(api, business):
    response = api.get(f"/api/v1/customers?external_ref={'K' * 101}")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["query", "external_ref"],
                "msg": "Ensure this value has at most 100 characters (it has 101).",
                "type": "string_too_long",
            }
        ]
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "The body is larger than the API reads (at most 2.5\xa0MB); send fewer or shorter "
            "values at once.",
        ),
        (
            "nl",
            "De body is groter dan de API leest (hooguit 2,5\xa0MB); stuur minder of kortere "
            "waarden tegelijk.",
        ),
    ],
)
@pytest.mark.parametrize("idempotency_key", [None, "3f2c9a1e-7b1d-4c55-9a7e-0d1f6c2b8e41"])
def test_a_body_larger_than_the_api_reads_is_a_413_in_json(
    api_key, business, language, expected, idempotency_key
):
    """Before: Django's bare HTML "Bad Request (400)" (a 500 with a traceback under DEBUG)."""
    headers = {"Authorization": f"Bearer {api_key}", "Accept-Language": language}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    client = Client(headers=headers, raise_request_exception=False)

    response = client.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Anna", "notes": "a" * 3_000_000}),
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json() == {"detail": expected}
    assert Customer.objects.count() == 0


def test_every_status_of_a_promise_is_explained_in_the_openapi_schema(api):
    """overdue and broken were enum values a client had to guess apart; broken ones may still
    be open, which a client listing what is still to keep must know."""
    schema = api.get("/api/v1/openapi.json").json()
    status = schema["components"]["schemas"]["PromiseOut"]["properties"]["status"]

    explained = [value for value in status["enum"] if f"{value}: " in status["description"]]

    assert explained == status["enum"]
