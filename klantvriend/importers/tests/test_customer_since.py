"""No one bought here before they were a customer: "customer since" moves back to the first
purchase (customers.services.customers_since_moved_back), from the purchase import, from a
purchase recorded or corrected late, and a customer file read again does not move it forward.

A shop that imports its customer file (without a "customer since" column, so everyone a
customer since the import) and then its till's history was left with every customer "new":
the scorecard's referral figure read 0 of 22 new customers and asked for referrals."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers import history
from klantvriend.importers.models import ImportRecord
from klantvriend.importers.results import RowError
from klantvriend.importers.service import data_import

from .test_import import snapshot, write

CUSTOMERS = """Klantnummer;Naam;E-mail
1001;Anna de Vries;anna@example.nl
1002;Bert Jansen;bert@example.nl
1003;Carla Smit;
"""

# Not in date order; Carla never bought.
PURCHASES = """Bonnummer;Datum;Klantnummer;Bedrag
B-2;15-03-2026;1001;12,50
B-1;02-01-2026;1001;8,00
B-3;20-02-2026;1002;30,00
"""


def _since(business) -> dict[str, date]:
    return dict(
        Customer.objects.filter(business=business).values_list("external_ref", "customer_since")
    )


def test_the_till_history_after_the_customer_file_makes_each_a_customer_since_their_first_purchase(
    tmp_path, business
):
    data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", CUSTOMERS))
    today = business.today()
    assert _since(business) == {"1001": today, "1002": today, "1003": today}

    result = data_import(
        business=business, kind="purchases", path=write(tmp_path, "a.csv", PURCHASES)
    )

    assert (result.created, result.customers_created) == (3, 0)
    assert _since(business) == {
        "1001": date(2026, 1, 2),
        "1002": date(2026, 2, 20),
        "1003": today,  # no purchase: the day of the import stands
    }


def test_a_customer_since_before_the_first_purchase_stays(tmp_path, business):
    CustomerFactory(business=business, external_ref="1001", customer_since=date(2019, 6, 1))
    CustomerFactory(business=business, external_ref="1002", customer_since=date(2026, 2, 20))

    data_import(business=business, kind="purchases", path=write(tmp_path, "a.csv", PURCHASES))

    assert _since(business) == {"1001": date(2019, 6, 1), "1002": date(2026, 2, 20)}


def test_the_customer_file_read_again_after_the_till_history_moves_no_one_forward(
    tmp_path, business
):
    customers = write(tmp_path, "k.csv", CUSTOMERS)
    data_import(business=business, kind="customers", path=customers)
    data_import(business=business, kind="purchases", path=write(tmp_path, "a.csv", PURCHASES))
    # The same file with the day of the first import as "customer since" for everyone.
    day = business.today().isoformat()
    dated = write(
        tmp_path,
        "k2.csv",
        "Klantnummer;Naam;E-mail;Klant sinds\n"
        f"1001;Anna de Vries;anna@example.nl;{day}\n"
        f"1002;Bert Jansen;bert@example.nl;{day}\n"
        f"1003;Carla Smit;;{day}\n",
    )
    before = snapshot(business)
    since = _since(business)

    result = data_import(business=business, kind="customers", path=customers)
    assert (result.created, result.updated, result.skipped) == (0, 0, 3)
    assert snapshot(business) == before
    # The dated file gives Carla, who never bought, the day she had: now a known one.
    result = data_import(business=business, kind="customers", path=dated)
    assert (result.created, result.updated, result.skipped) == (0, 1, 2)

    assert _since(business) == since
    assert dict(
        Customer.objects.filter(business=business).values_list(
            "external_ref", "customer_since_known"
        )
    ) == {"1001": True, "1002": True, "1003": True}


def test_a_customer_file_may_still_move_customer_since_back(tmp_path, business):
    data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", CUSTOMERS))
    data_import(business=business, kind="purchases", path=write(tmp_path, "a.csv", PURCHASES))

    result = data_import(
        business=business,
        kind="customers",
        path=write(
            tmp_path,
            "k2.csv",
            "Klantnummer;Naam;E-mail;Klant sinds\n"
            "1001;Anna de Vries;anna@example.nl;2020-01-01\n"
            "1002;Bert Jansen;bert@example.nl;2026-03-01\n",
        ),
    )

    # Anna's earlier day is taken; Bert's 15 March lies after his first purchase on 20 February,
    # which he keeps (the file's date changes nothing: skipped).
    assert (result.updated, result.skipped) == (1, 1)
    assert _since(business) == {
        "1001": date(2020, 1, 1),
        "1002": date(2026, 2, 20),
        "1003": business.today(),
    }


def test_a_purchase_recorded_or_corrected_late_moves_customer_since_back(business, owner):
    customer = CustomerFactory(business=business, customer_since=date(2026, 3, 1))
    noon = datetime(2026, 2, 10, 12, tzinfo=business.tzinfo)

    later = services.purchase_create(customer=customer, amount_cents=500, at=noon + timedelta(40))
    customer.refresh_from_db()
    assert customer.customer_since == date(2026, 3, 1)

    unchanged_since = Customer.objects.get(pk=customer.pk).updated_at

    services.purchase_create(customer=customer, amount_cents=500, at=noon)
    assert customer.customer_since == date(2026, 2, 10)  # the instance in memory too
    customer.refresh_from_db()
    assert customer.customer_since == date(2026, 2, 10)
    # A change the API's sync hands on (changed_since).
    assert customer.updated_at > unchanged_since

    services.purchase_update(purchase=later, actor=owner, at=noon - timedelta(days=9))
    customer.refresh_from_db()
    assert customer.customer_since == date(2026, 2, 1)


def test_a_purchase_just_after_midnight_counts_on_the_businesss_own_day(business):
    # 00:30 in Amsterdam on 10 February is 23:30 UTC on the 9th: the shop's day is the 10th.
    assert business.time_zone == "Europe/Amsterdam"
    customer = CustomerFactory(business=business, customer_since=date(2026, 3, 1))

    services.purchase_create(
        customer=customer, amount_cents=500, at=datetime(2026, 2, 10, 0, 30, tzinfo=business.tzinfo)
    )

    customer.refresh_from_db()
    assert customer.customer_since == date(2026, 2, 10)


def test_many_customers_are_moved_in_slices_and_only_those_to_move(business, monkeypatch):
    monkeypatch.setattr(services, "SINCE_SLICE", 2)
    days = [
        date(2026, 1, 5),
        date(2026, 1, 5),
        date(2026, 1, 5),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    customers = [CustomerFactory(business=business, customer_since=date(2026, 2, 1)) for _ in days]

    services.customers_since_moved_back(
        business=business, first_days={c.pk: day for c, day in zip(customers, days, strict=True)}
    )

    assert [Customer.objects.get(pk=customer.pk).customer_since for customer in customers] == [
        date(2026, 1, 5),
        date(2026, 1, 5),
        date(2026, 1, 5),
        date(2026, 2, 1),
        date(2026, 2, 1),
    ]


def _later_since_file(tmp_path):
    """Anna's earlier day is taken; Bert's 15 March lies after his first purchase on 20
    February, and Carla's after her first on 5 May 2025, each of whom keeps that day; Dirk,
    new, has no purchase."""
    return write(
        tmp_path,
        "k2.csv",
        "Klantnummer;Naam;Klant sinds\n"
        "1001;Anna de Vries;01-01-2020\n"
        "1002;Bert Jansen;15-03-2026\n"
        "1003;Carla Smit;14-06-2025\n"
        "1004;Dirk Bos;15-03-2026\n",
    )


def _with_purchases(tmp_path, business):
    data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", CUSTOMERS))
    data_import(
        business=business,
        kind="purchases",
        path=write(tmp_path, "a.csv", PURCHASES + "B-4;05-05-2025;1003;4,00\n"),
    )


SINCE_NOTES = [
    RowError(
        3,
        "Klant sinds",
        "15-03-2026",
        "“Klant sinds” is 20 februari 2026, de dag van de eerste aankoop van deze klant, in "
        "plaats van de latere 15 maart 2026 uit het bestand: niemand kocht hier voordat die "
        "klant was.",
        "since_first_purchase",
    ),
    RowError(
        4,
        "Klant sinds",
        "14-06-2025",
        "“Klant sinds” is 5 mei 2025, de dag van de eerste aankoop van deze klant, in plaats "
        "van de latere 14 juni 2025 uit het bestand: niemand kocht hier voordat die klant was.",
        "since_first_purchase",
    ),
]


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_customer_file_says_which_lines_kept_the_day_of_the_first_purchase(
    tmp_path, business, dry_run
):
    """Not an error: the file is imported, and says where it was not followed, line by line."""
    _with_purchases(tmp_path, business)
    before = _since(business)

    result = data_import(
        business=business, kind="customers", path=_later_since_file(tmp_path), dry_run=dry_run
    )

    assert result.ok
    assert (result.created, result.updated, result.skipped) == (1, 1, 2)
    assert (result.note_count, result.notes) == (2, SINCE_NOTES)
    assert result.notes_summary == "2 opmerkingen bij regels van het bestand"
    expected = {
        "1001": date(2020, 1, 1),
        "1002": date(2026, 2, 20),
        "1003": date(2025, 5, 5),
        "1004": date(2026, 3, 15),
    }
    assert _since(business) == (before if dry_run else expected)


def test_a_refused_customer_file_keeps_no_notes(tmp_path, business):
    _with_purchases(tmp_path, business)
    path = write(
        tmp_path,
        "k3.csv",
        "Klantnummer;Naam;Klant sinds\n1002;Bert Jansen;15-03-2026\n1005;;15-03-2026\n",
    )

    result = data_import(business=business, kind="customers", path=path)

    assert (result.error_count, result.note_count, result.notes) == (1, 0, [])


def test_the_notes_are_in_the_import_history_and_the_commands_output(tmp_path, business):
    _with_purchases(tmp_path, business)
    out = StringIO()

    with translation.override("en"):
        call_command("import_data", "customers", str(_later_since_file(tmp_path)), stdout=out)

    record = ImportRecord.objects.filter(kind="customers").latest("started_at")
    assert (record.state, record.error_count, record.note_count) == ("imported", 0, 2)
    assert history.import_error_page_count(record=record) == 1
    assert [note.line for note in history.import_error_page(record=record, number=1)] == [3, 4]
    assert out.getvalue().splitlines()[-4:] == [
        "1 created, 1 updated, 2 already present",
        "2 notes on lines of the file:",
        "line 3, Klant sinds ('15-03-2026'): “Customer since” is 20 February 2026, the day of "
        "this customer's first purchase, instead of the file's later 15 March 2026: no one "
        "bought here before they were a customer.",
        "line 4, Klant sinds ('14-06-2025'): “Customer since” is 5 May 2025, the day of this "
        "customer's first purchase, instead of the file's later 14 June 2025: no one bought "
        "here before they were a customer.",
    ]
