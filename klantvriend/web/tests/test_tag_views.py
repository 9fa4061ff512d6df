"""The owner's Tags page (under the settings): every tag with its kept number of customers,
sorted in any capitals, linked to the customer list filtered on it; a name spelled in several
capitals marked, with its one-click merge; rename (a merge onto another tag's name), removal
after a confirmation that says how many customers carry the tag."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klantvriend.core.accounts import account_language_set
from klantvriend.core.members import staff_name
from klantvriend.core.models import AuditEvent
from klantvriend.core.shown import moment_shown
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Tag, TagCount
from klantvriend.customers.tests.factories import CustomerFactory


@pytest.fixture
def shop(business):
    # Two spellings from before tags were compared in any capitals.
    Tag.objects.create(business=business, name="BBQ")
    Tag.objects.create(business=business, name="bbq")
    services.customer_create(business=business, name="Anna", tags=["BBQ", "buurt"])
    services.customer_create(business=business, name="Bram", tags=["BBQ"])
    services.customer_create(business=business, name="Cor", tags=["bbq", "buurt"])
    return {tag.name: tag for tag in Tag.objects.filter(business=business)}


def rows(page: str) -> list[tuple[str, str]]:
    """The page's tags and their counts, in the page's order."""
    return re.findall(
        r'data-testid="tag-name">([^<]*)</a>.*?data-testid="tag-count">([^<]*)</td>', page, re.S
    )


def stored(business) -> list:
    return [
        sorted(Tag.objects.filter(business=business).values_list("pk", "name")),
        sorted(Customer.tags.through.objects.values_list("customer_id", "tag_id")),
        sorted(TagCount.objects.values_list("tag_id", "customers")),
        AuditEvent.objects.count(),
    ]


def test_the_page_lists_every_tag_by_name_in_any_capitals_with_its_kept_count(
    owner_client, business, shop
):
    Tag.objects.create(business=business, name="Aanbieding")
    # The counts are the kept ones: a count set by hand shows, not a count of the links.
    TagCount.objects.filter(tag=shop["buurt"]).update(customers=7)

    page = owner_client.get(reverse("web:tags")).content.decode()

    assert rows(page) == [("Aanbieding", "0"), ("BBQ", "2"), ("bbq", "1"), ("buurt", "7")]
    assert f'href="{reverse("web:customer_list")}?tag=bbq"' in page
    assert f'href="{reverse("web:customer_list")}?tag=BBQ"' in page


def test_the_list_s_filter_the_profile_and_its_form_sort_tags_in_any_capitals(
    owner_client, business
):
    customer = services.customer_create(
        business=business, name="Dirk", tags=["vaste klant", "Buurt", "bbq", "Aanbieding"]
    )

    listing = owner_client.get(reverse("web:customer_list")).content.decode()
    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk]))
    form = owner_client.get(reverse("web:customer_edit", args=[customer.pk])).context["form"]

    in_order = ["Aanbieding", "bbq", "Buurt", "vaste klant"]
    assert re.findall(r'<option value="([^"]+)" >\1 \(1\)</option>', listing) == in_order
    assert re.findall(r'\?tag=[^"]+">([^<]+)</a>', profile.content.decode()) == in_order
    assert form.initial["tags"] == in_order


def test_the_customer_form_offers_the_shop_s_own_tags_as_examples(owner_client, business, owner):
    account_language_set(user=owner, language="en")
    empty = owner_client.get(reverse("web:customer_create")).context["form"]
    assert empty["tags"].help_text == (
        "Separated by commas, for example: regular, business customer, neighbour."
    )
    for name, tags in [("A", ["vaste klant", "buurt"]), ("B", ["vaste klant"]), ("C", ["bbq"])]:
        services.customer_create(business=business, name=name, tags=tags)
    Tag.objects.create(business=business, name="ongebruikt")

    form = owner_client.get(reverse("web:customer_create")).context["form"]

    # In the shop's own words, most customers first: no English "regular" beside them.
    assert form["tags"].help_text == (
        "Separated by commas. Used most in your shop: vaste klant, bbq, buurt."
    )


def test_a_name_spelled_in_several_capitals_is_marked_with_its_merge(owner_client, business, shop):
    page = owner_client.get(reverse("web:tags")).content.decode()

    assert page.count('data-testid="tag-spellings"') == 2
    assert "ook als bbq" in page
    assert "ook als BBQ" in page
    # One merge, kept by the spelling most customers carry.
    assert page.count('data-testid="tag-merge-spellings"') == 1
    assert reverse("web:tag_merge_spellings", args=[shop["BBQ"].pk]) in page

    response = owner_client.post(reverse("web:tag_merge_spellings", args=[shop["BBQ"].pk]))

    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert rows(page) == [("BBQ", "3"), ("buurt", "2")]
    assert "“bbq” samengevoegd met “BBQ”, dat nu 3 klanten hebben." in page
    assert "“bbq” samengevoegd met “BBQ” (1 klant)" in page  # the history
    assert 'data-testid="tag-spellings"' not in page


def test_the_list_filtered_on_a_tag_from_the_page_shows_its_customers(owner_client, business, shop):
    page = owner_client.get(reverse("web:customer_list") + "?tag=bbq").content.decode()

    assert "Cor" in page
    assert "Anna" not in page


def test_renaming_onto_another_spelling_merges_and_says_so(owner_client, business, shop, owner):
    url = reverse("web:tag_rename", args=[shop["bbq"].pk])
    form = owner_client.get(url).content.decode()
    assert 'value="bbq"' in form
    assert "1 klant heeft dit label." in form

    response = owner_client.post(url, {"name": "BBQ"}, follow=True)

    page = response.content.decode()
    assert rows(page) == [("BBQ", "3"), ("buurt", "2")]
    assert "“bbq” samengevoegd met “BBQ”, dat nu 3 klanten hebben." in page
    assert sorted(Customer.objects.get(name="Cor").tags.values_list("name", flat=True)) == [
        "BBQ",
        "buurt",
    ]
    event = AuditEvent.objects.get(object_type="tag")
    assert (event.actor, event.changes) == (owner, {"name": ["bbq", "BBQ"], "customers": 1})


def test_a_plain_rename_says_so_and_is_in_the_page_s_history(owner_client, business, shop):
    response = owner_client.post(
        reverse("web:tag_rename", args=[shop["buurt"].pk]), {"name": " Buurtgenoot "}, follow=True
    )

    page = response.content.decode()
    assert "“buurt” heet nu “Buurtgenoot”." in page
    assert "“buurt” hernoemd tot “Buurtgenoot”" in page
    assert ("Buurtgenoot", "2") in rows(page)


@pytest.mark.parametrize(
    ("name", "dutch", "english"),
    [
        ("", "Vul de nieuwe naam van het label in.", "Enter the tag&#x27;s new name."),
        ("x" * 51, "Een label mag hoogstens 50 tekens lang zijn", "A tag can be at most 50"),
        ("  buurt ", "Het label heet al buurt.", "The tag is called buurt already."),
    ],
)
def test_a_refused_name_names_the_field_and_changes_nothing(
    owner_client, owner, business, shop, name, dutch, english
):
    url = reverse("web:tag_rename", args=[shop["buurt"].pk])
    before = stored(business)

    refused = owner_client.post(url, {"name": name})
    account_language_set(user=owner, language="en")
    refused_in_english = owner_client.post(url, {"name": name})

    assert refused.status_code == refused_in_english.status_code == 422
    page = refused.content.decode()
    assert re.search(r'<label for="id_name">Nieuwe naam', page)
    assert re.search(r'id="id_name_error" role="alert">' + re.escape(dutch), page)
    page = refused_in_english.content.decode()
    assert re.search(r'<label for="id_name">New name', page)
    assert re.search(r'id="id_name_error" role="alert">' + re.escape(english), page)
    assert stored(business) == before


def test_removal_asks_first_with_the_number_of_customers(owner_client, business, shop):
    url = reverse("web:tag_delete", args=[shop["buurt"].pk])
    before = stored(business)

    asked = owner_client.get(url).content.decode()

    assert "Het label “buurt” verwijderen?" in asked
    assert "2 klanten hebben dit label." in asked
    assert stored(business) == before

    page = owner_client.post(url, follow=True).content.decode()

    assert "“buurt” weggehaald bij 2 klanten." in page
    assert rows(page) == [("BBQ", "2"), ("bbq", "1")]
    assert sorted(Customer.objects.get(name="Anna").tags.values_list("name", flat=True)) == ["BBQ"]
    assert Customer.objects.filter(business=business).count() == 3


def test_the_page_is_in_the_owner_s_settings_menu_only(owner_client, staff_client, business):
    link = f'href="{reverse("web:tags")}"'

    assert link in owner_client.get(reverse("web:today")).content.decode()
    assert link not in staff_client.get(reverse("web:today")).content.decode()


def test_staff_cannot_reach_the_page_or_its_actions(staff_client, business, shop):
    before = stored(business)
    tag = shop["BBQ"].pk
    urls = [
        reverse("web:tags"),
        reverse("web:tag_rename", args=[tag]),
        reverse("web:tag_merge_spellings", args=[tag]),
        reverse("web:tag_delete", args=[tag]),
    ]

    statuses = [
        (staff_client.get(url).status_code, staff_client.post(url, {"name": "x"}).status_code)
        for url in urls
    ]

    assert statuses == [(403, 403)] * 4
    assert stored(business) == before


def test_another_business_s_tags_are_not_found_nor_listed(
    owner_client, business, other_business, shop
):
    services.customer_create(business=other_business, name="Elders", tags=["geheim-elders"])
    foreign = Tag.objects.get(business=other_business).pk
    before = stored(business)

    page = owner_client.get(reverse("web:tags")).content.decode()
    statuses = [
        owner_client.get(reverse("web:tag_rename", args=[foreign])).status_code,
        owner_client.post(reverse("web:tag_rename", args=[foreign]), {"name": "BBQ"}).status_code,
        owner_client.post(reverse("web:tag_merge_spellings", args=[foreign])).status_code,
        owner_client.get(reverse("web:tag_delete", args=[foreign])).status_code,
        owner_client.post(reverse("web:tag_delete", args=[foreign])).status_code,
    ]

    assert "geheim-elders" not in page
    assert statuses == [404] * 5
    assert stored(business) == before


def test_the_page_reads_the_database_as_often_with_many_tags_as_with_few(
    owner_client, owner, business
):
    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            customer = CustomerFactory(business=business)
            services.customer_create(business=business, name=f"K{index}", tags=[f"t{index}"])
            customer.tags.add(Tag.objects.create(business=business, name=f"T{index}"))
            services.tag_rename(
                tag=Tag.objects.get(business=business, name=f"t{index}"),
                name=f"label {index}",
                actor=owner,
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("web:tags")).status_code == 200
        return len(captured)

    add(2, 0)
    queries()
    few = queries()
    add(6, 2)

    assert queries() == few


def test_the_page_s_history_names_who_and_when(owner_client, owner, business, shop):
    services.tag_delete(tag=shop["buurt"], actor=owner)
    AuditEvent.objects.update(at=timezone.now() - timedelta(days=1))

    page = owner_client.get(reverse("web:tags")).content.decode()

    history = re.search(r'data-testid="tags-history">(.*?)</ul>', page, re.S).group(1)
    assert "“buurt” weggehaald bij 2 klanten" in history
    assert (
        f"{moment_shown(AuditEvent.objects.get(object_type='tag').at, zone=ZoneInfo(business.time_zone))} · {staff_name(owner)}"
        in history
    )
