"""A request with a token speaks the language of the token's member: their own choice, else their
business's, unless it asks for one of Klantvriend's languages with Accept-Language. A till set
up by a member who chose English was refused in Dutch ("Geef het bedrag in hele centen…")."""

import json

import pytest
from django.test import Client

from klantvriend.core.accounts import account_language_set
from klantvriend.core.services import apitoken_create
from klantvriend.customers import services
from klantvriend.customers.models import Purchase
from klantvriend.isolation import snapshot

IN_CENTS = {
    "en": "Give the amount in whole cents, as a number: 1250 for 12.50.",
    "nl": "Geef het bedrag in hele centen, als getal: 1250 voor 12,50.",
}


def _till(membership, accept_language: str | None) -> Client:
    """A client as a till sends it: the token, and Accept-Language only when given."""
    key = apitoken_create(membership=membership, name="till")[1]
    headers = {"Authorization": f"Bearer {key}"}
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    return Client(headers=headers)


def _buy_for_twelve_fifty(till: Client, business):
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()
    response = till.post(
        "/api/v1/purchases",
        data=json.dumps({"customer": customer.pk, "amount_cents": "12.50"}),
        content_type="application/json",
    )
    assert snapshot() == before
    assert Purchase.objects.count() == 0
    return response


@pytest.mark.parametrize(
    ("own", "shop", "accept_language", "language"),
    [
        # Without Accept-Language (or with none Klantvriend speaks): the member's language.
        ("en", "nl", None, "en"),
        ("en", "nl", "fr-FR,fr;q=0.9", "en"),
        ("en", "nl", "*", "en"),
        ("nl", "en", None, "nl"),
        ("", "en", None, "en"),  # who chose none reads their business's
        ("", "nl", None, "nl"),
        # Accept-Language naming one of Klantvriend's languages wins.
        ("en", "nl", "nl", "nl"),
        ("en", "en", "nl-NL,nl;q=0.9", "nl"),
        ("nl", "nl", "en-GB", "en"),
    ],
)
def test_a_token_s_refusal_speaks_its_member_s_language_unless_the_request_asks_another(
    membership, business, own, shop, accept_language, language
):
    business.language = shop
    business.save(update_fields=["language"])
    if own:
        account_language_set(user=membership.user, language=own)

    response = _buy_for_twelve_fifty(_till(membership, accept_language), business)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "amount_cents"], "msg": IN_CENTS[language], "type": "int_type"}]
    }
    assert response["Content-Language"] == language


def test_a_token_s_not_found_speaks_its_member_s_language(membership):
    account_language_set(user=membership.user, language="en")

    response = _till(membership, None).get("/api/v1/customers/999999")
    account_language_set(user=membership.user, language="nl")
    dutch = _till(membership, None).get("/api/v1/customers/999999")

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "No customer with id 999999 in this business."},
    )
    assert response["Content-Language"] == "en"
    assert dutch.json() == {"detail": "Geen klant met id 999999 in deze zaak."}


def test_an_unknown_token_is_refused_in_the_language_of_the_header_or_dutch(membership):
    """Nobody is known before the token is: the header, else the installation's Dutch."""
    account_language_set(user=membership.user, language="en")
    unknown = {"Authorization": "Bearer not-a-token"}

    bare = Client(headers=unknown).get("/api/v1/customers")
    english = Client(headers={**unknown, "Accept-Language": "en"}).get("/api/v1/customers")

    assert (bare.status_code, english.status_code) == (401, 401)
    assert bare.json() == {
        "detail": "Een geldig API-token is nodig, meegestuurd als 'Authorization: Bearer <token>'."
    }
    assert english.json() == {
        "detail": "A valid API token is needed, sent as 'Authorization: Bearer <token>'."
    }


def test_a_refused_idempotency_key_speaks_its_member_s_language(membership, business):
    """Read with the token before the authentication of the operation runs."""
    account_language_set(user=membership.user, language="en")
    customer = services.customer_create(business=business, name="Anna")
    before = snapshot()

    response = _till(membership, None).post(
        "/api/v1/purchases",
        data=json.dumps({"customer": customer.pk, "amount_cents": 1250}),
        content_type="application/json",
        headers={"Idempotency-Key": "two words"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == (
        "Send at most 255 visible ASCII characters without spaces in the Idempotency-Key "
        "header, such as a UUID."
    )
    assert response["Content-Language"] == "en"
    assert snapshot() == before
