"""A sale typed in on the card and then imported from the till's file is one purchase: the file's
line takes the one recorded by hand (same customer, day, amount and currency), which gets the
line's receipt number, instead of the sale counting twice."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from klantvriend.customers import services
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers import hand_recorded
from klantvriend.importers.service import data_import

from .test_import import write

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _purchases(business) -> list[tuple]:
    return [
        (name, at.astimezone(AMSTERDAM).strftime("%d-%m %H:%M"), cents, ref, description)
        for name, at, cents, ref, description in Purchase.objects.filter(business=business)
        .order_by("customer__name", "at", "pk")
        .values_list("customer__name", "at", "amount_cents", "external_ref", "description")
    ]


@pytest.fixture
def kees(business):
    return CustomerFactory(business=business, name="Kees Visser", external_ref="K7")


def test_a_sale_recorded_by_hand_and_in_the_till_file_counts_once(tmp_path, business, kees):
    # Given a bike service typed in on Kees's card at the counter on Tuesday, without a
    # description, and an earlier purchase of his the till has too
    services.purchase_create(
        customer=kees, amount_cents=8950, at=datetime(2026, 11, 3, 16, 40, tzinfo=AMSTERDAM)
    )
    # When the week's till file is imported, with that sale, a second sale of the same amount
    # that day, and one of another day
    path = write(
        tmp_path,
        "kassa.csv",
        "Bonnummer;Klantnummer;Datum;Tijd;Bedrag;Omschrijving\n"
        "B-101;K7;2026-11-03;10:15;89,50;Onderhoudsbeurt\n"
        "B-102;K7;2026-11-03;15:00;89,50;Onderhoudsbeurt e-bike\n"
        "B-103;K7;2026-11-04;09:00;89,50;Onderhoudsbeurt\n",
    )

    with translation.override("nl"):
        result = data_import(business=business, kind="purchases", path=path)

    # Then the first line of that day is the sale typed in: it takes the receipt number and
    # the description; the second is a sale of its own, as is the next day's
    assert (result.ok, result.created, result.updated, result.skipped) == (True, 2, 1, 0)
    assert _purchases(business) == [
        ("Kees Visser", "03-11 15:00", 8950, "B-102", "Onderhoudsbeurt e-bike"),
        ("Kees Visser", "03-11 16:40", 8950, "B-101", "Onderhoudsbeurt"),
        ("Kees Visser", "04-11 09:00", 8950, "B-103", "Onderhoudsbeurt"),
    ]
    assert [(note.line, note.column, note.value, note.message) for note in result.notes] == [
        (
            2,
            "Bonnummer",
            "B-101",
            "De aankoop van €\u00a089,50 op 3 november 2026 van deze klant was al met de hand "
            "vastgelegd: dat is de verkoop van deze regel, en die kreeg het bonnummer, zodat ze "
            "niet dubbel telt.",
        )
    ]

    # And imported again, the file adds nothing
    again = data_import(business=business, kind="purchases", path=path)
    assert (again.created, again.updated, again.skipped) == (0, 0, 3)
    assert len(_purchases(business)) == 3


def test_a_purchase_of_another_customer_amount_or_one_with_a_receipt_is_not_taken(
    tmp_path, business, kees
):
    other = CustomerFactory(business=business, name="Anna Bos", external_ref="K8")
    at = datetime(2026, 11, 3, 16, 40, tzinfo=AMSTERDAM)
    services.purchase_create(customer=other, amount_cents=8950, at=at)
    services.purchase_create(customer=kees, amount_cents=8900, at=at)
    services.purchase_create(customer=kees, amount_cents=8950, at=at, external_ref="API-1")
    before = len(_purchases(business))
    path = write(
        tmp_path,
        "kassa.csv",
        "Bonnummer;Klantnummer;Datum;Bedrag\nB-101;K7;2026-11-03;89,50\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert (result.created, result.updated, result.notes) == (1, 0, [])
    assert len(_purchases(business)) == before + 1


def test_a_dry_run_says_what_would_be_taken_and_stores_nothing(tmp_path, business, kees):
    services.purchase_create(
        customer=kees, amount_cents=8950, at=datetime(2026, 11, 3, 16, 40, tzinfo=AMSTERDAM)
    )
    before = _purchases(business)
    path = write(
        tmp_path, "kassa.csv", "Bonnummer;Klantnummer;Datum;Bedrag\nB-101;K7;2026-11-03;89,50\n"
    )

    with translation.override("en"):
        result = data_import(business=business, kind="purchases", path=path, dry_run=True)

    assert (result.created, result.updated) == (0, 1)
    assert [note.message for note in result.notes] == [
        "This customer's purchase of €89.50 on 3 November 2026 was recorded by hand already: "
        "it would be this line's sale and take its receipt number, not be counted twice."
    ]
    assert _purchases(business) == before


def test_past_the_named_lines_one_note_counts_the_rest(tmp_path, business, kees, monkeypatch):
    monkeypatch.setattr(hand_recorded, "NAMED_LINES", 1)
    for day in (3, 4, 5):
        services.purchase_create(
            customer=kees, amount_cents=500, at=datetime(2026, 11, day, 12, 0, tzinfo=AMSTERDAM)
        )
    path = write(
        tmp_path,
        "kassa.csv",
        "Bonnummer;Klantnummer;Datum;Bedrag\n"
        "B-1;K7;2026-11-03;5,00\nB-2;K7;2026-11-04;5,00\nB-3;K7;2026-11-05;5,00\n",
    )

    with translation.override("en"):
        result = data_import(business=business, kind="purchases", path=path)

    assert (result.created, result.updated) == (0, 3)
    assert [(note.line, note.code) for note in result.notes] == [
        (2, "recorded_by_hand"),
        (3, "recorded_by_hand_more"),
    ]
    assert result.notes[1].message == (
        "And 2 more lines, here and later, whose sales were recorded by hand already: each "
        "takes its line's receipt number, not counted twice."
    )
