"""The tags through the API, as on the Tags page: listed with their ids and kept counts, renamed
(onto another tag's name in any capitals: merged) and removed by an owner, with the tag's ETag
for If-Match; staff are refused, another business's tag is not found, and a refused change
changes nothing."""

import json

import pytest

from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Tag, TagCount

from .test_privacy_api import staff_api


@pytest.fixture
def shop(business):
    Tag.objects.create(business=business, name="BBQ")
    Tag.objects.create(business=business, name="bbq")
    services.customer_create(business=business, name="Anna", tags=["BBQ", "buurt"])
    services.customer_create(business=business, name="Cor", tags=["bbq", "buurt"])
    services.customer_create(business=business, name="Dirk", tags=["bbq", "BBQ"])
    return {tag.name: tag for tag in Tag.objects.filter(business=business)}


def stored(business) -> list:
    return [
        sorted(Tag.objects.filter(business=business).values_list("pk", "name")),
        sorted(Customer.tags.through.objects.values_list("customer_id", "tag_id")),
        sorted(TagCount.objects.values_list("tag_id", "customers")),
        AuditEvent.objects.count(),
    ]


def patch(client, url, data, **headers):
    return client.patch(url, json.dumps(data), content_type="application/json", headers=headers)


def test_the_list_gives_each_tag_its_id_and_kept_count(api, shop):
    listed = api.get("/api/v1/tags").json()

    assert listed == {
        "items": [
            {"id": shop["BBQ"].pk, "name": "BBQ", "customer_count": 2},
            {"id": shop["bbq"].pk, "name": "bbq", "customer_count": 2},
            {"id": shop["buurt"].pk, "name": "buurt", "customer_count": 2},
        ],
        "count": 3,
    }


def test_a_rename_onto_another_spelling_answers_the_merged_tag(api, business, shop):
    url = f"/api/v1/tags/{shop['bbq'].pk}"
    etag = api.get(url)["ETag"]

    response = patch(api, url, {"name": "BBQ"}, **{"If-Match": etag})

    assert response.status_code == 200
    assert response.json() == {"id": shop["BBQ"].pk, "name": "BBQ", "customer_count": 3}
    assert response["ETag"] == api.get(f"/api/v1/tags/{shop['BBQ'].pk}")["ETag"]
    assert api.get(url).status_code == 404
    assert sorted(Customer.objects.get(name="Dirk").tags.values_list("name", flat=True)) == ["BBQ"]


def test_a_plain_rename_changes_the_etag(api, shop):
    url = f"/api/v1/tags/{shop['buurt'].pk}"
    etag = api.get(url)["ETag"]

    response = patch(api, url, {"name": "Buurtgenoot"})

    assert response.json() == {"id": shop["buurt"].pk, "name": "Buurtgenoot", "customer_count": 2}
    assert response["ETag"] != etag


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "  "}, "Enter the tag's new name."),
        ({"name": "x" * 51}, "A tag can be at most 50 characters long: " + "x" * 51),
        ({"name": " buurt "}, "The tag is called buurt already."),
    ],
)
def test_a_refused_name_is_a_422_on_the_field_and_changes_nothing(
    api, business, shop, body, message
):
    before = stored(business)

    response = patch(api, f"/api/v1/tags/{shop['buurt'].pk}", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert response.json()["detail"][0]["msg"] == message
    assert stored(business) == before


def test_a_stale_if_match_is_a_412_and_changes_nothing(api, business, shop):
    url = f"/api/v1/tags/{shop['buurt'].pk}"
    etag = api.get(url)["ETag"]
    services.tag_rename(tag=shop["buurt"], name="Buurt")
    before = stored(business)

    renamed = patch(api, url, {"name": "wijk"}, **{"If-Match": etag})
    removed = api.delete(url, headers={"If-Match": etag})

    assert renamed.status_code == removed.status_code == 412
    assert stored(business) == before


def test_a_removal_takes_the_tag_off_its_customers(api, business, shop):
    response = api.delete(f"/api/v1/tags/{shop['buurt'].pk}")

    assert response.status_code == 204
    assert sorted(Customer.objects.get(name="Anna").tags.values_list("name", flat=True)) == ["BBQ"]
    assert [item["name"] for item in api.get("/api/v1/tags").json()["items"]] == ["BBQ", "bbq"]


def test_staff_may_list_tags_but_not_rename_or_remove_them(business, shop):
    client = staff_api(business)
    before = stored(business)
    url = f"/api/v1/tags/{shop['bbq'].pk}"

    assert client.get("/api/v1/tags").status_code == 200
    assert patch(client, url, {"name": "BBQ"}).status_code == 403
    assert client.delete(url).status_code == 403
    assert stored(business) == before


def test_another_business_s_tag_is_not_found(api, business, other_business, shop):
    services.customer_create(business=other_business, name="Elders", tags=["elders"])
    foreign = Tag.objects.get(business=other_business).pk
    before = stored(business)

    assert api.get(f"/api/v1/tags/{foreign}").status_code == 404
    assert patch(api, f"/api/v1/tags/{foreign}", {"name": "BBQ"}).status_code == 404
    assert api.delete(f"/api/v1/tags/{foreign}").status_code == 404
    assert stored(business) == before
