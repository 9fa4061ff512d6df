"""Whether a customer's "customer since" is known (Customer.customer_since_known): a customer a
file brought in without it was made a customer of the import's day, and counted as new that
day on the scorecard and in the acquisition report. Every customer there is keeps their day as
known: which of them came in so cannot be told afterwards.

The column is added with ALTER TABLE ADD COLUMN, written once for both databases, as 0049's:
Django would rebuild the whole table on SQLite, and with it lose its triggers."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0052_phone_at_least_eight_digits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="customer",
                    name="customer_since_known",
                    field=models.BooleanField(
                        db_default=True,
                        default=True,
                        editable=False,
                        verbose_name="customer since known",
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "customers_customer" ADD COLUMN "customer_since_known" '
                    "boolean DEFAULT true NOT NULL",
                    'ALTER TABLE "customers_customer" DROP COLUMN "customer_since_known"',
                )
            ],
        ),
        migrations.RemoveIndex(model_name="customer", name="customer_business_since"),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=[
                    "business",
                    "customer_since",
                    "acquisition_channel",
                    "referred_by",
                    "customer_since_known",
                ],
                name="customer_business_since",
            ),
        ),
        migrations.RunPython(statistics_refresher("customers_customer"), migrations.RunPython.noop),
    ]
