"""The charts page, the gestures page and the rows their figures open to, in-process (Django's
test client, logged in as the demo owner, no server in between):

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python bench/figure_rows.py

Each address is requested --requests times, the addresses taken in turn so that machine noise
hits them alike; the median and the slowest time and the median CPU time of this process (what
a loaded machine disturbs least; on PostgreSQL the database's own work is not in it) are
printed in milliseconds. --pages-only: the two pages alone (which exist on older code too, for a
comparison with it); --only charts figure=revenue: the addresses holding one of these. Not part
of the test run."""

import argparse
import os
import statistics
import time
from datetime import timedelta

import django
from server import logged_in_client

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def addresses(business, pages_only: bool) -> list[str]:
    pages = ["/insights/charts/", "/insights/gestures/"]
    if pages_only:
        return pages
    today = business.today()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    half_year = (last_month - timedelta(days=150)).replace(day=1)
    rows = "/insights/scorecard/rows/?figure="
    return [
        *pages,
        f"{rows}revenue&month={last_month}&part=new",
        f"{rows}revenue&month={last_month}&part=returning",
        f"{rows}revenue&month={last_month}&part=returning&page=100",
        f"{rows}cohort&month={half_year}",
        f"{rows}value&part=0",
        f"{rows}value&part=0&page=200",
        f"{rows}value&part=9",
        f"{rows}gestures&part=birthday",
        f"{rows}gestures&part=complaint_recovery",
        f"{rows}gestures&part=without",
        f"/promises/?month={last_month}&outcome=on_time",
        f"/promises/?month={last_month}&outcome=broken",
        "/complaints/?period=12m&response=on_the_spot",
        "/complaints/?period=12m&response=1-4",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--pages-only", action="store_true")
    parser.add_argument("--only", nargs="*", default=[], help="addresses containing one of these")
    arguments = parser.parse_args()
    django.setup()
    client, business = logged_in_client("demo")
    urls = [
        url
        for url in addresses(business, arguments.pages_only)
        if not arguments.only or any(part in url for part in arguments.only)
    ]
    times: dict[str, list[float]] = {url: [] for url in urls}
    cpu: dict[str, list[float]] = {url: [] for url in urls}
    for url in urls:  # once unmeasured: the first request pays for connections and caches
        assert client.get(url).status_code == 200, url
    for _round in range(arguments.requests):
        for url in urls:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[url].append((time.perf_counter() - started) * 1000)
            cpu[url].append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, url
    for url in urls:
        print(
            f"{statistics.median(times[url]):8.1f} {max(times[url]):8.1f} "
            f"{statistics.median(cpu[url]):8.1f}  {url}"
        )


if __name__ == "__main__":
    main()
