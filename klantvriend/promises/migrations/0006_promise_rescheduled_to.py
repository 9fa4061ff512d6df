"""A promise moved to a new moment after it passed unkept names its successor
(Promise.rescheduled_to, services.promise_reschedule).

On SQLite the column is added in place (ALTER TABLE ADD COLUMN) with its unique index beside it,
instead of the table rebuild Django makes for a one-to-one field there: a rebuild drops the
table while the triggers that keep every customer's latest activity
(importers/migrations/0001_customer_activity_kept.py) read it, and SQLite refuses to rename the
new table back over them. The column, its foreign key and its uniqueness are the same as the
rebuild would make; PostgreSQL adds the field as usual."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "promises_promise"
COLUMN = "rescheduled_to_id"
UNIQUE_INDEX = "promise_rescheduled_to_unique"


class AddFieldInPlace(migrations.AddField):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(TABLE)} ADD COLUMN {quote(COLUMN)} bigint NULL "
            f"REFERENCES {quote(TABLE)} ({quote('id')}) DEFERRABLE INITIALLY DEFERRED"
        )
        schema_editor.execute(
            f"CREATE UNIQUE INDEX {quote(UNIQUE_INDEX)} ON {quote(TABLE)} ({quote(COLUMN)})"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        quote = schema_editor.quote_name
        schema_editor.execute(f"DROP INDEX {quote(UNIQUE_INDEX)}")
        schema_editor.execute(f"ALTER TABLE {quote(TABLE)} DROP COLUMN {quote(COLUMN)}")


class Migration(migrations.Migration):

    dependencies = [
        ('promises', '0005_open_per_customer_index'),
    ]

    operations = [
        AddFieldInPlace(
            model_name='promise',
            name='rescheduled_to',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='rescheduled_from', to='promises.promise', verbose_name='moved to'),
        ),
    ]
