"""No one bought here before they were a customer: "customer since" moves back to the first
purchase (customers.services.customers_since_moved_back), from the purchase import, from a
purchase recorded or corrected late, and a customer file read again does not move it forward.

A shop that imports its customer file (without a "customer since" column, so everyone a
customer since the import) and then its till's history was left with every customer "new":
the scorecard's referral figure read 0 of 22 new customers and asked for referrals."""

from datetime import date, datetime, timedelta

from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
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

    for path in (customers, dated):
        result = data_import(business=business, kind="customers", path=path)
        assert (result.created, result.updated, result.skipped) == (0, 0, 3)

    assert snapshot(business) == before


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

    # Anna's earlier day is taken; Bert's 1 March lies after his first purchase on 20 February,
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
