"""How many promises became known per UTC day and outcome (PromiseOutcomeDay), kept by
triggers on promises_promise: Today's and the scorecard's share of promises kept on time adds
up the days of its windows instead of counting 38,000 promises at 100,000 customers; an index
of the cancelled promises serves the day a window begins inside.

As the survey days (surveys 0007): per row on SQLite, per statement on PostgreSQL, each
statement of the functions run through EXECUTE (core.db.planned_at_each_firing). A promise's
outcome is done on time (done_at <= due_at, as promises.selectors.KEPT_ON_TIME), done late,
or cancelled after its due moment; an open promise and one cancelled in time have none. A
change of a promise's moments or business takes it from its old day and outcome and adds it
to the new. Existing promises are counted once here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from klantvriend.core.db import run_for_database, statistics_refresher, trigger_function


def _outcome(row: str) -> str:
    return f"""CASE WHEN {row}done_at IS NOT NULL THEN
            CASE WHEN {row}done_at <= {row}due_at THEN 'on_time' ELSE 'late' END
        WHEN {row}cancelled_at > {row}due_at THEN 'cancelled_late' END"""


def _known(row: str, day: str) -> str:
    return day.format(moment=f"COALESCE({row}done_at, {row}cancelled_at)")


SQLITE_DAY = "date({moment})"
POSTGRESQL_DAY = "({moment} AT TIME ZONE 'UTC')::date"
KEY = "(business_id, day, outcome)"


def count_existing(day: str) -> str:
    return f"""INSERT INTO promises_promiseoutcomeday (business_id, day, outcome, promises)
    SELECT business_id, day, outcome, COUNT(*) FROM (
        SELECT business_id, {_known("", day)} AS day, {_outcome("")} AS outcome
        FROM promises_promise) AS known
    WHERE outcome IS NOT NULL GROUP BY business_id, day, outcome"""


SQLITE_ADD = f"""INSERT INTO promises_promiseoutcomeday (business_id, day, outcome, promises)
        SELECT new.business_id, {_known("new.", SQLITE_DAY)}, {_outcome("new.")}, 1
        WHERE {_outcome("new.")} IS NOT NULL
        ON CONFLICT {KEY} DO UPDATE SET promises = promises + 1;"""
SQLITE_SUBTRACT = f"""UPDATE promises_promiseoutcomeday SET promises = promises - 1
        WHERE business_id = old.business_id AND day = {_known("old.", SQLITE_DAY)}
        AND outcome = {_outcome("old.")};"""
SQLITE_CREATE = [
    f"""CREATE TRIGGER promises_outcome_day_insert AFTER INSERT ON promises_promise BEGIN
        {SQLITE_ADD}
    END""",
    f"""CREATE TRIGGER promises_outcome_day_delete AFTER DELETE ON promises_promise BEGIN
        {SQLITE_SUBTRACT}
    END""",
    f"""CREATE TRIGGER promises_outcome_day_update
    AFTER UPDATE OF done_at, cancelled_at, due_at, business_id ON promises_promise BEGIN
        {SQLITE_SUBTRACT}
        {SQLITE_ADD}
    END""",
    count_existing(SQLITE_DAY),
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS promises_outcome_day_insert",
    "DROP TRIGGER IF EXISTS promises_outcome_day_delete",
    "DROP TRIGGER IF EXISTS promises_outcome_day_update",
]


def _counted(rows: str) -> str:
    """The promises of `rows` with an outcome, counted per business, day and outcome."""
    return f"""SELECT business_id, day, outcome, COUNT(*) AS promises FROM (
            SELECT business_id, {_known("", POSTGRESQL_DAY)} AS day, {_outcome("")} AS outcome
            FROM {rows}) AS known
        WHERE outcome IS NOT NULL GROUP BY business_id, day, outcome"""


POSTGRESQL_ADD = f"""INSERT INTO promises_promiseoutcomeday (business_id, day, outcome, promises)
        {_counted("added")}
        ON CONFLICT {KEY} DO UPDATE
        SET promises = promises_promiseoutcomeday.promises + excluded.promises;"""
POSTGRESQL_SUBTRACT = f"""UPDATE promises_promiseoutcomeday
        SET promises = promises_promiseoutcomeday.promises - gone.promises
        FROM ({_counted("removed")}) AS gone
        WHERE promises_promiseoutcomeday.business_id = gone.business_id
        AND promises_promiseoutcomeday.day = gone.day
        AND promises_promiseoutcomeday.outcome = gone.outcome;"""


POSTGRESQL_CREATE = [
    trigger_function("promises_outcome_added", POSTGRESQL_ADD),
    trigger_function("promises_outcome_removed", POSTGRESQL_SUBTRACT),
    trigger_function("promises_outcome_changed", POSTGRESQL_SUBTRACT, POSTGRESQL_ADD),
    """CREATE TRIGGER promises_outcome_day_insert AFTER INSERT ON promises_promise
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION promises_outcome_added()""",
    """CREATE TRIGGER promises_outcome_day_delete AFTER DELETE ON promises_promise
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION promises_outcome_removed()""",
    # Transition tables cannot go with a column list ("UPDATE OF ..."): every update of the
    # promises (a description edited) is counted again, which costs little beside it.
    """CREATE TRIGGER promises_outcome_day_update AFTER UPDATE ON promises_promise
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION promises_outcome_changed()""",
    count_existing(POSTGRESQL_DAY),
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS promises_outcome_day_insert ON promises_promise",
    "DROP TRIGGER IF EXISTS promises_outcome_day_delete ON promises_promise",
    "DROP TRIGGER IF EXISTS promises_outcome_day_update ON promises_promise",
    "DROP FUNCTION IF EXISTS promises_outcome_added()",
    "DROP FUNCTION IF EXISTS promises_outcome_removed()",
    "DROP FUNCTION IF EXISTS promises_outcome_changed()",
]


def create_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_triggers(apps, schema_editor):
    run_for_database(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_customer_changes"),
        ("customers", "0032_first_purchase_and_absences_kept"),
        # After the functions of before were made to plan at each firing: these are written so.
        ("importers", "0002_trigger_statements_planned_at_each_firing"),
        ("promises", "0008_aftercare_kinds_in_done_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PromiseOutcomeDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("on_time", "On Time"),
                            ("late", "Late"),
                            ("cancelled_late", "Cancelled Late"),
                        ],
                        max_length=20,
                    ),
                ),
                ("promises", models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="promise",
            index=models.Index(
                condition=models.Q(("cancelled_at__isnull", False)),
                fields=["business", "cancelled_at", "due_at"],
                name="promise_cancelled",
            ),
        ),
        migrations.AddField(
            model_name="promiseoutcomeday",
            name="business",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="core.business",
            ),
        ),
        migrations.AddConstraint(
            model_name="promiseoutcomeday",
            constraint=models.UniqueConstraint(
                fields=("business", "day", "outcome"), name="promise_outcome_day_unique"
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(statistics_refresher("promises_promise"), migrations.RunPython.noop),
    ]
