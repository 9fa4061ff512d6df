"""Two customers the owner marked as not the same person (DistinctPair), and per shared key how
many pairs of its customers are so marked (MatchCount.apart), kept by triggers as the counts of
0024 are: per statement on PostgreSQL, per row on SQLite. A pair counts under each key that
both its customers have: when it is written or removed, and when one of them gets or loses
the key. Pairs are only inserted and deleted (a merge replaces them), and Django deletes a
customer's pairs before the customer (ON DELETE CASCADE in Python), so no trigger on a deleted
customer is needed.

`apart` is added with ALTER TABLE ADD COLUMN, as 0024 adds its columns: Django would rebuild
customers_matchcount on SQLite for a NOT NULL column. No pair exists yet, so 0 is every key's
count. A later migration that makes Django rebuild customers_customer or
customers_distinctpair on SQLite keeps these triggers (core/sqlite/schema.py);
customers/tests/test_customer_count.py fails if they are gone."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher

KINDS = {"email": "match_email", "phone": "match_phone", "name": "match_name"}


def _sqlite_pair(row: str, sign: str) -> str:
    """Count the pair `row` (new or old) in or out of the keys both its customers have."""
    return "".join(
        f"""UPDATE customers_matchcount SET apart = apart {sign} 1
        WHERE business_id = {row}.business_id AND kind = '{kind}' AND key = (
            SELECT first.{column} FROM customers_customer AS first, customers_customer AS second
            WHERE first.id = {row}.first_id AND second.id = {row}.second_id
            AND first.{column} <> '' AND first.{column} = second.{column});"""
        for kind, column in KINDS.items()
    )


def _sqlite_partners_with(row: str, column: str) -> str:
    """How many customers marked apart from the customer `row` have its key `column`."""
    return f"""(SELECT COUNT(*) FROM customers_customer AS partner WHERE partner.id IN (
            SELECT second_id FROM customers_distinctpair WHERE first_id = {row}.id
            UNION ALL SELECT first_id FROM customers_distinctpair WHERE second_id = {row}.id)
        AND partner.{column} = {row}.{column})"""


def _sqlite_key_changed(kind: str, column: str) -> str:
    return "".join(
        f"""UPDATE customers_matchcount SET apart = apart {sign} {_sqlite_partners_with(row, column)}
        WHERE business_id = {row}.business_id AND kind = '{kind}' AND key = {row}.{column}
        AND old.{column} <> new.{column};"""
        for row, sign in (("old", "-"), ("new", "+"))
    )


SQLITE_CREATE = [
    f"""CREATE TRIGGER customers_distinct_pair_insert AFTER INSERT ON customers_distinctpair
    BEGIN {_sqlite_pair("new", "+")} END""",
    f"""CREATE TRIGGER customers_distinct_pair_delete AFTER DELETE ON customers_distinctpair
    BEGIN {_sqlite_pair("old", "-")} END""",
    f"""CREATE TRIGGER customers_match_pairs_update
    AFTER UPDATE OF match_email, match_phone, match_name ON customers_customer BEGIN
        {"".join(_sqlite_key_changed(kind, column) for kind, column in KINDS.items())}
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_distinct_pair_insert",
    "DROP TRIGGER IF EXISTS customers_distinct_pair_delete",
    "DROP TRIGGER IF EXISTS customers_match_pairs_update",
]


def _postgresql_add(deltas: str) -> str:
    """Add the (business_id, kind, key, n) rows of `deltas` to the keys' `apart`."""
    return f"""UPDATE customers_matchcount AS shared SET apart = shared.apart + delta.n
        FROM (SELECT business_id, kind, key, SUM(n) AS n FROM ({deltas}) AS deltas
              GROUP BY business_id, kind, key) AS delta
        WHERE shared.business_id = delta.business_id AND shared.kind = delta.kind
        AND shared.key = delta.key AND delta.n <> 0;"""


def _postgresql_pairs(rows: str, n: int) -> str:
    """(business_id, kind, key, n) of every key both customers of each pair of `rows` have."""
    return " UNION ALL ".join(
        f"""SELECT first.business_id, '{kind}' AS kind, first.{column} AS key, {n} AS n
        FROM {rows} AS pair JOIN customers_customer AS first ON first.id = pair.first_id
        JOIN customers_customer AS second ON second.id = pair.second_id
        WHERE first.{column} <> '' AND first.{column} = second.{column}"""
        for kind, column in KINDS.items()
    )


# The pairs of the customers whose keys an update changed, with both customers' keys before
# (the transition table "removed" of those updated, the table of the others) and after.
_POSTGRESQL_TOUCHED_PAIRS = f"""
    SELECT first.business_id,
        {", ".join(f"first.{c} AS first_{c}, second.{c} AS second_{c}" for c in KINDS.values())},
        {
    ", ".join(
        f"COALESCE(first_was.{c}, first.{c}) AS first_was_{c}, "
        f"COALESCE(second_was.{c}, second.{c}) AS second_was_{c}"
        for c in KINDS.values()
    )
}
    FROM (
        SELECT pair.first_id, pair.second_id FROM customers_distinctpair AS pair
        WHERE pair.first_id IN (SELECT id FROM changed)
        UNION SELECT pair.first_id, pair.second_id FROM customers_distinctpair AS pair
        WHERE pair.second_id IN (SELECT id FROM changed)
    ) AS pair
    JOIN customers_customer AS first ON first.id = pair.first_id
    JOIN customers_customer AS second ON second.id = pair.second_id
    LEFT JOIN removed AS first_was ON first_was.id = pair.first_id
    LEFT JOIN removed AS second_was ON second_was.id = pair.second_id"""

_POSTGRESQL_TOUCHED_DELTAS = " UNION ALL ".join(
    f"""SELECT business_id, '{kind}' AS kind, {prefix}{column} AS key, {n} AS n FROM touched
    WHERE {prefix}{column} <> '' AND {prefix}{column} = {other}{column}"""
    for kind, column in KINDS.items()
    for prefix, other, n in (("first_", "second_", 1), ("first_was_", "second_was_", -1))
)

POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION customers_distinct_pair_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_add(_postgresql_pairs("added", 1))}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_distinct_pair_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_add(_postgresql_pairs("removed", -1))}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_match_pairs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH changed AS (
            SELECT added.id FROM added JOIN removed ON removed.id = added.id
            WHERE {" OR ".join(f"added.{c} <> removed.{c}" for c in KINDS.values())}
        ), touched AS ({_POSTGRESQL_TOUCHED_PAIRS})
        {_postgresql_add(_POSTGRESQL_TOUCHED_DELTAS)}
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER customers_distinct_pair_insert AFTER INSERT ON customers_distinctpair
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_distinct_pair_added()""",
    """CREATE TRIGGER customers_distinct_pair_delete AFTER DELETE ON customers_distinctpair
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION customers_distinct_pair_removed()""",
    # Named to fire after customers_match_count_update (PostgreSQL fires a table's triggers in
    # the order of their names): a key that two customers of a pair both get in one statement
    # has its row by then.
    """CREATE TRIGGER customers_match_pairs_update AFTER UPDATE ON customers_customer
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_match_pairs_changed()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS customers_distinct_pair_insert ON customers_distinctpair",
    "DROP TRIGGER IF EXISTS customers_distinct_pair_delete ON customers_distinctpair",
    "DROP TRIGGER IF EXISTS customers_match_pairs_update ON customers_customer",
    "DROP FUNCTION IF EXISTS customers_distinct_pair_added()",
    "DROP FUNCTION IF EXISTS customers_distinct_pair_removed()",
    "DROP FUNCTION IF EXISTS customers_match_pairs_changed()",
]


def create_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_customer_changes"),
        ("customers", "0024_customer_match_keys_for_duplicates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DistinctPair",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                ),
                (
                    "business",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.business",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "first",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
                (
                    "second",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "not the same person",
                "verbose_name_plural": "not the same person",
                "indexes": [
                    models.Index(fields=["business", "-decided_at"], name="distinct_pair_newest")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("first", "second"), name="distinct_pair_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("first__lt", models.F("second"))),
                        name="distinct_pair_ordered",
                    ),
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="matchcount",
                    name="apart",
                    field=models.IntegerField(default=0),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "customers_matchcount" ADD COLUMN "apart" integer DEFAULT 0 '
                    "NOT NULL",
                    'ALTER TABLE "customers_matchcount" DROP COLUMN "apart"',
                )
            ],
        ),
        migrations.RemoveIndex(model_name="matchcount", name="match_count_shared"),
        migrations.AddIndex(
            model_name="matchcount",
            index=models.Index(
                condition=models.Q(("customers__gt", 1)),
                fields=["business", "kind", "key", "customers", "apart"],
                name="match_count_shared_pairs",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        # The replaced index gets its statistics at once (core.db.statistics_refresher).
        migrations.RunPython(
            statistics_refresher("customers_matchcount"), migrations.RunPython.noop
        ),
    ]
