"""How many customers each customer referred and what those bought in all (ReferrerTally), kept
by triggers, so that the ambassador ranking reads its first rows from an index instead of
grouping every referred customer with their spend on every view.

Two sources change a tally: a customer (added, deleted, or given another referrer: an edit, a
merge, the referrer's deletion setting it to NULL) and a customer's spend (CustomerSpend, which
0009's triggers on the purchases keep: a purchase's trigger writes the spend, whose triggers
here write the tally). Each trigger reads the other source as it stands, so the order in which
Django deletes a customer's spend and the customer does not matter: whichever goes second finds
the first gone. As 0006 and 0009: per statement on PostgreSQL, per row on SQLite. A later
migration that makes Django rebuild customers_customer or customers_customerspend on SQLite
keeps these triggers (core/sqlite/schema.py); customers/tests/test_customer_count.py fails if
they are gone."""

import django.db.models.deletion
from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher

FILL = """INSERT INTO customers_referrertally (referrer_id, business_id, referred, cents)
    SELECT customer.referred_by_id, customer.business_id, COUNT(*), COALESCE(SUM(spend.cents), 0)
    FROM customers_customer AS customer
    LEFT JOIN customers_customerspend AS spend ON spend.customer_id = customer.id
    WHERE customer.referred_by_id IS NOT NULL
    GROUP BY customer.referred_by_id, customer.business_id"""


def _sqlite_spend(row: str) -> str:
    return f"COALESCE((SELECT cents FROM customers_customerspend WHERE customer_id = {row}.id), 0)"


# A customer with a referrer counts for them, with what they bought so far.
SQLITE_COUNT = f"""INSERT INTO customers_referrertally (referrer_id, business_id, referred, cents)
        SELECT new.referred_by_id, new.business_id, 1, {_sqlite_spend("new")}
        WHERE new.referred_by_id IS NOT NULL
        ON CONFLICT (referrer_id) DO UPDATE
        SET referred = referred + 1, cents = cents + excluded.cents;"""
SQLITE_UNCOUNT = f"""UPDATE customers_referrertally
        SET referred = referred - 1, cents = cents - {_sqlite_spend("old")}
        WHERE referrer_id = old.referred_by_id;"""


def _sqlite_spent(cents: str, customer: str) -> str:
    """What `customer` bought changed by `cents`: their referrer's tally follows."""
    return f"""UPDATE customers_referrertally SET cents = cents + {cents}
        WHERE referrer_id = (SELECT referred_by_id FROM customers_customer WHERE id = {customer});"""


SQLITE_CREATE = [
    f"""CREATE TRIGGER customers_referrer_tally_insert AFTER INSERT ON customers_customer BEGIN
        {SQLITE_COUNT}
    END""",
    f"""CREATE TRIGGER customers_referrer_tally_delete AFTER DELETE ON customers_customer BEGIN
        {SQLITE_UNCOUNT}
    END""",
    f"""CREATE TRIGGER customers_referrer_tally_update
    AFTER UPDATE OF referred_by_id ON customers_customer
    WHEN old.referred_by_id IS NOT new.referred_by_id BEGIN
        {SQLITE_UNCOUNT}
        {SQLITE_COUNT}
    END""",
]
# A trigger on one event knows only that event's row (new or old): each names its own.
SQLITE_CREATE += [
    f"""CREATE TRIGGER customers_spend_tally_{event} AFTER {event.upper()} ON customers_customerspend
    BEGIN
        {_sqlite_spent(cents, customer)}
    END"""
    for event, cents, customer in (
        ("insert", "new.cents", "new.customer_id"),
        ("delete", "-old.cents", "old.customer_id"),
        ("update", "new.cents - old.cents", "new.customer_id"),
    )
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "customers_referrer_tally_insert",
        "customers_referrer_tally_delete",
        "customers_referrer_tally_update",
        "customers_spend_tally_insert",
        "customers_spend_tally_delete",
        "customers_spend_tally_update",
    )
]


def _postgresql_tallied(rows: str) -> str:
    """The customers of the transition table `rows` who have a referrer, per referrer: how
    many and what they bought."""
    return f"""SELECT row.referred_by_id, row.business_id, COUNT(*) AS referred,
            COALESCE(SUM(spend.cents), 0) AS cents
        FROM {rows} AS row
        LEFT JOIN customers_customerspend AS spend ON spend.customer_id = row.id
        WHERE row.referred_by_id IS NOT NULL
        GROUP BY row.referred_by_id, row.business_id"""


def _postgresql_count(rows: str) -> str:
    return f"""INSERT INTO customers_referrertally (referrer_id, business_id, referred, cents)
        {_postgresql_tallied(rows)}
        ON CONFLICT (referrer_id) DO UPDATE
        SET referred = customers_referrertally.referred + excluded.referred,
            cents = customers_referrertally.cents + excluded.cents;"""


def _postgresql_uncount(rows: str) -> str:
    return f"""UPDATE customers_referrertally AS tally
        SET referred = tally.referred - gone.referred, cents = tally.cents - gone.cents
        FROM ({_postgresql_tallied(rows)}) AS gone WHERE tally.referrer_id = gone.referred_by_id;"""


# Transition tables cannot go with a column list ("UPDATE OF ..."): every update of customers
# compares the referrers before and after, and only those that changed are counted again.
POSTGRESQL_MOVED = """(SELECT {side}.* FROM removed JOIN added ON added.id = removed.id
        WHERE added.referred_by_id IS DISTINCT FROM removed.referred_by_id)"""

POSTGRESQL_SPENT = """UPDATE customers_referrertally AS tally SET cents = tally.cents + spent.cents
        FROM (SELECT customer.referred_by_id, SUM({cents}) AS cents
            FROM {rows} JOIN customers_customer AS customer ON customer.id = {customer}
            WHERE customer.referred_by_id IS NOT NULL GROUP BY customer.referred_by_id) AS spent
        WHERE tally.referrer_id = spent.referred_by_id;"""

POSTGRESQL_FUNCTIONS = {
    "customers_referrer_counted": _postgresql_count("added"),
    "customers_referrer_uncounted": _postgresql_uncount("removed"),
    "customers_referrer_moved": _postgresql_uncount(POSTGRESQL_MOVED.format(side="removed"))
    + _postgresql_count(POSTGRESQL_MOVED.format(side="added")),
    "customers_referred_spend_added": POSTGRESQL_SPENT.format(
        cents="added.cents", rows="added", customer="added.customer_id"
    ),
    "customers_referred_spend_removed": POSTGRESQL_SPENT.format(
        cents="-removed.cents", rows="removed", customer="removed.customer_id"
    ),
    "customers_referred_spend_changed": POSTGRESQL_SPENT.format(
        cents="added.cents - removed.cents",
        rows="added JOIN removed USING (customer_id)",
        customer="added.customer_id",
    ),
}
POSTGRESQL_TRIGGERS = (
    # name, event, table, transition tables, function
    ("customers_referrer_tally_insert", "INSERT", "customers_customer", "NEW TABLE AS added",
     "customers_referrer_counted"),
    ("customers_referrer_tally_delete", "DELETE", "customers_customer", "OLD TABLE AS removed",
     "customers_referrer_uncounted"),
    ("customers_referrer_tally_update", "UPDATE", "customers_customer",
     "OLD TABLE AS removed NEW TABLE AS added", "customers_referrer_moved"),
    ("customers_spend_tally_insert", "INSERT", "customers_customerspend", "NEW TABLE AS added",
     "customers_referred_spend_added"),
    ("customers_spend_tally_delete", "DELETE", "customers_customerspend",
     "OLD TABLE AS removed", "customers_referred_spend_removed"),
    ("customers_spend_tally_update", "UPDATE", "customers_customerspend",
     "OLD TABLE AS removed NEW TABLE AS added", "customers_referred_spend_changed"),
)  # fmt: skip
POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {body}
        RETURN NULL;
    END $$"""
    for name, body in POSTGRESQL_FUNCTIONS.items()
] + [
    f"""CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}()"""
    for name, event, table, transitions, function in POSTGRESQL_TRIGGERS
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, _, table, _, _ in POSTGRESQL_TRIGGERS
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
        ("customers", "0026_duplicates_newest_first"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferrerTally",
            fields=[
                (
                    "referrer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="referred_tally",
                        serialize=False,
                        to="customers.customer",
                    ),
                ),
                ("referred", models.IntegerField(default=0)),
                ("cents", models.BigIntegerField(default=0)),
                (
                    "business",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.business",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["business", "-cents", "-referred", "referrer"],
                        name="referrer_tally_rank",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(
            statistics_refresher("customers_referrertally"), migrations.RunPython.noop
        ),
    ]
