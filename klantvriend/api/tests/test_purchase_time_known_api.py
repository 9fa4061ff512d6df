"""The API says whether a purchase's time of day is known (`time_known`, docs/api.md): false for
one imported with its date alone. Its writes take a moment with a time only, and a corrected
moment makes the time known."""

import json
from datetime import datetime

from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory


def imported_noon(business, **fields) -> Purchase:
    customer = CustomerFactory(business=business)
    return PurchaseFactory(
        customer=customer,
        at=datetime(2026, 10, 7, 12, tzinfo=business.tzinfo),
        time_known=False,
        **fields,
    )


def test_a_purchase_says_whether_its_time_of_day_is_known(api, business):
    day_only = imported_noon(business)
    counter = PurchaseFactory(customer=day_only.customer)

    items = api.get("/api/v1/purchases", {"customer": day_only.customer_id}).json()["items"]
    one = api.get(f"/api/v1/purchases/{day_only.pk}").json()

    assert {item["id"]: item["time_known"] for item in items} == {
        day_only.pk: False,
        counter.pk: True,
    }
    assert (one["time_known"], one["at"]) == (False, "2026-10-07T10:00:00Z")


def test_a_corrected_moment_makes_the_time_known_and_is_audited(api, business):
    purchase = imported_noon(business)

    answer = api.patch(
        f"/api/v1/purchases/{purchase.pk}",
        data=json.dumps({"at": "2026-10-07T09:30:00+02:00"}),
        content_type="application/json",
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["time_known"] is True
    purchase.refresh_from_db()
    assert (purchase.time_known, purchase.at) == (
        True,
        datetime(2026, 10, 7, 9, 30, tzinfo=business.tzinfo),
    )
    changes = AuditEvent.objects.get(object_type="purchase", object_id=purchase.pk).changes
    assert changes["time_known"] == [False, True]


def test_a_correction_of_the_amount_or_the_same_moment_leaves_the_time_unknown(api, business):
    purchase = imported_noon(business)

    for body in ({"amount_cents": 4750}, {"at": "2026-10-07T12:00:00+02:00"}):
        answer = api.patch(
            f"/api/v1/purchases/{purchase.pk}",
            data=json.dumps(body),
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        assert answer.json()["time_known"] is False

    purchase.refresh_from_db()
    assert (purchase.time_known, purchase.amount_cents) == (False, 4750)


def test_a_date_alone_is_refused_on_write_and_nothing_is_stored(api, business):
    customer = CustomerFactory(business=business)
    purchase = imported_noon(business)
    before = list(Purchase.objects.values().order_by("id"))

    created = api.post(
        "/api/v1/purchases",
        data=json.dumps({"customer": customer.pk, "amount_cents": 500, "at": "2026-10-07"}),
        content_type="application/json",
    )
    corrected = api.patch(
        f"/api/v1/purchases/{purchase.pk}",
        data=json.dumps({"at": "2026-10-06"}),
        content_type="application/json",
    )

    assert (created.status_code, corrected.status_code) == (422, 422)
    for answer in (created, corrected):
        assert [(e["loc"], e["type"]) for e in answer.json()["detail"]] == [
            (["body", "at"], "timezone_aware")
        ]
    assert list(Purchase.objects.values().order_by("id")) == before


def test_time_known_is_not_written_through_the_api(api, business):
    purchase = imported_noon(business)

    answer = api.patch(
        f"/api/v1/purchases/{purchase.pk}",
        data=json.dumps({"time_known": True}),
        content_type="application/json",
    )

    assert answer.status_code == 422
    purchase.refresh_from_db()
    assert purchase.time_known is False
