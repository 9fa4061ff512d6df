"""Every page reads the database the same number of times whatever the amount of data: a page
that asks once per row shown (an N+1) grows slow as the shop grows, long before anyone notices.

Every URL pattern of the web interface that answers a GET and takes no parameter or a customer's
id is requested with two rows of every kind of record and again with six: the number of queries
must not change. Both amounts stay below every "first rows" limit of the pages (ten on Today), so
that each row added is a row shown. The pages of web_bench have their own tests with data on both
sides of those limits (test_views.py, test_care_views.py)."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from klantvriend.customers.models import Customer
from klantvriend.isolation import model_factories

# Pages that write on every view (an audit event per profile view) write the same once per
# request however much data there is, so they are measured like the others.
SKIPPED = {"logout", "set_language", "health", "login", "switch_business"}
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not str(pattern.pattern).startswith("api/"):
                yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif (
            isinstance(pattern, URLPattern)
            and pattern.name not in SKIPPED
            and PARAMETER.findall(str(pattern.pattern)) in ([], ["customer_id"])
        ):
            yield prefix + str(pattern.pattern), pattern.name


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))


def _add_records(business, customer, member, count: int) -> None:
    """`count` more rows of every kind: about `customer`, and new customers (referred by
    `customer`) with one row of every kind each; every row that names a member of staff (who
    made a promise, who took a complaint) names `member`."""
    factories = model_factories()
    for _ in range(count):
        other = factories[Customer](business=business, referred_by=customer)
        for model, model_factory in factories.items():
            if model is Customer:
                continue
            fields = {field.name: field for field in model._meta.get_fields()}
            staff = {
                name: member
                for name, field in fields.items()
                if field.many_to_one and field.related_model is type(member)
            }
            if "customer" not in fields:
                model_factory(business=business, **staff)
                continue
            model_factory(customer=other, **staff)
            if not fields["customer"].one_to_one:
                model_factory(customer=customer, **staff)


def _queries(client, paths: list[str]) -> dict[str, int]:
    """The number of queries of each page that answers a GET (the others take only a POST)."""
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code in (200, 405), (path, response.status_code)
        if response.status_code == 200:
            counts[path] = len(queries)
    return counts


def test_no_page_reads_the_database_once_per_row(owner_client, owner, business):
    customer = Customer.objects.create(business=business, name="Anna de Vries")
    paths = ["/" + PARAMETER.sub(str(customer.pk), route) for route, _ in ROUTES]
    _add_records(business, customer, owner, 1)
    _queries(owner_client, paths)  # once first: what a page caches for later is not counted
    before = _queries(owner_client, paths)

    _add_records(business, customer, owner, 2)

    after = _queries(owner_client, paths)
    assert {path: after[path] for path in before if after[path] != before[path]} == {}
    # Not an empty comparison: the main pages answered and were counted.
    pages = {"/", "/customers/", f"/customers/{customer.pk}/", "/ambassadors/", "/surveys/"}
    assert pages <= set(before)
    assert len(before) == len(after) > 25


def test_the_rows_behind_every_scorecard_figure_read_the_database_a_fixed_number_of_times(
    owner_client, owner, business
):
    """The scorecard's figures open to their rows (`?figure=`), each a query of its own."""
    from klantvriend.insights.rows import SCORECARD_ROWS

    customer = Customer.objects.create(business=business, name="Anna de Vries")
    paths = [f"/insights/scorecard/rows/?figure={figure}" for figure in SCORECARD_ROWS]
    _add_records(business, customer, owner, 1)
    _slipping_away(business, 1)
    _queries(owner_client, paths)
    before = _queries(owner_client, paths)

    _add_records(business, customer, owner, 2)
    _slipping_away(business, 2)

    after = _queries(owner_client, paths)
    assert {path: after[path] for path in before if after[path] != before[path]} == {}
    # The eight figures of the scorecard, and Today's customers slipping away.
    assert len(before) == len(SCORECARD_ROWS) == 9


def _slipping_away(business, count: int) -> None:
    from klantvriend.insights.tests.factories import CustomerInsightFactory

    for _ in range(count):
        CustomerInsightFactory(
            customer=Customer.objects.create(business=business, name="Bas Jansen"),
            slipping_away=True,
            purchase_days=4,
            probability_alive=0.2,
            probability_alive_30_days_ago=0.5,
        )


def _move_back(business, moved: set, days: int) -> None:
    """Moves every row of `business` not in `moved` (pairs of model and id) `days` into the
    past, each of its moments and days alike, and adds it to `moved`."""
    from django.db import models

    from klantvriend.isolation import business_owned_models

    for model in business_owned_models():
        dated = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateField)  # a DateTimeField is one too
        ]
        for row in model.objects.filter(business=business):
            if (model, row.pk) in moved or not dated:
                continue
            moved.add((model, row.pk))
            values = {name: getattr(row, name) for name in dated}
            model.objects.filter(pk=row.pk).update(
                **{
                    name: value - dt.timedelta(days=days)
                    for name, value in values.items()
                    if value is not None
                }
            )


def test_the_rows_of_the_90_days_before_read_the_database_a_fixed_number_of_times(
    owner_client, owner, business
):
    """The other side of each trend: the scorecard's rows of the 90 days before and the
    promises of the reliability page's 90 days before, with records of those days."""
    from klantvriend.insights.rows import TRENDS

    customer = Customer.objects.create(business=business, name="Anna de Vries")
    paths = [f"/insights/scorecard/rows/?figure={figure}&period=before" for figure in TRENDS]
    paths.append("/promises/?period=90d-before")
    moved: set = set()
    _add_records(business, customer, owner, 1)
    _move_back(business, moved, days=100)
    _queries(owner_client, paths)
    before = _queries(owner_client, paths)

    _add_records(business, customer, owner, 2)
    _move_back(business, moved, days=100)

    after = _queries(owner_client, paths)
    assert {path: after[path] for path in before if after[path] != before[path]} == {}
    assert len(before) == len(TRENDS) + 1 == 7
    # Not an empty comparison: the rows are there.
    rows = owner_client.get("/insights/scorecard/rows/?figure=promises&period=before")
    assert rows.context["table"].total == 6  # Anna's and a new customer's, three times


def _add_duplicates(business, first: int, count: int) -> None:
    """`count` more groups of possible duplicates of every kind, with a purchase each: two
    customers sharing an e-mail address, two a phone number, three a name (two of them marked
    as different people)."""
    from klantvriend.customers.services import customer_create, distinct_pair_create
    from klantvriend.customers.tests.factories import PurchaseFactory

    for number in range(first, first + count):
        for twin in range(2):
            PurchaseFactory(
                customer=customer_create(
                    business=business, name=f"E{number}-{twin}", email=f"klant{number}@example.nl"
                )
            )
            customer_create(business=business, name=f"P{number}-{twin}", phone=f"06-1{number:07}")
        namesakes = [customer_create(business=business, name=f"Klant {number}") for _ in range(3)]
        # Two of the three told apart: the group stays, offering the third.
        distinct_pair_create(
            business=business, customer_id=namesakes[0].pk, other_id=namesakes[1].pk
        )


def test_the_list_of_possible_duplicates_reads_the_same_for_more_groups(owner_client, business):
    # The page's own counts are read from the database's counts (MatchCount), its groups, their
    # purchases and the pairs marked apart in one query each, whatever the number of groups and
    # records shown; so is the list of those pairs.
    paths = [f"/customers/duplicates/?kind={kind}" for kind in ("email", "phone", "name")]
    paths.append("/customers/duplicates/apart/")
    _add_duplicates(business, 1, 2)
    _queries(owner_client, paths)
    before = _queries(owner_client, paths)

    _add_duplicates(business, 3, 4)

    after = _queries(owner_client, paths)
    assert after == before
    page = owner_client.get(paths[2]).content.decode()
    assert page.count('data-testid="duplicate-group"') == 6
