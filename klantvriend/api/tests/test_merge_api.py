"""POST /api/v1/customers/{id}/merge: another record of the same person merged into this one."""

import json

import pytest
from django.test import Client

from klantvriend.core.models import Role
from klantvriend.core.services import apitoken_create, membership_create, user_create
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.services import customer_create, customer_update
from klantvriend.customers.tests.factories import PurchaseFactory


def merge(client, customer, other, body=None, **headers):
    return client.post(
        f"/api/v1/customers/{customer.pk}/merge/{other.pk}",
        data=json.dumps(body or {}),
        content_type="application/json",
        headers=headers,
    )


def _state(*customers):
    return [
        (
            c.pk,
            Customer.objects.filter(pk=c.pk).exists(),
            Purchase.objects.filter(customer=c).count(),
        )
        for c in customers
    ]


@pytest.fixture
def pair(business):
    keep = customer_create(business=business, name="Jan Bakker", email="jan@bakker.example")
    other = customer_create(business=business, name="J. Bakker", phone="0612345678")
    PurchaseFactory(customer=other)
    return keep, other


def test_the_other_record_is_merged_and_the_kept_customer_answered_with_its_etag(api, pair):
    keep, other = pair
    etag = api.get(f"/api/v1/customers/{keep.pk}")["ETag"]
    other_etag = api.get(f"/api/v1/customers/{other.pk}")["ETag"]

    response = merge(api, keep, other, {"other_etag": other_etag}, **{"If-Match": etag})

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["email"], body["phone"]) == (
        keep.pk,
        "Jan Bakker",
        "jan@bakker.example",
        "0612345678",
    )
    assert response["ETag"] == api.get(f"/api/v1/customers/{keep.pk}")["ETag"]
    assert _state(keep, other) == [(keep.pk, True, 1), (other.pk, False, 0)]


def test_a_stale_etag_of_either_record_is_412_and_nothing_changes(api, pair):
    keep, other = pair
    etag = api.get(f"/api/v1/customers/{keep.pk}")["ETag"]
    other_etag = api.get(f"/api/v1/customers/{other.pk}")["ETag"]
    customer_update(customer=other, notes="belde net")
    before = _state(keep, other)

    stale_other = merge(api, keep, other, {"other_etag": other_etag})
    customer_update(customer=keep, notes="komt zaterdag")
    stale_keep = merge(api, keep, other, **{"If-Match": etag})

    assert (stale_other.status_code, stale_keep.status_code) == (412, 412)
    assert stale_keep.json()["code"] == "changed_meanwhile"
    assert _state(keep, other) == before


def test_two_customer_numbers_are_409_with_the_reason(api, business):
    keep = customer_create(business=business, name="Jan", external_ref="K-1")
    other = customer_create(business=business, name="Jan B", external_ref="K-2")

    response = merge(api, keep, other)

    assert response.status_code == 409
    assert response.json()["code"] == "two_numbers"
    assert "K-1" in response.json()["detail"]
    assert _state(keep, other) == [(keep.pk, True, 0), (other.pk, True, 0)]


def test_a_record_of_another_business_is_404_and_untouched(api, pair, other_business):
    keep, _other = pair
    stranger = customer_create(business=other_business, name="Geheime Klant")

    response = merge(api, keep, stranger)

    assert response.status_code == 404
    assert "Geheime" not in response.content.decode()
    assert Customer.objects.filter(pk=stranger.pk).exists()


def test_staff_cannot_merge(business, pair):
    keep, other = pair
    user = user_create(username="kees", password="pw-kees-12345")
    key = apitoken_create(
        membership=membership_create(business=business, user=user, role=Role.STAFF)
    )[1]
    staff = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})

    response = merge(staff, keep, other)

    assert response.status_code == 403
    assert _state(keep, other) == [(keep.pk, True, 0), (other.pk, True, 1)]


def preview(client, customer, other):
    return client.get(f"/api/v1/customers/{customer.pk}/merge/{other.pk}")


def test_the_preview_says_what_merging_does_and_changes_nothing(api, business, pair):
    keep, other = pair
    customer_update(customer=other, notes="komt op zaterdag", email="j@bakker.example")
    referred = customer_create(business=business, name="Piet", referred_by=other)
    before = _state(keep, other, referred)

    response = preview(api, keep, other)

    assert response.status_code == 200
    body = response.json()
    assert body["etag"] == api.get(f"/api/v1/customers/{keep.pk}")["ETag"]
    assert body["other_etag"] == api.get(f"/api/v1/customers/{other.pk}")["ETag"]
    assert body["changes"] == [
        {"field": "phone", "now": "", "after": "0612345678"},
        {"field": "notes", "now": "", "after": "komt op zaterdag"},
    ]
    assert body["moving"] == [
        {"kind": "customers.purchase", "name": "purchase", "count": 1},
        {
            "kind": "customers.customer.referred_by",
            "name": "customer they referred",
            "count": 1,
        },
    ]
    assert body["not_kept"] == [{"field": "email", "value": "j@bakker.example"}]
    assert (body["tags_added"], body["health_notes_dropped"]) == ([], False)
    assert _state(keep, other, referred) == before


def test_the_previewed_etags_let_the_merge_through_until_either_record_changes(api, pair):
    keep, other = pair
    body = preview(api, keep, other).json()
    customer_update(customer=other, notes="belde net")

    refused = merge(
        api, keep, other, {"other_etag": body["other_etag"]}, **{"If-Match": body["etag"]}
    )
    body = preview(api, keep, other).json()
    merged = merge(
        api, keep, other, {"other_etag": body["other_etag"]}, **{"If-Match": body["etag"]}
    )

    assert (refused.status_code, merged.status_code) == (412, 200)
    assert _state(keep, other) == [(keep.pk, True, 1), (other.pk, False, 0)]


def test_a_preview_of_what_cannot_be_merged_is_the_merges_409(api, business):
    keep = customer_create(business=business, name="Jan", external_ref="K-1")
    other = customer_create(business=business, name="Jan B", external_ref="K-2")

    response = preview(api, keep, other)

    assert response.status_code == 409
    assert response.json()["code"] == "two_numbers"


def test_a_preview_with_another_business_or_as_staff_is_refused(
    api, business, pair, other_business
):
    keep, other = pair
    stranger = customer_create(business=other_business, name="Geheime Klant")
    user = user_create(username="kees", password="pw-kees-12345")
    key = apitoken_create(
        membership=membership_create(business=business, user=user, role=Role.STAFF)
    )[1]
    staff = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})

    foreign = preview(api, keep, stranger)
    as_staff = preview(staff, keep, other)

    assert (foreign.status_code, as_staff.status_code) == (404, 403)
    assert "Geheime" not in foreign.content.decode()
