"""Database functions that need a different spelling per database: the one place for them.

Django's own datetime subtraction works everywhere, but on SQLite it calls back into Python
for every row, which made a year of reliability figures take seconds."""

from django.db import connection
from django.db.models import CharField, FloatField, Func, IntegerField

# The largest integer both databases hold (signed 64 bits: ids, counts): a larger number typed
# into an address or sent to the API is no id, not a server error.
DATABASE_INT_MAX = 2**63 - 1


class SecondsBetween(Func):
    """Seconds from `start` to `end` (negative when end is earlier), computed by the database."""

    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))",
            arg_joiner=" - ",
            **extra_context,
        )


class MonthDay(Func):
    """A date's month and day as one number (29 November is 1129), so that birthdays and
    anniversaries are found through an index on it instead of by reading every customer.
    Both spellings are immutable expressions, as an index needs; SQLite keeps dates as
    'YYYY-MM-DD' text."""

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(substr(%(expressions)s, 6, 2) || substr(%(expressions)s, 9, 2) AS INTEGER)",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(MONTH FROM %(expressions)s) * 100 + EXTRACT(DAY FROM %(expressions)s))::integer",
            **extra_context,
        )


class AsciiLower(Func):
    """The text with the letters A-Z in lower case and every other character as it is, the same
    on both databases: SQLite's built-in lower() folds only A-Z, PostgreSQL's lower() also folds
    Ä and É (by the collation), so PostgreSQL spells it out with translate(). Customer numbers
    are compared through it (customers.identity.customer_number_key is the same fold in Python),
    also in an index, which both spellings allow: they are immutable."""

    output_field = CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="lower(%(expressions)s)", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="translate(%(expressions)s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
            "'abcdefghijklmnopqrstuvwxyz')",
            **extra_context,
        )


def refresh_planner_statistics() -> None:
    """SQLite chooses its indexes from statistics that only ANALYZE gathers; without them it
    guesses. Today's occasions are written not to depend on them, but other plans do; so does
    the search by the trigram index (customers migration 0018). Run by every insight refresh (after each import, and nightly). PostgreSQL's
    autovacuum keeps its own statistics."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def statistics_refresher(*tables: str):
    """For a migration that adds an index to a large table (RunPython): on SQLite a new index
    has no statistics until the next ANALYZE (the nightly refresh), and a planner holding
    statistics for the table's other indexes passes it over until then."""

    def refresh(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "sqlite":
            with schema_editor.connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f'ANALYZE "{table}"')

    return refresh


def trigger_definitions() -> dict[str, str]:
    """The triggers the project made in the database, by name, each with its definition as
    the database holds it (SQLite: the CREATE TRIGGER as written; PostgreSQL: the trigger and
    its function). The tests of the figures kept by triggers check that a later migration has
    not dropped theirs, and that changing a table's columns leaves them word for word
    (core/sqlite/schema.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname, pg_get_triggerdef(oid) || E'\\n' || pg_get_functiondef(tgfoid) "
                "FROM pg_trigger WHERE NOT tgisinternal"
            )
        return dict(cursor.fetchall())


def trigger_names() -> set[str]:
    return set(trigger_definitions())


def run_for_database(schema_editor, statements: dict[str, list[str]]) -> None:
    """In a migration: runs the statements written for the database being migrated (keys are
    Django's vendor names, "sqlite" and "postgresql"), such as triggers spelled per database."""
    with schema_editor.connection.cursor() as cursor:
        for statement in statements[schema_editor.connection.vendor]:
            cursor.execute(statement)
