"""The search at the counter offers the closest matches first (selectors.customer_search, for the
header's live search and the pickers): names starting with what was typed, then names with a
word starting with it, then the rest, each group by name; in two queries at most."""

import pytest
from django.utils import timezone

from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.customers.selectors import customer_list, customer_search

from .factories import CustomerFactory, customers_bulk_create


def _names(business, query, limit=10, **options):
    found = customer_search(business=business, query=query, limit=limit, **options)
    return [customer.name for customer in found]


@pytest.fixture
def jans(business):
    made = {
        "marjan": CustomerFactory(business=business, name="Marjan Bakker"),
        "street": CustomerFactory(business=business, name="Anna Smit", street="Jan Steenstraat 4"),
        "email": CustomerFactory(business=business, name="Bert Bos", email="jan@bos.example"),
        "piet": CustomerFactory(business=business, name="Piet Jansen"),
        "jansen": CustomerFactory(business=business, name="Jansen"),
        "jan": CustomerFactory(business=business, name="Jan de Vries"),
        "jose": CustomerFactory(business=business, name="José Janßen"),
        "other": CustomerFactory(business=business, name="Karel Appel"),
    }
    return made


def test_names_starting_with_it_first_then_a_word_of_the_name_then_the_rest(business, jans):
    assert _names(business, "jan") == [
        "Jan de Vries",
        "Jansen",
        "José Janßen",
        "Piet Jansen",
        "Anna Smit",
        "Bert Bos",
        "Marjan Bakker",
    ]
    # The customer list itself keeps its order by name.
    assert [c.name for c in customer_list(business=business, query="jan")] == [
        "Anna Smit",
        "Bert Bos",
        "Jan de Vries",
        "Jansen",
        "José Janßen",
        "Marjan Bakker",
        "Piet Jansen",
    ]


def test_accents_and_capitals_as_the_search_finds_them(business, jans):
    CustomerFactory(business=business, name="jósé de Vries")

    # By the folded name: "jose de vries" before "jose janssen".
    assert _names(business, "JOSE") == ["jósé de Vries", "José Janßen"]
    assert _names(business, "vries") == ["Jan de Vries", "jósé de Vries"]
    assert _names(business, "de vries") == ["Jan de Vries", "jósé de Vries"]


def test_the_first_few_are_the_closest_however_many_more_match(business, jans):
    customers_bulk_create(business=business, names=[f"Aad Marjan {n:02}" for n in range(20)])
    customers_bulk_create(business=business, names=[f"Jan {n:02}" for n in range(3)])

    assert _names(business, "jan", limit=5) == [
        "Jan 00",
        "Jan 01",
        "Jan 02",
        "Jan de Vries",
        "Jansen",
    ]
    assert _names(business, "jan", limit=6)[5] == "José Janßen"
    assert _names(business, "jan", limit=9)[6:] == ["Piet Jansen", "Aad Marjan 00", "Aad Marjan 01"]


def test_the_picker_leaves_out_the_customer_it_is_for(business, jans):
    assert _names(business, "jan", limit=3, exclude=jans["jan"].pk) == [
        "Jansen",
        "José Janßen",
        "Piet Jansen",
    ]
    assert _names(business, "jan", limit=3, exclude=jans["piet"].pk) == [
        "Jan de Vries",
        "Jansen",
        "José Janßen",
    ]


def test_every_word_must_still_match(business, jans):
    CustomerFactory(business=business, name="Jan Bakker", city="Zutphen", phone="06-12345678")
    CustomerFactory(business=business, name="Jan Bakker", city="Deventer", phone="06-87654321")

    zutphen = customer_search(business=business, query="jan zutphen", limit=10)
    assert [(c.name, c.city) for c in zutphen] == [("Jan Bakker", "Zutphen")]
    # Typed with a number, compared by its digits: no name starts with it, found all the same.
    by_phone = customer_search(business=business, query="jan bakker 06-1234", limit=10)
    assert [(c.name, c.city) for c in by_phone] == [("Jan Bakker", "Zutphen")]


def test_a_number_or_postcode_in_the_lists_order(business):
    services.customer_create(business=business, name="Zeger Bos", postal_code="7201 HV")
    services.customer_create(business=business, name="Anna Bos", postal_code="7201 JP")
    services.customer_create(business=business, name="7201 Fietsen", postal_code="1000 AA")

    assert _names(business, "7201") == ["7201 Fietsen", "Anna Bos", "Zeger Bos"]


def test_neither_anonymised_nor_another_business_s_customers(business, other_business, jans):
    CustomerFactory(business=other_business, name="Jan Elders")
    # Marked anonymised, their search text left: the search at the counter leaves them out all
    # the same (their erasure empties it too: importers' test_erasure_search.py).
    Customer.objects.filter(pk=jans["jansen"].pk).update(erased_at=timezone.now())

    assert _names(business, "jan") == [
        "Jan de Vries",
        "José Janßen",
        "Piet Jansen",
        "Anna Smit",
        "Bert Bos",
        "Marjan Bakker",
    ]


@pytest.mark.parametrize("names", [["Jan 1", "Jan 2", "Jan 3"], ["Piet Jansen", "Marjan Bos"]])
def test_two_queries_at_most(business, names, django_assert_max_num_queries):
    customers_bulk_create(business=business, names=names * 20)

    with django_assert_max_num_queries(2):
        found = customer_search(business=business, query="jan", limit=8)

    assert len(found) == 8
