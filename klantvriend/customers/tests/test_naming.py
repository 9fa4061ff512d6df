"""How two records are named where one is merged into the other (naming.py): by name, and when
their names are one name, by what tells them apart."""

import datetime

import pytest
from django.utils import translation

from klantvriend.customers.models import Customer
from klantvriend.customers.naming import customer_names_told_apart

SINCE = datetime.date(2024, 3, 3)


def _customer(pk: int, name: str = "Jan de Vries", **details) -> Customer:
    return Customer(
        pk=pk, name=name, customer_since=details.pop("customer_since", SINCE), **details
    )


def _told_apart(first: Customer, second: Customer, language: str = "nl") -> tuple[str, str]:
    with translation.override(language):
        return customer_names_told_apart(first, second)


def test_different_names_are_named_as_they_are():
    first = _customer(1, "Jan Bakker", external_ref="K-1")
    second = _customer(2, "J. Bakker", external_ref="K-2")

    assert _told_apart(first, second) == ("Jan Bakker", "J. Bakker")


def test_one_name_in_other_capitals_and_accents_is_one_name():
    first = _customer(1, "José de Vries", city="Haarlem")
    second = _customer(2, "JOSE  DE VRIES", city="Delft")

    assert _told_apart(first, second) == ("José de Vries (Haarlem)", "JOSE  DE VRIES (Delft)")


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", ("Jan de Vries (klantnummer K-1)", "Jan de Vries (klantnummer K-2)")),
        ("en", ("Jan de Vries (customer number K-1)", "Jan de Vries (customer number K-2)")),
    ],
)
def test_namesakes_with_their_own_customer_numbers_are_named_by_them(language, told_apart):
    first = _customer(1, external_ref="K-1", customer_since=datetime.date(2020, 1, 1))
    second = _customer(2, external_ref="K-2")

    assert _told_apart(first, second, language) == told_apart


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", ("Jan de Vries (geen klantnummer)", "Jan de Vries (klantnummer 1001)")),
        ("en", ("Jan de Vries (no customer number)", "Jan de Vries (customer number 1001)")),
    ],
)
def test_a_namesake_from_the_till_is_told_from_one_without_a_number(language, told_apart):
    first = _customer(1, city="Haarlem")
    second = _customer(2, external_ref="1001", city="Delft")

    assert _told_apart(first, second, language) == told_apart


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", ("Jan de Vries (klant sinds 3 mrt 2024)", "Jan de Vries (klant sinds 28 dec 2025)")),
        (
            "en",
            (
                "Jan de Vries (customer since 3 Mar 2024)",
                "Jan de Vries (customer since 28 Dec 2025)",
            ),
        ),
    ],
)
def test_namesakes_with_one_number_are_named_by_since_when_they_are_customers(language, told_apart):
    # "k-1" is "K-1": the importers and the database take it for one number.
    first = _customer(1, external_ref="K-1", city="Haarlem")
    second = _customer(
        2, external_ref="k-1", city="Delft", customer_since=datetime.date(2025, 12, 28)
    )

    assert _told_apart(first, second, language) == told_apart


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", ("Jan de Vries (Haarlem)", "Jan de Vries (geen plaats)")),
        ("en", ("Jan de Vries (Haarlem)", "Jan de Vries (no city)")),
    ],
)
def test_namesakes_customers_since_one_day_are_named_by_their_town(language, told_apart):
    first = _customer(1, city="Haarlem", phone="0612345678")
    second = _customer(2, phone="0687654321")

    assert _told_apart(first, second, language) == told_apart


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", ("Jan de Vries (06-12345678)", "Jan de Vries (geen telefoonnummer)")),
        ("en", ("Jan de Vries (06-12345678)", "Jan de Vries (no phone number)")),
    ],
)
def test_namesakes_of_one_town_are_named_by_their_phone_numbers(language, told_apart):
    # "HAARLEM" is "Haarlem", as the search folds it.
    first = _customer(1, city="Haarlem", phone="06-12345678", email="jan@example.nl")
    second = _customer(2, city="HAARLEM", email="jan@werk.example")

    assert _told_apart(first, second, language) == told_apart


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", ("Jan de Vries (jan@example.nl)", "Jan de Vries (geen e-mailadres)")),
        ("en", ("Jan de Vries (jan@example.nl)", "Jan de Vries (no email address)")),
    ],
)
def test_namesakes_of_one_phone_number_are_named_by_their_email_addresses(language, told_apart):
    # "+31 6 1234 5678" is "06-12345678", as the list of possible duplicates compares them.
    first = _customer(1, phone="06-12345678", email="jan@example.nl")
    second = _customer(2, phone="+31 6 1234 5678")

    assert _told_apart(first, second, language) == told_apart


@pytest.mark.parametrize(
    ("language", "told_apart"),
    [
        ("nl", ("Jan de Vries (klantkaart nr. 41)", "Jan de Vries (klantkaart nr. 7)")),
        ("en", ("Jan de Vries (record no. 41)", "Jan de Vries (record no. 7)")),
    ],
)
def test_namesakes_alike_in_everything_are_named_by_their_ids(language, told_apart):
    # One address in other capitals is one address, as the importers match it.
    first = _customer(41, external_ref="K-1", city="Haarlem", email="JAN@example.nl")
    second = _customer(7, external_ref="K-1", city="Haarlem", email="jan@example.nl")

    assert _told_apart(first, second, language) == told_apart
