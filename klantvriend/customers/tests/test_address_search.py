"""A customer is found by postcode, place and street with house number ("what is your postcode?"
at the counter), through the search of the list, the header box and the API; not by their
address in the duplicate check. Migration 0039 mends old rows. (Erasure: importers'
test_erasure_search.py.)"""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from klantvriend.customers import selectors
from klantvriend.customers.models import Customer
from klantvriend.customers.text import search_text_for

from .factories import CustomerFactory

NAME = "0039_search_text_holds_the_address"
MIGRATION = importlib.import_module(f"klantvriend.customers.migrations.{NAME}")


def _migrate():
    """The migration's function on the models as they are at it (a historical model's manager,
    which does not move `updated_at`)."""
    state = MigrationLoader(connection).project_state(("customers", NAME))
    MIGRATION.search_text_with_address(state.apps, None)


@pytest.fixture
def people(business):
    made = [
        ("Bas Verhoeven", "", "7201 HV", "Zutphen", "Houtmarkt 12"),
        ("Anna Bakker", "", "7201hv", "Zutphen", "Houtmarkt 14"),
        ("Bas Verhoeven", "", "7411 AB", "Deventer", "Brink 120"),
        ("Chloé de Groot", "", "7201 GD", "ZUTPHEN", "Spittaalstraat 3"),
        ("Piet Jansen", "06-72011234", "1012 AB", "Amsterdam", "Damrak 1"),
        ("Hans Müller", "", "10115", "Berlin", "Unter den Linden 12"),
        ("John Smith", "", "SW1A 1AA", "London", "Downing Street 10"),
    ]
    return {
        (name, city): CustomerFactory(
            business=business, name=name, phone=phone, postal_code=code, city=city, street=street
        )
        for name, phone, code, city, street in made
    }


def _found(business, query):
    customers = selectors.customer_list(business=business, query=query)
    return [(customer.name, customer.city) for customer in customers]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("7201 HV", [("Anna Bakker", "Zutphen"), ("Bas Verhoeven", "Zutphen")]),
        ("7201hv", [("Anna Bakker", "Zutphen"), ("Bas Verhoeven", "Zutphen")]),
        ("7201HV", [("Anna Bakker", "Zutphen"), ("Bas Verhoeven", "Zutphen")]),
        # The postcode's digits are in Piet's phone number too: four digits are both.
        (
            "7201",
            [
                ("Anna Bakker", "Zutphen"),
                ("Bas Verhoeven", "Zutphen"),
                ("Chloé de Groot", "ZUTPHEN"),
                ("Piet Jansen", "Amsterdam"),
            ],
        ),
        (
            "Zutphen",
            [
                ("Anna Bakker", "Zutphen"),
                ("Bas Verhoeven", "Zutphen"),
                ("Chloé de Groot", "ZUTPHEN"),
            ],
        ),
        ("verhoeven zutphen", [("Bas Verhoeven", "Zutphen")]),
        ("verhoeven 7411ab", [("Bas Verhoeven", "Deventer")]),
        # Postcode and house number: the neighbour at 14 is not the customer at 12.
        ("7201 HV 12", [("Bas Verhoeven", "Zutphen")]),
        ("7201 hv 14", [("Anna Bakker", "Zutphen")]),
        ("houtmarkt 14", [("Anna Bakker", "Zutphen")]),
        # A house number alone: at a word's start (12, 120), not inside Piet's phone number
        # 0672011234 or his postcode 1012.
        (
            "12",
            [
                ("Bas Verhoeven", "Zutphen"),
                ("Bas Verhoeven", "Deventer"),
                ("Hans Müller", "Berlin"),
            ],
        ),
        ("10115", [("Hans Müller", "Berlin")]),
        ("SW1A 1AA", [("John Smith", "London")]),
        ("sw1a1aa", [("John Smith", "London")]),
        ("7202 HV", []),
    ],
)
def test_a_customer_is_found_by_postcode_place_and_street(business, people, query, expected):
    assert _found(business, query) == expected


def test_a_phone_number_is_still_found_in_parts_and_inside(business, people):
    assert _found(business, "06 7201") == [("Piet Jansen", "Amsterdam")]
    assert _found(business, "1123") == [("Piet Jansen", "Amsterdam")]


def test_the_header_box_and_the_api_find_a_postcode(business, people, owner_client, api):
    page = owner_client.get("/customers/", {"q": "7201hv"}).content.decode()
    bas = people[("Bas Verhoeven", "Zutphen")]
    anna = people[("Anna Bakker", "Zutphen")]
    assert page.index(f'href="/customers/{anna.pk}/"') < page.index(f'href="/customers/{bas.pk}/"')
    assert f'href="/customers/{people[("Bas Verhoeven", "Deventer")].pk}/"' not in page

    found = api.get("/api/v1/customers", {"search": "7201 HV"}).json()
    assert [item["id"] for item in found["items"]] == [anna.pk, bas.pk]


def test_the_duplicate_check_does_not_take_a_place_or_a_street_for_a_name(business, people):
    assert _found(business, "Zutphen") != []
    assert selectors.customers_alike(business=business, details=["Zutphen"]) == []
    assert selectors.customers_alike(business=business, details=["Anna Houtmarkt"]) == []

    alike = selectors.customers_alike(business=business, details=["Bas Verhoeven", "0672011234"])

    assert [(customer.name, customer.city) for customer in alike] == [
        ("Bas Verhoeven", "Zutphen"),
        ("Bas Verhoeven", "Deventer"),
        ("Piet Jansen", "Amsterdam"),
    ]


def test_the_migration_writes_the_address_into_the_search_text_of_old_rows(business, people):
    for customer in Customer.objects.all():
        # The search text as it was before 0039: the person's details alone.
        old = search_text_for(
            name=customer.name, company=customer.company, email=customer.email, phone=customer.phone
        )
        Customer.objects.filter(pk=customer.pk).update(search_text=old)
    moments = dict(Customer.objects.values_list("pk", "updated_at"))
    assert _found(business, "7201hv") == []

    _migrate()

    assert _found(business, "7201hv") == [("Anna Bakker", "Zutphen"), ("Bas Verhoeven", "Zutphen")]
    assert _found(business, "london") == [("John Smith", "London")]
    texts = dict(Customer.objects.values_list("pk", "search_text"))
    assert (
        texts[people[("Bas Verhoeven", "Zutphen")].pk]
        == "bas verhoeven 7201hv zutphen houtmarkt 12"
    )
    assert texts[people[("Chloé de Groot", "ZUTPHEN")].pk] == (
        "chloe de groot 7201gd zutphen spittaalstraat 3"
    )
    assert texts[people[("Piet Jansen", "Amsterdam")].pk] == (
        "piet jansen 0672011234 1012ab amsterdam damrak 1"
    )
    assert dict(Customer.objects.values_list("pk", "updated_at")) == moments
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO customers_customer_search(customers_customer_search, rank) "
                "VALUES ('integrity-check', 1)"
            )


def test_the_migration_reads_every_batch(business, monkeypatch):
    monkeypatch.setattr(MIGRATION, "BATCH", 2)
    made = [
        CustomerFactory(business=business, name=f"Klant {n}", city=f"Plaats {n}") for n in range(5)
    ]
    Customer.objects.update(search_text="")

    _migrate()

    texts = dict(Customer.objects.values_list("pk", "search_text"))
    assert [texts[customer.pk] for customer in made] == [f"klant {n} plaats {n}" for n in range(5)]
