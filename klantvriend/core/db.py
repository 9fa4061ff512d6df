"""Database functions that need a different spelling per database: the one place for them.

Django's own datetime subtraction works everywhere, but on SQLite it calls back into Python
for every row, which made a year of reliability figures take seconds."""

from django.db.models import FloatField, Func


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
