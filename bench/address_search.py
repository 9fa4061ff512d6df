"""The customer list's search by name, postcode, place and house number on a copy of the
100,000-customer demo, in-process (Django's test client, the demo owner logged in; the data
migration customers 0039 is timed by `manage.py migrate` on a copy before and after it):

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python \
        bench/address_search.py --runs 15

Prints each search's matches and the median and slowest of its page's milliseconds, the same
before the migration (with the code before it) and after. Not part of the test run."""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")

QUERIES = ("thijs", "th", "7201 JP", "7201jp", "7201", "zutphen", "molenweg 41", "12")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from klantvriend.customers.selectors import customer_list

    client = Client(HTTP_HOST="localhost")
    owner = get_user_model().objects.get(username="demo")
    client.force_login(owner)
    business = owner.memberships.first().business
    for query in QUERIES:
        assert client.get("/customers/", {"q": query}).status_code == 200  # warm-up
        milliseconds = []
        for _run in range(arguments.runs):
            start = time.perf_counter()
            client.get("/customers/", {"q": query})
            milliseconds.append((time.perf_counter() - start) * 1000)
        found = customer_list(business=business, query=query).count()
        print(
            f"{query!r}: {found} matches, median {statistics.median(milliseconds):.1f} ms,"
            f" slowest {max(milliseconds):.1f} ms"
        )


if __name__ == "__main__":
    main()
