"""A field the API gives in its answers but does not take in a body (`id`, `updated_at`, a
promise's `status`) is refused as an unknown field is, but said to be read-only: a client that
sends back the record it read was told "Unknown field: id.", of a field the API had just
given it, and could only guess whether the documentation or the client was wrong."""

import json

import pytest

from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.gestures.models import Gesture
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import PromiseFactory

READ_ONLY = {
    "en": "Read-only field: {}. The API gives it in its answers but does not take it here; "
    "leave it out.",
    "nl": "Alleen-lezen veld: {}. De API geeft het in zijn antwoorden, maar neemt het hier niet "
    "aan; laat het weg.",
}


def send(client, method, url, data, **headers):
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_customer_sent_back_as_read_is_refused_naming_the_read_only_fields(
    api, business, language
):
    customer = services.customer_create(business=business, name="Anna", email="anna@example.nl")
    read = api.get(f"/api/v1/customers/{customer.pk}").json()
    del read["total_spend_cents"], read["insight"]  # figures of the single record only
    before = snapshot()

    response = send(
        api,
        "patch",
        f"/api/v1/customers/{customer.pk}",
        {**read, "notes": "Komt voortaan op zaterdag."},
        **{"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", name],
                "msg": READ_ONLY[language].format(name),
                "type": "extra_forbidden",
            }
            for name in [
                "id",
                "customer_since_known",
                "marketing_consent_at",
                "created_at",
                "updated_at",
                "anonymised_at",
            ]
        ]
    }
    assert snapshot() == before
    assert Customer.objects.get(pk=customer.pk).notes == ""


def test_a_promise_status_sent_is_read_only_and_the_promise_stays_open(api, business):
    customer = services.customer_create(business=business, name="Anna")
    promise = PromiseFactory(customer=customer)
    before = snapshot()

    response = send(api, "patch", f"/api/v1/promises/{promise.pk}", {"status": "kept"})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "status"],
                "msg": READ_ONLY["en"].format("status"),
                "type": "extra_forbidden",
            }
        ]
    }
    assert snapshot() == before
    assert Promise.objects.get(pk=promise.pk).done_at is None


def test_a_misspelt_field_stays_unknown_beside_a_read_only_one(api, business):
    response = send(api, "post", "/api/v1/customers", {"name": "Anna", "emial": "a@b.nl", "id": 7})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "emial"],
                "msg": "Unknown field: emial. Did you mean email?",
                "type": "extra_forbidden",
            },
            {"loc": ["body", "id"], "msg": READ_ONLY["en"].format("id"), "type": "extra_forbidden"},
        ]
    }
    assert Customer.objects.count() == 0


def test_a_field_of_another_route_answers_is_unknown_on_this_route(api, business):
    # A promise answers with `description`; a gesture says what it was in `what`, so
    # `description` on a gesture is a wrong name, not a read-only field.
    customer = services.customer_create(business=business, name="Anna")

    response = send(
        api,
        "post",
        "/api/v1/gestures",
        {"customer": customer.pk, "what": "Bosje bloemen", "description": "Bosje bloemen"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "description"],
                "msg": "Unknown field: description.",
                "type": "extra_forbidden",
            }
        ]
    }
    assert Gesture.objects.count() == 0
