"""What each customer has bought in all, kept by triggers on customers_purchase (CustomerSpend):
the ambassador ranking adds up what the customers each referrer brought in had bought, and
summing their purchases read 440,000 of them at 100,000 customers (a second on PostgreSQL).

As the counts of 0006: per statement on PostgreSQL (a bulk import updates each customer's total
once per statement), per row on SQLite. A purchase can change its amount or, through the API,
its customer; updates subtract the old row and add the new one. A later migration that makes
Django rebuild customers_purchase on SQLite keeps the triggers (core/sqlite/schema.py);
customers/tests/test_customer_count.py fails if they are gone.
"""

import django.db.models.deletion
from django.db import migrations, models

from klantvriend.core.db import run_for_database

SUM_EXISTING = """
    INSERT INTO customers_customerspend (customer_id, cents)
    SELECT customer_id, SUM(amount_cents) FROM customers_purchase GROUP BY customer_id
"""

SQLITE_ADD = """INSERT INTO customers_customerspend (customer_id, cents)
        VALUES (new.customer_id, new.amount_cents)
        ON CONFLICT (customer_id) DO UPDATE SET cents = cents + excluded.cents;"""
SQLITE_SUBTRACT = """UPDATE customers_customerspend SET cents = cents - old.amount_cents
        WHERE customer_id = old.customer_id;"""
SQLITE_CREATE = [
    f"""CREATE TRIGGER customers_purchase_spend_insert AFTER INSERT ON customers_purchase BEGIN
        {SQLITE_ADD}
    END""",
    f"""CREATE TRIGGER customers_purchase_spend_delete AFTER DELETE ON customers_purchase BEGIN
        {SQLITE_SUBTRACT}
    END""",
    f"""CREATE TRIGGER customers_purchase_spend_update
    AFTER UPDATE OF amount_cents, customer_id ON customers_purchase BEGIN
        {SQLITE_SUBTRACT}
        {SQLITE_ADD}
    END""",
    SUM_EXISTING,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_purchase_spend_insert",
    "DROP TRIGGER IF EXISTS customers_purchase_spend_delete",
    "DROP TRIGGER IF EXISTS customers_purchase_spend_update",
]

POSTGRESQL_ADD = """INSERT INTO customers_customerspend (customer_id, cents)
        SELECT customer_id, SUM(amount_cents) FROM added GROUP BY customer_id
        ON CONFLICT (customer_id)
        DO UPDATE SET cents = customers_customerspend.cents + excluded.cents;"""
POSTGRESQL_SUBTRACT = """UPDATE customers_customerspend AS spend SET cents = spend.cents - gone.cents
        FROM (SELECT customer_id, SUM(amount_cents) AS cents FROM removed GROUP BY customer_id)
        AS gone WHERE spend.customer_id = gone.customer_id;"""
POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION customers_spend_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {POSTGRESQL_ADD}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_spend_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {POSTGRESQL_SUBTRACT}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_spend_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {POSTGRESQL_SUBTRACT}
        {POSTGRESQL_ADD}
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER customers_purchase_spend_insert AFTER INSERT ON customers_purchase
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION customers_spend_added()""",
    """CREATE TRIGGER customers_purchase_spend_delete AFTER DELETE ON customers_purchase
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION customers_spend_removed()""",
    # Transition tables cannot go with a column list ("UPDATE OF ..."): every update of a
    # purchase statement is counted again, which costs little beside the update itself.
    """CREATE TRIGGER customers_purchase_spend_update AFTER UPDATE ON customers_purchase
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_spend_changed()""",
    SUM_EXISTING,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS customers_purchase_spend_insert ON customers_purchase",
    "DROP TRIGGER IF EXISTS customers_purchase_spend_delete ON customers_purchase",
    "DROP TRIGGER IF EXISTS customers_purchase_spend_update ON customers_purchase",
    "DROP FUNCTION IF EXISTS customers_spend_added()",
    "DROP FUNCTION IF EXISTS customers_spend_removed()",
    "DROP FUNCTION IF EXISTS customers_spend_changed()",
]


def create_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_referrer_and_since_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerSpend",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="spend",
                        serialize=False,
                        to="customers.customer",
                    ),
                ),
                ("cents", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
