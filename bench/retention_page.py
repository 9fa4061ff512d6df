"""The privacy settings page with a retention rule, in-process, on a copy of a large demo.

    DEBUG=false DATABASE_URL=sqlite:////tmp/copy.sqlite3 .venv/bin/python bench/retention_page.py \
        --age-customers --years 1

The demo's customers are all created within its last two years, so a rule of one year or more
finds nobody there. `--age-customers` (on a COPY only: it writes) moves every customer's
`created_at` and `customer_since` to the same day and time of 2015, as an old shop's customers
would be; their records keep their dates, so those with nothing in the last year (about 8,500
of 100,000) are the one-year rule's candidates. Sets the rule to `--years`, logs in as the demo
owner with Django's test client, requests /privacy/settings/ `--requests` times and prints the
median and 95th percentile, with the number of candidates the page names. Not part of the test
run; run it side by side with a worktree of the code before, on copies of the same database."""

import argparse
import os
import statistics
import sys
import time

import django
from server import percentile

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--username", default="demo")
    parser.add_argument("--age-customers", action="store_true", help="writes: a copy only")
    options = parser.parse_args()

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from klantvriend.core.models import Business
    from klantvriend.importers.privacy import apply_retention
    from klantvriend.importers.privacy_settings import privacy_settings_update

    setup_test_environment()  # the test client's host, without touching the database
    owner = get_user_model().objects.get(username=options.username)
    business = Business.objects.get(memberships__user=owner)
    if options.age_customers:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":  # moments and days are text there
                cursor.execute(
                    "UPDATE customers_customer SET created_at = '2015' || substr(created_at, 5),"
                    " customer_since = '2015' || substr(customer_since, 5)"
                )
            else:
                cursor.execute(
                    "UPDATE customers_customer SET"
                    " created_at = created_at - make_interval(years =>"
                    " EXTRACT(YEAR FROM created_at)::int - 2015),"
                    " customer_since = (customer_since - make_interval(years =>"
                    " EXTRACT(YEAR FROM customer_since)::int - 2015))::date"
                )
            cursor.execute("ANALYZE")
    privacy_settings_update(business=business, actor=owner, retention_years=options.years)

    client = Client()
    client.force_login(owner)
    timings = []
    for _ in range(options.requests + 1):
        start = time.perf_counter()
        response = client.get("/privacy/settings/")
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    timings = timings[1:]  # the first warms the caches
    preview = apply_retention(business=business, dry_run=True, limit=50)
    print(
        f"{connection.vendor} years={options.years} candidates={preview.count} "
        f"median={statistics.median(timings):.1f} ms p95={percentile(timings, 0.95):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
