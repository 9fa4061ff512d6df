"""The customer list sorted on an insight figure: by lowest probability alive, the customers
whose figure means something come first, then the one-off customers (longest away first), then
those without a figure and those without an insight; read page by page through the parts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klantvriend.core.rows import IdsFirst
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.selectors import (
    customer_order_parts,
    customers_with_insight,
    one_offs_start,
)

from .factories import CustomerInsightFactory

# name: (purchase days, days since last, probability alive, predicted value), or None for a
# customer without an insight (no purchase yet).
SHOP = {
    "Bram": (3, 90, 0.05, 1000),
    "Anna": (5, 40, 0.40, 9000),
    "Aart": (4, 30, 0.40, 12000),
    "Eva": (2, 10, 0.80, 3000),
    "Hugo": (6, 5, 0.97, 20000),
    "Cor": (1, 400, 0.91, 500),  # one-off, over a year ago
    "Dirk": (1, 20, 0.95, 800),  # one-off, three weeks ago
    "Gijs": (2, 60, None, None),  # computed without a model
    "Fleur": None,
}


ALIVE = ["Bram", "Aart", "Anna", "Eva", "Hugo", "Cor", "Dirk", "Gijs", "Fleur"]


@pytest.fixture
def shop(business, other_business):
    for name, figures in SHOP.items():
        customer = CustomerFactory(business=business, name=name)
        if figures is not None:
            purchase_days, days_since_last, alive, value = figures
            CustomerInsightFactory(
                customer=customer,
                purchase_days=purchase_days,
                days_since_last=days_since_last,
                probability_alive=alive,
                value_cents=value,
            )
    # Another business's customer, lowest of all, is never listed
    CustomerInsightFactory(
        customer=CustomerFactory(business=other_business, name="Aaron"),
        purchase_days=9,
        probability_alive=0.01,
    )
    return business


def listed(business, order: str) -> IdsFirst:
    customers = customers_with_insight(
        Customer.objects.filter(business=business), business=business
    )
    return IdsFirst(
        customers, parts=customer_order_parts(customers, business=business, order=order)
    )


def names(rows) -> list[str]:
    return [customer.name for customer in rows]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        # Lowest first, equal figures by name; then the one-offs, longest away first
        ("alive", ALIVE),
        # Highest first; then the one-offs, most recent first
        ("-alive", ["Hugo", "Eva", "Aart", "Anna", "Bram", "Dirk", "Cor", "Gijs", "Fleur"]),
        ("-value", ["Hugo", "Aart", "Anna", "Eva", "Bram", "Dirk", "Cor", "Gijs", "Fleur"]),
        ("value", ["Cor", "Dirk", "Bram", "Eva", "Anna", "Aart", "Hugo", "Gijs", "Fleur"]),
    ],
)
def test_the_list_sorted_on_a_figure_puts_those_without_it_last(shop, order, expected):
    rows = listed(shop, order)

    assert names(rows[0:9]) == expected
    assert rows.count() == 9


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_pages_of_any_size_follow_on_across_the_parts(shop, size):
    rows = listed(shop, "alive")

    pages = [names(rows[start : min(start + size, 9)]) for start in range(0, 9, size)]

    assert [name for page in pages for name in page] == ALIVE


def test_the_customer_list_page_shows_that_order(shop, owner_client):
    response = owner_client.get(reverse("web:customer_list"), {"order": "alive"})

    assert names(response.context["page"].object_list) == ALIVE
    assert "9 klanten" in response.content.decode()
    # The figure it is sorted by is shown: a one-off customer's in words, as on the profile.
    shown = re.findall(r'data-testid="list-alive">([^<]*)</td>', response.content.decode())
    assert shown == ["5%", "40%", "40%", "80%", "97%"] + ["tot nu toe eenmalig"] * 2 + ["—"] * 2


ONE_OFFS_LONGEST_AWAY = (
    "Kochten tot nu toe één keer: na één aankoop valt nog niet te zeggen of ze terugkomen. "
    "Langst weggebleven eerst."
)
ONE_OFFS_MOST_RECENT = (
    "Kochten tot nu toe één keer: na één aankoop valt nog niet te zeggen of ze terugkomen. "
    "Meest recente eerst."
)


@pytest.mark.parametrize(
    ("order", "said", "first"),
    [("alive", ONE_OFFS_LONGEST_AWAY, "Cor"), ("-alive", ONE_OFFS_MOST_RECENT, "Dirk")],
)
def test_the_list_says_where_the_one_off_customers_begin(shop, owner_client, order, said, first):
    # When the list is sorted by probability alive
    page = owner_client.get(reverse("web:customer_list"), {"order": order}).content.decode()

    # Then one line, just above the first one-off customer, says why they come after the 97%
    lines = re.findall(
        r'<tr class="list-group" data-testid="one-offs-start"><th colspan="9" '
        r'scope="rowgroup"><span>([^<]*)</span></th></tr>\s*<tr>\s*<td><a href="[^"]*">(\w+)</a>',
        page,
    )
    assert lines == [(said, first)]
    # And the figure has the room of the e-mail address, which fell off a 1280-pixel screen
    assert "<th>Kans actief</th>" not in page
    assert '<th class="number">Kans actief</th>' in page
    assert "E-mail</th>" not in page
    assert (
        '<th class="number hide-small heading-wraps">Verwachte klantwaarde (12 maanden)</th>'
        in page
    )


def test_a_page_of_the_list_finds_where_its_one_off_customers_begin(shop):
    rows = listed(shop, "alive")
    cor, dirk = (Customer.objects.get(name=name).pk for name in ("Cor", "Dirk"))

    # A page of those with a figure, one across the border, one within the one-offs, and one
    # of those without a figure (Gijs: computed without a model) and without an insight
    assert one_offs_start(rows[0:5]) is None
    assert one_offs_start(rows[3:6]) == cor
    assert one_offs_start(rows[6:8]) == dirk
    assert one_offs_start(rows[7:9]) is None


def test_the_list_in_another_order_keeps_the_email_and_says_nothing_of_one_offs(shop, owner_client):
    page = owner_client.get(reverse("web:customer_list"), {"order": "name"}).content.decode()

    assert '<th class="hide-small hide-medium">E-mail</th>' in page
    assert 'data-testid="one-offs-start"' not in page


def test_the_list_in_another_order_has_no_probability_column(shop, owner_client):
    page = owner_client.get(reverse("web:customer_list"), {"order": "-value"}).content.decode()

    assert 'data-testid="list-alive"' not in page
    assert "Kans actief" not in page


def test_a_first_page_is_read_with_the_same_queries_however_many_customers(business):
    def queries() -> int:
        rows = listed(business, "alive")
        with CaptureQueriesContext(connection) as captured:
            names(rows[0:3])
        return len(captured)

    for index in range(3):
        CustomerInsightFactory(
            customer__business=business, purchase_days=3, probability_alive=index / 10
        )
    few = queries()
    for index in range(40):
        CustomerInsightFactory(
            customer__business=business, purchase_days=3, probability_alive=index / 50
        )
        CustomerInsightFactory(customer__business=business, purchase_days=1)
        CustomerFactory(business=business)

    # The ids of the page from its part, then its rows
    assert few == queries() == 2
