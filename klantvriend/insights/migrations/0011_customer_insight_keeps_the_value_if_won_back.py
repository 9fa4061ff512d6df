"""Each customer's insight keeps what they would buy, and be worth, in the next twelve months if
they are still, or again, a customer: the profile of a lapsed customer showed "€ 0,00, no
purchase expected" and nothing of what winning them back is worth. Empty in the rows already
there until the next refresh (after an import, nightly, or on saving the margin); the card says
so meanwhile."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0010_customer_insight_keeps_the_first_purchase_day"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerinsight",
            name="expected_purchases_365_if_alive",
            field=models.FloatField(
                null=True,
                verbose_name="expected purchases in the next 365 days if still a customer",
            ),
        ),
        migrations.AddField(
            model_name="customerinsight",
            name="value_if_alive_cents",
            field=models.BigIntegerField(
                null=True, verbose_name="12-month value if still a customer"
            ),
        ),
    ]
