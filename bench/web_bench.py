"""Latency of the main pages with a large shop, against a bare Django view in the same run.

    .venv/bin/python manage.py demo --customers 100000      # into the database given below
    .venv/bin/python bench/web_bench.py --database-url sqlite:////tmp/perf100k.sqlite3

Starts gunicorn on 127.0.0.1 (bounded: a fixed number of sequential requests per page), logs in
as the demo owner, and requests every page in turn, interleaved with the floor (`/health/`, a view
that touches no database), so that machine noise hits all of them alike. Prints median and 95th
percentile per page and the ratio of each 95th percentile to the floor's. Not part of the test run."""

import argparse
import json
import statistics
import time
from pathlib import Path

import requests
from server import Instance, logged_in, percentile


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="sqlite:////tmp/perf100k.sqlite3")
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--username", default="demo")
    parser.add_argument("--password", default="demo")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    options = parser.parse_args()
    instance = Instance(options.database_url)
    instance.manage("migrate", "--verbosity", "0")
    token = instance.manage("apitoken", options.username, "--name", "web_bench").strip()
    # The customer with the most purchases, and the one with the most purchases among those who
    # have every kind of record the profile shows (so that no section of it is skipped).
    probe = (
        "import django; django.setup();"
        "from django.db.models import Count, Exists, OuterRef;"
        "from klantvriend.core.timeline import PROFILE_KINDS;"
        "from klantvriend.customers.models import Customer;"
        "ranked = Customer.objects.annotate(n=Count('purchases')).order_by('-n');"
        "c = ranked.first();"
        "every = ranked.filter(*[Exists(Customer._meta.get_field(k).related_model.objects"
        ".filter(customer=OuterRef('pk'))) for k in PROFILE_KINDS]).first() or c;"
        "print(c.pk, c.name.split()[0], Customer.objects.count(), every.pk)"
    )
    customer_id, first_name, customer_count, full_id = instance.python("-c", probe).split()
    with instance.serving(workers=options.workers, port=options.port) as base:
        browser = logged_in(base, options.username, options.password)
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        pages = {
            "floor (bare view)": (requests.Session(), "/health/"),
            "Today": (browser, "/"),
            "customer search": (browser, f"/customers/?q={first_name}"),
            # What search-as-you-type asks first: too short for the trigram index.
            "search, two letters": (browser, f"/customers/?q={first_name[:2].lower()}"),
            "customer list": (browser, "/customers/"),
            "customer profile": (browser, f"/customers/{customer_id}/"),
            "profile, every section": (browser, f"/customers/{full_id}/"),
            "API customer list": (api, "/api/v1/customers?limit=50"),
        }
        for extra, path in (("scorecard", "/insights/scorecard/"),):
            if browser.get(f"{base}{path}", timeout=30).status_code == 200:
                pages[extra] = (browser, path)
        timings: dict[str, list[float]] = {name: [] for name in pages}
        for name, (session, path) in pages.items():  # warm-up
            assert session.get(f"{base}{path}", timeout=30).status_code == 200, name
        for _ in range(options.requests):
            for name, (session, path) in pages.items():
                started = time.perf_counter()
                response = session.get(f"{base}{path}", timeout=30)
                timings[name].append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{name} answered {response.status_code}")

    floor_p95 = percentile(timings["floor (bare view)"], 0.95)
    results = []
    print(
        f"{customer_count} customers, {options.requests} requests per page, {options.workers} gunicorn workers"
    )
    print(f"{'page':<24}{'median ms':>11}{'p95 ms':>9}{'p95 / floor':>13}")
    for name, values in timings.items():
        median, p95 = statistics.median(values), percentile(values, 0.95)
        results.append(
            {
                "page": name,
                "median_ms": round(median, 1),
                "p95_ms": round(p95, 1),
                "p95_ratio_to_floor": round(p95 / floor_p95, 1),
            }
        )
        print(f"{name:<24}{median:>11.1f}{p95:>9.1f}{p95 / floor_p95:>13.1f}")
    if options.json:
        options.json.write_text(
            json.dumps({"customers": int(customer_count), "results": results}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
