"""Today and the complaints list's first and last page, in-process (Django's test client,
logged in as the demo owner), median of --runs after one unmeasured request each:

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python bench/complaint_queue.py

Run it with the code before (a worktree of main) and after on copies of the same demo, and on
copies whose complaints are all unresolved (UPDATE complaints_complaint SET resolved_at = NULL),
where the list's first part is every complaint. Prints one line of JSON. Not part of the tests."""

import argparse
import json
import os
import statistics
import time

import django
from server import logged_in_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

PAGES = {"today": "/", "list first": "/complaints/", "list last": "/complaints/?page=last"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    django.setup()
    from django.db import connection

    client, _business = logged_in_client("demo")
    timings: dict[str, list[float]] = {name: [] for name in PAGES}
    for path in PAGES.values():
        assert client.get(path).status_code == 200
    for _run in range(args.runs):
        for name, path in PAGES.items():  # in turn, so that noise hits each alike
            started = time.perf_counter()
            response = client.get(path)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    print(
        json.dumps(
            {
                "label": args.label,
                "database": connection.vendor,
                **{name: round(statistics.median(ms), 1) for name, ms in timings.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
