"""A page of the customers changed since a moment (the API's `changed_since`, docs/api.md
"Syncing"), in-process through Django's test client with an API token of the demo owner:

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python \
        bench/changed_since.py --runs 20

Three pages: the first of a full sync (every customer changed since 1970, 500 a page), a night's
changes (the last 1,000 customers changed, 500 a page) and the last page of them (after_id).
Prints the median and the plan of the page's query. Run it on a copy: it makes an API token.
Not part of the test run."""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    arguments = parser.parse_args()
    django.setup()
    from django.db import connection
    from django.test import Client

    from klantvriend.core.models import Business
    from klantvriend.core.services import apitoken_create
    from klantvriend.customers.models import Customer
    from klantvriend.customers.selectors import customers_changed

    business = max(
        Business.objects.all(), key=lambda b: Customer.objects.filter(business=b).count()
    )
    membership = business.memberships.filter(role="owner").first()
    client = Client(
        headers={"Authorization": f"Bearer {apitoken_create(membership=membership)[1]}"}
    )
    customers = Customer.objects.filter(business=business).order_by("-updated_at", "-id")
    night = customers[999]
    last_page = customers[499]
    pages = {
        "full sync, first page": {"changed_since": "1970-01-01T00:00:00Z", "limit": 500},
        "a night's 1,000 changes, first page": {
            "changed_since": night.updated_at.isoformat(),
            "limit": 500,
        },
        "a night's 1,000 changes, second page": {
            "changed_since": last_page.updated_at.isoformat(),
            "after_id": last_page.pk,
            "limit": 500,
        },
    }
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(arguments.runs):
        for name, query in pages.items():  # in turn, so that noise hits them alike
            start = time.perf_counter()
            answer = client.get("/api/v1/customers", query)
            timings[name].append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.content
    print(f"{connection.vendor}, {Customer.objects.filter(business=business).count()} customers")
    for name, values in timings.items():
        print(f"{name}: median {statistics.median(values):.1f} ms of {len(values)}")
    page = customers_changed(business=business, since=night.updated_at)[:500]
    print(page.explain())


if __name__ == "__main__":
    main()
