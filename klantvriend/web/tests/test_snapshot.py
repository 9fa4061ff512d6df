"""The snapshot the tests compare before and after a refused request (klantvriend.isolation): it
must see any change to any table, or every "nothing changed" assertion would pass unseen."""

import pytest

from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.isolation import snapshot

pytestmark = pytest.mark.django_db


def test_a_snapshot_sees_a_row_changed_added_or_removed_and_nothing_else(business):
    customer = CustomerFactory(business=business, name="Anna")
    purchase = PurchaseFactory(customer=customer, amount_cents=1250)
    before = snapshot()

    assert snapshot() == before
    assert len(before["customers.Customer"]) == 1
    assert before["customers.Purchase"][0][:1] == (purchase.pk,)

    Customer.objects.filter(pk=customer.pk).update(notes="Komt op vrijdag")
    changed = snapshot()
    assert changed != before
    assert [label for label in before if changed[label] != before[label]] == ["customers.Customer"]

    CustomerFactory(business=business, name="Bram")
    assert len(snapshot()["customers.Customer"]) == 2

    Purchase.objects.filter(pk=purchase.pk).delete()
    assert snapshot()["customers.Purchase"] == []
