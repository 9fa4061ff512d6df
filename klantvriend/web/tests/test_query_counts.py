"""Every page reads the database the same number of times whatever the amount of data: a page
that asks once per row shown (an N+1) grows slow as the shop grows, long before anyone notices.

Every URL pattern of the web interface that answers a GET and takes no parameter or a customer's
id is requested with two rows of every kind of record and again with six: the number of queries
must not change. Both amounts stay below every "first rows" limit of the pages (ten on Today), so
that each row added is a row shown. The pages of web_bench have their own tests with data on both
sides of those limits (test_views.py, test_care_views.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from klantvriend.customers.models import Customer
from klantvriend.isolation import _factories

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
    factories = _factories()
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


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code in (200, 405), (path, response.status_code)
    return len(queries) if response.status_code == 200 else -1


def test_every_page_is_measured():
    names = {name for _, name in ROUTES}
    assert {"today", "customer_list", "customer_detail", "ambassadors", "survey_results"} <= names


@pytest.mark.parametrize(("route", "name"), ROUTES, ids=[name for _, name in ROUTES])
def test_the_number_of_queries_does_not_grow_with_the_data(
    owner_client, owner, business, route, name
):
    customer = Customer.objects.create(business=business, name="Anna de Vries")
    path = "/" + PARAMETER.sub(str(customer.pk), route)
    _add_records(business, customer, owner, 1)
    if _queries(owner_client, path) == -1:
        pytest.skip("takes no GET")
    before = _queries(owner_client, path)

    _add_records(business, customer, owner, 2)

    assert _queries(owner_client, path) == before
