"""Today lists the important dates coming in the next days (customers.selectors.
important_dates_coming): the yearly ones found by month and day, as the birthdays, the one-off
ones by date, each through an index rather than by reading every important date."""

import klantvriend.core.db
from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_business_getting_started_closed_at"),
        ("customers", "0040_anonymised_customers_without_search_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="importantdate",
            index=models.Index(
                models.F("business"),
                klantvriend.core.db.MonthDay("date"),
                name="important_date_day",
            ),
        ),
        migrations.AddIndex(
            model_name="importantdate",
            index=models.Index(fields=["business", "date"], name="important_date_business_date"),
        ),
        migrations.RunPython(
            statistics_refresher("customers_importantdate"), migrations.RunPython.noop
        ),
    ]
