"""When each customer first bought, beside when they last bought (CustomerLastPurchase, 0031),
and the long times they did not buy (CustomerAbsence: two purchases one after the other at least
60 days apart), kept by triggers on customers_purchase, so that the scorecard counts who bought
in a window of 90 days, and who of them had bought before, from two indexes instead of asking
every customer's purchases (insights.scorecard.repeat_buyers).

The first moment is kept as 0031 keeps the last, in the same triggers (dropped here and made
again with it): a purchase added can only make it earlier, and where a purchase gone or moved
held it, it is read again through the purchases' index (customer, at).

The absences: on SQLite, per row, a purchase added at a moment inside an absence splits it (the
parts still long enough kept), and one at a moment no other purchase of the customer has left
joins the absences around it (the whole kept when long enough); a purchase moved (an edit, a
merge) works the absences of both customers out again from their purchases. On PostgreSQL, per
statement, every customer in the rows written has their absences worked out again: an import
writes many purchases of one customer in one statement, which the per-row steps cannot take as a
set. The length is compared as days on SQLite (julianday, exact to the millisecond) and as an
interval on PostgreSQL; the 60 days keep clear of that rounding for the scorecard's 90
(customers.models.ABSENCE_KEPT_FROM).
"""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher

KEPT = "customers_customerlastpurchase"
ABSENCES = "customers_customerabsence"
PURCHASES = "customers_purchase"
kept_before = importlib.import_module(
    "klantvriend.customers.migrations.0031_customer_last_purchase_kept"
)

FILL_FIRST = f"""UPDATE {KEPT} SET first_at = (SELECT MIN(purchase.at) FROM {PURCHASES} AS purchase
    WHERE purchase.customer_id = {KEPT}.customer_id)"""
# Of two purchases one after the other, the later (`at`) at least 60 days after the earlier.
LONG = {
    "sqlite": "julianday(at) - julianday(previous) >= 60",
    "postgresql": "at - previous >= interval '60 days'",
}


def _absences_found(vendor: str, customers: str | None = None) -> str:
    """The absences of the `customers` (SQL giving their ids; all when None) from their
    purchases, each purchase with the one before it."""
    which = f"WHERE customer_id IN ({customers})" if customers else ""
    return f"""INSERT INTO {ABSENCES} (customer_id, business_id, since, until)
        SELECT customer_id, business_id, previous, at FROM (
            SELECT customer_id, business_id, at,
                LAG(at) OVER (PARTITION BY customer_id ORDER BY at) AS previous
            FROM {PURCHASES} {which}
        ) AS moments WHERE {LONG[vendor]};"""


def _absences_again(vendor: str, customers: str) -> str:
    return f"DELETE FROM {ABSENCES} WHERE customer_id IN ({customers}); " + _absences_found(
        vendor, customers
    )


def _sqlite_around(moment: str, customer: str) -> tuple[str, str]:
    """The moments of the customer's purchases just before and just after `moment`."""
    return (
        f"(SELECT MAX(at) FROM {PURCHASES} WHERE customer_id = {customer} AND at < {moment})",
        f"(SELECT MIN(at) FROM {PURCHASES} WHERE customer_id = {customer} AND at > {moment})",
    )


def _sqlite_long(pairs: str, row: str, condition: str = "") -> str:
    """Keeps those of the (since, until) `pairs` that are long enough, for the customer of
    `row` (new or old)."""
    return f"""INSERT INTO {ABSENCES} (customer_id, business_id, since, until)
        SELECT {row}.customer_id, {row}.business_id, since, until FROM ({pairs}) AS pairs
        WHERE julianday(until) - julianday(since) >= 60 {condition}
        ON CONFLICT (customer_id, since) DO NOTHING;"""


BEFORE_NEW, AFTER_NEW = _sqlite_around("new.at", "new.customer_id")
# The absence the new moment falls in (if any) gives way to its two parts, those long enough.
# A moment the customer had already leaves everything as it was: the part before it is kept
# already (the conflict), and no absence contains it.
SQLITE_ABSENCE_ADDED = f"""DELETE FROM {ABSENCES}
        WHERE customer_id = new.customer_id AND since < new.at AND until > new.at;
    """ + _sqlite_long(
    f"SELECT {BEFORE_NEW} AS since, new.at AS until UNION ALL SELECT new.at, {AFTER_NEW}", "new"
)
BEFORE_OLD, AFTER_OLD = _sqlite_around("old.at", "old.customer_id")
STILL_BOUGHT = f"""EXISTS (SELECT 1 FROM {PURCHASES}
        WHERE customer_id = old.customer_id AND at = old.at)"""
# A moment the customer no longer has: the absences on either side of it become one.
SQLITE_ABSENCE_GONE = f"""DELETE FROM {ABSENCES} WHERE customer_id = old.customer_id
        AND (since = old.at OR until = old.at) AND NOT {STILL_BOUGHT};
    """ + _sqlite_long(
    f"SELECT {BEFORE_OLD} AS since, {AFTER_OLD} AS until", "old", f"AND NOT {STILL_BOUGHT}"
)

# The first and the last moment: a purchase added makes them at most earlier and later; where
# one gone held either, both are read again.
SQLITE_WIDER = f"""INSERT INTO {KEPT} (customer_id, business_id, at, first_at)
        VALUES (new.customer_id, new.business_id, new.at, new.at)
        ON CONFLICT (customer_id) DO UPDATE
        SET at = max(at, excluded.at), first_at = min(first_at, excluded.first_at)
        WHERE excluded.at > at OR excluded.first_at < first_at;"""


def _gone(customers: str, held: str) -> str:
    """The `customers` (SQL giving their ids) may have lost a purchase: a customer with none
    left loses the row, and where a lost purchase `held` the first or last moment (a condition
    on the row) both are read again. As 0031's, for SQLite's old.* and PostgreSQL's transition
    table."""
    return f"""DELETE FROM {KEPT} WHERE customer_id IN ({customers}) AND NOT EXISTS
            (SELECT 1 FROM {PURCHASES} AS purchase WHERE purchase.customer_id = {KEPT}.customer_id);
        UPDATE {KEPT} SET at = (SELECT MAX(purchase.at) FROM {PURCHASES} AS purchase
                WHERE purchase.customer_id = {KEPT}.customer_id),
            first_at = (SELECT MIN(purchase.at) FROM {PURCHASES} AS purchase
                WHERE purchase.customer_id = {KEPT}.customer_id)
        WHERE {held};"""


SQLITE_GONE = _gone("old.customer_id", "customer_id = old.customer_id AND old.at IN (at, first_at)")
SQLITE_CREATE = [
    f"""CREATE TRIGGER customers_purchase_last_insert AFTER INSERT ON {PURCHASES} BEGIN
        {SQLITE_WIDER}
    END""",
    f"""CREATE TRIGGER customers_purchase_last_delete AFTER DELETE ON {PURCHASES} BEGIN
        {SQLITE_GONE}
    END""",
    # The new moment first (at most earlier or later), then the old one worked out again where
    # it was the first or last (the new moment is in the table by then).
    f"""CREATE TRIGGER customers_purchase_last_update AFTER UPDATE OF at, customer_id ON {PURCHASES}
    WHEN old.at IS NOT new.at OR old.customer_id IS NOT new.customer_id BEGIN
        {SQLITE_WIDER}
        {SQLITE_GONE}
    END""",
    f"""CREATE TRIGGER customers_purchase_absence_insert AFTER INSERT ON {PURCHASES} BEGIN
        {SQLITE_ABSENCE_ADDED}
    END""",
    f"""CREATE TRIGGER customers_purchase_absence_delete AFTER DELETE ON {PURCHASES} BEGIN
        {SQLITE_ABSENCE_GONE}
    END""",
    f"""CREATE TRIGGER customers_purchase_absence_update AFTER UPDATE OF at, customer_id
    ON {PURCHASES} WHEN old.at IS NOT new.at OR old.customer_id IS NOT new.customer_id BEGIN
        {_absences_again("sqlite", "old.customer_id, new.customer_id")}
    END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS customers_purchase_{kept}_{event}"
    for kept in ("last", "absence")
    for event in ("insert", "delete", "update")
]


def _postgresql_wider(rows: str) -> str:
    return f"""INSERT INTO {KEPT} (customer_id, business_id, at, first_at)
        SELECT customer_id, business_id, MAX(at), MIN(at) FROM {rows} AS row
        GROUP BY customer_id, business_id
        ON CONFLICT (customer_id) DO UPDATE
        SET at = GREATEST({KEPT}.at, excluded.at), first_at = LEAST({KEPT}.first_at, excluded.first_at)
        WHERE excluded.at > {KEPT}.at OR excluded.first_at < {KEPT}.first_at;"""


MOVED_FROM = kept_before.POSTGRESQL_MOVED.format(side="removed")
MOVED_TO = kept_before.POSTGRESQL_MOVED.format(side="added")


def _postgresql_held(rows: str) -> str:
    return (
        f"(customer_id, at) IN (SELECT customer_id, at FROM {rows} AS gone) "
        f"OR (customer_id, first_at) IN (SELECT customer_id, at FROM {rows} AS gone)"
    )


POSTGRESQL_FUNCTIONS = {
    "customers_last_purchase_added": _postgresql_wider("added"),
    "customers_last_purchase_removed": _gone(
        "SELECT customer_id FROM removed", _postgresql_held("removed")
    ),
    "customers_last_purchase_changed": _postgresql_wider(MOVED_TO)
    + _gone(f"SELECT customer_id FROM {MOVED_FROM} AS moved", _postgresql_held(MOVED_FROM)),
    "customers_absence_added": _absences_again("postgresql", "SELECT customer_id FROM added"),
    "customers_absence_removed": _absences_again("postgresql", "SELECT customer_id FROM removed"),
    "customers_absence_changed": _absences_again(
        "postgresql",
        f"SELECT customer_id FROM {MOVED_FROM} AS moved "
        f"UNION SELECT customer_id FROM {MOVED_TO} AS moved",
    ),
}
POSTGRESQL_TRIGGERS = (
    # name, event, transition tables, function
    *kept_before.POSTGRESQL_TRIGGERS,
    ("customers_purchase_absence_insert", "INSERT", "NEW TABLE AS added",
     "customers_absence_added"),
    ("customers_purchase_absence_delete", "DELETE", "OLD TABLE AS removed",
     "customers_absence_removed"),
    ("customers_purchase_absence_update", "UPDATE", "OLD TABLE AS removed NEW TABLE AS added",
     "customers_absence_changed"),
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


def keep_first_and_absences(apps, schema_editor):
    run_for_database(
        schema_editor,
        {
            "sqlite": [
                *kept_before.SQLITE_DROP,
                FILL_FIRST,
                _absences_found("sqlite"),
                *SQLITE_CREATE,
            ],
            "postgresql": [
                *kept_before.POSTGRESQL_DROP,
                FILL_FIRST,
                _absences_found("postgresql"),
                *POSTGRESQL_CREATE,
            ],
        },
    )


def keep_the_last_alone(apps, schema_editor):
    run_for_database(
        schema_editor,
        {
            "sqlite": [*SQLITE_DROP, *kept_before.SQLITE_CREATE],
            "postgresql": [*POSTGRESQL_DROP, *kept_before.POSTGRESQL_CREATE],
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_customer_changes"),
        ("customers", "0031_customer_last_purchase_kept"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerAbsence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("since", models.DateTimeField()),
                ("until", models.DateTimeField()),
                (
                    "business",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.business",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["business", "until", "since"], name="customer_absence_until"
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("customer", "since"), name="customer_absence_unique"
                    )
                ],
            },
        ),
        migrations.RemoveIndex(model_name="customerlastpurchase", name="customer_last_purchase"),
        # Every row's first moment is read from the purchases below; the placeholder is never
        # seen outside this migration.
        migrations.AddField(
            model_name="customerlastpurchase",
            name="first_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="customerlastpurchase",
            index=models.Index(
                fields=["business", "at", "customer", "first_at"], name="customer_last_purchase"
            ),
        ),
        migrations.RunPython(keep_first_and_absences, keep_the_last_alone),
        migrations.RunPython(statistics_refresher(KEPT, ABSENCES), migrations.RunPython.noop),
    ]
