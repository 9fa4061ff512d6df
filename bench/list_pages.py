"""The first, a middle and the last page of the long lists, in every order and with their
filters, in-process (Django's test client, logged in as the demo owner, no server in between):

    DATABASE_URL=sqlite:////tmp/copy100k.sqlite3 PYTHONPATH=$PWD .venv/bin/python bench/list_pages.py

Deep pages cost what the database steps over to reach them, which a first page never shows:
every_page.py measures each list's first page (and the customer list's last), this one goes
through the pages of each list in each order (median and 95th percentile of --requests, the
lists taken in turn so that machine noise hits them alike). --only: the lists whose address
(without its page) matches one of these regular expressions. Not part of the test run."""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import django
from server import logged_in_client, percentile

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

TARGET_MS = 100
CUSTOMER_ORDERS = (
    "name",
    "-last_purchase",
    "-customer_since",
    "-value",
    "value",
    "-alive",
    "alive",
    "-spend",
)


def lists(business) -> list[str]:
    """The lists, each in its orders and with its filters, without a page."""
    from django.db.models import Count

    from klantvriend.customers.models import AcquisitionChannel, Customer, Tag
    from klantvriend.insights.models import Segment, Stage
    from klantvriend.insights.rows import SCORECARD_ROWS

    customers = Customer.objects.filter(business=business)
    biggest_tag = (
        Tag.objects.filter(business=business)
        .annotate(n=Count("customers"))
        .order_by("-n")
        .values_list("name", flat=True)
        .first()
    )
    heaviest = customers.annotate(n=Count("purchases")).order_by("-n").first()
    filters = [
        "",
        f"segment={Segment.HIBERNATING}",
        f"segment={Segment.CHAMPION}",
        f"stage={Stage.REGULAR}",
        "bought=any",
        "bought=again",
        "bought=top",
        f"channel={AcquisitionChannel.REFERRAL}",
        f"channel={AcquisitionChannel.values[0]}",
        "since_from=2024-01-01&since_until=2024-12-31",
    ]
    if biggest_tag:
        filters.append(f"tag={biggest_tag}")
    urls = [
        f"/customers/?order={order}" + (f"&{extra}" if extra else "")
        for extra in filters
        for order in CUSTOMER_ORDERS
    ]
    urls += ["/customers/?q=th", "/customers/?q=th&order=-value"]
    urls += [
        f"/promises/?order={order}{extra}"
        for order in ("-due", "due", "-lateness")
        for extra in ("", "&outcome=kept", "&period=90d-before")
    ]
    # Today's lists whole: the promises it counts, the aftercare list, the occasions' pages.
    urls += [f"/promises/?agenda={agenda}&order=due" for agenda in ("overdue", "today")]
    urls += [
        f"/aftercare/?state={state}{extra}"
        for state in ("", "due", "missed", "later", "done")
        for extra in ("", "&period=all")
    ]
    urls.append("/?show=occasions")
    urls += [
        f"/complaints/?state={state}{extra}"
        for state in ("", "unresolved", "resolved")
        for extra in ("", "&public=no", "&period=90d-before")
    ]
    # Whom the survey asked: every invitation, by state and period, and the results page
    # that counts them
    urls += [
        f"/surveys/invitations/?state={state}{extra}"
        for state in ("", "answered", "unanswered", "open", "expired", "withdrawn")
        for extra in ("", "&period=12m", "&channel=email&period=90d-before")
    ]
    urls.append("/surveys/?x=1")
    urls += [
        f"/customers/{heaviest.pk}/visits/?x=1",
        "/customers/duplicates/?kind=email",
        "/customers/duplicates/?kind=phone",
        "/customers/duplicates/?kind=name",
        "/customers/duplicates/apart/?x=1",
        "/privacy/audit/?x=1",
        "/insights/gestures/?x=1",
    ]
    # What each scorecard figure is made of, the complaints among them
    urls += [f"/insights/scorecard/rows/?figure={figure}" for figure in SCORECARD_ROWS]
    return urls


def page_count(client, url: str) -> int:
    """The number of pages of a list, from the page object its template got."""
    from django.template import Template
    from django.test.signals import template_rendered
    from django.test.utils import instrumented_test_render

    seen: list = []

    def keep(sender, context, **kwargs):
        seen.append(context)

    original = Template._render
    Template._render = instrumented_test_render
    template_rendered.connect(keep)
    try:
        response = client.get(url)
    finally:
        template_rendered.disconnect(keep)
        Template._render = original
    assert response.status_code == 200, (url, response.status_code)
    for context in seen:
        page = context.get("page")
        if page is not None and hasattr(page, "paginator"):
            return page.paginator.num_pages
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=15, help="requests per page")
    parser.add_argument("--username", default="demo")
    parser.add_argument("--only", nargs="*", default=[], help="lists whose address matches")
    parser.add_argument(
        "--json", type=Path, help="also write the figures here, with every request's time"
    )
    options = parser.parse_args()

    django.setup()
    client, business = logged_in_client(options.username)
    addresses = [
        url
        for url in lists(business)
        if not options.only or any(re.search(pattern, url) for pattern in options.only)
    ]
    pages = []
    for url in addresses:
        count = page_count(client, url)
        for number in sorted({1, (count + 1) // 2, count}):
            pages.append(f"{url}&page={number}")
    timings: dict[str, list[float]] = {page: [] for page in pages}
    for _round in range(options.requests):
        for page in pages:
            started = time.perf_counter()
            response = client.get(page)
            timings[page].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (page, response.status_code)
    figures = {
        page: (statistics.median(times), percentile(times, 0.95), times)
        for page, times in timings.items()
    }
    for page, (median, p95, _times) in figures.items():
        mark = "  OVER" if p95 > TARGET_MS else ""
        print(f"{median:7.1f} {p95:7.1f}  {page}{mark}")
    if options.json:
        options.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
