"""Two API clients changing the same customer: GET hands out the customer's version as its ETag,
and a PATCH sent with If-Match is done only while that version is still stored (412 otherwise).
Without If-Match a PATCH changes the fields it sends, as before."""

import json
import re

import pytest

from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import Customer
from klantvriend.customers.services import customer_create, purchase_create

NOTES = "Dochter begint in september op school."
CHANGED_EN = {
    "detail": "This customer was changed since you read it: read it again and make your change "
    "to what is stored now.",
    "code": "changed_meanwhile",
}


@pytest.fixture
def marieke(business, owner):
    return customer_create(
        business=business, name="Marieke de Boer", phone="0611111111", notes=NOTES, actor=owner
    )


def _url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}"


def patch(client, url, data, **headers):
    return client.patch(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


def _stored(customer) -> dict:
    return Customer.objects.filter(pk=customer.pk).values().get()


def test_a_customer_comes_with_the_etag_of_their_version(api, marieke):
    first, again = api.get(_url(marieke)), api.get(_url(marieke))

    assert re.fullmatch(r'"[0-9a-f]{32}"', first["ETag"])
    assert again["ETag"] == first["ETag"]


def test_create_and_change_answer_with_the_etag_a_get_gives_then(api):
    created = api.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Kees", "tags": ["buurt"], "marketing_consent": True}),
        content_type="application/json",
    )
    url = f"/api/v1/customers/{created.json()['id']}"
    read = api.get(url)
    changed = patch(api, url, {"phone": "0612345678", "tags": ["buurt", "vaste klant"]})

    assert created.status_code == 201
    assert created["ETag"] == read["ETag"]
    assert changed.status_code == 200
    assert changed["ETag"] != read["ETag"]
    assert changed["ETag"] == api.get(url)["ETag"]


def test_a_change_with_the_current_etag_is_made(api, marieke):
    etag = api.get(_url(marieke))["ETag"]

    answer = patch(api, _url(marieke), {"phone": "0612345678"}, **{"If-Match": etag})

    assert answer.status_code == 200
    assert answer.json()["phone"] == "0612345678"


def test_a_change_based_on_an_old_read_is_refused_with_412_and_nothing_is_stored(
    api, marieke, staff_user
):
    """Client A read the customer; client B added a note; A, sending the notes it read with its
    own line added, would wipe B's note."""
    etag = api.get(_url(marieke))["ETag"]
    patch(api, _url(marieke), {"notes": NOTES + "\nAllergisch voor noten."})
    before, events = _stored(marieke), AuditEvent.objects.count()

    answer = patch(
        api, _url(marieke), {"notes": NOTES + "\nKomt op zaterdag."}, **{"If-Match": etag}
    )

    assert answer.status_code == 412
    assert answer.json() == CHANGED_EN
    assert _stored(marieke) == before
    assert AuditEvent.objects.count() == events


def test_the_refusal_is_said_in_the_language_asked_for(api, marieke):
    etag = api.get(_url(marieke))["ETag"]
    patch(api, _url(marieke), {"city": "Zwolle"})

    answer = patch(
        api, _url(marieke), {"phone": "0612345678"}, **{"If-Match": etag, "Accept-Language": "nl"}
    )

    assert (answer.status_code, answer.json()) == (
        412,
        {
            "detail": "Deze klant is gewijzigd sinds je hem las: lees hem opnieuw en breng je "
            "wijziging aan op wat nu is opgeslagen.",
            "code": "changed_meanwhile",
        },
    )


def test_a_purchase_or_a_change_to_the_same_values_keeps_the_etag(api, marieke):
    etag = api.get(_url(marieke))["ETag"]
    purchase_create(customer=marieke, amount_cents=1250)
    patch(api, _url(marieke), {"phone": "0611111111"})

    answer = patch(api, _url(marieke), {"phone": "0612345678"}, **{"If-Match": etag})

    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ("*", 200),
        ('"0123456789abcdef0123456789abcdef", {etag}', 200),
        ("W/{etag}", 412),  # a weak tag never matches: none is handed out
        ('"0123456789abcdef0123456789abcdef"', 412),
    ],
)
def test_if_match_is_read_as_http_says(api, marieke, if_match, status):
    etag = api.get(_url(marieke))["ETag"]

    answer = patch(
        api, _url(marieke), {"phone": "0612345678"}, **{"If-Match": if_match.format(etag=etag)}
    )

    assert answer.status_code == status
    expected = "0612345678" if status == 200 else "0611111111"
    assert Customer.objects.get(pk=marieke.pk).phone == expected


@pytest.mark.parametrize("if_match", ["0123456789abcdef", "", "W/"])
def test_an_etag_without_its_quotes_is_refused_as_input(api, marieke, if_match):
    before = _stored(marieke)

    answer = patch(api, _url(marieke), {"phone": "0612345678"}, **{"If-Match": if_match})

    assert answer.status_code == 422
    assert answer.json() == {
        "detail": [
            {
                "loc": ["header", "If-Match"],
                "msg": 'Send the ETag as the GET gave it, in double quotes: If-Match: "…".',
                "type": "invalid",
            }
        ]
    }
    assert _stored(marieke) == before


def test_another_business_customer_is_not_found_whatever_the_etag(other_api, api, marieke):
    etag = api.get(_url(marieke))["ETag"]

    answer = patch(other_api, _url(marieke), {"phone": "0612345678"}, **{"If-Match": etag})

    assert answer.status_code == 404
    assert Customer.objects.get(pk=marieke.pk).phone == "0611111111"


def test_without_if_match_a_change_of_other_fields_keeps_what_another_client_changed(api, marieke):
    patch(api, _url(marieke), {"notes": "Allergisch voor noten."})

    answer = patch(api, _url(marieke), {"phone": "0612345678"})

    assert answer.status_code == 200
    assert (answer.json()["phone"], answer.json()["notes"]) == (
        "0612345678",
        "Allergisch voor noten.",
    )


def test_the_schema_declares_if_match_and_the_412(api):
    schema = api.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/customers/{customer_id}"]["patch"]

    assert "412" in operation["responses"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == [
        "If-Match",
        "Idempotency-Key",
    ]
