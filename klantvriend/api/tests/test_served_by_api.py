"""A purchase's `member`: the user id of who served the customer, read and written by the API,
refused for anyone who does not work in the business."""

import json

import pytest

from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory


def send(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def lotte(business):
    user = user_create(username="lotte", password="pw-lotte-123", first_name="Lotte")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


NOT_MEMBER = {
    "loc": ["body", "member"],
    "msg": "This person does not work here.",
    "type": "not_member",
}


def test_a_purchase_is_recorded_with_who_served_it_and_read_back(api, business, lotte):
    customer = CustomerFactory(business=business)

    created = send(
        api,
        "post",
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": 8950, "member": lotte.pk},
    )

    assert created.status_code == 201, created.content
    assert created.json()["member"] == lotte.pk
    assert Purchase.objects.get().member == lotte
    assert api.get(f"/api/v1/purchases/{created.json()['id']}").json()["member"] == lotte.pk
    assert api.get("/api/v1/purchases").json()["items"][0]["member"] == lotte.pk


def test_a_purchase_left_without_a_member_names_no_one(api, business):
    customer = CustomerFactory(business=business)

    created = send(api, "post", "/api/v1/purchases", {"customer": customer.pk, "amount_cents": 1})

    assert created.json()["member"] is None
    assert Purchase.objects.get().member is None


@pytest.mark.parametrize("who", ["other_business", "nobody"])
def test_someone_who_does_not_work_here_is_refused_with_the_other_refusals(
    api, business, other_owner, who
):
    customer = CustomerFactory(business=business)
    member = other_owner.pk if who == "other_business" else other_owner.pk + 1000

    response = send(
        api,
        "post",
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": 100, "currency": "USD", "member": member},
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert NOT_MEMBER in detail
    assert {tuple(error["loc"]) for error in detail} == {("body", "currency"), ("body", "member")}
    assert not Purchase.objects.exists()


def test_a_member_given_as_text_is_refused_by_the_schema(api, business):
    customer = CustomerFactory(business=business)

    response = send(
        api,
        "post",
        "/api/v1/purchases",
        {"customer": customer.pk, "amount_cents": 1, "member": "Lotte"},
    )

    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "member"], "int_type")
    ]
    assert not Purchase.objects.exists()


def test_a_correction_names_another_member_or_none(api, business, owner, lotte):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), member=owner)
    url = f"/api/v1/purchases/{purchase.pk}"

    changed = send(api, "patch", url, {"member": lotte.pk})
    assert (changed.status_code, changed.json()["member"]) == (200, lotte.pk)
    assert Purchase.objects.get().member == lotte

    cleared = send(api, "patch", url, {"member": None})
    assert (cleared.status_code, cleared.json()["member"]) == (200, None)
    assert Purchase.objects.get().member is None
    trail = AuditEvent.objects.filter(object_type="purchase").order_by("pk")
    assert [event.changes for event in trail] == [
        {"member_id": [owner.pk, lotte.pk]},
        {"member_id": [lotte.pk, None]},
    ]


def test_a_correction_to_someone_elsewhere_is_refused_and_changes_nothing(
    api, business, lotte, other_owner
):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), member=lotte)

    response = send(
        api,
        "patch",
        f"/api/v1/purchases/{purchase.pk}",
        {"member": other_owner.pk, "description": "x"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [NOT_MEMBER]
    stored = Purchase.objects.get()
    assert (stored.member, stored.description) == (lotte, "")
    assert not AuditEvent.objects.filter(object_type="purchase").exists()
