"""A shop that adds customers at the counter first and imports the till's customer file later:
a file row whose customer number nobody has finds the customer of its e-mail address who has no
number yet, and gives them the number, instead of making that customer twice."""

from datetime import date

import pytest

from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.service import data_import

from .test_import import snapshot, write

pytestmark = pytest.mark.django_db

HEADER = "Klantnr;Voornaam;Achternaam;Telefoon;E-mail;Klant sinds\n"
MARIEKE = "1004;Marieke;de Boer;0612312312;Marieke@Example.nl;14-03-2019\n"
EVA = "1001;Eva;Smit;06-11122233;eva@example.nl;03-02-2021\n"


def _customers(business):
    return list(
        Customer.objects.filter(business=business)
        .order_by("id")
        .values_list("name", "email", "external_ref", "phone", "customer_since")
    )


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_numbered_row_finds_the_customer_of_its_address_who_has_no_number(
    tmp_path, business, dry_run
):
    counter = CustomerFactory(
        business=business,
        name="Marieke de Boer",
        email="marieke@example.nl",
        phone="",
        external_ref="",
        customer_since=date(2026, 12, 2),
    )
    before = snapshot(business)
    path = write(tmp_path, "klanten.csv", HEADER + EVA + MARIEKE)

    result = data_import(business=business, kind="customers", path=path, dry_run=dry_run)

    assert (result.error_count, result.created, result.updated) == (0, 1, 1)
    if dry_run:
        assert snapshot(business) == before
        return
    assert _customers(business) == [
        ("Marieke de Boer", "Marieke@Example.nl", "1004", "0612312312", date(2019, 3, 14)),
        ("Eva Smit", "eva@example.nl", "1001", "06-11122233", date(2021, 2, 3)),
    ]
    assert Customer.objects.get(external_ref="1004").pk == counter.pk


def test_the_same_file_again_adds_nothing(tmp_path, business):
    CustomerFactory(business=business, name="Marieke de Boer", email="marieke@example.nl")
    path = write(tmp_path, "klanten.csv", HEADER + MARIEKE)
    data_import(business=business, kind="customers", path=path)
    after_first = snapshot(business)

    result = data_import(business=business, kind="customers", path=path)

    assert (result.created, result.updated, result.skipped) == (0, 0, 1)
    assert snapshot(business) == after_first


def test_a_customer_with_another_number_is_another_customer(tmp_path, business):
    CustomerFactory(
        business=business, name="Piet de Boer", email="marieke@example.nl", external_ref="1006"
    )
    path = write(tmp_path, "klanten.csv", HEADER + MARIEKE)

    result = data_import(business=business, kind="customers", path=path)

    assert (result.created, result.updated) == (1, 0)
    assert sorted(Customer.objects.values_list("external_ref", "name")) == [
        ("1004", "Marieke de Boer"),
        ("1006", "Piet de Boer"),
    ]


def test_an_address_of_two_numbers_in_the_file_matches_neither(tmp_path, business):
    """A couple's shared address does not say which of them was added at the counter."""
    counter = CustomerFactory(business=business, name="M. de Boer", email="marieke@example.nl")
    piet = "1006;Piet;de Boer;;marieke@example.nl;01-01-2020\n"
    path = write(tmp_path, "klanten.csv", HEADER + MARIEKE + piet)

    result = data_import(business=business, kind="customers", path=path)

    assert (result.error_count, result.created, result.updated) == (0, 2, 0)
    counter.refresh_from_db()
    assert (counter.name, counter.external_ref) == ("M. de Boer", "")
    assert sorted(Customer.objects.values_list("external_ref", flat=True)) == ["", "1004", "1006"]


def test_two_customers_without_a_number_at_the_address_match_neither(tmp_path, business):
    for name in ("Marieke de Boer", "Marieke de Boer"):
        CustomerFactory(business=business, name=name, email="marieke@example.nl")
    path = write(tmp_path, "klanten.csv", HEADER + MARIEKE)

    result = data_import(business=business, kind="customers", path=path)

    assert (result.error_count, result.created, result.updated) == (0, 1, 0)
    assert sorted(Customer.objects.values_list("external_ref", flat=True)) == ["", "", "1004"]
