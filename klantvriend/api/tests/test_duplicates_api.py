"""GET /api/v1/customers/duplicates and PUT/DELETE .../not-the-same/{other}: the owner's list of
possible duplicates and the pairs told apart, as the web page has them."""

import pytest
from django.test import Client

from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import apitoken_create, membership_create, user_create
from klantvriend.customers.models import DistinctPair
from klantvriend.customers.services import customer_create
from klantvriend.customers.tests.factories import PurchaseFactory, customers_bulk_create


@pytest.fixture
def doubles(business):
    jan = customer_create(business=business, name="Jan Bakker", phone="06-12345678", city="Ede")
    PurchaseFactory(customer=jan)
    PurchaseFactory(customer=jan)
    walk_in = customer_create(business=business, name="J. Bakker", phone="+31 6 1234 5678")
    namesake = customer_create(business=business, name="Jan Bakker", email="jan@elders.example")
    return jan, walk_in, namesake


def _groups(api, kind, **params):
    query = "&".join(f"{key}={value}" for key, value in {"kind": kind, **params}.items())
    response = api.get(f"/api/v1/customers/duplicates?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_groups_of_a_kind_with_what_they_share(api, doubles, other_business):
    jan, walk_in, _namesake = doubles
    customer_create(business=other_business, name="Kees", phone="0612345678")

    body = _groups(api, "phone")

    assert (body["count"], body["next_before"]) == (1, None)
    [group] = body["items"]
    assert (group["kind"], group["key"], group["size"], group["newest"]) == (
        "phone",
        "0612345678",
        2,
        walk_in.pk,
    )
    assert [(c["id"], c["name"], c["phone"], c["purchase_count"]) for c in group["customers"]] == [
        (jan.pk, "Jan Bakker", "06-12345678", 2),
        (walk_in.pk, "J. Bakker", "+31 6 1234 5678", 0),
    ]
    assert (group["also"], group["differs"], group["apart"]) == ([], [], [])


def test_a_pair_told_apart_leaves_the_list_and_comes_back_when_taken_back(api, doubles):
    jan, _walk_in, namesake = doubles
    path = f"/api/v1/customers/{namesake.pk}/not-the-same/{jan.pk}"

    before = _groups(api, "name")
    marked = api.put(path)
    again = api.put(path)
    after = _groups(api, "name")
    taken_back = api.delete(path)
    gone = api.delete(path)

    assert (before["count"], after["count"]) == (1, 0)
    assert before["items"][0]["differs"] == []
    assert (marked.status_code, again.status_code) == (204, 204)
    assert (taken_back.status_code, gone.status_code) == (204, 404)
    assert _groups(api, "name")["count"] == 1
    assert not DistinctPair.objects.exists()
    assert AuditEvent.objects.filter(
        customer=jan, action="created", changes__not_same_as=namesake.pk
    ).exists()


def test_another_business_or_an_anonymised_customer_is_refused_and_nothing_stored(
    api, business, doubles, other_business
):
    jan, _walk_in, _namesake = doubles
    stranger = customer_create(business=other_business, name="Jan Bakker")
    anonymised = customer_create(business=business, name="Jan Bakker")
    anonymised.__class__.objects.filter(pk=anonymised.pk).update(erased_at="2026-01-01T00:00Z")

    foreign = api.put(f"/api/v1/customers/{jan.pk}/not-the-same/{stranger.pk}")
    erased = api.put(f"/api/v1/customers/{jan.pk}/not-the-same/{anonymised.pk}")
    themselves = api.put(f"/api/v1/customers/{jan.pk}/not-the-same/{jan.pk}")

    assert (foreign.status_code, erased.status_code, themselves.status_code) == (404, 409, 409)
    assert (erased.json()["code"], themselves.json()["code"]) == ("anonymised", "same")
    assert not DistinctPair.objects.exists()


@pytest.mark.parametrize("other", [0, -(2**64), 2**63, 26810757267138080145408])
def test_an_id_no_customer_can_have_is_not_found_and_nothing_stored(api, doubles, other):
    # Beyond the database's integers SQLite could not even compare it: a 500 once.
    jan, _walk_in, _namesake = doubles

    marked = api.put(f"/api/v1/customers/{jan.pk}/not-the-same/{other}")
    taken_back = api.delete(f"/api/v1/customers/{jan.pk}/not-the-same/{other}")
    either_way = api.put(f"/api/v1/customers/{other}/not-the-same/{jan.pk}")

    assert (marked.status_code, taken_back.status_code, either_way.status_code) == (404, 404, 404)
    assert not DistinctPair.objects.exists()
    assert not AuditEvent.objects.filter(object_type="distinctpair").exists()


def test_staff_may_not_see_or_mark_duplicates(business, doubles):
    jan, walk_in, _namesake = doubles
    user = user_create(username="kees", password="pw-kees-12345")
    key = apitoken_create(
        membership=membership_create(business=business, user=user, role=Role.STAFF)
    )[1]
    staff = Client(headers={"Authorization": f"Bearer {key}"})

    listed = staff.get("/api/v1/customers/duplicates")
    marked = staff.put(f"/api/v1/customers/{jan.pk}/not-the-same/{walk_in.pk}")

    assert (listed.status_code, marked.status_code) == (403, 403)
    assert not DistinctPair.objects.exists()


def test_the_smallest_groups_come_first_and_every_group_can_be_paged_to(api, business):
    # Given more than 200 groups of a name (which were as many as the API could page to), of
    # two, three and seven customers in turn, each group's records written together,
    sizes = (2, 3, 7)
    customers_bulk_create(
        business=business,
        names=[f"Klant {number:03}" for number in range(205) for _ in range(sizes[number % 3])],
    )

    # when a client asks for pages of 50 until there is no next one,
    pages, place = [], {}
    while not pages or pages[-1]["next_before"] is not None:
        pages.append(_groups(api, "name", limit=50, **place))
        place = {"before": pages[-1]["next_before"], "before_size": pages[-1]["next_before_size"]}

    # then it had every group once, those fewest customers share first, of one size the one
    # with the latest customer first.
    names = [group["customers"][0]["name"] for page in pages for group in page["items"]]
    order = sorted(range(205), key=lambda number: (sizes[number % 3], -number))
    assert names == [f"Klant {number:03}" for number in order]
    assert [page["count"] for page in pages] == [205] * 5
    last = pages[0]["items"][-1]
    assert (pages[0]["next_before"], pages[0]["next_before_size"]) == (last["newest"], 2)
    assert (pages[-1]["next_before"], pages[-1]["next_before_size"]) == (None, None)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Give before and before_size together, as the previous page's next_before and "),
        ("nl", "Geef before en before_size samen, als next_before en next_before_size van de "),
    ],
)
@pytest.mark.parametrize(
    ("query", "missing"), [("before=5", "before_size"), ("before_size=2", "before")]
)
def test_half_a_page_s_place_is_refused_naming_what_is_missing(
    api, doubles, query, missing, language, message
):
    response = api.get(
        f"/api/v1/customers/duplicates?kind=name&{query}", headers={"Accept-Language": language}
    )

    assert response.status_code == 422
    [refusal] = response.json()["detail"]
    assert (refusal["loc"], refusal["type"]) == (["query", missing], "missing")
    assert refusal["msg"].startswith(message)


# "offset": the pages are cut by `before` now; a client still paging by offset is told so
# instead of getting the first page again and again.
@pytest.mark.parametrize(
    "query",
    [
        *("kind=address", "limit=0", "limit=51", "before=0", f"before={2**63}", "before=x"),
        *("before_size=1", "before_size=x", "offset=20"),
    ],
)
def test_a_page_out_of_bounds_is_refused_with_its_field(api, query):
    response = api.get(f"/api/v1/customers/duplicates?{query}")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["query", query.split("=")[0]]


def test_taking_back_a_decision_taken_again_since_is_412_with_the_old_etag(api, doubles):
    jan, _walk_in, namesake = doubles
    path = f"/api/v1/customers/{jan.pk}/not-the-same/{namesake.pk}"
    old_etag = api.put(path)["ETag"]
    api.delete(path)
    new_etag = api.put(path)["ETag"]

    stale = api.delete(path, headers={"If-Match": old_etag})
    current = api.delete(path, headers={"If-Match": new_etag})

    assert old_etag != new_etag
    assert (stale.status_code, current.status_code) == (412, 204)
    assert not DistinctPair.objects.exists()
