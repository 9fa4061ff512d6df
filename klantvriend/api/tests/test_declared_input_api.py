"""A request is refused for what its route would otherwise ignore, never answered 200 as if it
were carried out: a query parameter the route does not declare (`?serach=anna` listed everyone)
and a body sent to a route that takes none (an erasure with a body)."""

import json
import re

import pytest

from klantvriend.api.urls import api as ninja_api
from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.isolation import create_foreign_rows, model_for_parameter, snapshot

SCHEMA = ninja_api.get_openapi_schema()
PARAMETER = re.compile(r"\{(\w+)\}")
# Every operation that `{}` (or no body) satisfies, so that only the unknown parameter is wrong:
# reads, deletions, changes, and the erasure. A create is tried with a valid body below.
OPERATIONS = sorted(
    (path, method)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in {"get", "delete", "patch"} or "requestBody" not in operation
)


def _unknown(name: str, message: str = "Unknown parameter: {name}.") -> dict:
    return {"loc": ["query", name], "msg": message.format(name=name), "type": "extra_forbidden"}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Unknown parameter: {name}. Did you mean search?"),
        ("nl", "Onbekende parameter: {name}. Bedoel je search?"),
    ],
)
@pytest.mark.parametrize("name", ["serach", "q", "query", "zoek"])
def test_a_misspelt_search_is_refused_instead_of_listing_everyone(
    api, business, language, message, name
):
    services.customer_create(business=business, name="Anna")
    services.customer_create(business=business, name="Bram")

    response = api.get("/api/v1/customers", {name: "anna"}, headers={"Accept-Language": language})

    assert response.status_code == 422
    assert response.json() == {"detail": [_unknown(name, message)]}


def test_the_parameters_a_route_declares_are_taken(api, business):
    services.customer_create(business=business, name="Anna")
    services.customer_create(business=business, name="Bram")

    response = api.get("/api/v1/customers", {"search": "anna", "limit": 5, "offset": 0})

    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["Anna"]


def test_every_unknown_parameter_is_named(api, business):
    response = api.get("/api/v1/promises", {"limit": 5, "stauts": "open", "klant": 3})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            _unknown("stauts", "Unknown parameter: {name}. Did you mean status?"),
            _unknown("klant"),  # nothing the route declares is close
        ]
    }


def test_a_value_refused_by_its_declared_parameter_is_said_first(api, business):
    # The declared parameters are checked by their schema first; the unknown one is named
    # once they pass. Either way nothing is answered as if the request were carried out.
    response = api.get("/api/v1/customers", {"limit": 0, "serach": "anna"})

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", "limit"]]


def test_every_route_is_walked():
    assert len(OPERATIONS) >= 30


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_every_route_refuses_an_unknown_parameter_and_does_nothing(api, business, path, method):
    rows = create_foreign_rows(business)  # of the token's own business: the routes find them
    values = {name: rows[model_for_parameter(name)].pk for name in PARAMETER.findall(path)}
    before = snapshot()

    url = f"{path.format(**values)}?unknown_parameter=1"
    if method in {"get", "delete"}:
        response = getattr(api, method)(url)
    else:
        response = getattr(api, method)(url, data="{}", content_type="application/json")

    assert response.status_code == 422, f"{method.upper()} {path} answered {response.status_code}"
    assert response.json() == {"detail": [_unknown("unknown_parameter")]}
    assert snapshot() == before


def test_a_create_with_an_unknown_parameter_creates_nothing(api, business):
    response = api.post(
        "/api/v1/customers?notify=1",
        data=json.dumps({"name": "Anna"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json() == {"detail": [_unknown("notify")]}
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Unknown field: keep_purchases."), ("nl", "Onbekend veld: keep_purchases.")],
)
def test_an_erasure_with_a_body_is_refused_and_erases_nothing(api, business, language, message):
    customer = services.customer_create(business=business, name="Anna", email="anna@example.nl")
    before = snapshot()

    response = api.post(
        f"/api/v1/customers/{customer.pk}/erase",
        data=json.dumps({"keep_purchases": False}),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "keep_purchases"], "msg": message, "type": "extra_forbidden"}]
    }
    assert snapshot() == before


@pytest.mark.parametrize("body", ["[1]", "erase=yes", '"please"'])
def test_an_erasure_with_a_body_that_is_no_object_is_refused(api, business, body):
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()

    response = api.post(
        f"/api/v1/customers/{customer.pk}/erase", data=body, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": "This request takes no body: send none, or {}.",
                "type": "no_body",
            }
        ]
    }
    assert snapshot() == before


@pytest.mark.parametrize("body", ["", "{}", " { } "])
def test_an_erasure_without_a_body_or_with_an_empty_object_is_done(api, business, body):
    customer = services.customer_create(business=business, name="Anna")

    response = api.post(
        f"/api/v1/customers/{customer.pk}/erase", data=body, content_type="application/json"
    )

    assert response.status_code == 200
    assert Customer.objects.get(pk=customer.pk).erased_at is not None


def test_a_deletion_with_a_body_is_refused_and_deletes_nothing(api, business):
    customer = services.customer_create(business=business, name="Anna")

    response = api.delete(
        f"/api/v1/customers/{customer.pk}",
        data=json.dumps({"reason": "dubbel"}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "reason"], "msg": "Unknown field: reason.", "type": "extra_forbidden"}
        ]
    }
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_an_unknown_parameter_without_a_token_is_still_unauthenticated(client, business):
    response = client.get("/api/v1/customers?serach=anna")

    assert response.status_code == 401


def test_an_erasure_with_a_form_is_refused_and_an_empty_form_is_no_body(api, business):
    customer = services.customer_create(business=business, name="Anna")

    refused = api.post(f"/api/v1/customers/{customer.pk}/erase", {"keep_purchases": "no"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "keep_purchases"]
    assert Customer.objects.get(pk=customer.pk).erased_at is None

    done = api.post(f"/api/v1/customers/{customer.pk}/erase")
    assert done.status_code == 200


def test_an_erasure_with_a_multipart_body_without_a_boundary_is_refused(api, business):
    # Django cannot read such a form at all: it was a 500.
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()

    response = api.post(
        f"/api/v1/customers/{customer.pk}/erase", data="x", content_type="multipart/form-data"
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body"], "msg": "This request takes no body: send none, or {}.", "type": "no_body"}
    ]
    assert snapshot() == before
