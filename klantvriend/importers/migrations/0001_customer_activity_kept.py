"""The latest moment and day of activity of every customer (CustomerActivity), kept by triggers,
so that the retention rule reads its few candidates from an index instead of asking each of
100,000 old customers whether any of twelve kinds of record dates something since its cutoff
(200 to 400 ms for the privacy settings page, on every view).

What counts is what privacy.retention_candidates counts, written out here as it stands (SOURCES;
a test holds it to the models' `activity_fields` and the audit rule, so that a new kind of
record fails until a migration adds its triggers): the customer's own `created_at` and
`customer_since`, every activity field of their rows, and the audit events of changes a person
made (not views or exports).

A row added can only make the latest later: its triggers take the greater of the two. A row
deleted, given other dates or another customer (a merge moves rows), or an audit event whose
member was deleted (its actor set to NULL), may make it earlier: its triggers work the latest
out again from all the sources for each customer concerned (SOURCES read per customer through
their indexes on the customer). An anonymised customer has no row (erasure takes it away), so
the candidates' number is a count of the index alone. As 0006-0027 of customers: per statement
on PostgreSQL, per row on SQLite. The rows of a customer are written after the customer (their
foreign key needs it), whose own trigger makes its row. A later migration that makes Django
rebuild one of these tables on SQLite keeps the triggers, which would otherwise be dropped with
the table or make the rebuild fail: the project's SQLite backend takes them out and creates them
again (core/sqlite/schema.py; importers/tests/test_table_rebuilds.py)."""

import django.db.models.deletion
from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher

ACTIVITY = "importers_customeractivity"
CUSTOMERS = "customers_customer"
# What of a customer's own record decides their row: an anonymised customer has none.
CUSTOMER_DATES = ("created_at", "customer_since", "erased_at")

# Every table whose rows date activity of one customer (its `customer_id`): the columns that
# hold moments, those that hold days (compared with the business's day), and, written for the
# row `{row}`, which rows count.
SOURCES = (
    (
        "core_auditevent",
        ("at",),
        (),
        "{row}.actor_id IS NOT NULL AND {row}.action <> 'viewed' AND {row}.action <> 'exported'",
    ),
    ("aftercare_followup", ("done_at",), ("due_on",), ""),
    ("complaints_complaint", ("received_at", "first_response_at", "resolved_at"), (), ""),
    ("customers_consentrecord", ("at",), (), ""),
    ("customers_contactmoment", ("at",), (), ""),
    ("customers_purchase", ("at",), (), ""),
    ("gestures_gesture", ("given_at",), (), ""),
    ("promises_promise", ("made_at", "due_at", "done_at", "cancelled_at"), (), ""),
    ("surveys_surveyinvitation", ("created_at", "answered_at"), (), ""),
    ("surveys_surveyresponse", ("answered_at",), (), ""),
)


def _latest(own: str, kind: int) -> str:
    """The latest moment (kind 1) or day (kind 2) of the customer of the activity row being
    written, from all the sources; the same SQL on both databases (MAX passes over NULL)."""
    customer = f"{ACTIVITY}.customer_id"
    parts = [f"SELECT {own} AS latest FROM {CUSTOMERS} WHERE id = {customer}"]
    for table, *columns, condition in SOURCES:
        counted = f" AND {condition.format(row=table)}" if condition else ""
        parts += [
            f"SELECT MAX({column}) FROM {table} WHERE customer_id = {customer}{counted}"
            for column in columns[kind - 1]
        ]
    return "(SELECT MAX(latest) FROM (" + " UNION ALL ".join(parts) + ") AS sources)"


def recompute(customers: str) -> str:
    """Works the latest out again for `customers` (SQL giving their ids). A customer row
    deleted before its activity row (a flush of the whole database, in any table order) leaves
    the activity row as it was, for its own deletion to take."""
    return (
        f"UPDATE {ACTIVITY} SET moment = COALESCE({_latest('created_at', 1)}, moment), "
        f"day = COALESCE({_latest('customer_since', 2)}, day) "
        f"WHERE {ACTIVITY}.customer_id IN ({customers});"
    )


def _trigger_name(table: str, event: str) -> str:
    return f"importers_activity_{table}_{event}"


def _changed(columns: tuple[str, ...], old: str, new: str, differ: str) -> str:
    return " OR ".join(f"{old}.{column} {differ} {new}.{column}" for column in columns)


def _watched(moments, days, condition) -> tuple[str, ...]:
    """The columns whose change may change the latest: the customer, the dates, and what
    decides whether an audit event counts."""
    return ("customer_id", *moments, *days, *(("actor_id", "action") if condition else ()))


# SQLite: per row. max() of several values is NULL as soon as one is, hence the COALESCE.
def _sqlite_bump(column: str, values: tuple[str, ...]) -> str:
    if not values:
        return ""
    return f"{column} = max({column}, " + ", ".join(
        f"COALESCE(new.{value}, {column})" for value in values
    ) + ")"


def _sqlite_triggers(table: str, moments, days, condition) -> list[str]:
    counted_new = f" WHEN {condition.format(row='new')}" if condition else ""
    counted_old = f" WHEN {condition.format(row='old')}" if condition else ""
    bumps = ", ".join(
        part for part in (_sqlite_bump("moment", moments), _sqlite_bump("day", days)) if part
    )
    watched = _watched(moments, days, condition)
    return [
        f"""CREATE TRIGGER {_trigger_name(table, "insert")} AFTER INSERT ON {table}{counted_new}
        BEGIN UPDATE {ACTIVITY} SET {bumps} WHERE customer_id = new.customer_id; END""",
        f"""CREATE TRIGGER {_trigger_name(table, "delete")} AFTER DELETE ON {table}{counted_old}
        BEGIN {recompute("old.customer_id")} END""",
        f"""CREATE TRIGGER {_trigger_name(table, "update")}
        AFTER UPDATE OF {", ".join(watched)} ON {table}
        WHEN {_changed(watched, "old", "new", "IS NOT")}
        BEGIN {recompute("old.customer_id, new.customer_id")} END""",
    ]


SQLITE_CREATE = [
    f"""CREATE TRIGGER {_trigger_name(CUSTOMERS, "insert")} AFTER INSERT ON {CUSTOMERS}
    WHEN new.erased_at IS NULL
    BEGIN INSERT INTO {ACTIVITY} (customer_id, business_id, moment, day)
        VALUES (new.id, new.business_id, new.created_at, new.customer_since); END""",
    f"""CREATE TRIGGER {_trigger_name(CUSTOMERS, "update")}
    AFTER UPDATE OF created_at, customer_since, erased_at ON {CUSTOMERS}
    WHEN {_changed(CUSTOMER_DATES, "old", "new", "IS NOT")}
    BEGIN
        DELETE FROM {ACTIVITY} WHERE customer_id = new.id AND new.erased_at IS NOT NULL;
        INSERT OR IGNORE INTO {ACTIVITY} (customer_id, business_id, moment, day)
            SELECT new.id, new.business_id, new.created_at, new.customer_since
            WHERE new.erased_at IS NULL;
        {recompute("new.id")}
    END""",
    *(statement for source in SOURCES for statement in _sqlite_triggers(*source)),
]


# PostgreSQL: per statement, with the rows of the statement as transition tables. GREATEST
# passes over NULL.
def _postgresql_greatest(values: tuple[str, ...], kind: str) -> str:
    if not values:
        return f"NULL::{kind}"
    return f"MAX(GREATEST({', '.join(values)}))"


def _postgresql_functions(table: str, moments, days, condition) -> dict[str, str]:
    counted_added = f" AND {condition.format(row='added')}" if condition else ""
    counted_removed = f" WHERE {condition.format(row='removed')}" if condition else ""
    watched = _watched(moments, days, condition)
    moved = f"""removed JOIN added ON added.id = removed.id
        WHERE {_changed(watched, "removed", "added", "IS DISTINCT FROM")}"""
    return {
        _trigger_name(table, "added"): f"""UPDATE {ACTIVITY} AS activity
            SET moment = GREATEST(activity.moment, latest.moment),
                day = GREATEST(activity.day, latest.day)
            FROM (SELECT customer_id, {_postgresql_greatest(moments, "timestamptz")} AS moment,
                    {_postgresql_greatest(days, "date")} AS day
                FROM added WHERE customer_id IS NOT NULL{counted_added} GROUP BY customer_id)
                AS latest
            WHERE activity.customer_id = latest.customer_id;""",
        _trigger_name(table, "removed"): recompute(
            f"SELECT customer_id FROM removed{counted_removed}"
        ),
        _trigger_name(table, "changed"): recompute(
            f"SELECT removed.customer_id FROM {moved} UNION SELECT added.customer_id FROM {moved}"
        ),
    }


CUSTOMERS_CHANGED = f"""SELECT added.* FROM removed JOIN added ON added.id = removed.id
    WHERE {_changed(CUSTOMER_DATES, "removed", "added", "IS DISTINCT FROM")}"""
POSTGRESQL_FUNCTIONS = {
    _trigger_name(CUSTOMERS, "added"): f"""INSERT INTO {ACTIVITY}
        (customer_id, business_id, moment, day)
        SELECT id, business_id, created_at, customer_since FROM added
        WHERE erased_at IS NULL;""",
    _trigger_name(CUSTOMERS, "changed"): f"""DELETE FROM {ACTIVITY} WHERE customer_id IN
            (SELECT id FROM ({CUSTOMERS_CHANGED}) AS changed WHERE erased_at IS NOT NULL);
        INSERT INTO {ACTIVITY} (customer_id, business_id, moment, day)
            SELECT id, business_id, created_at, customer_since FROM ({CUSTOMERS_CHANGED})
            AS changed WHERE erased_at IS NULL
            ON CONFLICT (customer_id) DO NOTHING;
        {recompute(f"SELECT id FROM ({CUSTOMERS_CHANGED}) AS changed")}""",
}
for _source in SOURCES:
    POSTGRESQL_FUNCTIONS.update(_postgresql_functions(*_source))

POSTGRESQL_EVENTS = (
    ("insert", "INSERT", "NEW TABLE AS added", "added"),
    ("delete", "DELETE", "OLD TABLE AS removed", "removed"),
    ("update", "UPDATE", "OLD TABLE AS removed NEW TABLE AS added", "changed"),
)
POSTGRESQL_TRIGGERS = [
    (_trigger_name(table, name), event, table, transitions, _trigger_name(table, function))
    for table in (CUSTOMERS, *(source[0] for source in SOURCES))
    for name, event, transitions, function in POSTGRESQL_EVENTS
    if _trigger_name(table, function) in POSTGRESQL_FUNCTIONS
]
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

TRIGGERS = [
    _trigger_name(table, event)
    for table in (CUSTOMERS, *(source[0] for source in SOURCES))
    for event in ("insert", "delete", "update")
    if table != CUSTOMERS or event != "delete"  # Django deletes a customer's row with them
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, _, table, _, _ in POSTGRESQL_TRIGGERS
] + [f"DROP FUNCTION IF EXISTS {name}()" for name in POSTGRESQL_FUNCTIONS]

# Every customer's row (not the anonymised), then the latest of each worked out once from all
# the sources.
FILL = [
    f"""INSERT INTO {ACTIVITY} (customer_id, business_id, moment, day)
    SELECT id, business_id, created_at, customer_since FROM {CUSTOMERS}
    WHERE erased_at IS NULL""",
    recompute(f"SELECT customer_id FROM {ACTIVITY}"),
]


def create_triggers(apps, schema_editor):
    run_for_database(
        schema_editor,
        {"sqlite": [*FILL, *SQLITE_CREATE], "postgresql": [*FILL, *POSTGRESQL_CREATE]},
    )


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0008_audit_customer_changes"),
        ("customers", "0030_important_date_unique"),
        ("aftercare", "0004_open_per_customer_index"),
        ("complaints", "0003_driver_label_says_what_it_is_about"),
        ("gestures", "0004_recovery_gestures_logged"),
        ("promises", "0005_open_per_customer_index"),
        ("surveys", "0004_answer_language_named"),
    ]

    operations = [
        migrations.CreateModel(
            name="CustomerActivity",
            fields=[
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="activity",
                        serialize=False,
                        to="customers.customer",
                    ),
                ),
                ("moment", models.DateTimeField()),
                ("day", models.DateField()),
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
                        fields=["business", "moment", "day"], name="customer_activity_latest"
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(statistics_refresher(ACTIVITY), migrations.RunPython.noop),
    ]
