"""Each customer's insight keeps the day of their first purchase, with an index by it: a month's
new customers are the insights of that day's month, so that the rows of a cohort read those
customers' purchases alone and a month's new revenue is their first day's spend, as the refresh
computed the figures, instead of a probe of every purchase of the month for an earlier one.
Empty in the rows already there until the next refresh (after an import, and nightly); until
then the rows are found as before. On SQLite the index gets its statistics at once (see 0007)."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0009_alive_indexes_hold_their_conditions"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerinsight",
            name="first_purchase_day",
            field=models.DateField(null=True, verbose_name="first purchase day"),
        ),
        migrations.AddIndex(
            model_name="customerinsight",
            index=models.Index(
                fields=["business", "first_purchase_day"], name="insight_business_first_day"
            ),
        ),
        migrations.RunPython(
            statistics_refresher("insights_customerinsight"), migrations.RunPython.noop
        ),
    ]
