"""The header's live search (web/search_views.py): the customer list's first matches under the
search box as one types, for owners and staff, of their own business only."""

import re
from html import unescape

import pytest
from django.urls import reverse

from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import customers_bulk_create
from klantvriend.importers.privacy import customer_erase

URL = reverse("web:customer_live_search")


def _options(response) -> list[str]:
    """Each option's text as read aloud: its tags gone, its spaces as one."""
    body = response.content.decode()
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", option)).split())
        for option in re.findall(r'<li role="option".*?</li>', body)
    ]


def _hrefs(response) -> list[str]:
    return re.findall(r'data-href="([^"]+)"', response.content.decode())


def _last_line(response) -> str:
    body = response.content.decode()
    line = body.split('data-testid="live-search-all">')[1].split("</p>")[0]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", line)).split())


def test_the_eight_closest_matches_each_told_apart(owner_client, business):
    services.customer_create(
        business=business, name="Jan de Vries", postal_code="7201 HV", phone="06-12345678"
    )
    services.customer_create(
        business=business, name="jan de Vries", city="Zutphen", email="jan@vries.example"
    )
    services.customer_create(business=business, name="Anna Vriesema", company="Bakkerij Anna")
    customers_bulk_create(business=business, names=[f"Vries {n}" for n in range(1, 8)])
    services.customer_create(business=business, name="Piet Jansen", city="Vriescheloo")

    response = owner_client.get(URL, {"q": "vries"})

    assert response.status_code == 200
    # Names starting with it, then a word of the name (customer_search), each group by name:
    # eight shown.
    assert _options(response) == [
        "Vries 1",
        "Vries 2",
        "Vries 3",
        "Vries 4",
        "Vries 5",
        "Vries 6",
        "Vries 7",
        "Anna Vriesema · Bakkerij Anna",
    ]
    by_word = owner_client.get(URL, {"q": "de vries"})
    assert _options(by_word) == [
        "Jan de Vries 7201 HV · tel. …5678",
        "jan de Vries Zutphen · jan@vries.example",
    ]
    response = by_word
    jan = Customer.objects.get(business=business, name="Jan de Vries")
    assert _hrefs(response)[0] == reverse("web:customer_detail", args=[jan.pk])
    assert _last_line(owner_client.get(URL, {"q": "vries"})) == "Alle 11 resultaten"
    assert f'href="{reverse("web:customer_list")}?q=de%20vries"' in response.content.decode()
    assert 'role="listbox"' in response.content.decode()


def test_fewer_than_eight_are_counted_from_the_rows_shown(owner_client, business):
    customers_bulk_create(business=business, names=["Tim Bos", "Tom Bos", "Ank Visser"])

    response = owner_client.get(URL, {"q": "bos"})

    assert _options(response) == ["Tim Bos", "Tom Bos"]
    assert _last_line(response) == "Alle 2 resultaten"


def test_one_match_says_it_is_in_the_list(owner_client, business):
    customers_bulk_create(business=business, names=["Tim Bos", "Ank Visser"])

    response = owner_client.get(URL, {"q": "visser"})

    assert _options(response) == ["Ank Visser"]
    assert _last_line(response) == "1 resultaat in de klantenlijst"


def test_no_match_says_so_and_leads_to_the_lists_suggestions(owner_client, business):
    customers_bulk_create(business=business, names=["Tim Bos"])

    response = owner_client.get(URL, {"q": "Bosch & zn"})

    assert _options(response) == []
    assert _last_line(response) == (
        "Geen klant gevonden voor “Bosch &amp; zn”. Probeer het telefoonnummer of de postcode, of "
        "zoek namen die erop lijken ."
    ).replace("&amp;", "&")
    assert f'href="{reverse("web:customer_list")}?q=Bosch%20%26%20zn"' in response.content.decode()


@pytest.mark.parametrize("query", ["", "b", " b ", "é"])
def test_less_than_two_characters_shows_nothing(owner_client, business, query):
    customers_bulk_create(business=business, names=["Bert", "Bob"])

    response = owner_client.get(URL, {"q": query})

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_more_matches_than_the_lists_cap_ask_to_type_more(owner_client, business):
    customers_bulk_create(business=business, names=[f"Klant {n}" for n in range(501)])

    response = owner_client.get(URL, {"q": "klant"})

    assert len(_options(response)) == 8
    assert _last_line(response) == "Meer dan 500 resultaten: typ verder, of open de lijst"


def test_an_anonymised_customer_is_never_offered(owner_client, business):
    kept = services.customer_create(business=business, name="Jan Bakker", phone="0612345678")
    erased = services.customer_create(business=business, name="Jan Bakker", phone="0687654321")
    customer_erase(customer=erased)

    by_name = owner_client.get(URL, {"q": "bakker"})
    by_what_they_are_now = owner_client.get(URL, {"q": "geanonimiseerde"})

    assert _hrefs(by_name) == [reverse("web:customer_detail", args=[kept.pk])]
    assert _last_line(by_name) == "1 resultaat in de klantenlijst"
    assert _options(by_what_they_are_now) == []


def test_another_business_s_customer_is_never_shown_nor_counted(
    owner_client, business, other_business
):
    services.customer_create(business=other_business, name="Jan Bakker", city="Elders")
    services.customer_create(business=business, name="Jan Bakker", city="Hier")

    response = owner_client.get(URL, {"q": "bakker"})

    assert _options(response) == ["Jan Bakker Hier"]
    assert "Elders" not in response.content.decode()
    assert _last_line(response) == "1 resultaat in de klantenlijst"


def test_staff_find_customers_too(staff_client, business):
    customers_bulk_create(business=business, names=["Tim Bos"])

    response = staff_client.get(URL, {"q": "bo"})

    assert response.status_code == 200
    assert _options(response) == ["Tim Bos"]


def test_signed_out_it_leads_to_the_login(client, business):
    response = client.get(URL, {"q": "bos"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_in_english(owner_client, business):
    customers_bulk_create(business=business, names=[f"Bos {n}" for n in range(9)])
    services.customer_create(business=business, name="Ank Visser", phone="+31 6 1234 5678")
    owner_client.post(reverse("set_language"), {"language": "en", "next": "/"})

    many = owner_client.get(URL, {"q": "bos"})
    one = owner_client.get(URL, {"q": "visser"})
    none = owner_client.get(URL, {"q": "xyz"})

    assert _last_line(many) == "All 9 results"
    assert _options(one) == ["Ank Visser phone …5678"]
    assert _last_line(one) == "1 result in the customer list"
    assert _last_line(none) == (
        "No customer found for “xyz”. Try the phone number or the postcode, or "
        "look for names that come close ."
    )
    assert 'aria-label="Customers found"' in many.content.decode()


def test_jan_de_vries_and_jansen_before_marjan_and_the_jan_steenstraat(owner_client, business):
    customers_bulk_create(business=business, names=["Marjan Bakker", "Piet Jansen", "Jansen"])
    services.customer_create(business=business, name="Anna Smit", street="Jan Steenstraat 4")
    services.customer_create(business=business, name="Bert Bos", email="jan@bos.example")
    services.customer_create(business=business, name="Jan de Vries", city="Zutphen")

    response = owner_client.get(URL, {"q": "jan"})

    assert _options(response) == [
        "Jan de Vries Zutphen",
        "Jansen",
        "Piet Jansen",
        "Anna Smit",
        "Bert Bos jan@bos.example",
        "Marjan Bakker",
    ]
    assert _last_line(response) == "Alle 6 resultaten"


@pytest.mark.parametrize("customers", [3, 30])
@pytest.mark.parametrize("name", ["Bos", "Tim Bos"])
def test_the_query_count_does_not_grow_with_the_matches(
    owner_client, business, customers, name, django_assert_max_num_queries
):
    customers_bulk_create(business=business, names=[f"{name} {n}" for n in range(customers)])
    owner_client.get(URL, {"q": "bos"})  # the session and the business read once before

    # The session, the user, their membership with its business; the names starting with it,
    # the others (read only when those are fewer than eight: "Tim Bos"); their count (read
    # only when all eight places are taken).
    with django_assert_max_num_queries(6):
        response = owner_client.get(URL, {"q": "bos"})

    assert len(_options(response)) == min(customers, 8)


def test_the_list_reached_by_a_search_alone_folds_its_other_filters(owner_client, business):
    customers_bulk_create(business=business, names=["Tim Bos"])
    folded = '<details class="list-filters grow" data-testid="list-filters">'
    customers = reverse("web:customer_list")

    searched = owner_client.get(customers, {"q": "bos"}).content.decode()
    sorted_too = owner_client.get(customers, {"q": "bos", "order": "-customer_since"})
    filtered_too = owner_client.get(customers, {"q": "bos", "channel": "walk_in"})
    everyone = owner_client.get(customers).content.decode()

    assert folded in searched
    assert "<summary>Label, segment, fase en sortering</summary>" in searched
    # Folded, not gone: the choices are still in the form, the search's results beside them.
    assert 'id="filter-tag"' in searched
    assert 'id="filter-order"' in searched
    assert 'data-testid="list-filters"' not in sorted_too.content.decode()
    assert 'data-testid="list-filters"' not in filtered_too.content.decode()
    assert 'data-testid="list-filters"' not in everyone
    assert 'id="filter-tag"' in everyone
