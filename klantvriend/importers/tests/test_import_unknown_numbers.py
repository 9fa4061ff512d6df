"""A purchase line with a customer number nobody has (a till typo) still makes a customer, as
documented, and the result names the line and the number, so the owner can correct or merge."""

import pytest
from django.utils import translation

from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.results import RowError
from klantvriend.importers.service import data_import

from .test_import import write

pytestmark = pytest.mark.django_db

HEADER = "Klantnummer;Datum;Bedrag;Omschrijving\n"


def _line(number: str, day: int = 25) -> str:
    return f"{number};{day}-03-2026;12,50;band\n"


@pytest.mark.parametrize(
    ("dry_run", "made"),
    [
        (False, "a new customer “Customer T999” was made. Was it a typo?"),
        (True, "a new customer “Customer T999” would be made. Is it a typo?"),
    ],
)
def test_a_number_nobody_has_makes_a_customer_and_the_line_says_so(
    tmp_path, business, dry_run, made
):
    CustomerFactory(business=business, external_ref="T001")
    path = write(tmp_path, "p.csv", HEADER + _line("T001") + _line("T999") + _line("T999", 26))

    with translation.override("en"):
        result = data_import(business=business, kind="purchases", path=path, dry_run=dry_run)

    assert result.ok, result.errors
    assert (result.created, result.customers_created) == (3, 1)
    assert (result.note_count, result.notes) == (
        1,
        [
            RowError(
                3,
                "Klantnummer",
                "T999",
                f"No customer has number T999; {made} Correct it on the customer's card or "
                "merge it.",
                "new_customer_number",
            )
        ],
    )
    made_customers = Customer.objects.filter(business=business, external_ref="T999")
    assert list(made_customers.values_list("name", flat=True)) == (
        [] if dry_run else ["Customer T999"]
    )


def test_the_note_is_in_dutch_for_a_dutch_owner(tmp_path, business):
    path = write(tmp_path, "p.csv", HEADER + _line("T999"))

    result = data_import(business=business, kind="purchases", path=path)

    assert [note.message for note in result.notes] == [
        "Geen klant heeft nummer T999; er is een nieuwe klant “Klant T999” gemaakt. Was het "
        "een tikfout? Verbeter het op de kaart van de klant, of voeg de klant samen."
    ]


def test_past_ten_numbers_the_rest_are_counted_in_one_note(tmp_path, business):
    numbers = [f"N{number:02}" for number in range(1, 14)]
    path = write(tmp_path, "p.csv", HEADER + "".join(_line(number) for number in numbers))

    with translation.override("en"):
        result = data_import(business=business, kind="purchases", path=path)

    assert result.customers_created == 13
    assert [(note.line, note.value, note.code) for note in result.notes] == [
        *((line, f"N{line - 1:02}", "new_customer_number") for line in range(2, 12)),
        (12, "N11", "new_customer_numbers"),
    ]
    assert result.notes[-1].message == (
        "And 3 more customer numbers no customer had, here and on later lines: a new customer "
        "was made for each too."
    )
    assert Purchase.objects.filter(business=business).count() == 13


def test_a_known_number_and_a_customer_found_by_email_have_no_note(tmp_path, business):
    CustomerFactory(business=business, external_ref="T001")
    CustomerFactory(business=business, email="cor@example.nl")
    path = write(
        tmp_path,
        "p.csv",
        "Klantnummer;E-mail;Datum;Bedrag\nT001;;25-03-2026;5\nT005;cor@example.nl;25-03-2026;5\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert (result.ok, result.customers_created, result.note_count) == (True, 0, 0)


# The longest e-mail address validate_email takes is 320 characters, a customer's 254.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".nl"


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("E-mail", LONG_EMAIL, "Use at most 254 characters."),
        ("Telefoon", "+" + "1" * 25, "Use at most 25 characters."),
    ],
)
def test_a_customers_detail_longer_than_a_customer_holds_refuses_the_line(
    tmp_path, business, header, value, message
):
    path = write(
        tmp_path, "p.csv", f"Klantnummer;{header};Datum;Bedrag\nK1;{value};25-03-2026;12,50\n"
    )

    with translation.override("en"):
        result = data_import(business=business, kind="purchases", path=path)

    assert result.errors == [RowError(2, header, value, message, "max_length")]
    assert not Customer.objects.filter(business=business).exists()
    assert not Purchase.objects.filter(customer__business=business).exists()


def test_a_customer_made_of_a_long_email_address_alone_has_it_as_a_name_that_fits(
    tmp_path, business
):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".nl"  # 249 characters
    path = write(tmp_path, "p.csv", f"E-mail;Datum;Bedrag\n{email};25-03-2026;12,50\n")

    result = data_import(business=business, kind="purchases", path=path)

    assert result.ok, result.errors
    customer = Customer.objects.get(business=business)
    assert (customer.email, customer.name) == (email, email[:199] + "…")
