"""GET /members: whose user id is whose, for a till that names who served a purchase or whom a
follow-up is for (no page shows the ids); and the pages' words for that field lead to it."""

import json

import pytest

from klantvriend.core.models import Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot

from .test_privacy_api import staff_api


@pytest.fixture
def mo(business):
    user = user_create(username="mo", password="pw-mo-12345")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def test_the_members_are_listed_with_the_ids_a_purchase_takes(
    api, business, owner, staff_user, mo, other_business, other_owner
):
    # Someone with a login and no business, and the other business's owner: neither listed.
    user_create(username="loose", password="pw-loose-123")

    response = api.get("/api/v1/members")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {"id": owner.pk, "name": "Sanne", "username": owner.username, "role": "owner"},
            {
                "id": staff_user.pk,
                "name": "Joris",
                "username": staff_user.username,
                "role": "staff",
            },
            # Without a full name, by the name they log in with, as the pages name them.
            {"id": mo.pk, "name": "mo", "username": "mo", "role": "staff"},
        ],
        "count": 3,
    }
    customer = CustomerFactory(business=business)
    body = {
        "customer": customer.pk,
        "amount_cents": 4500,
        "member": response.json()["items"][2]["id"],
    }
    created = api.post("/api/v1/purchases", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert Purchase.objects.get().member == mo


def test_staff_read_the_members_too_and_another_business_sees_only_its_own(
    business, owner, staff_user, other_api, other_owner
):
    # staff_api's token is of a staff member of its own, kees.
    listed = staff_api(business).get("/api/v1/members").json()["items"]
    assert [(member["name"], member["role"]) for member in listed] == [
        ("Sanne", "owner"),
        ("Joris", "staff"),
        ("kees", "staff"),
    ]
    assert other_api.get("/api/v1/members").json() == {
        "items": [{"id": other_owner.pk, "name": "other", "username": "other", "role": "owner"}],
        "count": 1,
    }


def test_the_members_cannot_be_changed_through_the_api(api):
    before = snapshot()

    response = api.post("/api/v1/members", "{}", content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("language", "field", "said"),
    [
        ("en", "served_by", "Unknown field: served_by. Did you mean member?"),
        ("nl", "staff", "Onbekend veld: staff. Bedoel je member?"),
        ("en", "Employee", "Unknown field: Employee. Did you mean member?"),
    ],
)
def test_who_served_sent_in_the_pages_words_is_told_of_member(
    api, business, staff_user, language, field, said
):
    customer = CustomerFactory(business=business)
    body = {"customer": customer.pk, "amount_cents": 4500, field: staff_user.pk}
    before = snapshot()

    response = api.post(
        "/api/v1/purchases",
        json.dumps(body),
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", field], "msg": said, "type": "extra_forbidden"}]
    }
    assert snapshot() == before


def test_the_pages_words_lead_nowhere_where_there_is_no_member_to_name(api, business):
    """A customer has no `member` (the regular staff member is another field): "staff" on a
    customer is an unknown field without a guess."""
    before = snapshot()

    response = api.post(
        "/api/v1/customers",
        json.dumps({"name": "Eva", "staff": 1}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "staff"], "msg": "Unknown field: staff.", "type": "extra_forbidden"}
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "said"),
    [
        ("receipt", "Unknown field: receipt. Did you mean external_ref?"),
        ("Bonnummer", "Unknown field: Bonnummer. Did you mean external_ref?"),
        ("order_id", "Unknown field: order_id. Did you mean external_ref?"),
        ("price", "Unknown field: price. Did you mean amount_cents?"),
    ],
)
def test_a_receipt_or_price_sent_in_a_tills_words_is_told_of_our_field(api, business, field, said):
    customer = CustomerFactory(business=business)
    body = {"customer": customer.pk, "amount_cents": 4500, field: "BON-7"}
    before = snapshot()

    response = api.post("/api/v1/purchases", json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", field], "msg": said, "type": "extra_forbidden"}]
    }
    assert snapshot() == before


def test_a_receipt_sent_with_a_customer_is_not_offered_a_purchase_field(api):
    response = api.post(
        "/api/v1/customers",
        json.dumps({"name": "Anna", "receipt": "BON-7"}),
        content_type="application/json",
    )

    assert response.json()["detail"] == [
        {"loc": ["body", "receipt"], "msg": "Unknown field: receipt.", "type": "extra_forbidden"}
    ]
