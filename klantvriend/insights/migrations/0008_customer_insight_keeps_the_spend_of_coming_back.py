"""Each customer's insight keeps what they spent on the purchase days after their first, so that
the customer list can add up the advice's repeat share of revenue. Empty in the rows already
there until the next refresh (after an import, and nightly) computes it. An index of the spend
serves the list by spend and the advice's top fifth by spend; on SQLite it gets its statistics
at once (see 0007)."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0007_list_by_probability_alive_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="customerinsight",
            name="repeat_spend_cents",
            field=models.BigIntegerField(
                null=True, verbose_name="spend after the first purchase day"
            ),
        ),
        migrations.AddIndex(
            model_name="customerinsight",
            index=models.Index(fields=["business", "spend_cents"], name="insight_business_spend"),
        ),
        migrations.RunPython(
            statistics_refresher("insights_customerinsight"), migrations.RunPython.noop
        ),
    ]
