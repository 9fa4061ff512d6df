"""Every write that changes what the API shows of a purchase moves its `updated_at`, also the
bulk ones that `auto_now` does not reach (docs/api.md, "Syncing"). One test per way a purchase
is written outside customers.services (whose own are in
customers/tests/test_purchase_changed_moments); the purchase import and a restore: in
test_changed_moments."""

import pytest
from django.utils import timezone

from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.customers.tests.test_changed_moments import (
    LONG_AGO,
    changed_long_ago,
    updated_at,
)
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import HasPurchases, customer_delete, customer_erase


def test_a_merge_changes_the_purchases_it_moves_to_the_kept_customer(business, owner):
    keep = CustomerFactory(business=business, name="Jan Bakker")
    other = CustomerFactory(business=business, name="J. Bakker")
    kept_own, moved = PurchaseFactory(customer=keep), PurchaseFactory(customer=other)
    before = changed_long_ago(kept_own, moved)

    customer_merge(keep=keep, other=other, actor=owner)

    assert Purchase.objects.get(pk=moved.pk).customer_id == keep.pk
    assert before <= updated_at(moved) <= timezone.now()
    assert updated_at(kept_own) == LONG_AGO  # nothing of it changed


def test_an_erasure_changes_the_purchases_whose_description_it_scrubs(business, owner):
    anna = CustomerFactory(business=business, name="Anna de Vries")
    named = PurchaseFactory(customer=anna, description="Taart voor Anna de Vries")
    bystander = PurchaseFactory(customer=CustomerFactory(business=business))
    before = changed_long_ago(named, bystander)

    customer_erase(customer=anna, actor=owner)

    named.refresh_from_db()
    assert "Anna" not in named.description
    assert before <= named.updated_at <= timezone.now()
    assert updated_at(bystander) == LONG_AGO


def test_a_customer_with_purchases_is_not_deleted_so_neither_are_their_purchases(business, owner):
    anna = CustomerFactory(business=business)
    purchase = PurchaseFactory(customer=anna)
    changed_long_ago(purchase)

    with pytest.raises(HasPurchases):
        customer_delete(customer=anna, actor=owner)

    assert updated_at(purchase) == LONG_AGO
