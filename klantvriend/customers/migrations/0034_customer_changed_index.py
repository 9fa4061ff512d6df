"""The customers changed since a moment (the API's `changed_since`, docs/api.md "Syncing"), read
in (updated_at, id) order from an index of the business's customers, so that a page costs the
same however many customers the business has and none of them is sorted. The base manager is
the customers' own, whose bulk `update` moves `updated_at` (core.models.ChangeTracked): deleting
a customer empties the referrer of those they referred through it."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0033_since_index_holds_the_referrer"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="customer",
            options={
                "base_manager_name": "objects",
                "ordering": ["name", "id"],
                "verbose_name": "customer",
                "verbose_name_plural": "customers",
            },
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["business", "updated_at", "id"], name="customer_business_changed"
            ),
        ),
        migrations.RunPython(statistics_refresher("customers_customer"), migrations.RunPython.noop),
    ]
