"""A purchase's `updated_at` moves with every change of what the API shows of it, also through a
bulk write, for a till or web shop that syncs the purchases (docs/api.md, "Syncing"). The ways a
purchase is written outside customers.services: importers/tests/test_purchase_changed_moments."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from klantvriend.core.errors import ValidationError
from klantvriend.customers import services
from klantvriend.customers.models import Purchase

from .factories import CustomerFactory, PurchaseFactory
from .test_changed_moments import LONG_AGO, changed_long_ago, updated_at


def test_a_recorded_purchase_was_last_changed_when_it_was_recorded(business):
    before = timezone.now()

    purchase = services.purchase_create(
        customer=CustomerFactory(business=business), amount_cents=1250
    )

    assert before <= updated_at(purchase) <= timezone.now()


def test_a_corrected_purchase_counts_as_changed(business, owner):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), amount_cents=1250)
    before = changed_long_ago(purchase)

    services.purchase_update(purchase=purchase, actor=owner, amount_cents=1350)

    assert before <= updated_at(purchase) <= timezone.now()
    assert purchase.updated_at == updated_at(purchase)


def test_a_correction_that_changes_nothing_is_no_change(business, owner):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), amount_cents=1250)
    changed_long_ago(purchase)

    services.purchase_update(purchase=purchase, actor=owner, amount_cents=1250)

    assert updated_at(purchase) == LONG_AGO


def test_a_refused_correction_moves_nothing(business, owner):
    purchase = PurchaseFactory(customer=CustomerFactory(business=business), amount_cents=1250)
    changed_long_ago(purchase)

    with pytest.raises(ValidationError):
        services.purchase_update(purchase=purchase, actor=owner, amount_cents=-5)

    assert Purchase.objects.values_list("amount_cents", "updated_at").get(pk=purchase.pk) == (
        1250,
        LONG_AGO,
    )


def test_a_bulk_write_of_purchases_moves_their_updated_at_and_only_theirs(business):
    anna = CustomerFactory(business=business)
    first, second, third, untouched = (PurchaseFactory(customer=anna) for _ in range(4))
    before = changed_long_ago(first, second, third, untouched)

    Purchase.objects.filter(pk=first.pk).update(description="Taart")
    second.description = "Brood"
    Purchase.objects.bulk_update([second], ["description"])
    assert Purchase.objects.filter(pk=third.pk).mark_changed() == 1

    for purchase in (first, second, third):
        assert before <= updated_at(purchase) <= timezone.now()
    assert Purchase.objects.values_list("description", flat=True).get(pk=second.pk) == "Brood"
    assert updated_at(untouched) == LONG_AGO


def test_a_purchase_is_no_change_of_another_purchase_or_the_customer_of_none(business):
    anna = CustomerFactory(business=business)
    earlier = PurchaseFactory(customer=anna)
    changed_long_ago(earlier)

    services.purchase_create(customer=anna, amount_cents=500)

    assert updated_at(earlier) == LONG_AGO


BEFORE = [("customers", "0034_customer_changed_index")]


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_dates_the_purchases_there_are_at_the_upgrade_and_misses_none(business):
    # What each was last changed at before is not known: no later than the upgrade. A sync
    # asking for any moment before it is given every one of them, in id order.
    anna = CustomerFactory(business=business)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("customers", "Purchase")
        ids = [
            old.objects.create(
                business_id=business.pk, customer_id=anna.pk, amount_cents=cents, at=LONG_AGO
            ).pk
            for cents in (100, 200, 300)
        ]
        before = timezone.now()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    after = timezone.now()

    moments = dict(Purchase.objects.values_list("pk", "updated_at"))
    assert sorted(moments) == ids
    assert len(set(moments.values())) == 1
    assert before <= moments[ids[0]] <= after
    new = services.purchase_create(customer=anna, amount_cents=400)
    assert updated_at(new) >= moments[ids[0]]
