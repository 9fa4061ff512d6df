"""Makes way for the unique constraint on a customer's important dates (migration 0030).

Before, one customer could have the same "what" on the same date twice (a form sent twice, an
API call repeated), shown twice on Today and in the briefing. The upgrade must not stop on
them, and nothing may be lost: the rows are the same but for "every year", so the first one
recorded stays, remembered every year if any of its doubles was
(important_dates.important_date_doubles), the later ones are deleted, and each customer
concerned is listed on the console of whoever runs the migration. Nothing refers to an
important date, so nothing else changes."""

from django.db import migrations
from django.db.models import Count

from klantvriend.customers.important_dates import important_date_doubles


def merge_doubled_important_dates(apps, schema_editor, *, out=print):
    ImportantDate = apps.get_model("customers", "ImportantDate")
    dates = ImportantDate.objects.using(schema_editor.connection.alias)
    customers = sorted(
        set(
            dates.values("customer_id", "label", "date")
            .annotate(rows=Count("id"))
            .filter(rows__gt=1)
            .values_list("customer_id", flat=True)
        )
    )
    for customer_id in customers:
        rows = dates.filter(customer_id=customer_id).order_by("id")
        doubles = important_date_doubles(
            (pk, (label, day), yearly)
            for pk, label, day, yearly in rows.values_list("id", "label", "date", "yearly")
        )
        dates.filter(pk__in=doubles.made_yearly).update(yearly=True)
        dates.filter(pk__in=doubles.dropped).delete()
        out(
            f"Customer {customer_id}: {len(doubles.dropped)} important date(s) recorded twice "
            "were removed; the first of each is kept."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0028_duplicates_fewest_first"),
    ]

    # The constraint is added by the next migration, in a transaction of its own: PostgreSQL
    # does not build an index on a table with row changes of the same transaction pending.
    operations = [
        migrations.RunPython(merge_doubled_important_dates, migrations.RunPython.noop),
    ]
