"""A trigram index for the customer search, so that "contains" finds a customer among a hundred
thousand without reading them all: an FTS5 table kept by triggers on SQLite, a GIN index of
pg_trgm on PostgreSQL. Where neither is available the search still works, reading every row.

On SQLite the triggers belong to customers_customer: a later migration that makes Django rebuild
that table keeps them, as the project's SQLite backend creates them again (core/sqlite/schema.py;
customers/tests/test_search_index.py fails if they are gone)."""

import logging

from django.db import DatabaseError, migrations, transaction

logger = logging.getLogger(__name__)

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE customers_customer_search USING fts5(
        search_text, content='customers_customer', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER customers_customer_search_insert AFTER INSERT ON customers_customer BEGIN
        INSERT INTO customers_customer_search(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER customers_customer_search_delete AFTER DELETE ON customers_customer BEGIN
        INSERT INTO customers_customer_search(customers_customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER customers_customer_search_update AFTER UPDATE OF search_text
    ON customers_customer BEGIN
        INSERT INTO customers_customer_search(customers_customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO customers_customer_search(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO customers_customer_search(customers_customer_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS customers_customer_search_insert",
    "DROP TRIGGER IF EXISTS customers_customer_search_delete",
    "DROP TRIGGER IF EXISTS customers_customer_search_update",
    "DROP TABLE IF EXISTS customers_customer_search",
]
POSTGRESQL_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE INDEX IF NOT EXISTS customer_search_trigram
    ON customers_customer USING gin (search_text gin_trgm_ops)""",
]
POSTGRESQL_DROP = ["DROP INDEX IF EXISTS customer_search_trigram"]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                _run(schema_editor, POSTGRESQL_CREATE)
        except DatabaseError as error:
            # pg_trgm is a trusted extension (PostgreSQL 13+), but a hosted database may refuse it.
            logger.warning("No trigram index for the customer search: %s", error)


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_occasion_day_indexes")]

    operations = [migrations.RunPython(create_search_index, drop_search_index)]
