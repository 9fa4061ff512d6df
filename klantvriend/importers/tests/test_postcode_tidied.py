"""A Dutch postcode is stored as PostNL writes it ("3512 AB") however it was typed, on the
customer form, through the API and from a customer file; other postcodes stay as typed."""

import json

import pytest
from django.urls import reverse

from klantvriend.customers.models import Customer
from klantvriend.customers.services import customer_create
from klantvriend.customers.text import postcode_tidied
from klantvriend.importers.service import data_import


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("3512ab", "3512 AB"),
        (" 3512  Ab ", "3512 AB"),
        ("3512 AB", "3512 AB"),
        ("9000", "9000"),  # Belgian
        ("10115", "10115"),  # German
        ("SW1A 1AA", "SW1A 1AA"),
        ("0123 AB", "0123 AB"),  # no Dutch postcode starts with 0
        ("1234 A", "1234 A"),
        ("1234 ABC", "1234 ABC"),
        ("", ""),
    ],
)
def test_a_dutch_postcode_is_tidied_and_any_other_left_as_typed(typed, stored):
    assert postcode_tidied(typed) == stored


def test_the_form_the_api_and_an_import_store_a_dutch_postcode_in_one_form(
    owner_client, api, business, tmp_path
):
    anna = customer_create(business=business, name="Anna", postal_code="7201hv")
    owner_client.post(
        reverse("web:customer_create"),
        {"name": "Bram", "postal_code": "3512ab", "acquisition_channel": "walk_in"},
    )
    api.post(
        "/api/v1/customers",
        data=json.dumps({"name": "Cees", "postal_code": "1012 ab"}),
        content_type="application/json",
    )
    api.patch(
        f"/api/v1/customers/{anna.pk}",
        data=json.dumps({"postal_code": "7411ab"}),
        content_type="application/json",
    )
    path = tmp_path / "klanten.csv"
    path.write_text("klantnummer;naam;postcode\n1;Dirk;2511cv\n2;Els;9000\n", encoding="utf-8")
    imported = data_import(business=business, kind="customers", path=path)

    assert imported.ok, imported.errors
    assert dict(Customer.objects.filter(business=business).values_list("name", "postal_code")) == {
        "Anna": "7411 AB",
        "Bram": "3512 AB",
        "Cees": "1012 AB",
        "Dirk": "2511 CV",
        "Els": "9000",
    }
