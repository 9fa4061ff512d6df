"""The keys by which the list of possible duplicates groups customers (Customer.match_name,
match_email, match_phone; customers.identity.match_keys), filled for every customer there is,
with an index per key, and how many customers share each key (MatchCount), kept by triggers.

The columns are added with ALTER TABLE ADD COLUMN, written once for both databases: Django
would rebuild the whole table on SQLite for a column that is NOT NULL, which drops the triggers
of migrations 0005, 0006 and 0009 and copies 100,000 rows for nothing.

The counts are kept as those of 0006 are: per statement on PostgreSQL, per row on SQLite. A
customer is counted under each key it has (not ""); a key that no customer has any more loses
its row, so that no name, address or number stays behind once its customers are erased or
deleted. A later migration that makes Django rebuild customers_customer on SQLite keeps the
triggers (core/sqlite/schema.py); customers/tests/test_customer_count.py fails if they are
gone."""

import django.db.models.deletion
from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher
from klantvriend.customers.identity import MATCH_KEY_LENGTH, match_keys

FIELDS = ("match_name", "match_email", "match_phone")
BATCH = 2000


def _add_column(name: str) -> migrations.SeparateDatabaseAndState:
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AddField(
                model_name="customer",
                name=name,
                field=models.CharField(
                    db_default="", default="", editable=False, max_length=MATCH_KEY_LENGTH
                ),
            )
        ],
        database_operations=[
            migrations.RunSQL(
                f'ALTER TABLE "customers_customer" ADD COLUMN "{name}" '
                f"varchar({MATCH_KEY_LENGTH}) DEFAULT '' NOT NULL",
                f'ALTER TABLE "customers_customer" DROP COLUMN "{name}"',
            )
        ],
    )


def fill_match_keys(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    rows = Customer.objects.order_by("pk").values_list("pk", "name", "email", "phone", "erased_at")
    statement = (
        'UPDATE "customers_customer" SET "match_name" = %s, "match_email" = %s, '
        '"match_phone" = %s WHERE "id" = %s'
    )
    with schema_editor.connection.cursor() as cursor:
        batch = []
        for pk, name, email, phone, erased_at in rows.iterator(chunk_size=BATCH):
            keys = match_keys(
                name=name, email=email, phone=phone, anonymised=erased_at is not None
            )
            if any(keys.values()):
                batch.append([*(keys[field] for field in FIELDS), pk])
            if len(batch) >= BATCH:
                cursor.executemany(statement, batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)


KINDS = {"email": "match_email", "phone": "match_phone", "name": "match_name"}

COUNT_EXISTING = [
    f"""INSERT INTO customers_matchcount (business_id, kind, key, customers)
    SELECT business_id, '{kind}', {column}, COUNT(*) FROM customers_customer
    WHERE {column} <> '' GROUP BY business_id, {column}"""
    for kind, column in KINDS.items()
]


def _sqlite_add(row: str, kind: str, column: str, *, unless: str = "") -> str:
    return f"""INSERT INTO customers_matchcount (business_id, kind, key, customers)
        SELECT {row}.business_id, '{kind}', {row}.{column}, 1 WHERE {row}.{column} <> ''{unless}
        ON CONFLICT (business_id, kind, key) DO UPDATE SET customers = customers + 1;"""


def _sqlite_subtract(row: str, kind: str, column: str, *, unless: str = "") -> str:
    where = f"business_id = {row}.business_id AND kind = '{kind}' AND key = {row}.{column}"
    return f"""UPDATE customers_matchcount SET customers = customers - 1 WHERE {where}{unless};
        DELETE FROM customers_matchcount WHERE {where} AND customers <= 0;"""


def _sqlite_changed(kind: str, column: str) -> str:
    unless = f" AND old.{column} <> new.{column}"
    return _sqlite_subtract("old", kind, column, unless=unless) + _sqlite_add(
        "new", kind, column, unless=unless
    )


SQLITE_CREATE = [
    f"""CREATE TRIGGER customers_match_count_insert AFTER INSERT ON customers_customer BEGIN
        {"".join(_sqlite_add("new", kind, column) for kind, column in KINDS.items())}
    END""",
    f"""CREATE TRIGGER customers_match_count_delete AFTER DELETE ON customers_customer BEGIN
        {"".join(_sqlite_subtract("old", kind, column) for kind, column in KINDS.items())}
    END""",
    f"""CREATE TRIGGER customers_match_count_update
    AFTER UPDATE OF match_email, match_phone, match_name ON customers_customer BEGIN
        {"".join(_sqlite_changed(kind, column) for kind, column in KINDS.items())}
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_match_count_insert",
    "DROP TRIGGER IF EXISTS customers_match_count_delete",
    "DROP TRIGGER IF EXISTS customers_match_count_update",
]


def _postgresql_keys(rows: str) -> str:
    """(business_id, kind, key) of every key of the rows of a transition table."""
    return " UNION ALL ".join(
        f"SELECT business_id, '{kind}' AS kind, {column} AS key FROM {rows} WHERE {column} <> ''"
        for kind, column in KINDS.items()
    )


def _postgresql_changed_keys(rows: str) -> str:
    """(business_id, kind, key) of the keys an update took away (rows "removed") or gave
    (rows "added"): those of its rows whose key of that kind it changed."""
    other = "added" if rows == "removed" else "removed"
    return " UNION ALL ".join(
        f"""SELECT {rows}.business_id, '{kind}' AS kind, {rows}.{column} AS key
        FROM {rows} JOIN {other} ON {other}.id = {rows}.id
        WHERE {rows}.{column} <> '' AND {rows}.{column} <> {other}.{column}"""
        for kind, column in KINDS.items()
    )


def _postgresql_add(keys: str) -> str:
    return f"""INSERT INTO customers_matchcount (business_id, kind, key, customers)
        SELECT business_id, kind, key, COUNT(*) FROM ({keys}) AS keys
        GROUP BY business_id, kind, key
        ON CONFLICT (business_id, kind, key)
        DO UPDATE SET customers = customers_matchcount.customers + excluded.customers;"""


def _postgresql_subtract(keys: str) -> str:
    return f"""UPDATE customers_matchcount AS shared SET customers = shared.customers - gone.n
        FROM (SELECT business_id, kind, key, COUNT(*) AS n FROM ({keys}) AS keys
              GROUP BY business_id, kind, key) AS gone
        WHERE shared.business_id = gone.business_id AND shared.kind = gone.kind
        AND shared.key = gone.key;
        DELETE FROM customers_matchcount AS shared USING ({keys}) AS gone
        WHERE shared.business_id = gone.business_id AND shared.kind = gone.kind
        AND shared.key = gone.key AND shared.customers <= 0;"""


POSTGRESQL_CREATE = [
    f"""CREATE FUNCTION customers_match_count_added() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_add(_postgresql_keys("added"))}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_match_count_removed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_subtract(_postgresql_keys("removed"))}
        RETURN NULL;
    END $$""",
    f"""CREATE FUNCTION customers_match_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_postgresql_subtract(_postgresql_changed_keys("removed"))}
        {_postgresql_add(_postgresql_changed_keys("added"))}
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER customers_match_count_insert AFTER INSERT ON customers_customer
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_match_count_added()""",
    """CREATE TRIGGER customers_match_count_delete AFTER DELETE ON customers_customer
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION customers_match_count_removed()""",
    # PostgreSQL allows no column list beside transition tables: every update of customers
    # fires it, and it finds the rows whose keys changed by comparing old and new.
    """CREATE TRIGGER customers_match_count_update AFTER UPDATE ON customers_customer
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION customers_match_count_changed()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS customers_match_count_insert ON customers_customer",
    "DROP TRIGGER IF EXISTS customers_match_count_delete ON customers_customer",
    "DROP TRIGGER IF EXISTS customers_match_count_update ON customers_customer",
    "DROP FUNCTION IF EXISTS customers_match_count_added()",
    "DROP FUNCTION IF EXISTS customers_match_count_removed()",
    "DROP FUNCTION IF EXISTS customers_match_count_changed()",
]


def create_triggers(apps, schema_editor):
    run_for_database(
        schema_editor,
        {
            "sqlite": [*COUNT_EXISTING, *SQLITE_CREATE],
            "postgresql": [*COUNT_EXISTING, *POSTGRESQL_CREATE],
        },
    )


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_customer_changes"),
        ("customers", "0023_search_text_phone_national_form"),
    ]

    operations = [
        *(_add_column(name) for name in ("match_email", "match_name", "match_phone")),
        migrations.RunPython(fill_match_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["business", "match_email", "id"], name="customer_match_email"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["business", "match_phone", "id"], name="customer_match_phone"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["business", "match_name", "id"], name="customer_match_name"),
        ),
        migrations.CreateModel(
            name="MatchCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("email", "the same email address"),
                            ("phone", "the same phone number"),
                            ("name", "the same name"),
                        ],
                        max_length=10,
                    ),
                ),
                ("key", models.CharField(max_length=MATCH_KEY_LENGTH)),
                ("customers", models.IntegerField(default=0)),
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
                        condition=models.Q(("customers__gt", 1)),
                        fields=["business", "kind", "key"],
                        name="match_count_shared",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("business", "kind", "key"), name="match_count_key"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(
            statistics_refresher("customers_customer", "customers_matchcount"),
            migrations.RunPython.noop,
        ),
    ]
