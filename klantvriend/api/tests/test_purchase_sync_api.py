"""A till or web shop keeping a copy of the purchases syncs what changed since its last sync
(GET /purchases?changed_since=) and learns which were deleted (GET /purchases/removed?since=),
by the same rules as the customers' sync: docs/api.md, "Syncing"."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from klantvriend.core.models import Role
from klantvriend.core.services import apitoken_create, membership_create, user_create
from klantvriend.customers import services
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_erase
from klantvriend.isolation import snapshot

from .test_sync_api import NOON, changed_at, ids


def staff_api(business) -> Client:
    user = user_create(username="kees", password="pw-kees-12345")
    membership = membership_create(business=business, user=user, role=Role.STAFF)
    key = apitoken_create(membership=membership)[1]
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


def test_a_correction_through_the_api_is_in_the_next_sync_and_nothing_else(api, business):
    anna = CustomerFactory(business=business)
    corrected, untouched = PurchaseFactory(customer=anna), PurchaseFactory(customer=anna)
    changed_at(NOON, corrected, untouched)
    since = timezone.now().isoformat()

    api.patch(
        f"/api/v1/purchases/{corrected.pk}",
        data=json.dumps({"amount_cents": 1375}),
        content_type="application/json",
    )

    answer = api.get("/api/v1/purchases", {"changed_since": since})
    assert ids(answer) == [corrected.pk]
    assert answer.json()["items"][0]["amount_cents"] == 1375


def test_the_same_moment_sent_with_another_offset_is_no_change(api, business):
    """A till that sends back the moment it read, in its own offset, changes nothing: no
    audit event, and the purchase is not in the next sync."""
    purchase = PurchaseFactory(
        customer=CustomerFactory(business=business), at=datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
    )
    changed_at(NOON, purchase)
    since = timezone.now().isoformat()
    before = snapshot()

    answer = api.patch(
        f"/api/v1/purchases/{purchase.pk}",
        data=json.dumps({"at": "2026-11-28T09:30:00+01:00"}),
        content_type="application/json",
    )

    assert answer.status_code == 200
    assert answer.json()["at"] == "2026-11-28T08:30:00Z"
    assert snapshot() == before
    assert ids(api.get("/api/v1/purchases", {"changed_since": since})) == []


def test_purchases_moved_by_a_merge_or_scrubbed_by_an_erasure_are_changes(api, business, owner):
    keep, other = CustomerFactory(business=business), CustomerFactory(business=business)
    anna = CustomerFactory(business=business, name="Anna de Vries")
    moved = PurchaseFactory(customer=other)
    scrubbed = PurchaseFactory(customer=anna, description="Taart voor Anna de Vries")
    changed_at(NOON, moved, scrubbed)
    since = timezone.now().isoformat()

    customer_merge(keep=keep, other=other, actor=owner)
    customer_erase(customer=anna, actor=owner)

    items = api.get("/api/v1/purchases", {"changed_since": since}).json()["items"]
    assert [(item["id"], item["customer"]) for item in items] == [
        (moved.pk, keep.pk),
        (scrubbed.pk, anna.pk),
    ]
    assert "Anna" not in items[1]["description"]
    assert api.get("/api/v1/purchases/removed", {"since": since}).json() == {
        "items": [],
        "count": 0,
    }


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ({"after_id": 3}, "after_id"),
        ({"changed_since": "2026-11-30T12:00:00Z", "customer": 3}, "customer"),
        ({"changed_since": "2026-11-30T12:00:00Z", "offset": 50}, "offset"),
    ],
)
def test_what_a_page_of_changes_is_not_combined_with_is_refused_by_name(
    api, business, query, refused
):
    anna = CustomerFactory(business=business)
    PurchaseFactory(customer=anna)

    answer = api.get("/api/v1/purchases", query)

    assert answer.status_code == 422
    assert [(e["loc"], e["type"], e["msg"]) for e in answer.json()["detail"]] == [
        (
            ["query", refused],
            "missing" if refused == "after_id" else "not_combined",
            "Give after_id with changed_since: the last row's updated_at and id."
            if refused == "after_id"
            else f"changed_since lists every change, in the order they were made; it is not "
            f"combined with {refused}. Page on with after_id.",
        )
    ]


def test_the_refusals_are_in_dutch_too(api, business):
    refused = api.get(
        "/api/v1/purchases",
        {"changed_since": "30-11-2026", "customer": 3},
        headers={"Accept-Language": "nl"},
    )
    combined = api.get(
        "/api/v1/purchases",
        {"changed_since": "2026-11-30T12:00:00Z", "customer": 3},
        headers={"Accept-Language": "nl"},
    )

    assert [(e["loc"], e["msg"]) for e in refused.json()["detail"]] == [
        (
            ["query", "changed_since"],
            "Voer een geldig moment in als ISO 8601-tekst met de tijdzone, bijvoorbeeld "
            "2026-03-01T14:30:00+01:00.",
        )
    ]
    assert [(e["loc"], e["msg"]) for e in combined.json()["detail"]] == [
        (
            ["query", "customer"],
            "changed_since geeft elke wijziging, in de volgorde waarin ze gedaan zijn; het gaat "
            "niet samen met customer. Blader verder met after_id.",
        )
    ]


@pytest.mark.parametrize(
    ("path", "name", "value", "expected"),
    [
        (
            "purchases",
            "changed_since",
            "2026-11-30T02:00:00",
            "Give the moment with its time zone, e.g. 2026-03-01T14:30:00+01:00.",
        ),
        (
            "purchases/removed",
            "since",
            "1764460800",
            "Give the moment as ISO 8601 text with a time zone, e.g. 2026-03-01T14:30:00+01:00.",
        ),
    ],
)
def test_a_moment_in_another_format_is_refused_naming_the_parameter(
    api, business, path, name, value, expected
):
    answer = api.get(f"/api/v1/{path}", {name: value})

    assert answer.status_code == 422
    assert [(e["loc"], e["msg"]) for e in answer.json()["detail"]] == [(["query", name], expected)]


def test_the_list_of_one_customer_is_as_it_was(api, business):
    anna, bram = CustomerFactory(business=business), CustomerFactory(business=business)
    old = PurchaseFactory(customer=anna, at=NOON)
    new = PurchaseFactory(customer=anna, at=NOON + timedelta(days=1))
    PurchaseFactory(customer=bram)

    answer = api.get("/api/v1/purchases", {"customer": anna.pk, "offset": 0, "limit": 5})

    assert (ids(answer), answer.json()["count"]) == ([new.pk, old.pk], 2)


def test_a_page_of_changes_costs_the_same_queries_however_many_changed(
    api, business, django_assert_max_num_queries
):
    # The token, its use, the page and the count: four, for 3 purchases or 60.
    anna = CustomerFactory(business=business)
    for purchases in (3, 57):
        for _ in range(purchases):
            services.purchase_create(customer=anna, amount_cents=500)
        with django_assert_max_num_queries(4):
            answer = api.get(
                "/api/v1/purchases", {"changed_since": "2026-01-01T00:00:00Z", "limit": 50}
            )
        assert len(answer.json()["items"]) == min(purchases + 3 * (purchases == 57), 50)


def test_purchases_deleted_since_a_moment_are_listed_and_no_others(
    api, business, other_business, owner, other_owner
):
    anna = CustomerFactory(business=business)
    early, typo, kept = (PurchaseFactory(customer=anna) for _ in range(3))
    stranger = PurchaseFactory(customer=CustomerFactory(business=other_business))
    services.purchase_delete(purchase=early, actor=owner)
    since = timezone.now()
    typo_id, stranger_id = typo.pk, stranger.pk
    services.purchase_delete(purchase=typo, actor=owner)
    services.purchase_delete(purchase=stranger, actor=other_owner)
    services.purchase_update(purchase=kept, actor=owner, amount_cents=99)

    answer = api.get("/api/v1/purchases/removed", {"since": since.isoformat()})

    assert answer.status_code == 200
    assert [item["id"] for item in answer.json()["items"]] == [typo_id]
    assert answer.json()["count"] == 1
    assert answer.json()["items"][0]["removed_at"] >= since.isoformat().replace("+00:00", "Z")
    every = api.get("/api/v1/purchases/removed").json()
    assert [item["id"] for item in every["items"]] == [early.pk, typo_id]
    assert stranger_id not in ids(
        api.get("/api/v1/purchases", {"changed_since": since.isoformat()})
    )


def test_a_purchase_deleted_through_the_api_is_in_the_removed_feed_with_its_moment(api, business):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business))
    purchase_id = purchase.pk
    before = timezone.now()

    assert api.delete(f"/api/v1/purchases/{purchase_id}").status_code == 204

    item = api.get("/api/v1/purchases/removed").json()["items"][0]
    assert item["id"] == purchase_id
    assert before <= datetime.fromisoformat(item["removed_at"]) <= timezone.now()
    assert set(item) == {"id", "removed_at"}


def test_another_business_sees_none_of_these_purchases_in_either_feed(
    api, other_api, business, owner
):
    anna = CustomerFactory(business=business)
    changed = PurchaseFactory(customer=anna)
    services.purchase_delete(purchase=PurchaseFactory(customer=anna), actor=owner)

    assert other_api.get("/api/v1/purchases", {"changed_since": "1970-01-01T00:00:00Z"}).json() == {
        "items": [],
        "count": 0,
    }
    assert other_api.get("/api/v1/purchases/removed").json() == {"items": [], "count": 0}
    assert ids(api.get("/api/v1/purchases", {"changed_since": "1970-01-01T00:00:00Z"})) == [
        changed.pk
    ]


def test_staff_look_purchases_up_but_the_whole_list_and_its_feeds_are_the_owners(
    api, business, owner
):
    # PRODUCT.md: staff must not export. A till looks a sale up by its receipt number and a
    # customer's purchases up by the customer; a copy of them all is synced by an owner's token.
    anna = CustomerFactory(business=business)
    kept = PurchaseFactory(customer=anna, external_ref="B-1")
    deleted = PurchaseFactory(customer=anna)
    deleted_id = deleted.pk
    staff = staff_api(business)

    assert staff.delete(f"/api/v1/purchases/{deleted_id}").status_code == 403
    services.purchase_delete(purchase=deleted, actor=owner)

    assert ids(staff.get("/api/v1/purchases", {"customer": anna.pk})) == [kept.pk]
    assert ids(staff.get("/api/v1/purchases", {"external_ref": "B-1"})) == [kept.pk]
    refusal = {
        "detail": "The whole list and its changes are an export, which only an owner of the "
        "business may make. Look a record up with customer, external_ref."
    }
    blank = {"external_ref": " "}  # would list the purchases recorded without a receipt number
    for query in ({}, {"changed_since": "1970-01-01T00:00:00Z"}, {"offset": 0}, blank):
        refused = staff.get("/api/v1/purchases", query)
        assert (refused.status_code, refused.json()) == (403, refusal)
    removed = staff.get("/api/v1/purchases/removed")
    assert (removed.status_code, removed.json()) == (
        403,
        {"detail": "Only an owner of the business may do this."},
    )
    assert ids(api.get("/api/v1/purchases", {"changed_since": "1970-01-01T00:00:00Z"})) == [kept.pk]
    assert ids(api.get("/api/v1/purchases/removed")) == [deleted_id]


def test_the_schema_describes_the_purchases_sync(api):
    schema = api.get("/api/v1/openapi.json").json()
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/purchases"]["get"]["parameters"]
    }
    removed = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/purchases/removed"]["get"]["parameters"]
    }

    assert "Syncing" in parameters["changed_since"]["description"]
    assert "changed_since" in parameters["after_id"]["description"]
    assert "customer" in parameters
    assert "removed at or after" in removed["since"]["description"]
    purchase = schema["components"]["schemas"]["PurchaseOut"]
    assert "Syncing" in purchase["properties"]["updated_at"]["description"]
