"""The customer list downloaded as CSV, whole, in-process (Django's test client, logged in as
the demo owner, no server in between), on a copy of a large shop (each download adds an event
to its audit trail):

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python bench/list_csv.py

Per list: the customers and bytes written, the median time of --requests downloads (wall clock,
and the process's CPU time, which the other work of a shared machine disturbs less), and the
peak of Python's memory during one more (tracemalloc, which slows it: timed apart), read a
page of CSV_PAGE_SIZE customers at a time and, side by side, all in one read (what the pages
save). Not part of the test run."""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import django
from server import logged_in_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

QUERIES = (
    "order=name",
    "order=-value",
    "segment=cant_lose&order=alive",
    "bought=top&order=-spend",
    "q=th",
)


def download(client, query: str) -> tuple[int, int]:
    response = client.get(f"/customers/download/?{query}")
    assert response.status_code == 200, response.status_code
    size = lines = 0
    for part in response.streaming_content:
        size += len(part)
        lines += part.count(b"\r\n")
    return lines - 1, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--user", default="demo")
    arguments = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    from klantvriend.web import views

    client, _business = logged_in_client(arguments.user)
    paged = views.CSV_PAGE_SIZE
    print("| list | customers | MB | median s | CPU s | peak MiB paged | peak MiB in one read |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for query in QUERIES:
        views.CSV_PAGE_SIZE = paged
        times, cpu = [], []
        for _ in range(arguments.requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            customers, size = download(client, query)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        peaks = []
        for page_size in (paged, 10**7):
            views.CSV_PAGE_SIZE = page_size
            tracemalloc.start()
            download(client, query)
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
        print(
            f"| {query} | {customers:,} | {size / 10**6:.1f} | {statistics.median(times):.2f} "
            f"| {statistics.median(cpu):.2f} "
            f"| {peaks[0]:.0f} | {peaks[1]:.0f} |"
        )


if __name__ == "__main__":
    main()
