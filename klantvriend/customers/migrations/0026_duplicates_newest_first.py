"""Each shared key's latest customer (MatchCount.newest, the highest id of the customers who
have it), kept by triggers, so that the list of possible duplicates shows the groups with the
latest records first (those an import has just made) and pages through all of them by that id
(keyset paging: no page skips the groups before it).

`newest` is added with ALTER TABLE ADD COLUMN, as 0024 and 0025 add theirs: Django would
rebuild customers_matchcount on SQLite for a NOT NULL column. The triggers are new ones beside
those of 0024 (which keep `customers`) and make no assumption about which of the two fire first
on SQLite, which fires a table's triggers in no documented order: a key's row may not exist yet
when they run, so they insert it (with no customers, which 0024's trigger then counts), and a
key's row already gone is simply not found. On PostgreSQL they fire after 0024's (by name).

On a customer getting a key, `newest` becomes the higher of the two ids; on a customer losing
it (deleted, or the key changed), a key whose latest customer it was reads the highest id left
from the index of that key (customer_match_<kind>: business, key, id). A later migration that
makes Django rebuild customers_customer on SQLite keeps these triggers (core/sqlite/schema.py);
customers/tests/test_customer_count.py fails if they are gone."""

from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher

KINDS = {"email": "match_email", "phone": "match_phone", "name": "match_name"}


def _highest_left(row: str, column: str) -> str:
    """The highest id of the customers of `row`'s business who still have its key `column`."""
    return f"""COALESCE((SELECT MAX(id) FROM customers_customer
        WHERE business_id = {row}.business_id AND {column} = {row}.{column}), 0)"""


FILL = [
    f"""UPDATE customers_matchcount SET newest = COALESCE((SELECT MAX(id) FROM customers_customer
        WHERE customers_customer.business_id = customers_matchcount.business_id
        AND customers_customer.{column} = customers_matchcount.key), 0)
    WHERE kind = '{kind}'"""
    for kind, column in KINDS.items()
]


def _sqlite_joined(kind: str, column: str, *, unless: str = "") -> str:
    return f"""INSERT INTO customers_matchcount (business_id, kind, key, customers, apart, newest)
        SELECT new.business_id, '{kind}', new.{column}, 0, 0, new.id WHERE new.{column} <> ''{unless}
        ON CONFLICT (business_id, kind, key) DO UPDATE SET newest = MAX(newest, excluded.newest);"""


def _sqlite_left(kind: str, column: str, *, unless: str = "") -> str:
    return f"""UPDATE customers_matchcount SET newest = {_highest_left("old", column)}
        WHERE business_id = old.business_id AND kind = '{kind}' AND key = old.{column}
        AND newest = old.id{unless};"""


def _sqlite_changed(kind: str, column: str) -> str:
    unless = f" AND old.{column} <> new.{column}"
    return _sqlite_left(kind, column, unless=unless) + _sqlite_joined(kind, column, unless=unless)


SQLITE_CREATE = [
    f"""CREATE TRIGGER customers_match_newest_insert AFTER INSERT ON customers_customer BEGIN
        {"".join(_sqlite_joined(kind, column) for kind, column in KINDS.items())}
    END""",
    f"""CREATE TRIGGER customers_match_newest_delete AFTER DELETE ON customers_customer BEGIN
        {"".join(_sqlite_left(kind, column) for kind, column in KINDS.items())}
    END""",
    f"""CREATE TRIGGER customers_match_newest_update
    AFTER UPDATE OF match_email, match_phone, match_name ON customers_customer BEGIN
        {"".join(_sqlite_changed(kind, column) for kind, column in KINDS.items())}
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_match_newest_insert",
    "DROP TRIGGER IF EXISTS customers_match_newest_delete",
    "DROP TRIGGER IF EXISTS customers_match_newest_update",
]


def _postgresql_joined(rows: str, *, changed: bool = False) -> str:
    """Each key that the customers of `rows` (a transition table) now have gets the highest of
    their ids if it is higher; with `changed`, only the keys an update gave them."""
    keys = " UNION ALL ".join(
        f"""SELECT added.business_id, '{kind}' AS kind, added.{column} AS key, added.id
        FROM {rows} AS added {"JOIN removed ON removed.id = added.id" if changed else ""}
        WHERE added.{column} <> '' {f"AND added.{column} <> removed.{column}" if changed else ""}"""
        for kind, column in KINDS.items()
    )
    return f"""INSERT INTO customers_matchcount (business_id, kind, key, customers, apart, newest)
        SELECT business_id, kind, key, 0, 0, MAX(id) FROM ({keys}) AS keys
        GROUP BY business_id, kind, key
        ON CONFLICT (business_id, kind, key)
        DO UPDATE SET newest = GREATEST(customers_matchcount.newest, excluded.newest);"""


def _postgresql_left(rows: str, *, changed: bool = False) -> str:
    """Each key whose latest customer was one of `rows` (a transition table) that no longer has
    it (deleted; with `changed`, its key changed) gets the highest id left."""
    return "".join(
        f"""UPDATE customers_matchcount AS shared SET newest = COALESCE((
            SELECT MAX(id) FROM customers_customer AS customer
            WHERE customer.business_id = shared.business_id AND customer.{column} = shared.key), 0)
        WHERE shared.kind = '{kind}' AND (shared.business_id, shared.key, shared.newest) IN (
            SELECT removed.business_id, removed.{column}, removed.id FROM {rows} AS removed
            {"JOIN added ON added.id = removed.id" if changed else ""}
            WHERE removed.{column} <> '' {f"AND removed.{column} <> added.{column}" if changed else ""});"""
        for kind, column in KINDS.items()
    )


POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION customers_match_newest_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_joined("added")}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_match_newest_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_left("removed")}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_match_newest_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_left("removed", changed=True)}
        {_postgresql_joined("added", changed=True)}
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER customers_match_newest_insert AFTER INSERT ON customers_customer
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_match_newest_added()""",
    """CREATE TRIGGER customers_match_newest_delete AFTER DELETE ON customers_customer
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION customers_match_newest_removed()""",
    # As 0024's: every update of customers fires it, and it compares old and new keys.
    """CREATE TRIGGER customers_match_newest_update AFTER UPDATE ON customers_customer
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_match_newest_changed()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS customers_match_newest_insert ON customers_customer",
    "DROP TRIGGER IF EXISTS customers_match_newest_delete ON customers_customer",
    "DROP TRIGGER IF EXISTS customers_match_newest_update ON customers_customer",
    "DROP FUNCTION IF EXISTS customers_match_newest_added()",
    "DROP FUNCTION IF EXISTS customers_match_newest_removed()",
    "DROP FUNCTION IF EXISTS customers_match_newest_changed()",
]


def create_triggers(apps, schema_editor):
    run_for_database(
        schema_editor,
        {"sqlite": [*FILL, *SQLITE_CREATE], "postgresql": [*FILL, *POSTGRESQL_CREATE]},
    )


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [("customers", "0025_distinct_pairs_kept_apart")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="matchcount",
                    name="newest",
                    field=models.BigIntegerField(default=0),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    'ALTER TABLE "customers_matchcount" ADD COLUMN "newest" bigint DEFAULT 0 '
                    "NOT NULL",
                    'ALTER TABLE "customers_matchcount" DROP COLUMN "newest"',
                )
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        # The list reads a page of the open keys of a kind, latest first, from this index alone
        # (and the tabs count them from it); it replaces 0025's, in key order.
        migrations.RemoveIndex(model_name="matchcount", name="match_count_shared_pairs"),
        migrations.AddIndex(
            model_name="matchcount",
            index=models.Index(
                condition=models.Q(("customers__gt", 1)),
                fields=["business", "kind", "newest", "customers", "apart", "key"],
                name="match_count_shared_newest",
            ),
        ),
        migrations.RunPython(
            statistics_refresher("customers_matchcount"), migrations.RunPython.noop
        ),
    ]
