"""No one bought here before they were a customer: "customer since" moves back to the day of the
customer's first purchase (in the business's time zone) wherever it lies after it. Since the
purchase import, every recorded purchase and the customer import keep it so
(customers.services.customers_since_moved_back); customers stored before then may still be "new"
on the scorecard and in the acquisition report, and have their anniversary on the wrong day.

The logic is frozen here, not imported from the app, whose code may change later. Each customer's
first moment is read from CustomerLastPurchase (kept by triggers on the purchases since 0032), a
batch of customers at a time with their "customer since", instead of asking two million purchases
for their minimum; only the customers to move are written, one UPDATE a batch. Figures at 100,000
customers and 2,000,000 purchases in docs/benchmarks.md.

Not undone: the days moved forward again would be the wrong ones; the reverse leaves them."""

from datetime import date
from zoneinfo import ZoneInfo

from django.db import migrations, models
from django.db.models.functions import Least
from django.utils import timezone

# Customers read at a time, and moved in one UPDATE at most: its ids twice and its days within
# SQLite's 32,766 parameters.
BATCH = 10_000


def customers_since_moved_back(apps, schema_editor) -> None:
    Business = apps.get_model("core", "Business")
    Customer = apps.get_model("customers", "Customer")
    Kept = apps.get_model("customers", "CustomerLastPurchase")
    now = timezone.now()
    for business_id, zone in Business.objects.order_by("pk").values_list("pk", "time_zone"):
        local = ZoneInfo(zone)
        after = 0
        while True:
            batch = list(
                Kept.objects.filter(business_id=business_id, customer_id__gt=after)
                .order_by("customer_id")
                .values_list("customer_id", "first_at", "customer__customer_since")[:BATCH]
            )
            later: dict[date, list[int]] = {}
            for customer_id, first_at, since in batch:
                day = first_at.astimezone(local).date()
                if day < since:
                    later.setdefault(day, []).append(customer_id)
            if later:
                _moved_back(Customer, business_id, later, now)
            if len(batch) < BATCH:
                break
            after = batch[-1][0]


def _moved_back(Customer, business_id: int, later: dict[date, list[int]], now) -> None:
    """One UPDATE for the batch's customers, each given their day: PostgreSQL's statement
    triggers on the customers cost tens of milliseconds a statement whatever its rows, and an
    UPDATE a day was a thousand statements for a history of a few years. The earlier of their
    day and the stored one, should a customer have been moved further back meanwhile. Their
    `updated_at` moves, as the app's manager (ChangeTracked) moves it, which a historical model
    has not: the API's changed_since would otherwise never sync the new day."""
    days = models.Case(
        *(models.When(pk__in=ids, then=models.Value(day)) for day, ids in later.items()),
        output_field=models.DateField(),
    )
    Customer.objects.filter(
        business_id=business_id, pk__in=[pk for ids in later.values() for pk in ids]
    ).update(customer_since=Least(models.F("customer_since"), days), updated_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_membership_morning_email"),
        ("customers", "0037_consent_source_email_link"),
    ]

    operations = [
        migrations.RunPython(customers_since_moved_back, migrations.RunPython.noop, elidable=False),
    ]
