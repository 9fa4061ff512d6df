"""Latency of every page of the web interface with a large shop, so that no page is left slow.

    .venv/bin/python bench/every_page.py --database-url sqlite:////tmp/perf100k.sqlite3

web_bench.py measures the main pages many times against the framework's floor; this one goes
through all of them: every URL pattern of the web interface that takes no parameter or only a
customer's id (filled with the customer who has every kind of record and the most purchases),
read from the URL configuration so that a new page is measured without being listed here, and
a few pages with a query string (VARIANTS).
Starts gunicorn on 127.0.0.1, logs in as the demo owner, requests each page a fixed number of
times in turn and prints the median and 95th percentile, slowest first, marking those over the
100 ms target. Pages that do not answer a GET with 200 (forms that only take a POST, redirects)
are listed apart. Not part of the test run."""

import argparse
import json
import statistics
import time
from pathlib import Path

from server import Instance, logged_in, percentile

TARGET_MS = 100
# Pages whose query string makes them read other rows than their default: the list's last page
# (2,000 at 100,000 customers), the list sorted on a figure of the insights, filtered by channel or
# by the advice's figures, the promises kept sorted by lateness, the possible duplicates by phone
# number and by name (the most groups).
VARIANTS = (
    "/customers/?page=1000000",  # past the end: the last page
    "/customers/?order=alive",
    "/customers/?order=-value",
    "/customers/?channel=referral",
    # The advice's figures opened: the customers who came back (more than half), with their totals.
    "/customers/?bought=again&order=-spend",
    "/promises/?outcome=kept&order=-lateness",
    "/customers/duplicates/?kind=phone",
    "/customers/duplicates/?kind=name",
    # The header's live search as one types (each keystroke a request): two letters many names
    # share, a postcode area and the place nearly every demo customer lives in.
    "/customers/search/?q=ja",
    "/customers/search/?q=7201",
    "/customers/search/?q=zutphen",
)
# Routes with only a customer's id are measured for one customer; routes that log out, switch
# language or have no database behind them are left out.
PROBE = """
import re, django; django.setup()
from django.db.models import Count, Exists, OuterRef
from django.urls import URLPattern, URLResolver, get_resolver
from klantvriend.core.timeline import PROFILE_KINDS
from klantvriend.customers.models import Customer

def routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not str(pattern.pattern).startswith("api/"):
                yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name

ranked = Customer.objects.annotate(n=Count("purchases")).order_by("-n")
every = ranked.filter(*[Exists(Customer._meta.get_field(kind).related_model.objects
    .filter(customer=OuterRef("pk"))) for kind in PROFILE_KINDS]).first() or ranked.first()
for route, name in sorted(set(routes(get_resolver().url_patterns))):
    if name in ("logout", "set_language", "health", "login"):
        continue
    parameters = re.findall(r"<(?:\\w+:)?(\\w+)>", route)
    if parameters in ([], ["customer_id"]):
        print("/" + re.sub(r"<[^>]+>", str(every.pk), route))
"""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:////tmp/perf100k.sqlite3")
    parser.add_argument("--requests", type=int, default=15, help="requests per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()

    instance = Instance(options.database_url)
    instance.manage("migrate", "--verbosity", "0")
    paths = [*instance.python("-c", PROBE).split(), *VARIANTS]
    with instance.serving(workers=options.workers) as base:
        browser = logged_in(base, options.username, options.password)
        pages, not_pages = [], []
        for path in paths:  # also the warm-up
            status = browser.get(f"{base}{path}", timeout=60, allow_redirects=False).status_code
            (pages if status == 200 else not_pages).append((path, status))
        timings: dict[str, list[float]] = {path: [] for path, _ in pages}
        for _ in range(options.requests):
            for path in timings:
                started = time.perf_counter()
                response = browser.get(f"{base}{path}", timeout=60)
                timings[path].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")

    results = sorted(
        (
            {
                "page": path,
                "median_ms": round(statistics.median(values), 1),
                "p95_ms": round(percentile(values, 0.95), 1),
            }
            for path, values in timings.items()
        ),
        key=lambda row: -row["p95_ms"],
    )
    print(f"{len(results)} pages, {options.requests} requests each, {options.workers} workers")
    print(f"{'page':<48}{'median ms':>11}{'p95 ms':>9}")
    for row in results:
        over = "  over target" if row["p95_ms"] > TARGET_MS else ""
        print(f"{row['page']:<48}{row['median_ms']:>11.1f}{row['p95_ms']:>9.1f}{over}")
    print("Not a page for GET:", ", ".join(f"{path} ({status})" for path, status in not_pages))
    if options.json:
        options.json.write_text(json.dumps({"results": results, "not_pages": not_pages}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
