"""For tests of two connections at once: waiting until the other one waits for a lock."""

import threading
import time

from django.db import connection


def wait_until_blocked_or_done(writer: threading.Thread, *, what: str = "the writer") -> None:
    """Until `writer` (a thread with its own connection) waits for a lock, or has finished if
    nothing made it wait, which the test's assertions then catch. SQLite needs no wait: its
    IMMEDIATE transactions wait for the write lock whenever they begin."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for _attempt in range(3000):
            # Inside a transaction PostgreSQL shows the activity as it was when first asked.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] or not writer.is_alive():
                return
            time.sleep(0.01)
    raise AssertionError(f"{what} neither waited nor finished")
