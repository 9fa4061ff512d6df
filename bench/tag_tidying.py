"""Renaming, merging and removing the business's biggest tag (customers.services.tag_rename,
tag_rename onto the second biggest tag's name, tag_delete), each in a transaction rolled back:

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python \
        bench/tag_tidying.py --runs 3

Each moves the updated_at of every customer carrying the tag (the API's changed_since), so its
time grows with the tag's size: the demo of 100,000 customers has one of 25,000. Prints each
run's milliseconds. Writes nothing that stays, but every rolled-back run leaves dead rows for
PostgreSQL's vacuum: run it on a copy. Not part of the test run."""

import argparse
import os
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
    from django.db import transaction
    from django.db.models import Count

    from klantvriend.customers import services
    from klantvriend.customers.models import Tag

    biggest, second = Tag.objects.annotate(n=Count("customers")).order_by("-n")[:2]
    print(f"{biggest.name}: {biggest.n} customers; {second.name}: {second.n}")
    steps = {
        "rename": lambda: services.tag_rename(tag=biggest, name=f"{biggest.name} (2)"),
        "merge": lambda: services.tag_rename(tag=biggest, name=second.name),
        "remove": lambda: services.tag_delete(tag=biggest),
    }
    for name, step in steps.items():
        times = []
        for _run in range(arguments.runs):
            try:
                with transaction.atomic():
                    started = time.perf_counter()
                    step()
                    times.append((time.perf_counter() - started) * 1000)
                    raise RolledBack
            except RolledBack:
                pass
        print(f"{name:7s}", " ".join(f"{ms:7.0f}" for ms in times), "ms")


if __name__ == "__main__":
    main()
