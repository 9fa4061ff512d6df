"""Plain multi-row INSERTs for bulk loading (the demo generator, imports of large files).

Building a model instance and compiling bulk_create for every row costs several times more than
the database's own work once there are millions of rows. The values must already be valid (the
caller validated them as the services do); no model methods, defaults or hooks run here."""

from collections.abc import Iterable, Sequence

from django.db import connection, models


def insert_rows(
    model: type[models.Model], field_names: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert `rows` (tuples in the order of `field_names`; foreign keys as ids) into the
    model's table in batches. Returns the number of rows inserted."""
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    # Only moments need converting for the database (SQLite stores them as UTC text); every
    # other value the drivers take as it is.
    moment_positions = [
        position for position, field in enumerate(fields) if isinstance(field, models.DateTimeField)
    ]
    adapt = connection.ops.adapt_datetimefield_value
    count = 0
    batch: list[Sequence] = []
    with connection.cursor() as cursor:
        for row in rows:
            if moment_positions:
                row = list(row)
                for position in moment_positions:
                    row[position] = adapt(row[position])
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
