"""A client keeping a copy of the customers syncs what changed since its last sync
(GET /customers?changed_since=) and learns who was merged away or deleted
(GET /customers/removed?since=): docs/api.md, "Syncing"."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from klantvriend.core.models import Membership
from klantvriend.core.services import apitoken_create
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_delete, customer_erase

NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def changed_at(moment: datetime, *rows: Customer | Purchase) -> None:
    """Dates the rows' last change (customers, or purchases: one kind at a time)."""
    type(rows[0]).objects.filter(pk__in=[row.pk for row in rows]).update(updated_at=moment)


def ids(answer) -> list[int]:
    return [item["id"] for item in answer.json()["items"]]


def a_customer(business) -> Customer:
    return CustomerFactory(business=business)


def a_purchase(business) -> Purchase:
    return PurchaseFactory(customer=CustomerFactory(business=business))


# The lists a client syncs by the same rules: (path, a new row of the business).
FEEDS = [
    pytest.param("customers", a_customer, id="customers"),
    pytest.param("purchases", a_purchase, id="purchases"),
]


@pytest.mark.parametrize(("path", "make"), FEEDS)
def test_the_rows_changed_since_a_moment_come_in_the_order_they_changed(
    api, business, other_business, path, make
):
    before, at, later, latest = (make(business) for _ in range(4))
    changed_at(NOON - timedelta(microseconds=1), before)
    changed_at(NOON + timedelta(hours=2), latest)
    changed_at(NOON, at)
    changed_at(NOON + timedelta(hours=1), later)
    changed_at(NOON, make(other_business))

    answer = api.get(f"/api/v1/{path}", {"changed_since": "2026-11-30T13:00:00+01:00"})

    assert answer.status_code == 200
    assert ids(answer) == [at.pk, later.pk, latest.pk]
    assert answer.json()["count"] == 3
    assert [item["updated_at"] for item in answer.json()["items"]] == [
        "2026-11-30T12:00:00Z",
        "2026-11-30T13:00:00Z",
        "2026-11-30T14:00:00Z",
    ]


@pytest.mark.parametrize(("path", "make"), FEEDS)
def test_paging_by_the_last_rows_moment_and_id_reads_every_change_once(api, business, path, make):
    # More rows changed at one moment than fit on a page, as an import changes them, one
    # changed within the same millisecond, and one of a smaller id changed a second later:
    # the moment handed out is exact, to the microsecond, or the page's last row would come
    # again on the next.
    corrected_later = make(business)
    same = [make(business) for _ in range(5)]
    after = make(business)
    changed_at(NOON + timedelta(microseconds=123456), *same)
    changed_at(NOON + timedelta(microseconds=123457), after)
    changed_at(NOON + timedelta(seconds=1), corrected_later)
    seen, query = [], {"changed_since": "2026-11-30T12:00:00Z", "limit": 2}
    counts = []
    while True:
        page = api.get(f"/api/v1/{path}", query).json()
        counts.append(page["count"])
        if not page["items"]:
            break
        seen += [item["id"] for item in page["items"]]
        last = page["items"][-1]
        query = {"changed_since": last["updated_at"], "after_id": last["id"], "limit": 2}

    assert seen == [*sorted(row.pk for row in same), after.pk, corrected_later.pk]
    assert counts == [7, 5, 3, 1, 0]
    assert last["updated_at"] == "2026-11-30T12:00:01Z"


def test_a_change_made_through_the_api_is_in_the_next_sync(api, business):
    anna = services.customer_create(business=business, name="Anna", tags=["BBQ"])
    changed_at(NOON, anna)
    since = timezone.now().isoformat()

    api.patch(
        f"/api/v1/customers/{anna.pk}",
        data=json.dumps({"tags": ["BBQ", "Buurt"]}),
        content_type="application/json",
    )

    answer = api.get("/api/v1/customers", {"changed_since": since})
    assert ids(answer) == [anna.pk]
    assert answer.json()["items"][0]["tags"] == ["BBQ", "Buurt"]


def test_an_offset_written_with_a_plain_plus_is_read_as_the_offset(api, business):
    anna = CustomerFactory(business=business)
    changed_at(NOON, anna)

    # As a client writes it into the address without encoding: "+" arrives as a space.
    answer = api.get("/api/v1/customers?changed_since=2026-11-30T13:00:00+01:00")

    assert answer.status_code == 200
    assert ids(answer) == [anna.pk]


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (
            "30-11-2026 02:00",
            "en",
            "Enter a valid moment as ISO 8601 text with its time zone, e.g. "
            "2026-03-01T14:30:00+01:00.",
        ),
        (
            "30-11-2026",
            "nl",
            "Voer een geldig moment in als ISO 8601-tekst met de tijdzone, bijvoorbeeld "
            "2026-03-01T14:30:00+01:00.",
        ),
        (
            "2026-11-30T02:00:00",
            "en",
            "Give the moment with its time zone, e.g. 2026-03-01T14:30:00+01:00.",
        ),
        # A day alone was answered as if only its time zone were missing.
        (
            "2026-11-30",
            "en",
            "Give the time as well as the day, with its time zone, e.g. 2026-03-01T14:30:00+01:00.",
        ),
        (
            "2026-11-30",
            "nl",
            "Geef naast de dag ook de tijd, met de tijdzone, bijvoorbeeld "
            "2026-03-01T14:30:00+01:00.",
        ),
    ],
)
def test_a_moment_in_another_format_is_refused_naming_the_parameter_and_format(
    api, business, value, language, expected
):
    CustomerFactory(business=business)

    answer = api.get(
        "/api/v1/customers", {"changed_since": value}, headers={"Accept-Language": language}
    )

    assert answer.status_code == 422
    assert [(e["loc"], e["msg"]) for e in answer.json()["detail"]] == [
        (["query", "changed_since"], expected)
    ]


@pytest.mark.parametrize(
    ("query", "refused"),
    [
        ({"after_id": 3}, "after_id"),
        ({"changed_since": "2026-11-30T12:00:00Z", "search": "anna"}, "search"),
        ({"changed_since": "2026-11-30T12:00:00Z", "tag": "BBQ"}, "tag"),
        ({"changed_since": "2026-11-30T12:00:00Z", "external_ref": "K-1"}, "external_ref"),
        ({"changed_since": "2026-11-30T12:00:00Z", "offset": 50}, "offset"),
    ],
)
def test_what_a_page_of_changes_is_not_combined_with_is_refused_by_name(
    api, business, query, refused
):
    CustomerFactory(business=business, name="Anna")

    answer = api.get("/api/v1/customers", query)

    assert answer.status_code == 422
    assert [(e["loc"], e["type"]) for e in answer.json()["detail"]] == [
        (["query", refused], "missing" if refused == "after_id" else "not_combined")
    ]
    assert refused in answer.json()["detail"][0]["msg"]


def test_the_refusal_of_a_combination_is_in_dutch_too(api, business):
    answer = api.get(
        "/api/v1/customers",
        {"changed_since": "2026-11-30T12:00:00Z", "tag": "BBQ"},
        headers={"Accept-Language": "nl"},
    )

    assert answer.json()["detail"][0]["msg"] == (
        "changed_since geeft elke wijziging, in de volgorde waarin ze gedaan zijn; het gaat niet "
        "samen met tag. Blader verder met after_id."
    )


def test_staff_look_customers_up_but_the_whole_list_and_its_feeds_are_the_owners(
    api, business, staff_user
):
    # PRODUCT.md: staff must not export. A till finds the customer of a card or a number; a
    # copy of every customer, and the sync that keeps it, is made with an owner's token.
    anna = api.post(
        "/api/v1/customers",
        {"name": "Anna de Vries", "external_ref": "K-7", "tags": ["BBQ"]},
        content_type="application/json",
    ).json()["id"]
    CustomerFactory(business=business, name="Bram Bakker")
    token = apitoken_create(membership=Membership.objects.get(user=staff_user))[1]
    staff = Client(headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})

    for lookup in ({"search": "anna"}, {"tag": "bbq"}, {"external_ref": "k-7"}):
        answer = staff.get("/api/v1/customers", lookup)
        assert (ids(answer), answer.json()["count"]) == ([anna], 1)
    refusal = {
        "detail": "The whole list and its changes are an export, which only an owner of the "
        "business may make. Look a record up with search, tag, external_ref."
    }
    blank = [{"search": "  "}, {"tag": " "}, {"external_ref": " "}]  # read as no lookup at all
    for query in ({}, {"limit": 500}, {"changed_since": "1970-01-01T00:00:00Z"}, *blank):
        refused = staff.get("/api/v1/customers", query)
        assert (refused.status_code, refused.json()) == (403, refusal)
    in_dutch = staff.get("/api/v1/customers", headers={"Accept-Language": "nl"})
    assert in_dutch.json()["detail"] == (
        "De hele lijst en haar wijzigingen zijn een export, die alleen een eigenaar van de zaak "
        "mag maken. Zoek een gegeven op met search, tag, external_ref."
    )
    removed = staff.get("/api/v1/customers/removed")
    assert (removed.status_code, removed.json()) == (
        403,
        {"detail": "Only an owner of the business may do this."},
    )
    assert api.get("/api/v1/customers").json()["count"] == 2
    assert api.get("/api/v1/customers/removed").json() == {"items": [], "count": 0}


def test_a_page_of_changes_costs_the_same_queries_however_many_changed(
    api, business, django_assert_max_num_queries
):
    # The token, its use, the page, its tags and the count: five, for 3 customers or 60.
    for customers in (3, 57):
        for _ in range(customers):
            services.customer_create(business=business, name="Klant", tags=["BBQ", "Buurt"])
        with django_assert_max_num_queries(5):
            answer = api.get(
                "/api/v1/customers", {"changed_since": "2026-01-01T00:00:00Z", "limit": 50}
            )
        assert len(answer.json()["items"]) == min(customers + 3 * (customers == 57), 50)
        assert answer.json()["items"][0]["tags"] == ["BBQ", "Buurt"]


def test_an_anonymised_customer_is_changed_and_says_since_when(api, business, owner):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    PurchaseFactory(customer=anna, business=business)
    changed_at(NOON, anna)
    since = timezone.now()

    customer_erase(customer=anna, actor=owner)

    item = api.get("/api/v1/customers", {"changed_since": since.isoformat()}).json()["items"][0]
    anna.refresh_from_db()
    assert item["id"] == anna.pk
    assert item["name"] == f"Geanonimiseerde klant {anna.pk}"  # in the shop's language
    assert item["anonymised_at"] == DjangoJSONEncoder().default(anna.erased_at.astimezone(UTC))


def test_customers_merged_away_or_deleted_since_a_moment_are_listed(
    api, business, other_business, owner
):
    keep = CustomerFactory(business=business, name="Jan Bakker")
    other = CustomerFactory(business=business, name="J. Bakker")
    typo = CustomerFactory(business=business, name="Typefout")
    early = CustomerFactory(business=business, name="Eerder weg")
    erased = CustomerFactory(business=business, name="Anna")
    customer_delete(customer=early, actor=owner)
    since = timezone.now()
    other_id, typo_id = other.pk, typo.pk
    customer_merge(keep=keep, other=other, actor=owner)
    customer_delete(customer=typo, actor=owner)
    customer_erase(customer=erased, actor=owner)
    customer_delete(customer=CustomerFactory(business=other_business), actor=None)

    answer = api.get("/api/v1/customers/removed", {"since": since.isoformat()})

    assert answer.status_code == 200
    items = answer.json()["items"]
    assert [(item["id"], item["merged_into"]) for item in items] == [
        (other_id, keep.pk),
        (typo_id, None),
    ]
    assert answer.json()["count"] == 2
    assert all(item["removed_at"] >= since.isoformat().replace("+00:00", "Z") for item in items)


def test_without_a_moment_every_removal_on_record_is_listed(api, business, owner):
    typo = CustomerFactory(business=business, name="Typefout")
    typo_id = typo.pk
    customer_delete(customer=typo, actor=owner)

    answer = api.get("/api/v1/customers/removed")

    assert [(item["id"], item["merged_into"]) for item in answer.json()["items"]] == [
        (typo_id, None)
    ]


@pytest.mark.parametrize("value", ["0.5", "1764460800", "-1", "1e9"])
def test_a_number_is_not_read_as_a_moment(api, business, value):
    for path, name in (("customers", "changed_since"), ("customers/removed", "since")):
        answer = api.get(f"/api/v1/{path}", {name: value})

        assert answer.status_code == 422
        assert [(e["loc"], e["msg"]) for e in answer.json()["detail"]] == [
            (
                ["query", name],
                "Give the moment as ISO 8601 text with a time zone, e.g. "
                "2026-03-01T14:30:00+01:00.",
            )
        ]


def test_the_schema_describes_changed_since_and_after_id(api):
    schema = api.get("/api/v1/openapi.json").json()
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/customers"]["get"]["parameters"]
    }

    assert "Syncing" in parameters["changed_since"]["description"]
    assert "changed_since" in parameters["after_id"]["description"]
    assert "/api/v1/customers/removed" in schema["paths"]
