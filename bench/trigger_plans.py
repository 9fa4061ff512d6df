"""What a connection's first trigger firing does to its later bulk writes on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:54340/EMPTY_MIGRATED PYTHONPATH=$PWD \
        .venv/bin/python bench/trigger_plans.py --customers 1000 --rounds 3

Each round makes a demo shop of --customers customers (demo.shop.demo_create: purchases,
referrals, complaints and the rest written in bulk, as an import or a merge writes) twice, each
on a new connection and rolled back afterwards: "first" as the connection's first writes, and
"after one edit" after the one customer of a shop of one was edited on the same connection, as a
worker that saved a customer at the counter and then runs an import. Before importers 0002,
PL/pgSQL kept each trigger statement's plan from the connection's first firing, planned for the
one row of that edit. Prints the seconds of each and their medians. Writes nothing that stays:
every round is rolled back. Not part of the test run."""

import argparse
import os
import statistics
import sys
import time
from datetime import date

import django

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class _RolledBack(Exception):
    pass


def _timed_demo(customers: int, *, edit_first: bool) -> float:
    from django.db import connection, transaction

    from klantvriend.customers.models import Customer
    from klantvriend.customers.services import customer_update
    from klantvriend.demo.shop import demo_create

    connection.close()  # a new connection: nothing planned yet
    with connection.cursor() as cursor:
        # The rolled-back rounds before leave dead rows that the planner would count.
        cursor.execute("VACUUM")
    try:
        with transaction.atomic():
            if edit_first:
                small = demo_create(customers=1, seed=7, username="eerst", today=date(2026, 6, 30))
                customer = Customer.objects.filter(business=small.business).first()
                customer_update(customer=customer, name=customer.name + " Jr.", phone="0612345678")
            started = time.perf_counter()
            demo_create(customers=customers, seed=3, today=date(2026, 6, 30))
            seconds = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: SQLite compiles a trigger with each statement that fires it.")
    first, after_edit = [], []
    for round_number in range(1, args.rounds + 1):
        first.append(_timed_demo(args.customers, edit_first=False))
        after_edit.append(_timed_demo(args.customers, edit_first=True))
        print(
            f"round {round_number}: first {first[-1]:.1f} s, after one edit {after_edit[-1]:.1f} s"
        )
    print(
        f"median of {args.rounds}: first {statistics.median(first):.1f} s, "
        f"after one edit {statistics.median(after_edit):.1f} s"
    )


if __name__ == "__main__":
    main()
