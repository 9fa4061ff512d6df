"""What a save through a service costs before it writes: `full_clean` of a customer and of a
purchase (every field's check, the uniqueness of the customer and receipt numbers, the check
constraints), in statements sent and in milliseconds, on the first customer with purchases of
the database named by DATABASE_URL:

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 PYTHONPATH=$PWD .venv/bin/python bench/full_clean.py

Run from a worktree of an earlier commit to compare (docs/benchmarks.md "The test suite").
Reads only: everything happens in a transaction that is rolled back."""

import argparse
import os
import statistics
import sys
import time

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=50, help="full_clean calls per round")
    options = parser.parse_args()
    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from klantvriend.customers.models import Purchase

    purchase = Purchase.objects.select_related("customer").order_by("id").first()
    if purchase is None:
        print("No purchase in this database: make one with manage.py demo.", file=sys.stderr)
        return 1
    with transaction.atomic():
        for row in (purchase.customer, purchase):
            with CaptureQueriesContext(connection) as statements:
                row.full_clean()
            rounds = []
            for _ in range(options.rounds):
                start = time.perf_counter()
                for _ in range(options.calls):
                    row.full_clean()
                rounds.append((time.perf_counter() - start) / options.calls * 1000)
            print(
                f"{type(row).__name__}: {len(statements.captured_queries)} statements, "
                f"median {statistics.median(rounds):.2f} ms ({connection.vendor})"
            )
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
