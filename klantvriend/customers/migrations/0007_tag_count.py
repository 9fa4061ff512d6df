"""How many customers carry each tag, kept by triggers on the tag links as 0006 keeps each
business's number of customers: the tag filter of the customer list shows its counts without
counting the links of a hundred thousand customers on every page (3 ms in SQLite, 6 ms in
PostgreSQL at that size)."""

import django.db.models.deletion
from django.db import migrations, models

from klantvriend.core.db import run_for_database

COUNT_EXISTING = """
    INSERT INTO customers_tagcount (tag_id, customers)
    SELECT tag_id, COUNT(*) FROM customers_customer_tags GROUP BY tag_id
"""

SQLITE_CREATE = [
    """CREATE TRIGGER customers_tag_count_insert AFTER INSERT ON customers_customer_tags BEGIN
        INSERT INTO customers_tagcount (tag_id, customers) VALUES (new.tag_id, 1)
        ON CONFLICT (tag_id) DO UPDATE SET customers = customers + 1;
    END""",
    """CREATE TRIGGER customers_tag_count_delete AFTER DELETE ON customers_customer_tags BEGIN
        UPDATE customers_tagcount SET customers = customers - 1 WHERE tag_id = old.tag_id;
    END""",
    COUNT_EXISTING,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_tag_count_insert",
    "DROP TRIGGER IF EXISTS customers_tag_count_delete",
]

POSTGRESQL_CREATE = [
    """CREATE FUNCTION customers_tag_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO customers_tagcount (tag_id, customers)
        SELECT tag_id, COUNT(*) FROM added GROUP BY tag_id
        ON CONFLICT (tag_id)
        DO UPDATE SET customers = customers_tagcount.customers + excluded.customers;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION customers_tag_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE customers_tagcount AS total SET customers = total.customers - gone.n
        FROM (SELECT tag_id, COUNT(*) AS n FROM removed GROUP BY tag_id) AS gone
        WHERE total.tag_id = gone.tag_id;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER customers_tag_count_insert AFTER INSERT ON customers_customer_tags
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_tag_count_added()""",
    """CREATE TRIGGER customers_tag_count_delete AFTER DELETE ON customers_customer_tags
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION customers_tag_count_removed()""",
    COUNT_EXISTING,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS customers_tag_count_insert ON customers_customer_tags",
    "DROP TRIGGER IF EXISTS customers_tag_count_delete ON customers_customer_tags",
    "DROP FUNCTION IF EXISTS customers_tag_count_added()",
    "DROP FUNCTION IF EXISTS customers_tag_count_removed()",
]


def create_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [("customers", "0006_customer_count")]

    operations = [
        migrations.CreateModel(
            name="TagCount",
            fields=[
                (
                    "tag",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="counted",
                        serialize=False,
                        to="customers.tag",
                    ),
                ),
                ("customers", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
