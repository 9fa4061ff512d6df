"""When each customer last bought (CustomerLastPurchase), kept by triggers on customers_purchase
beside the spend of 0009, so that the customer list by last purchase finds every page through
an index in the list's order instead of sorting every customer by a subquery of their purchases.

A purchase added can only make the latest later: its trigger takes the greater of the two, and
writes nothing when the purchase is older (an import of last year's till roll). A purchase
deleted, moved to another moment or booked on another customer (an edit, a merge) may make it
earlier: only where it held the kept moment is the latest read again, through the purchases'
index (customer, at), and a customer left without purchases loses the row. As 0006-0027: per
statement on PostgreSQL, per row on SQLite. A later migration that makes Django rebuild
customers_purchase on SQLite keeps the triggers (core/sqlite/schema.py);
customers/tests/test_customer_count.py fails if they are gone.
"""

import django.db.models.deletion
from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher

KEPT = "customers_customerlastpurchase"
PURCHASES = "customers_purchase"

FILL = f"""INSERT INTO {KEPT} (customer_id, business_id, at)
    SELECT customer_id, business_id, MAX(at) FROM {PURCHASES} GROUP BY customer_id, business_id"""


def _gone(customers: str, held: str) -> str:
    """The `customers` (SQL giving their ids) may have lost a purchase: a customer with none
    left loses the row, and where a lost purchase `held` the kept moment (a condition on the
    row) the latest is read again. The same SQL on both databases, for SQLite's row (old.*) and
    PostgreSQL's transition table of the rows gone or moved."""
    return f"""DELETE FROM {KEPT} WHERE customer_id IN ({customers}) AND NOT EXISTS
            (SELECT 1 FROM {PURCHASES} AS purchase WHERE purchase.customer_id = {KEPT}.customer_id);
        UPDATE {KEPT} SET at = (SELECT MAX(purchase.at) FROM {PURCHASES} AS purchase
            WHERE purchase.customer_id = {KEPT}.customer_id)
        WHERE {held};"""


SQLITE_LATER = f"""INSERT INTO {KEPT} (customer_id, business_id, at)
        VALUES (new.customer_id, new.business_id, new.at)
        ON CONFLICT (customer_id) DO UPDATE SET at = excluded.at WHERE excluded.at > at;"""
SQLITE_GONE = _gone("old.customer_id", "customer_id = old.customer_id AND at = old.at")
SQLITE_CREATE = [
    f"""CREATE TRIGGER customers_purchase_last_insert AFTER INSERT ON {PURCHASES} BEGIN
        {SQLITE_LATER}
    END""",
    f"""CREATE TRIGGER customers_purchase_last_delete AFTER DELETE ON {PURCHASES} BEGIN
        {SQLITE_GONE}
    END""",
    # The new moment first (at most later), then the old one worked out again where it was
    # the kept one (the new moment is in the table by then).
    f"""CREATE TRIGGER customers_purchase_last_update AFTER UPDATE OF at, customer_id ON {PURCHASES}
    WHEN old.at IS NOT new.at OR old.customer_id IS NOT new.customer_id BEGIN
        {SQLITE_LATER}
        {SQLITE_GONE}
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_purchase_last_insert",
    "DROP TRIGGER IF EXISTS customers_purchase_last_delete",
    "DROP TRIGGER IF EXISTS customers_purchase_last_update",
]


def _postgresql_later(rows: str) -> str:
    return f"""INSERT INTO {KEPT} (customer_id, business_id, at)
        SELECT customer_id, business_id, MAX(at) FROM {rows} AS row
        GROUP BY customer_id, business_id
        ON CONFLICT (customer_id) DO UPDATE SET at = excluded.at WHERE excluded.at > {KEPT}.at;"""


# Transition tables cannot go with a column list ("UPDATE OF ..."): of an update (the
# anonymisation rewrites every description), only the rows given another moment or customer.
POSTGRESQL_MOVED = """(SELECT {side}.* FROM removed JOIN added ON added.id = removed.id
        WHERE added.at IS DISTINCT FROM removed.at
        OR added.customer_id IS DISTINCT FROM removed.customer_id)"""
MOVED_FROM = POSTGRESQL_MOVED.format(side="removed")
POSTGRESQL_FUNCTIONS = {
    "customers_last_purchase_added": _postgresql_later("added"),
    "customers_last_purchase_removed": _gone(
        "SELECT customer_id FROM removed", "(customer_id, at) IN (SELECT customer_id, at FROM removed)"
    ),
    "customers_last_purchase_changed": _postgresql_later(POSTGRESQL_MOVED.format(side="added"))
    + _gone(
        f"SELECT customer_id FROM {MOVED_FROM} AS moved",
        f"(customer_id, at) IN (SELECT customer_id, at FROM {MOVED_FROM} AS moved)",
    ),
}
POSTGRESQL_TRIGGERS = (
    # name, event, transition tables, function
    ("customers_purchase_last_insert", "INSERT", "NEW TABLE AS added",
     "customers_last_purchase_added"),
    ("customers_purchase_last_delete", "DELETE", "OLD TABLE AS removed",
     "customers_last_purchase_removed"),
    ("customers_purchase_last_update", "UPDATE", "OLD TABLE AS removed NEW TABLE AS added",
     "customers_last_purchase_changed"),
)  # fmt: skip
POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {body}
        RETURN NULL;
    END $$"""
    for name, body in POSTGRESQL_FUNCTIONS.items()
] + [
    f"""CREATE TRIGGER {name} AFTER {event} ON {PURCHASES} REFERENCING {transitions}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}()"""
    for name, event, transitions, function in POSTGRESQL_TRIGGERS
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {name} ON {PURCHASES}" for name, *_rest in POSTGRESQL_TRIGGERS
] + [f"DROP FUNCTION IF EXISTS {name}()" for name in POSTGRESQL_FUNCTIONS]


def create_triggers(apps, schema_editor):
    run_for_database(
        schema_editor, {"sqlite": [FILL, *SQLITE_CREATE], "postgresql": [FILL, *POSTGRESQL_CREATE]}
    )


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_customer_changes"),
        ("customers", "0030_important_date_unique"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerLastPurchase",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="last_purchase",
                        serialize=False,
                        to="customers.customer",
                    ),
                ),
                ("at", models.DateTimeField()),
                (
                    "business",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.business",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["business", "at", "customer"], name="customer_last_purchase"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(statistics_refresher(KEPT), migrations.RunPython.noop),
    ]
