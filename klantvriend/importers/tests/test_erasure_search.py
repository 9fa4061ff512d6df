"""An erased customer is not found by the address the search found them by (AVG art. 17), neither
after the erasure nor after migration 0039 wrote the address into every customer's search text;
nor by the placeholder left of them ("Geanonimiseerde klant 12"), which migration 0040 empties
for those anonymised before."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from klantvriend.customers import selectors
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase

NAME = "0039_search_text_holds_the_address"
MIGRATION = importlib.import_module(f"klantvriend.customers.migrations.{NAME}")
EMPTIED = "0040_anonymised_customers_without_search_text"
EMPTYING = importlib.import_module(f"klantvriend.customers.migrations.{EMPTIED}")


def _run(name, function):
    """A migration's function on the models as they are at it (a historical model's manager,
    which does not move `updated_at`)."""
    function(MigrationLoader(connection).project_state(("customers", name)).apps, None)


def _found(business, query):
    return [customer.name for customer in selectors.customer_list(business=business, query=query)]


def test_an_erased_customer_is_not_found_by_their_address(business):
    bas = CustomerFactory(
        business=business,
        name="Bas Verhoeven",
        postal_code="7201 HV",
        city="Zutphen",
        street="Houtmarkt 12",
    )
    CustomerFactory(business=business, name="Anna Bakker", postal_code="7201hv", city="Zutphen")
    assert _found(business, "7201 HV") == ["Anna Bakker", "Bas Verhoeven"]

    customer_erase(customer=bas)

    bas.refresh_from_db()
    assert (bas.street, bas.postal_code, bas.city) == ("", "", "")
    assert bas.search_text == ""
    assert _found(business, "7201 HV") == ["Anna Bakker"]
    assert _found(business, "zutphen") == ["Anna Bakker"]
    assert _found(business, "houtmarkt 12") == []

    # 0039 writes the text of its day (the placeholder); 0040, after it, empties it again.
    _run(NAME, MIGRATION.search_text_with_address)
    _run(EMPTIED, EMPTYING.anonymised_without_search_text)

    assert Customer.objects.get(pk=bas.pk).search_text == ""
    assert _found(business, "7201 HV") == ["Anna Bakker"]


def _ids(business, query):
    return [customer.pk for customer in selectors.customer_list(business=business, query=query)]


@pytest.fixture
def shop(business):
    """A real customer whose name holds the placeholder's words, and two anonymised ones."""
    klanten = CustomerFactory(business=business, name="Klaas Klanten", phone="06-11112222")
    erased = [CustomerFactory(business=business, name=f"Jan Bakker {n}") for n in (1, 2)]
    for customer in erased:
        customer_erase(customer=customer)
    return klanten, erased


def test_an_anonymised_customer_is_not_found_by_the_placeholder(business, shop):
    klanten, (first, second) = shop

    assert [Customer.objects.get(pk=c.pk).name for c in (first, second)] == [
        f"Geanonimiseerde klant {first.pk}",
        f"Geanonimiseerde klant {second.pk}",
    ]
    assert Customer.objects.filter(pk__in=[first.pk, second.pk], search_text="").count() == 2
    assert _ids(business, "geanonimiseerde") == []
    assert _ids(business, "klant") == [klanten.pk]
    assert _ids(business, "klant 1111") == [klanten.pk]
    assert _ids(business, str(first.pk)) == []
    assert _ids(business, "bakker") == []
    # Still in the list without a search, by their placeholder's name.
    assert _ids(business, "") == [first.pk, second.pk, klanten.pk]


def test_the_migration_empties_the_placeholder_of_those_anonymised_before(business, shop):
    klanten, (first, second) = shop
    # As the erasure wrote it before 0040: the placeholder, found by its words.
    for customer in (first, second):
        Customer.objects.filter(pk=customer.pk).update(
            search_text=f"geanonimiseerde klant {customer.pk}"
        )
    before = dict(Customer.objects.values_list("pk", "updated_at"))
    klanten_text = Customer.objects.get(pk=klanten.pk).search_text
    assert _ids(business, "klant") == [first.pk, second.pk, klanten.pk]
    assert _ids(business, "geanonimiseerde") == [first.pk, second.pk]

    _run(EMPTIED, EMPTYING.anonymised_without_search_text)

    assert dict(Customer.objects.values_list("pk", "search_text")) == {
        first.pk: "",
        second.pk: "",
        klanten.pk: klanten_text,
    }
    assert dict(Customer.objects.values_list("pk", "updated_at")) == before
    assert _ids(business, "klant") == [klanten.pk]
    assert _ids(business, "geanonimiseerde") == []
