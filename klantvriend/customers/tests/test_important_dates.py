"""A customer's important date once: the same "what" on the same date is refused on the date,
by the service, the database (important_date_unique) and a save that races another; the doubles
of before are merged by migration 0029."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from klantvriend.core.errors import ValidationError
from klantvriend.customers import services
from klantvriend.customers.important_dates import important_date_doubles
from klantvriend.customers.models import ImportantDate

from .factories import CustomerFactory


def _stored():
    return sorted(
        ImportantDate.objects.values_list("customer__name", "label", "date", "yearly", "pk")
    )


def test_the_same_date_twice_is_refused_on_the_date_and_nothing_is_stored(business):
    anna = CustomerFactory(business=business, name="Anna")
    services.important_date_add(customer=anna, label="Trouwdag", date=date(2011, 6, 18))
    before = _stored()

    with pytest.raises(ValidationError) as refused:
        services.important_date_add(
            customer=anna, label=" Trouwdag ", date=date(2011, 6, 18), yearly=False
        )

    error = refused.value.error_dict["date"][0]
    assert (error.code, error.messages) == (
        "unique",
        ["Deze klant heeft “Trouwdag” al op deze datum."],
    )
    assert list(refused.value.error_dict) == ["date"]
    assert _stored() == before


def test_a_date_before_1900_is_refused_as_a_typo_of_the_year(business):
    # A yearly "APK" on 0001-12-10 came up on Today as "2026 years".
    anna = CustomerFactory(business=business, name="Anna")

    with pytest.raises(ValidationError) as refused:
        services.important_date_add(customer=anna, label="APK", date=date(1, 12, 10))

    assert [(error.code, error.message) for error in refused.value.error_dict["date"]] == [
        ("too_early", "Kijk het jaar na: deze dag ligt voor 1900.")
    ]
    assert _stored() == []


@pytest.mark.parametrize("label", ["Verjaardag", " verjaardag. ", "Birthday", "Geboortedatum"])
def test_the_customer_s_own_birthday_is_sent_to_their_birthday_field(business, label):
    # Kept as an important date as well, it was on Today and the profile twice.
    anna = CustomerFactory(business=business, name="Anna")

    with pytest.raises(ValidationError) as refused:
        services.important_date_add(customer=anna, label=label, date=date(1980, 3, 12))

    assert [(error.code, error.message) for error in refused.value.error_dict["label"]] == [
        (
            "own_birthday",
            "De verjaardag van de klant zelf hoort in het veld verjaardag (Bewerken): dan "
            "feliciteert Vandaag één keer, niet twee keer. Is het de verjaardag van iemand "
            "anders, zeg dan van wie, zoals “verjaardag partner”.",
        )
    ]
    assert _stored() == []


def test_someone_else_s_birthday_is_an_important_date(business):
    anna = CustomerFactory(business=business, name="Anna")

    services.important_date_add(customer=anna, label="Verjaardag partner", date=date(1979, 8, 2))

    assert [row[1] for row in _stored()] == ["Verjaardag partner"]


def test_another_what_another_date_or_another_customer_is_no_double(business):
    anna = CustomerFactory(business=business, name="Anna")
    bert = CustomerFactory(business=business, name="Bert")
    services.important_date_add(customer=anna, label="Trouwdag", date=date(2011, 6, 18))

    services.important_date_add(customer=anna, label="Opening zaak", date=date(2011, 6, 18))
    services.important_date_add(customer=anna, label="Trouwdag", date=date(2012, 6, 18))
    services.important_date_add(customer=anna, label="trouwdag", date=date(2011, 6, 18))
    services.important_date_add(customer=bert, label="Trouwdag", date=date(2011, 6, 18))

    assert [row[:3] for row in _stored()] == [
        ("Anna", "Opening zaak", date(2011, 6, 18)),
        ("Anna", "Trouwdag", date(2011, 6, 18)),
        ("Anna", "Trouwdag", date(2012, 6, 18)),
        ("Anna", "trouwdag", date(2011, 6, 18)),
        ("Bert", "Trouwdag", date(2011, 6, 18)),
    ]


def test_the_database_refuses_the_same_date_twice(business):
    anna = CustomerFactory(business=business, name="Anna")
    services.important_date_add(customer=anna, label="Trouwdag", date=date(2011, 6, 18))

    with pytest.raises(IntegrityError), transaction.atomic():
        ImportantDate.objects.create(
            business=business, customer=anna, label="Trouwdag", date=date(2011, 6, 18)
        )


def test_a_save_that_races_another_is_refused_as_a_double_not_a_server_error(business, monkeypatch):
    anna = CustomerFactory(business=business, name="Anna")
    real = ImportantDate.full_clean

    def full_clean_then_the_other_request_saves(self, *args, **kwargs):
        real(self, *args, **kwargs)
        ImportantDate.objects.create(
            business=business, customer=anna, label="Trouwdag", date=date(2011, 6, 18)
        )

    monkeypatch.setattr(ImportantDate, "full_clean", full_clean_then_the_other_request_saves)

    with pytest.raises(ValidationError) as refused:
        services.important_date_add(customer=anna, label="Trouwdag", date=date(2011, 6, 18))

    # As the check before the save says it: on the date, naming the date that won the race.
    (error,) = refused.value.error_dict.pop("date")
    assert refused.value.error_dict == {}
    assert (error.code, error.messages) == (
        "unique",
        ["Deze klant heeft “Trouwdag” al op deze datum."],
    )
    winner = ImportantDate.objects.get()
    assert error.params["existing_id"] == winner.pk
    assert (winner.customer, winner.label, winner.date) == (anna, "Trouwdag", date(2011, 6, 18))


def test_of_doubles_the_first_stays_remembered_every_year_if_any_was():
    rows = [
        (1, "a", False),
        (2, "b", True),
        (3, "a", True),
        (4, "a", False),
        (5, "b", False),
        (6, "c", False),
    ]

    doubles = important_date_doubles(rows)

    assert (doubles.dropped, doubles.made_yearly) == ([3, 4, 5], [1])
    assert important_date_doubles([(1, "a", True), (2, "b", False)]).dropped == []


BEFORE = [("customers", "0028_duplicates_fewest_first")]


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_merges_the_doubles_of_before_then_the_database_refuses_them(
    business, other_business, capsys
):
    anna = CustomerFactory(business=business, name="Anna")
    bert = CustomerFactory(business=business, name="Bert")
    elders = CustomerFactory(business=other_business, name="Elders")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("customers", "ImportantDate")
        rows = [
            (anna, "Trouwdag", date(2011, 6, 18), False),
            (anna, "Trouwdag", date(2011, 6, 18), True),
            (anna, "Trouwdag", date(2011, 6, 18), False),
            (anna, "Opening zaak", date(2011, 6, 18), False),
            (bert, "Verjaardag", date(1980, 5, 17), True),
            (bert, "Verjaardag", date(1980, 5, 17), True),
            (elders, "Trouwdag", date(2011, 6, 18), False),
        ]
        ids = [
            old.objects.create(
                business_id=customer.business_id,
                customer_id=customer.pk,
                label=label,
                date=day,
                yearly=yearly,
            ).pk
            for customer, label, day, yearly in rows
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(ImportantDate.objects.values_list("pk", "label", "yearly")) == [
        (ids[0], "Trouwdag", True),  # the first, every year as its second was
        (ids[3], "Opening zaak", False),
        (ids[4], "Verjaardag", True),
        (ids[6], "Trouwdag", False),  # another business's customer
    ]
    assert capsys.readouterr().out.splitlines() == [
        f"Customer {anna.pk}: 2 important date(s) recorded twice were removed; "
        "the first of each is kept.",
        f"Customer {bert.pk}: 1 important date(s) recorded twice were removed; "
        "the first of each is kept.",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportantDate.objects.create(
            business=business, customer=anna, label="Trouwdag", date=date(2011, 6, 18)
        )
