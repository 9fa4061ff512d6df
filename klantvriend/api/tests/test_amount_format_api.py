"""An amount sent in euros ("12.50", 12.5, "12,50") is refused saying that the API takes whole
cents, with an example: "Enter a whole number." led a till to send 12, twelve cents."""

import json

import pytest

from klantvriend.customers import services
from klantvriend.customers.models import Purchase
from klantvriend.gestures.models import Gesture
from klantvriend.isolation import snapshot

IN_CENTS = {
    "en": "Give the amount in whole cents, as a number: 1250 for 12.50.",
    "nl": "Geef het bedrag in hele centen, als getal: 1250 voor 12,50.",
}


def send(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("amount", "kind"),
    [("12.50", "int_type"), (12.5, "int_type"), ("12,50", "int_type"), ("1250", "int_type")],
)
@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_purchase_amount_in_euros_is_refused_saying_it_takes_cents(
    api, business, language, amount, kind
):
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()

    response = send(
        api,
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": amount, "external_ref": "BON-1"},
        **{"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "amount_cents"], "msg": IN_CENTS[language], "type": kind}]
    }
    assert snapshot() == before
    assert Purchase.objects.count() == 0


def test_a_refund_sent_as_a_negative_sale_is_refused_saying_what_to_do(api, business):
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()

    response = send(
        api,
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": -500, "description": "retour"},
        **{"Accept-Language": "nl"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "amount_cents"],
            "msg": "Een aankoop kan niet negatief zijn: laat een retour of terugbetaling weg, "
            "zoals de analyse doet, of corrigeer of verwijder de verkoop die ze terugdraait.",
            "type": "greater_than_equal",
        }
    ]
    assert snapshot() == before


def test_a_gesture_value_in_euros_is_refused_saying_it_takes_cents(api, business):
    customer = services.customer_create(business=business, name="Anna")

    response = send(
        api,
        "/api/v1/gestures",
        {"customer": customer.pk, "what": "Bosje bloemen", "value_cents": "7.95"},
        **{"Accept-Language": "nl"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "value_cents"], "msg": IN_CENTS["nl"], "type": "int_type"}]
    }
    assert Gesture.objects.count() == 0


def test_another_number_than_an_amount_keeps_its_own_message(api, business):
    response = api.get("/api/v1/customers?limit=12.5", headers={"Accept-Language": "nl"})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["query", "limit"], "msg": "Voer een geheel getal in.", "type": "int_parsing"}
        ]
    }
