"""Data migration customers 0038 ("customer since" moved back to the first purchase) on a copy of
the 100,000-customer demo, each run in a transaction rolled back:

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python \
        bench/since_migration.py --runs 3

Three cases: the demo as it is (no one to move: only the reading), a tenth of the customers with
purchases given a "customer since" of today first, and all of them (the worst: every customer
with a purchase moved, one UPDATE per first day). Prints each run's seconds and the customers
moved. Every rolled-back run leaves dead rows for PostgreSQL's vacuum: run it on a copy. Not part
of the test run."""

import argparse
import importlib
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")


class RolledBack(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    django.setup()
    from django.apps import apps
    from django.db import transaction
    from django.db.models import F

    from klantvriend.core.models import Business
    from klantvriend.customers.models import Customer, CustomerLastPurchase

    migration = importlib.import_module(
        "klantvriend.customers.migrations.0038_customer_since_not_after_first_purchase"
    )
    today = Business.objects.first().today()
    bought = CustomerLastPurchase.objects.values("customer_id")

    def later(every: int) -> int:
        """Every `every`th customer with a purchase a customer since today (none for 0)."""
        if not every:
            return 0
        return (
            Customer.objects.filter(pk__in=bought)
            .annotate(step=F("pk") % every)
            .filter(step=0)
            .update(customer_since=today)
        )

    for label, every in (("as it is", 0), ("a tenth later", 10), ("all later", 1)):
        seconds = []
        for _run in range(arguments.runs):
            try:
                with transaction.atomic():
                    made_later = later(every)
                    start = time.perf_counter()
                    migration.customers_since_moved_back(apps, None)
                    seconds.append(time.perf_counter() - start)
                    left = Customer.objects.filter(customer_since=today, pk__in=bought).count()
                    raise RolledBack
            except RolledBack:
                pass
        runs = ", ".join(f"{s:.2f}" for s in seconds)
        print(
            f"{label}: {made_later} customers made later, {left} left after; "
            f"median {statistics.median(seconds):.2f} s ({runs})"
        )


if __name__ == "__main__":
    main()
