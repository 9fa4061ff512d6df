"""The survey results and the list of invitations (first and last pages, by state and period),
in-process (Django's test client, logged in as the demo owner), medians of --runs after two
unmeasured requests each, the pages taken in turn:

    DATABASE_URL=postgres://postgres@127.0.0.1:54340/copy100k PYTHONPATH=$PWD .venv/bin/python bench/survey_pages.py

Per page: the wall time, this process's CPU time (time.process_time: on SQLite the database's
work too, on PostgreSQL only Python's), the queries' time as Django timed them and, on
PostgreSQL, their time as EXPLAIN (ANALYZE) gives it (planning and execution, the page's
queries of its last run each explained --runs times, median), in ms: the server's time on a
loaded machine is told apart from the time the queries wait for a core. Run it with the code
before (a worktree of main) and after on copies of the same demo. Not part of the tests."""

import argparse
import os
import re
import statistics
import time

import django
from server import logged_in_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

LAST = "page=99999"  # past the end: the last page
PAGES = [
    "/surveys/",
    "/surveys/invitations/",
    f"/surveys/invitations/?{LAST}",
    "/surveys/invitations/?period=12m",
    f"/surveys/invitations/?period=12m&{LAST}",
    "/surveys/invitations/?state=expired&period=12m",
    f"/surveys/invitations/?state=expired&period=12m&{LAST}",
    "/surveys/invitations/?state=open",
    f"/surveys/invitations/?state=open&{LAST}",
    "/surveys/invitations/?state=answered",
    f"/surveys/invitations/?state=answered&{LAST}",
    "/surveys/invitations/?channel=email&period=90d-before",
]
EXPLAINED = re.compile(r"(?:Planning|Execution) Time: ([\d.]+) ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="")
    parser.add_argument("pages", nargs="*", default=PAGES)
    args = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _business = logged_in_client("demo")
    wall: dict[str, list[float]] = {path: [] for path in args.pages}
    cpu: dict[str, list[float]] = {path: [] for path in args.pages}
    sql: dict[str, list[float]] = {path: [] for path in args.pages}
    queries: dict[str, list[str]] = {}
    for path in args.pages:
        for _warm in range(2):
            assert client.get(path).status_code == 200, path
    for _run in range(args.runs):
        for path in args.pages:  # in turn, so that noise hits each alike
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(path)
                wall[path].append((time.perf_counter() - started) * 1000)
                cpu[path].append((time.process_time() - cpu_started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            sql[path].append(sum(float(query["time"]) for query in captured) * 1000)
            queries[path] = [query["sql"] for query in captured]
    for path in args.pages:
        explained = ""
        if connection.vendor == "postgresql":
            totals = []
            for _run in range(args.runs):
                total = 0.0
                with connection.cursor() as cursor:
                    for query in queries[path]:
                        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}")
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                        total += sum(float(ms) for ms in EXPLAINED.findall(plan))
                totals.append(total)
            explained = f" explained {statistics.median(totals):5.1f}"
        print(
            f"{args.label} {connection.vendor} {path}: wall {statistics.median(wall[path]):5.1f}"
            f" cpu {statistics.median(cpu[path]):5.1f} sql {statistics.median(sql[path]):5.1f}"
            f"{explained} ({len(queries[path])} queries)",
            flush=True,
        )


if __name__ == "__main__":
    main()
