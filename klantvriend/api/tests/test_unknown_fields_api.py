"""A field the API does not know is refused, never silently dropped: a typo such as "emial" in a
PATCH would otherwise answer 200 and change nothing, and the client would believe it saved."""

import json

import pytest

from klantvriend.api.urls import api as ninja_api
from klantvriend.customers import services
from klantvriend.customers.models import ContactMoment, Customer
from klantvriend.isolation import snapshot


def send(client, method, url, data, **headers):
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Unknown field: emial. Did you mean email?"),
        ("nl", "Onbekend veld: emial. Bedoel je email?"),
    ],
)
def test_a_misspelt_field_in_a_patch_is_refused_and_changes_nothing(
    api, business, language, message
):
    customer = services.customer_create(business=business, name="Anna", email="anna@example.nl")
    before = snapshot()

    response = send(
        api,
        "patch",
        f"/api/v1/customers/{customer.pk}",
        {"name": "Anna de Vries", "emial": "anna@devries.nl"},
        **{"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "emial"], "msg": message, "type": "extra_forbidden"}]
    }
    assert snapshot() == before
    assert Customer.objects.get(pk=customer.pk).name == "Anna"


def test_an_unknown_field_is_refused_beside_the_other_refusals_of_a_create(api, business):
    customer = services.customer_create(business=business, name="Anna")

    response = send(
        api,
        "post",
        "/api/v1/contact-moments",
        {"customer": customer.pk, "kind": "call", "sumary": "Gebeld", "at": None},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["body", "summary"], "msg": "This field is required.", "type": "missing"},
            {
                "loc": ["body", "sumary"],
                "msg": "Unknown field: sumary. Did you mean summary?",
                "type": "extra_forbidden",
            },
        ]
    }
    assert ContactMoment.objects.count() == 0


def _body_schemas() -> list[tuple[str, str, dict]]:
    """(method, path, schema) of the JSON body of every operation that takes one."""
    schema = ninja_api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            reference = body["schema"]["$ref"].rsplit("/", 1)[-1]
            found.append((method, path, schema["components"]["schemas"][reference]))
    return found


BODY_SCHEMAS = _body_schemas()


def test_every_write_with_a_body_is_walked():
    # The walk below must see the writes; if ninja changed how it names bodies, it would pass
    # on nothing.
    assert len(BODY_SCHEMAS) >= 15


@pytest.mark.parametrize(
    ("method", "path", "body"), BODY_SCHEMAS, ids=[f"{m} {p}" for m, p, _ in BODY_SCHEMAS]
)
def test_every_request_body_refuses_fields_it_does_not_know(method, path, body):
    # A new input schema must derive from api.common.Input (extra="forbid").
    assert body.get("additionalProperties") is False, (
        f"{method.upper()} {path}: its body schema takes unknown fields; derive it from Input"
    )
