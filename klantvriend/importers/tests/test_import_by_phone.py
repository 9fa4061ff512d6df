"""A restaurant's or a butcher's till knows many guests only by the phone number they booked or
ordered with: a purchase line that gives neither a customer number nor an e-mail address finds
its customer by phone number, however it is written, and makes one from its name and number
when nobody has it. A phone number never overrules a number or an address on the line, and a
household's shared number is decided by the line's name."""

from datetime import date

import pytest
from django.utils import translation

from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers import common, purchase_import
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.results import RowError
from klantvriend.importers.service import data_import

from .test_import import snapshot, write

pytestmark = pytest.mark.django_db

HEADER = "Datum;Tijd;Naam;E-mail;Telefoon;Bedrag;Omschrijving\n"


def _purchases(business) -> list[tuple[str, int, str]]:
    return list(
        Purchase.objects.filter(business=business)
        .order_by("at", "pk")
        .values_list("customer__name", "amount_cents", "description")
    )


@pytest.fixture(params=[1, common.BATCH_SIZE], ids=["line_by_line", "one_batch"])
def batch_size(request, monkeypatch):
    """The same file read a line per batch and in one batch: which customer a line finds must
    not depend on where the batches break."""
    monkeypatch.setattr(
        purchase_import, "batched", lambda items: common.batched(items, request.param)
    )
    return request.param


def test_a_line_with_only_a_phone_number_finds_the_customer_with_it(tmp_path, business, batch_size):
    lisa = CustomerFactory(business=business, name="Lisa Visser", phone="06-12345678")
    text = HEADER + (
        "14-11-2025;13:00;Lisa Visser;;06 1234 5678;22,50;Soep en broodje\n"
        "15-11-2025;12:30;;;+31 6 1234 5678;9,00;Koffie en taart\n"
    )

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "k.csv", text))

    assert result.ok, result.errors
    assert (result.customers_created, result.created) == (0, 2)
    assert list(Purchase.objects.values_list("customer_id", flat=True)) == [lisa.pk, lisa.pk]


def test_an_unknown_phone_number_makes_one_customer_and_the_file_again_adds_nothing(
    tmp_path, business, batch_size
):
    text = HEADER + (
        "13-11-2025;19:30;Henk Bakker;henk@example.nl;;62,40;Diner 2 personen\n"
        "14-11-2025;13:00;Lisa Visser;;06 1234 5678;22,50;Soep en broodje\n"
        "14-11-2025;20:00;;;0031-6-12345678;48,00;Diner\n"
        "15-11-2025;12:00;;;+49 30 1234567;8,00;Lunch\n"
    )
    path = write(tmp_path, "k.csv", text)

    with translation.override("nl"):
        result = data_import(business=business, kind="purchases", path=path)

    assert result.ok, result.errors
    assert (result.customers_created, result.created) == (3, 4)
    assert list(
        Customer.objects.filter(business=business)
        .order_by("name")
        .values_list("name", "email", "phone", "customer_since")
    ) == [
        ("Henk Bakker", "henk@example.nl", "", date(2025, 11, 13)),
        ("Klant +49 30 1234567", "", "+49 30 1234567", date(2025, 11, 15)),
        ("Lisa Visser", "", "06 1234 5678", date(2025, 11, 14)),
    ]
    assert _purchases(business) == [
        ("Henk Bakker", 6240, "Diner 2 personen"),
        ("Lisa Visser", 2250, "Soep en broodje"),
        ("Lisa Visser", 4800, "Diner"),
        ("Klant +49 30 1234567", 800, "Lunch"),
    ]
    before = snapshot(business)

    again = data_import(business=business, kind="purchases", path=path)

    assert again.ok, again.errors
    assert (again.customers_created, again.created, again.skipped) == (0, 0, 4)
    assert snapshot(business) == before


def test_a_phone_only_line_after_a_line_that_made_the_customer_with_an_address_is_theirs(
    tmp_path, business, batch_size
):
    text = HEADER + (
        "14-11-2025;20:05;Kees de Vries;kees@example.nl;06-55512345;124,00;Diner 4 personen\n"
        "15-11-2025;19:00;Kees de Vries;;0655512345;31,00;Diner\n"
    )

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "k.csv", text))

    assert result.ok, result.errors
    assert (result.customers_created, result.created) == (1, 2)
    assert _purchases(business) == [
        ("Kees de Vries", 12400, "Diner 4 personen"),
        ("Kees de Vries", 3100, "Diner"),
    ]


def test_a_shared_phone_number_is_decided_by_the_name_and_refused_without_one(
    tmp_path, business, batch_size
):
    lisa = CustomerFactory(business=business, name="Lisa Visser", phone="0612345678")
    jan = CustomerFactory(business=business, name="Jan Visser", phone="+31 6 12345678")
    named = HEADER + (
        "14-11-2025;13:00;JAN VISSER;;06 1234 5678;22,50;Lunch\n"
        "14-11-2025;19:00;Lisa  Visser;;06 1234 5678;40,00;Diner\n"
    )

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "k.csv", named))

    assert result.ok, result.errors
    assert list(Purchase.objects.order_by("at").values_list("customer_id", flat=True)) == [
        jan.pk,
        lisa.pk,
    ]
    before = snapshot(business)
    unnamed = HEADER + (
        "15-11-2025;12:00;Lisa Visser;;0612345678;9,00;Koffie\n"
        "15-11-2025;13:00;Fam. Visser;;0612345678;30,00;Lunch\n"
    )

    with translation.override("en"):
        refused = data_import(
            business=business, kind="purchases", path=write(tmp_path, "b.csv", unnamed)
        )

    assert refused.errors == [
        RowError(
            3,
            "Telefoon",
            "0612345678",
            "Several customers have this phone number, and none of them has the name on this "
            "line; add a customer number or an email address to say which one is meant.",
            "ambiguous_match",
        )
    ]
    assert snapshot(business) == before


def test_a_phone_number_does_not_overrule_the_address_on_the_line(tmp_path, business):
    CustomerFactory(business=business, name="Lisa Visser", phone="0612345678")
    text = HEADER + "14-11-2025;13:00;Eva Visser;eva@example.nl;0612345678;22,50;Lunch\n"

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "k.csv", text))

    assert result.ok, result.errors
    assert result.customers_created == 1
    assert _purchases(business) == [("Eva Visser", 2250, "Lunch")]


def test_the_phone_only_line_of_an_erased_person_goes_to_the_anonymised_customer(
    tmp_path, business, owner
):
    text = HEADER + "14-11-2025;13:00;Lisa Visser;;06 1234 5678;22,50;Lunch voor Lisa Visser\n"
    data_import(business=business, kind="purchases", path=write(tmp_path, "k.csv", text))
    customer_erase(customer=Customer.objects.get(business=business), actor=owner)
    later = HEADER + "15-11-2025;12:00;Lisa Visser;;+31612345678;9,00;Koffie voor Lisa Visser\n"

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "b.csv", later))

    assert result.ok, result.errors
    assert (result.customers_created, result.created, result.anonymised) == (0, 1, 1)
    anonymised = Customer.objects.get(business=business)
    assert (anonymised.erased_at is not None, anonymised.phone) == (True, "")
    assert list(
        Purchase.objects.filter(customer=anonymised).order_by("at").values_list("description")
    ) == [("Lunch voor […]",), ("Koffie voor […]",)]


def test_a_line_without_number_address_or_phone_is_refused(tmp_path, business):
    text = HEADER + "14-11-2025;13:00;Lisa Visser;;;22,50;Lunch\n"

    with translation.override("en"):
        result = data_import(
            business=business, kind="purchases", path=write(tmp_path, "k.csv", text)
        )

    assert [(e.line, e.column, e.message, e.code) for e in result.errors] == [
        (
            2,
            "E-mail",
            "Give the customer number, the email address or the phone number of the customer.",
            "no_customer",
        )
    ]
    assert snapshot(business) == ([], [])


@pytest.mark.parametrize(("kind", "code"), [("purchases", "phone"), ("customers", "invalid")])
def test_a_phone_number_of_six_digits_is_refused_with_its_line_and_column(
    tmp_path, business, kind, code
):
    """A local number without its area code was taken, and nobody could call it."""
    text = (
        HEADER + "14-11-2025;13:00;Lisa Visser;;123456;22,50;Lunch\n"
        if kind == "purchases"
        else "Naam;Telefoon\nLisa Visser;123456\n"
    )

    with translation.override("en"):
        result = data_import(business=business, kind=kind, path=write(tmp_path, "k.csv", text))

    assert [(e.line, e.column, e.message, e.code) for e in result.errors] == [
        (
            2,
            "Telefoon",
            "Enter a phone number of at least 8 digits, optionally starting with +, such as 06 "
            "12345678.",
            code,
        )
    ]
    assert snapshot(business) == ([], [])


def test_a_customer_file_of_names_and_phones_read_twice_adds_no_one_the_second_time(
    tmp_path, business
):
    """A restaurant's guest list: names and phone numbers, no customer numbers, no email. Read
    a second time, each row is the customer of its phone number and name; a household member
    on the same phone under another name is a customer of their own."""
    text = "Naam;Telefoon;Woonplaats\nLisa Visser;06 1234 5678;Delft\nJan Smit;;Delft\n"
    first = data_import(business=business, kind="customers", path=write(tmp_path, "a.csv", text))
    again = text.replace("06 1234 5678;Delft", "+31 6 12345678;Rijswijk") + (
        "Eva Visser;0612345678;Delft\n"
    )

    second = data_import(business=business, kind="customers", path=write(tmp_path, "b.csv", again))

    assert (first.created, second.created, second.updated) == (2, 2, 1)
    assert list(
        Customer.objects.filter(business=business)
        .order_by("pk")
        .values_list("name", "phone", "city")
    ) == [
        ("Lisa Visser", "+31 6 12345678", "Rijswijk"),
        ("Jan Smit", "", "Delft"),
        # A name alone says nothing of who it is: added again (the duplicates list finds it).
        ("Jan Smit", "", "Delft"),
        ("Eva Visser", "0612345678", "Delft"),
    ]
