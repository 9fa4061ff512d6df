"""Migration 0038 moves "customer since" back to the day of the first purchase, in the business's
time zone, for customers stored before the rule (customers_since_moved_back): only theirs, a
batch of customers at a time, and as changed for the API's changed_since."""

import importlib
from datetime import UTC, date, datetime

from django.apps import apps
from django.utils import timezone

from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory

migration = importlib.import_module(
    "klantvriend.customers.migrations.0038_customer_since_not_after_first_purchase"
)


def _stored_before_the_rule(business, since: date, *moments: datetime) -> Customer:
    """A customer with purchases at `moments` and, as the code before the rule could leave it,
    a "customer since" that the purchases did not move back."""
    customer = CustomerFactory(business=business, customer_since=date(2000, 1, 1))
    for at in moments:
        PurchaseFactory(customer=customer, at=at)
    Customer.objects.filter(pk=customer.pk).update(customer_since=since)
    return customer


def _since(*customers: Customer) -> list[date]:
    days = dict(
        Customer.objects.filter(pk__in=[c.pk for c in customers]).values_list(
            "pk", "customer_since"
        )
    )
    return [days[customer.pk] for customer in customers]


def test_customer_since_after_the_first_purchase_moves_back_to_its_day(
    business, other_business, monkeypatch
):
    other_business.time_zone = "America/New_York"
    other_business.save(update_fields=["time_zone"])
    # 23:30 UTC on 19 February is already the 20th in Amsterdam; 03:00 UTC on 20 February is
    # still the 19th in New York. The earliest purchase counts, whatever order they came in.
    late = _stored_before_the_rule(
        business,
        date(2026, 3, 1),
        datetime(2026, 2, 25, 10, tzinfo=UTC),
        datetime(2026, 2, 19, 23, 30, tzinfo=UTC),
    )
    in_new_york = _stored_before_the_rule(
        other_business, date(2026, 3, 1), datetime(2026, 2, 20, 3, tzinfo=UTC)
    )
    same_day = _stored_before_the_rule(
        business, date(2026, 2, 20), datetime(2026, 2, 19, 23, 30, tzinfo=UTC)
    )
    right = _stored_before_the_rule(
        business, date(2025, 6, 1), datetime(2026, 1, 5, 12, tzinfo=UTC)
    )
    never_bought = _stored_before_the_rule(business, date(2026, 3, 1))
    also_late = [
        _stored_before_the_rule(business, date(2026, 4, 1), datetime(2026, 3, n, 12, tzinfo=UTC))
        for n in (10, 11, 12)
    ]
    customers = (late, in_new_york, same_day, right, never_bought, *also_late)
    assert _since(*customers) == [
        date(2026, 3, 1),
        date(2026, 3, 1),
        date(2026, 2, 20),
        date(2025, 6, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 4, 1),
        date(2026, 4, 1),
    ]
    untouched = Customer.objects.filter(pk__in=[same_day.pk, right.pk, never_bought.pk])
    changed_before = dict(untouched.values_list("pk", "updated_at"))
    start = timezone.now()
    # Two customers a batch: the batches' edges are crossed four times.
    monkeypatch.setattr(migration, "BATCH", 2)

    migration.customers_since_moved_back(apps, None)

    assert _since(*customers) == [
        date(2026, 2, 20),
        date(2026, 2, 19),
        date(2026, 2, 20),
        date(2025, 6, 1),
        date(2026, 3, 1),
        date(2026, 3, 10),
        date(2026, 3, 11),
        date(2026, 3, 12),
    ]
    assert dict(untouched.values_list("pk", "updated_at")) == changed_before
    # Moved, they count as changed for the API's changed_since, as the app's writes do.
    moved = Customer.objects.filter(pk__in=[late.pk, in_new_york.pk, *(c.pk for c in also_late)])
    assert all(
        start <= changed <= timezone.now() for changed in moved.values_list("updated_at", flat=True)
    )
    assert moved.count() == 5


def test_run_again_it_changes_nothing(business, django_assert_num_queries):
    customer = _stored_before_the_rule(
        business, date(2026, 3, 1), datetime(2026, 2, 10, 12, tzinfo=UTC)
    )
    migration.customers_since_moved_back(apps, None)

    # The businesses, then the one batch of customers read: nothing to write.
    with django_assert_num_queries(2):
        migration.customers_since_moved_back(apps, None)

    assert _since(customer) == [date(2026, 2, 10)]
