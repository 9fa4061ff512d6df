"""The header's live search with its closest matches first (customers.selectors.customer_search,
search.search_rank) against the name order it had before, on a copy of the 100,000-customer
demo, in-process: the live search's own reads (its first eight matches, then their count up to
the list's cap), the two orders alternated in the same run so that machine noise hits both:

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python \\
        bench/search_rank.py --runs 15

Prints, per search, its matches (up to the cap) and the median and slowest milliseconds of each
order, and the first eight names of the new one. Not part of the test run."""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")

QUERIES = ("ja", "jan", "thijs", "vries", "de vries", "zutphen", "7201", "0612")
LIVE_RESULTS = 8
CAP = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    django.setup()
    from django.contrib.auth import get_user_model

    from klantvriend.customers.selectors import customer_matches, customer_search

    business = get_user_model().objects.get(username="demo").memberships.first().business

    fields = ("pk", "name", "company", "postal_code", "city", "phone", "email")

    def count(query, rows):
        if len(rows) < LIVE_RESULTS:
            return len(rows)
        found = customer_matches(business=business, query=query)
        return found.order_by().values("pk")[: CAP + 1].count()

    def by_name(query):  # the live search before: the first matches in the list's order
        found = customer_matches(business=business, query=query).only(*fields)
        rows = list(found[:LIVE_RESULTS])
        return rows, count(query, rows)

    def closest_first(query):
        rows = customer_search(business=business, query=query, limit=LIVE_RESULTS, fields=fields)
        return rows, count(query, rows)

    for query in QUERIES:
        timings = {by_name: [], closest_first: []}
        for search in timings:
            search(query)  # warm-up
        for _run in range(arguments.runs):
            for search, milliseconds in timings.items():
                start = time.perf_counter()
                rows, found = search(query)
                milliseconds.append((time.perf_counter() - start) * 1000)
        figures = ", ".join(
            f"{search.__name__} median {statistics.median(ms):.1f} ms, slowest {max(ms):.1f}"
            for search, ms in timings.items()
        )
        print(f"{query!r}: {found} matches; {figures}")
        print("   ", " | ".join(customer.name for customer in rows))


if __name__ == "__main__":
    main()
