"""Database functions that need a different spelling per database: the one place for them.

Django's own datetime subtraction works everywhere, but on SQLite it calls back into Python
for every row, which made a year of reliability figures take seconds."""

from datetime import datetime

from django.db import connection
from django.db.models import CharField, F, FloatField, Func, IntegerField, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan

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


class Probed(Func):
    """A key compared with a set (`IN (SELECT ...)`) as each row is read, not looked up by its
    index: SQLite otherwise reads the set first and each of its rows through the key's index,
    then sorts them, where walking an index in the list's order that holds the key, and asking
    of each entry whether it is in the set (built once, in memory), needs no sort and no read
    of the rows. On SQLite the key plus nothing, which no index serves; on PostgreSQL the key
    itself, whose planner weighs the two ways."""

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="(%(expressions)s + 0)", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


class SortedAsSet(Func):
    """A figure to sort a set of rows by (core.rows.Listed, read from the end) that no index
    serves on PostgreSQL: asked for a few rows of a set in the order of an indexed figure, its
    planner walks the figure's index and asks the set of each entry, expecting the set's rows
    spread evenly, where a filter that goes with the order puts them all at the other end (the
    regular customers read from the oldest last purchase: 42,000 entries stepped over, 80 ms at
    100,000). The figure itself on SQLite, which reads such a set first and sorts it."""

    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="COALESCE(%(expressions)s, %(expressions)s)",
            **extra_context,
        )


def after_in_order(rows: QuerySet, *, since: datetime, after_id: int) -> QuerySet:
    """The rows after the one of `after_id` changed at `since` in (updated_at, id) order: those
    changed at `since` with a greater id and those changed later (a page of the API's
    changed_since after the first, core.selectors.changed_since), read from an index on
    (business, updated_at, id) from that point on, however many rows share that moment (an
    import's; the two million purchases customers 0035 dated at once). Unordered: the caller
    orders by ("updated_at", "id").

    One range from `since` with the rows up to `after_id` filtered out reads every row it skips:
    a page after 960,000 purchases of one moment took 152 ms on PostgreSQL and 114 ms on SQLite,
    this 5 and 6 ms (docs/benchmarks.md). PostgreSQL seeks to a row comparison, (updated_at, id)
    > (since, after_id), in the index; SQLite seeks by only the first column of a row value, so
    there the two ranges are read apart, each in the index's order, and merged (MERGE (UNION
    ALL)). PostgreSQL would sort such a union instead of merging it (Append and Sort)."""
    if connection.vendor == "postgresql":
        return rows.filter(TupleGreaterThan(Tuple(F("updated_at"), F("id")), (since, after_id)))
    at_moment = rows.filter(updated_at=since, id__gt=after_id)
    return at_moment.union(rows.filter(updated_at__gt=since), all=True)


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
    statistics for the table's other indexes passes it over until then. A name may be an
    index's: ANALYZE then reads that index alone (0.45 s for one of two million purchases,
    where the whole table took 1.5 s)."""

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


def trigger_functions(cursor) -> dict[str, str]:
    """The PL/pgSQL functions the project's triggers call, by name, each with its body."""
    cursor.execute(
        "SELECT DISTINCT p.proname, p.prosrc FROM pg_trigger AS t JOIN pg_proc AS p "
        "ON p.oid = t.tgfoid WHERE NOT t.tgisinternal"
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


# The dollar-quote tag of a statement run through EXECUTE (planned_at_each_firing).
_PLANNED = "$planned$"


def _statements(body: str) -> list[str]:
    """The statements of a PL/pgSQL block's body, split at the semicolons outside quotes."""
    statements, current, quoted = [], [], False
    for character in body:
        if character == "'":
            quoted = not quoted
        if character == ";" and not quoted:
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(character)
    if "".join(current).strip():
        raise ValueError("a statement without its closing semicolon")
    return statements


def _block(statements: list[str]) -> str:
    """A trigger function's body of these statements, returning nothing."""
    return (
        "BEGIN\n"
        + "".join(f"    {statement};\n" for statement in statements)
        + "    RETURN NULL;\nEND"
    )


def planned_at_each_firing(source: str) -> str:
    """The body of a trigger function of the project (`BEGIN` statements `RETURN NULL; END`)
    with each statement run through EXECUTE, so that PostgreSQL plans it at every firing.

    PL/pgSQL plans a statement the first time it runs on a connection and keeps that plan for
    the connection's life, with the transition tables (`added`, `removed`) at the size they had
    then: after a one-row edit, the connection's later import, merge or demo joined every
    changed row with every other through nested loops, a time that grows with the square of
    the rows (one statement of the demo's 202 referrals: 27 s; a demo of 1,000 customers 34 s
    against 2.8, bench/trigger_plans.py). EXECUTE plans with the rows at hand. Planning costs
    a one-customer edit a few milliseconds (docs/benchmarks.md); planning only the statements
    that join the two transition tables left the demo after an edit at 3.8 s and saved
    nothing measurable on an edit. Refuses a body of another shape, naming what it found,
    rather than guess."""
    body = source.strip()
    if not (body.startswith("BEGIN") and body.endswith("END")):
        raise ValueError(f"not a BEGIN … END block: {body[:60]!r}")
    statements = _statements(body.removeprefix("BEGIN").removesuffix("END"))
    if not statements or statements[-1] != "RETURN NULL":
        raise ValueError(f"does not end in RETURN NULL: {body[-60:]!r}")
    planned = []
    for statement in statements[:-1]:
        if not statement.startswith("EXECUTE "):
            if _PLANNED in statement:
                raise ValueError(f"a statement holds {_PLANNED}: {statement[:60]!r}")
            statement = f"EXECUTE {_PLANNED}{statement}{_PLANNED}"
        planned.append(statement)
    return _block(planned)


def trigger_function(name: str, *statements: str) -> str:
    """The CREATE FUNCTION of a trigger function of the project on PostgreSQL: the statements
    (each ending in a semicolon), planned at each firing, then RETURN NULL."""
    body = planned_at_each_firing("BEGIN\n" + "\n".join(statements) + "\nRETURN NULL;\nEND")
    return f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n{body}\n$$"


def planned_once(source: str) -> str:
    """The body planned_at_each_firing made, with its statements as they were written."""
    statements = _statements(source.strip().removeprefix("BEGIN").removesuffix("END"))
    return _block(
        [
            statement.removeprefix(f"EXECUTE {_PLANNED}").removesuffix(_PLANNED)
            for statement in statements[:-1]
        ]
    )
