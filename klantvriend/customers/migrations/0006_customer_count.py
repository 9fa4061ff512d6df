"""Each business's number of customers, kept by triggers on customers_customer: the customer
list and the API show their total without counting the whole table on every page (at 100,000
customers a count took 3 ms in SQLite and 10 ms in PostgreSQL, and grows with the shop).

On PostgreSQL the triggers fire once per statement, over the rows it inserted or deleted, so a
bulk import updates each business's count once. On SQLite they fire per row. A customer never
moves to another business (tenancy: no code path changes a row's business), so inserts and
deletes are all there is to count. As with the search
index (0005), a later migration that makes Django rebuild customers_customer on SQLite keeps the
triggers (core/sqlite/schema.py); customers/tests/test_customer_count.py fails if they are gone.
"""

import django.db.models.deletion
from django.db import migrations, models

from klantvriend.core.db import run_for_database

COUNT_EXISTING = """
    INSERT INTO customers_customercount (business_id, customers)
    SELECT business_id, COUNT(*) FROM customers_customer GROUP BY business_id
"""

SQLITE_CREATE = [
    """CREATE TRIGGER customers_customer_count_insert AFTER INSERT ON customers_customer BEGIN
        INSERT INTO customers_customercount (business_id, customers) VALUES (new.business_id, 1)
        ON CONFLICT (business_id) DO UPDATE SET customers = customers + 1;
    END""",
    """CREATE TRIGGER customers_customer_count_delete AFTER DELETE ON customers_customer BEGIN
        UPDATE customers_customercount SET customers = customers - 1
        WHERE business_id = old.business_id;
    END""",
    COUNT_EXISTING,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_customer_count_insert",
    "DROP TRIGGER IF EXISTS customers_customer_count_delete",
]

POSTGRESQL_CREATE = [
    """CREATE FUNCTION customers_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO customers_customercount (business_id, customers)
        SELECT business_id, COUNT(*) FROM added GROUP BY business_id
        ON CONFLICT (business_id)
        DO UPDATE SET customers = customers_customercount.customers + excluded.customers;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION customers_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE customers_customercount AS total SET customers = total.customers - gone.n
        FROM (SELECT business_id, COUNT(*) AS n FROM removed GROUP BY business_id) AS gone
        WHERE total.business_id = gone.business_id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER customers_customer_count_insert AFTER INSERT ON customers_customer
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION customers_count_added()""",
    """CREATE TRIGGER customers_customer_count_delete AFTER DELETE ON customers_customer
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION customers_count_removed()""",
    COUNT_EXISTING,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS customers_customer_count_insert ON customers_customer",
    "DROP TRIGGER IF EXISTS customers_customer_count_delete ON customers_customer",
    "DROP FUNCTION IF EXISTS customers_count_added()",
    "DROP FUNCTION IF EXISTS customers_count_removed()",
]


def create_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_login_failures"),
        ("customers", "0005_customer_search_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerCount",
            fields=[
                (
                    "business",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="core.business",
                    ),
                ),
                ("customers", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
