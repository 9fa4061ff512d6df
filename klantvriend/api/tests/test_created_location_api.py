"""A 201 Created says where the new record is read (Location), and a write replayed for its
Idempotency-Key gives the first answer's Location and ETag again."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.customers import services


def post(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def anna(business):
    return services.customer_create(business=business, name="Anna")


def _bodies(customer_id: int, now) -> dict:
    soon = (now + timedelta(days=2)).isoformat()
    return {
        "customers": {"name": "Bram"},
        "purchases": {"customer": customer_id, "amount_cents": 1250, "at": now.isoformat()},
        "promises": {"customer": customer_id, "description": "Taart", "due_at": soon},
        "gestures": {"customer": customer_id, "what": "Koffie", "occasion": "just_because"},
        "follow-ups": {"customer": customer_id, "note": "Bellen", "due_on": soon[:10]},
        "complaints": {"customer": customer_id, "description": "Koude soep"},
        "contact-moments": {"customer": customer_id, "kind": "call", "summary": "Gebeld"},
        "important-dates": {"customer": customer_id, "label": "Trouwdag", "date": "2019-06-01"},
        "privacy-requests": {"customer": customer_id, "kind": "access", "channel": "counter"},
        "survey-invitations": {"customer": customer_id, "channel": "counter"},
    }


@pytest.mark.parametrize(
    "collection",
    [
        "customers",
        "purchases",
        "promises",
        "gestures",
        "follow-ups",
        "complaints",
        # These four had a GET of their own and no Location: an integrator found them by hand.
        "contact-moments",
        "important-dates",
        "privacy-requests",
        "survey-invitations",
    ],
)
def test_a_created_record_says_where_it_is_read(api, anna, collection):
    body = _bodies(anna.pk, timezone.now())[collection]

    created = post(api, f"/api/v1/{collection}", body)

    assert created.status_code == 201, created.json()
    location = f"/api/v1/{collection}/{created.json()['id']}"
    assert created.headers["Location"] == location
    read = api.get(location)
    assert read.status_code == 200
    assert read.json()["id"] == created.json()["id"]
    if "ETag" in created.headers:  # a privacy request and an invitation are not changed
        assert read.headers["ETag"] == created.headers["ETag"]


def test_a_replayed_create_gives_the_first_location_and_etag_again(api, anna):
    body = {"customer": anna.pk, "amount_cents": 1250, "at": timezone.now().isoformat()}
    key = "9a0c2d7e-1f3b-4e5a-8c6d-2b7e9f1a3c4d"

    first = post(api, "/api/v1/purchases", body, **{"Idempotency-Key": key})
    again = post(api, "/api/v1/purchases", body, **{"Idempotency-Key": key})

    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Location"] == f"/api/v1/purchases/{first.json()['id']}"
    assert again.headers["ETag"] == first.headers["ETag"]
