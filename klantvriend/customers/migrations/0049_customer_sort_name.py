"""Customers sort by their folded name (Customer.sort_name, customers.text.sort_name_for):
both databases compared the names by their bytes, which listed "jan de Vries", "de Boer" and
"Ümit" after "Zeeman". The column is filled for every customer there is, and takes the place of
the name in the indexes read in name order: the list's (0018) and that of the consents without
a legal basis.

The column is added with ALTER TABLE ADD COLUMN, written once for both databases, as 0024's:
Django would rebuild the whole table on SQLite for a column that is NOT NULL."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher
from klantvriend.customers.text import SORT_NAME_LENGTH, sort_name_for

BATCH = 2000


def fill_sort_names(apps, schema_editor):
    """In batches by id, each read whole before it is written (no cursor open on the table while
    it changes), and written in one UPDATE ... FROM (VALUES ...), as complaints' deadlines are
    (complaints.services._write_deadlines): a statement per customer ran PostgreSQL's statement
    triggers of the customers each time, and took some 15 minutes at 100,000 customers."""
    Customer = apps.get_model("customers", "Customer")
    connection = schema_editor.connection
    rows_per_statement = min(BATCH, (connection.features.max_query_params or 2 * BATCH) // 2)
    last = 0
    with connection.cursor() as cursor:
        while batch := list(
            Customer.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "name")[:rows_per_statement]
        ):
            cursor.execute(
                'UPDATE "customers_customer" SET "sort_name" = v.column2 '
                f"FROM (VALUES {', '.join(['(%s, %s)'] * len(batch))}) AS v "
                'WHERE "customers_customer"."id" = v.column1',
                [value for pk, name in batch for value in (pk, sort_name_for(name))],
            )
            last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0048_customer_regular_member"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="customer",
                    name="sort_name",
                    field=models.CharField(
                        db_default="", default="", editable=False, max_length=SORT_NAME_LENGTH
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "customers_customer" ADD COLUMN "sort_name" '
                    f"varchar({SORT_NAME_LENGTH}) DEFAULT '' NOT NULL",
                    'ALTER TABLE "customers_customer" DROP COLUMN "sort_name"',
                )
            ],
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="customer",
            options={
                "base_manager_name": "objects",
                "ordering": ["sort_name", "id"],
                "verbose_name": "customer",
                "verbose_name_plural": "customers",
            },
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["business", "sort_name", "id", "search_text"],
                name="customer_sort_name_search",
            ),
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_business_name_search",
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_consent_no_basis",
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(marketing_consent=True, marketing_consent_basis=""),
                fields=["business", "sort_name", "id"],
                name="customer_consent_no_basis",
            ),
        ),
        migrations.RunPython(statistics_refresher("customers_customer"), migrations.RunPython.noop),
    ]
