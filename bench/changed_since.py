"""A page of the customers, and of the purchases, changed since a moment (the API's
`changed_since`, docs/api.md "Syncing"), in-process through Django's test client with an API
token of the demo owner:

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python \
        bench/changed_since.py --runs 20

Three pages of each: the first of a full sync (every row changed since 1970, 500 a page), a
night's changes (the last 1,000 rows changed, 500 a page) and the last page of them (after_id);
and the purchases deleted since a night ago (`/purchases/removed`). Prints the medians and the
plan of each page's query. Run it on a copy: it makes an API token. Not part of the test run."""

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
    from klantvriend.customers.models import Customer, Purchase
    from klantvriend.customers.selectors import customers_changed, purchases_changed

    business = max(
        Business.objects.all(), key=lambda b: Customer.objects.filter(business=b).count()
    )
    membership = business.memberships.filter(role="owner").first()
    client = Client(
        headers={"Authorization": f"Bearer {apitoken_create(membership=membership)[1]}"}
    )
    feeds = {
        "customers": (Customer, customers_changed),
        "purchases": (Purchase, purchases_changed),
    }
    pages = {}
    nights = {}  # by path: when the last 1,000 rows changed
    for path, (model, _changed) in feeds.items():
        rows = model.objects.filter(business=business).order_by("-updated_at", "-id")
        night, last_page = rows[999], rows[499]
        nights[path] = night.updated_at
        pages[f"{path}: full sync, first page"] = (
            path,
            {"changed_since": "1970-01-01T00:00:00Z", "limit": 500},
        )
        pages[f"{path}: a night's 1,000 changes, first page"] = (
            path,
            {"changed_since": night.updated_at.isoformat(), "limit": 500},
        )
        pages[f"{path}: a night's 1,000 changes, second page"] = (
            path,
            {
                "changed_since": last_page.updated_at.isoformat(),
                "after_id": last_page.pk,
                "limit": 500,
            },
        )
    pages["purchases removed since a night ago"] = (
        "purchases/removed",
        {"since": nights["purchases"].isoformat()},
    )
    timings: dict[str, list[float]] = {name: [] for name in pages}
    for _ in range(arguments.runs):
        for name, (path, query) in pages.items():  # in turn, so that noise hits them alike
            start = time.perf_counter()
            answer = client.get(f"/api/v1/{path}", query)
            timings[name].append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200, answer.content
    print(
        f"{connection.vendor}, {Customer.objects.filter(business=business).count()} customers, "
        f"{Purchase.objects.filter(business=business).count()} purchases"
    )
    for name, values in timings.items():
        print(f"{name}: median {statistics.median(values):.1f} ms of {len(values)}")
    for path, (_model, changed) in feeds.items():
        print(path, changed(business=business, since=nights[path])[:500].explain())


if __name__ == "__main__":
    main()
