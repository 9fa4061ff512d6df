"""On PostgreSQL every trigger function of the project runs its statements through EXECUTE, so
that each is planned at each firing with the rows it is given (core.db.planned_at_each_firing):
PL/pgSQL kept the plan of a connection's first firing, and after a one-row edit a later import,
merge or demo on the same connection compared every changed row with every other. The
functions keep their names, so their triggers stay as they are. Nothing to do on SQLite, which
compiles a trigger with the statement that fires it. A later migration that writes a trigger
function writes it through planned_at_each_firing (a test holds every function to it)."""

from django.db import migrations

from klantvriend.core.db import planned_at_each_firing, planned_once, trigger_functions


def _rewrite(schema_editor, rewrite) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, source in sorted(trigger_functions(cursor).items()):
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {schema_editor.quote_name(name)}() RETURNS trigger "
                f"LANGUAGE plpgsql AS $function$\n{rewrite(source)}\n$function$"
            )


def planned_at_each_firing_everywhere(apps, schema_editor) -> None:
    _rewrite(schema_editor, planned_at_each_firing)


def planned_once_everywhere(apps, schema_editor) -> None:
    _rewrite(schema_editor, planned_once)


class Migration(migrations.Migration):

    dependencies = [
        ("customers", "0032_first_purchase_and_absences_kept"),
        ("importers", "0001_customer_activity_kept"),
    ]

    operations = [
        migrations.RunPython(planned_at_each_firing_everywhere, planned_once_everywhere),
    ]
