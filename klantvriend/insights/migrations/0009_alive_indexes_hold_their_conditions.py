"""The two indexes of the list by probability alive each hold the column the other part is
told apart by (the purchase days, the probability alive): a deep page of that list finds its
first figure, and counts the parts before it, from the indexes alone (core.rows.ByFigure),
where they read each insight's row (at 100,000 customers in SQLite: counting those with two
or more purchase days 178 → 4 ms, the one-off customers' figure at a deep page 14 → 2 ms)."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0008_customer_insight_keeps_the_spend_of_coming_back"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customerinsight", name="insight_business_alive"),
        migrations.RemoveIndex(model_name="customerinsight", name="insight_business_days_since"),
        migrations.AddIndex(
            model_name="customerinsight",
            index=models.Index(
                fields=["business", "probability_alive", "purchase_days"],
                name="insight_business_alive",
            ),
        ),
        migrations.AddIndex(
            model_name="customerinsight",
            index=models.Index(
                fields=["business", "purchase_days", "days_since_last", "probability_alive"],
                name="insight_business_days_since",
            ),
        ),
        migrations.RunPython(
            statistics_refresher("insights_customerinsight"), migrations.RunPython.noop
        ),
    ]
