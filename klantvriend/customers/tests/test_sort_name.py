"""Customers are listed in the order people read names in, on both databases: a name typed in
lower case at the counter ("jan de Vries") or beginning with an accented letter ("Ümit") sorts
among the others, where comparing bytes put them after "Zeeman"."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from klantvriend.customers import selectors, services
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "Zeeman",
    "jan de Vries",
    "Ümit Yılmaz",
    "Anna Bakker",
    "de Boer",
    "Émile Petit",
    "Jan Smit",
]
IN_ORDER = [
    "Anna Bakker",
    "de Boer",
    "Émile Petit",
    "jan de Vries",
    "Jan Smit",
    "Ümit Yılmaz",
    "Zeeman",
]


@pytest.fixture
def customers(business):
    return [services.customer_create(business=business, name=name) for name in NAMES]


def test_the_list_sorts_names_whatever_their_capitals_and_accents(business, customers):
    assert [c.name for c in selectors.customer_list(business=business)] == IN_ORDER


def test_a_search_lists_its_matches_in_the_same_order(business, customers):
    # "an" is too short for the trigram index, "bakker jan" long enough: both roads.
    CustomerFactory(business=business, name="Daan Bakker")

    assert [c.name for c in selectors.customer_list(business=business, query="an")] == [
        "Anna Bakker",
        "Daan Bakker",
        "jan de Vries",
        "Jan Smit",
        "Zeeman",
    ]
    assert [c.name for c in selectors.customer_list(business=business, query="bakker")] == [
        "Anna Bakker",
        "Daan Bakker",
    ]


def test_the_web_list_and_the_api_give_the_same_order(owner_client, api, customers):
    page = owner_client.get(reverse("web:customer_list"))
    listed = api.get("/api/v1/customers").json()

    assert [c.name for c in page.context["page"].object_list] == IN_ORDER
    assert [c["name"] for c in listed["items"]] == IN_ORDER


def test_a_changed_name_moves_to_its_place(business, customers, owner):
    zeeman = customers[0]

    services.customer_update(customer=zeeman, actor=owner, name="ada Zeeman")

    assert [c.name for c in selectors.customer_list(business=business)][:2] == [
        "ada Zeeman",
        "Anna Bakker",
    ]


def test_the_migration_gives_every_customer_there_is_their_sort_name(
    business, customers, monkeypatch
):
    migration = importlib.import_module("klantvriend.customers.migrations.0049_customer_sort_name")
    monkeypatch.setattr(migration, "BATCH", 3)  # three statements for the seven
    Customer.objects.update(sort_name="")

    migration.fill_sort_names(django_apps, connection.schema_editor())

    assert dict(Customer.objects.values_list("name", "sort_name")) == {
        "Zeeman": "zeeman",
        "jan de Vries": "jan de vries",
        "Ümit Yılmaz": "umit yilmaz",
        "Anna Bakker": "anna bakker",
        "de Boer": "de boer",
        "Émile Petit": "emile petit",
        "Jan Smit": "jan smit",
    }
