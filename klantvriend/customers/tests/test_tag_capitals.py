"""A tag is one tag in any capitals: "bbq" typed on one customer is the shop's tag "BBQ", not a
second tag that splits its customers over two."""

import json

from klantvriend.core.models import AuditEvent
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Customer, Tag


def tags_of(customer: Customer) -> list[str]:
    return sorted(customer.tags.values_list("name", flat=True))


def test_a_tag_typed_in_other_capitals_is_the_stored_tag(business):
    anna = services.customer_create(business=business, name="Anna", tags=["BBQ"])
    bram = services.customer_create(business=business, name="Bram", tags=["bbq", "Één keer"])
    services.customer_update(customer=anna, tags=["bbQ", "één KEER"])

    assert sorted(Tag.objects.filter(business=business).values_list("name", flat=True)) == [
        "BBQ",
        "Één keer",
    ]
    assert tags_of(anna) == tags_of(bram) == ["BBQ", "Één keer"]


def test_names_new_to_the_shop_that_differ_only_in_capitals_are_one_tag(business):
    anna = services.customer_create(business=business, name="Anna", tags=["bbq", "BBQ", " Bbq "])

    assert tags_of(anna) == ["BBQ"]
    assert Tag.objects.filter(business=business).count() == 1


def test_retyping_a_tag_in_other_capitals_is_no_change(business):
    anna = services.customer_create(business=business, name="Anna", tags=["BBQ"])
    events = AuditEvent.objects.count()

    services.customer_update(customer=anna, tags=["bbq"])

    assert tags_of(anna) == ["BBQ"]
    assert AuditEvent.objects.count() == events


def test_a_tag_stored_in_two_spellings_is_found_as_written(business):
    """Two spellings made before the rule stay apart: each is reached as written exactly."""
    Tag.objects.create(business=business, name="BBQ")
    Tag.objects.create(business=business, name="bbq")

    anna = services.customer_create(business=business, name="Anna", tags=["bbq"])
    bram = services.customer_create(business=business, name="Bram", tags=["Bbq"])

    assert tags_of(anna) == ["bbq"]
    assert tags_of(bram) == ["BBQ"]  # the first in sorted order
    assert Tag.objects.filter(business=business).count() == 2


def test_the_list_filters_on_a_tag_in_any_capitals(business, other_business):
    services.customer_create(business=business, name="Anna", tags=["BBQ"])
    services.customer_create(business=business, name="Bram", tags=["vegetarisch"])
    services.customer_create(business=other_business, name="Cor", tags=["bbq"])

    listed = selectors.customer_list(business=business, tag="bbq ")

    assert [customer.name for customer in listed] == ["Anna"]
    assert list(selectors.customer_list(business=business, tag="grill")) == []


def test_the_api_lists_a_tag_in_any_capitals(api, business):
    services.customer_create(business=business, name="Anna", tags=["BBQ"])
    services.customer_create(business=business, name="Bram")

    answer = api.get("/api/v1/customers?tag=bbq").json()

    assert answer["count"] == 1
    assert [(item["name"], item["tags"]) for item in answer["items"]] == [("Anna", ["BBQ"])]
    created = api.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Cor", "tags": ["bbq"]}),
        content_type="application/json",
    ).json()
    assert created["tags"] == ["BBQ"]
