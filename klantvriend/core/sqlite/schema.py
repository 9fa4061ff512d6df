"""Rebuilding a table on SQLite without losing or breaking the triggers that keep figures.

SQLite alters little in place, so Django changes most columns (a unique or one-to-one field
added, almost any AlterField, a RemoveField of an indexed or related column, some constraints)
by rebuilding the table: create `new__<table>`, copy the rows, drop the table, rename the new
one (`_remake_table`). Two things go wrong with the triggers that keep the figures
(customers 0006-0027, importers 0001):
- the triggers ON the table die with the dropped table, silently: a kept figure would simply
  stop being kept;
- a trigger on another table that reads the table makes the rename fail ("error in trigger
  ...: no such table: main.<table>"): SQLite checks the whole schema when it renames, and the
  table it reads is gone at that moment.

So every rebuild takes out the triggers that are on the table or mention it, rebuilds, and
creates them again from their own stored SQL, in one transaction: a migration needs no code of
its own, and the triggers come back word for word. A trigger that reads a column the rebuild
removed or renamed would come back broken, and SQLite would only say so when a write fires it;
the rebuild is refused instead, naming the trigger, and the migration must drop or rewrite that
trigger before the change."""

import re

from django.db import OperationalError, transaction
from django.db.backends.sqlite3 import schema


def names_table(sql: str, table: str) -> bool:
    """Whether the SQL names the table: as a word of its own, quoted or not (in a string as
    well, which for a trigger costs only its being created again)."""
    return re.search(rf"(?<![\w$]){re.escape(table)}(?![\w$])", sql, re.IGNORECASE) is not None


class _Undo(Exception):
    """Rolls back the rename that checks the triggers (`_check_triggers`)."""


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def _remake_table(self, model, create_field=None, delete_field=None, alter_fields=None):
        table = model._meta.db_table
        triggers = self._triggers_concerning(table)
        with transaction.atomic(using=self.connection.alias):
            for name, _sql in triggers:
                self.execute(f"DROP TRIGGER {self.quote_name(name)}")
            super()._remake_table(
                model,
                create_field=create_field,
                delete_field=delete_field,
                alter_fields=alter_fields,
            )
            for _name, sql in triggers:
                self.execute(sql)
            if triggers and not self.collect_sql:
                self._check_triggers(table)

    def _triggers_concerning(self, table: str) -> list[tuple[str, str]]:
        """The triggers on `table` and those whose SQL names it, with every other trigger on
        the tables those are on, in the order they were created: SQLite fires the triggers of
        one event on one table in that order, which their being created again keeps."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, lower(tbl_name), sql FROM sqlite_master WHERE type = 'trigger' "
                "ORDER BY rowid"
            )
            triggers = cursor.fetchall()
        tables = {table.lower()} | {on for _, on, sql in triggers if names_table(sql, table)}
        return [(name, sql) for name, on, sql in triggers if on in tables]

    def _check_triggers(self, table: str) -> None:
        """SQLite compiles a trigger's body only when it fires, or when a table is renamed:
        then it checks every trigger naming the table. So the table is renamed and the rename
        undone (a savepoint), to refuse the rebuild now rather than the first write later."""
        quoted = self.quote_name(table)
        try:
            with transaction.atomic(using=self.connection.alias):
                with self.connection.cursor() as cursor:
                    cursor.execute(
                        f"ALTER TABLE {quoted} RENAME TO {self.quote_name(table + '__check')}"
                    )
                raise _Undo
        except _Undo:
            pass
        except OperationalError as error:
            raise OperationalError(
                f"Rebuilding the table {table} breaks a trigger that reads it ({error}). "
                "Drop or rewrite that trigger in the migration before this change."
            ) from error
