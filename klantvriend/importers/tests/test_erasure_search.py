"""An erased customer is not found by the address the search found them by (AVG art. 17), neither
after the erasure nor after migration 0039 wrote the address into every customer's search text."""

import importlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader

from klantvriend.customers import selectors
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase

NAME = "0039_search_text_holds_the_address"
MIGRATION = importlib.import_module(f"klantvriend.customers.migrations.{NAME}")


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
    assert bas.search_text == f"geanonimiseerde klant {bas.pk}"
    assert _found(business, "7201 HV") == ["Anna Bakker"]
    assert _found(business, "zutphen") == ["Anna Bakker"]
    assert _found(business, "houtmarkt 12") == []

    state = MigrationLoader(connection).project_state(("customers", NAME))
    MIGRATION.search_text_with_address(state.apps, None)

    assert Customer.objects.get(pk=bas.pk).search_text == f"geanonimiseerde klant {bas.pk}"
    assert _found(business, "7201 HV") == ["Anna Bakker"]
