"""The pages that keep their figures for a minute, as their first view in that minute sees them,
in-process (Django's test client, logged in as the demo owner, no server in between):

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python bench/cold_pages.py

Today and the scorecard compute their figures at most once a minute per process
(insights.scorecard.FIGURES_CACHE_SECONDS), so web_bench and every_page, which request them
many times in a row, see the computed figures almost every time. An owner opening the scorecard
once sees them computed afresh. This script requests each page --requests times with the cache
emptied before each request ("cold") and as often without ("warm"), taken in turn so that
machine noise hits both alike, and prints the median and 95th percentile of each. Also Today's
figures after a step in each kind of row (web.care_responses.today_figures with the figures the
step changes computed afresh), the part of a tap on Today that grows with the shop. Reads only;
not part of the test run."""

import argparse
import os
import statistics
import sys
import time

import django
from server import logged_in_client, percentile

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

PAGES = ("/", "/insights/scorecard/")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=11)
    parser.add_argument("--username", default="demo")
    options = parser.parse_args()

    django.setup()
    from django.core.cache import cache

    from klantvriend.web.care_responses import ROW_FIGURES, today_figures

    client, business = logged_in_client(options.username)
    timings: dict[str, list[float]] = {}

    def timed(name: str, step) -> None:
        started = time.perf_counter()
        step()
        timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)

    def get(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    for path in PAGES:
        get(path)  # warm-up: templates, translations, the session
    for _round in range(options.requests):
        for path in PAGES:
            cache.clear()
            timed(f"{path} cold", lambda path=path: get(path))
            timed(f"{path} warm", lambda path=path: get(path))
        for row, fresh in ROW_FIGURES.items():
            today_figures(business)
            timed(
                f"Today's figures after a step in a {row}",
                lambda fresh=fresh: today_figures(business, fresh=fresh),
            )
    print(f"{'':<52}{'median ms':>11}{'p95 ms':>9}")
    for name, times in timings.items():
        print(f"{name:<52}{statistics.median(times):>11.1f}{percentile(times, 0.95):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
