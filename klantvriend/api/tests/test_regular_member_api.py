"""A customer's `regular_member`: the user id of their own regular staff member, read and
written by the API, refused for anyone who does not work in the business."""

import json

import pytest

from klantvriend.core.members import member_remove
from klantvriend.core.models import AuditEvent, Membership, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOT_MEMBER = {
    "loc": ["body", "regular_member"],
    "msg": "This person does not work here.",
    "type": "not_member",
}


def send(client, method, url, data):
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def joris(business):
    user = user_create(username="joris", password="pw-joris-123", first_name="Joris")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def test_a_customer_is_created_with_their_regular_member_and_read_back(api, business, joris):
    created = send(api, "post", "/api/v1/customers", {"name": "Anna", "regular_member": joris.pk})

    assert created.status_code == 201, created.content
    assert created.json()["regular_member"] == joris.pk
    customer = Customer.objects.get()
    assert customer.regular_member == joris
    assert api.get(f"/api/v1/customers/{customer.pk}").json()["regular_member"] == joris.pk
    assert api.get("/api/v1/customers").json()["items"][0]["regular_member"] == joris.pk


def test_a_customer_left_without_one_has_none(api, business):
    created = send(api, "post", "/api/v1/customers", {"name": "Anna"})

    assert created.json()["regular_member"] is None


def test_a_change_names_another_member_or_none_and_the_trail_says_so(api, business, owner, joris):
    customer = CustomerFactory(business=business, regular_member=owner)
    url = f"/api/v1/customers/{customer.pk}"

    changed = send(api, "patch", url, {"regular_member": joris.pk})
    assert (changed.status_code, changed.json()["regular_member"]) == (200, joris.pk)
    cleared = send(api, "patch", url, {"regular_member": None})
    assert (cleared.status_code, cleared.json()["regular_member"]) == (200, None)

    assert Customer.objects.get().regular_member_id is None
    trail = AuditEvent.objects.filter(object_type="customer", action="changed").order_by("pk")
    assert [(event.actor, event.changes) for event in trail] == [
        (owner, {"regular_member": [owner.pk, joris.pk]}),
        (owner, {"regular_member": [joris.pk, None]}),
    ]


@pytest.mark.parametrize("who", ["other_business", "nobody"])
def test_someone_who_does_not_work_here_is_refused_with_the_other_refusals(
    api, business, other_business, other_owner, who
):
    member = other_owner.pk if who == "other_business" else other_owner.pk + 1000

    response = send(
        api,
        "post",
        "/api/v1/customers",
        {"name": "Anna", "email": "geen-adres", "regular_member": member},
    )

    assert response.status_code == 422
    detail = response.json()["detail"]
    assert NOT_MEMBER in detail
    assert {tuple(error["loc"]) for error in detail} == {
        ("body", "email"),
        ("body", "regular_member"),
    }
    assert not Customer.objects.exists()


def test_a_change_to_someone_elsewhere_is_refused_and_changes_nothing(
    api, business, joris, other_business, other_owner
):
    customer = CustomerFactory(business=business, regular_member=joris)

    response = send(
        api,
        "patch",
        f"/api/v1/customers/{customer.pk}",
        {"regular_member": other_owner.pk, "notes": "Koffie zwart"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [NOT_MEMBER]
    assert list(Customer.objects.values_list("regular_member_id", "notes")) == [(joris.pk, "")]
    assert not AuditEvent.objects.filter(object_type="customer", action="changed").exists()


def test_a_regular_member_given_as_a_name_is_refused_by_the_schema(api, business):
    response = send(api, "post", "/api/v1/customers", {"name": "Anna", "regular_member": "Joris"})

    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "regular_member"], "int_type")
    ]
    assert not Customer.objects.exists()


def test_a_member_who_leaves_is_null_and_a_sync_sees_the_customer_changed(
    api, business, owner, joris
):
    customer = CustomerFactory(business=business, regular_member=joris)
    since = api.get(f"/api/v1/customers/{customer.pk}").json()["updated_at"]

    member_remove(membership=Membership.objects.get(user=joris), actor=owner)

    changed = api.get("/api/v1/customers", {"changed_since": since}).json()["items"]
    assert [(item["id"], item["regular_member"]) for item in changed] == [(customer.pk, None)]
