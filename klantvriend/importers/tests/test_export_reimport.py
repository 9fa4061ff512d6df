"""The export's customers.csv and purchases.csv read back through the ordinary importers, into
another business or into the one they came from, without losing or doubling anything."""

import csv
import io
import zipfile
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import F, Sum

from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase
from klantvriend.importers.export import business_export
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.service import data_import

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def shop(business):
    """Customers with a number, with only an e-mail address, with neither (two of them sharing
    nothing that tells them apart), and an anonymised one; purchases with and without receipt
    numbers, two identical ones, one late in the evening (another day in UTC)."""
    anna = services.customer_create(
        business=business, name="Anna de Vries", email="anna@example.nl", external_ref="K-1"
    )
    bert = services.customer_create(business=business, name="Bert Smit")
    twin = services.customer_create(business=business, name="Bert Smit")
    carla = services.customer_create(business=business, name="Carla", email="carla@example.nl")
    gone = services.customer_create(business=business, name="Dirk", external_ref="K-9")
    at = datetime(2026, 3, 5, 14, 30, 5, tzinfo=AMSTERDAM)
    services.purchase_create(
        customer=anna, amount_cents=123456, at=at, description="Rollade", external_ref="B1"
    )
    services.purchase_create(customer=anna, amount_cents=5, at=at, description="-korting")
    services.purchase_create(customer=bert, amount_cents=995, at=at - timedelta(days=40))
    services.purchase_create(customer=bert, amount_cents=995, at=at - timedelta(days=40))
    services.purchase_create(
        customer=twin, amount_cents=1250, at=datetime(2026, 1, 2, 23, 45, tzinfo=AMSTERDAM)
    )
    services.purchase_create(customer=carla, amount_cents=0, at=at, description="Proeverij")
    services.purchase_create(customer=gone, amount_cents=700, at=at)
    customer_erase(customer=gone)
    return anna, bert, twin, carla


def exported(business, tmp_path) -> tuple:
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    paths = []
    with zipfile.ZipFile(buffer) as archive:
        for name in ("customers.csv", "purchases.csv"):
            path = tmp_path / name
            path.write_bytes(archive.read(name))
            paths.append(path)
    return tuple(paths)


def table(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))


def purchases_by_customer(business) -> dict:
    """name -> sorted (moment to the second, cents, description) of every purchase."""
    found = defaultdict(list)
    for purchase in Purchase.objects.filter(business=business).select_related("customer"):
        moment = purchase.at.astimezone(AMSTERDAM).replace(microsecond=0)
        found[purchase.customer.name].append((moment, purchase.amount_cents, purchase.description))
    return {name: sorted(rows) for name, rows in found.items()}


def totals(business) -> dict:
    return dict(
        Purchase.objects.filter(business=business)
        .values_list("customer__name")
        .annotate(total=Sum("amount_cents"))
        .values_list("customer__name", "total")
    )


def import_both(business, customers_csv, purchases_csv):
    customers = data_import(business=business, kind="customers", path=customers_csv)
    assert customers.ok, customers.errors
    purchases = data_import(business=business, kind="purchases", path=purchases_csv)
    assert purchases.ok, purchases.errors
    return customers, purchases


def test_purchases_csv_names_the_customer_and_the_amount_as_the_purchase_importer_reads_them(
    business, tmp_path
):
    anna = services.customer_create(
        business=business, name="Anna de Vries", email="anna@example.nl", external_ref="K-1"
    )
    services.purchase_create(
        customer=anna,
        amount_cents=123456,
        at=datetime(2026, 3, 5, 14, 30, 5, 123, tzinfo=AMSTERDAM),
        description="Rollade",
        external_ref="B1",
    )

    _customers_csv, purchases_csv = exported(business, tmp_path)

    assert path_bytes_start(purchases_csv) == b"\xef\xbb\xbf"  # Excel's byte order mark
    assert table(purchases_csv) == [
        [
            "customer_number",
            "name",
            "email",
            "date",
            "amount",
            "currency",
            "description",
            "receipt_number",
            "member",
        ],
        [
            "K-1",
            "Anna de Vries",
            "anna@example.nl",
            "2026-03-05T14:30:05+01:00",
            "1234,56",
            "EUR",
            "Rollade",
            "B1",
            "",
        ],
    ]


def path_bytes_start(path) -> bytes:
    return path.read_bytes()[:3]


def test_customers_and_purchases_make_the_round_trip_into_an_empty_business(
    business, other_business, tmp_path
):
    shop(business)
    customers_csv, purchases_csv = exported(business, tmp_path)

    customers, purchases = import_both(other_business, customers_csv, purchases_csv)

    assert (customers.created, purchases.created, purchases.customers_created) == (5, 7, 0)
    assert sorted(
        Customer.objects.filter(business=other_business).values_list("name", "email")
    ) == (sorted(Customer.objects.filter(business=business).values_list("name", "email")))
    assert purchases_by_customer(other_business) == purchases_by_customer(business)
    assert totals(other_business) == totals(business)
    # The two customers called Bert Smit stayed two, each with their own purchases.
    assert sorted(
        Customer.objects.filter(business=other_business, name="Bert Smit").values_list(
            "purchases__amount_cents", flat=True
        )
    ) == [995, 995, 1250]
    assert Customer.objects.get(business=other_business, name="Anna de Vries").external_ref == "K-1"


def test_importing_the_export_twice_adds_nothing_the_second_time(
    business, other_business, tmp_path
):
    shop(business)
    customers_csv, purchases_csv = exported(business, tmp_path)
    import_both(other_business, customers_csv, purchases_csv)
    before = purchases_by_customer(other_business)

    customers, purchases = import_both(other_business, customers_csv, purchases_csv)

    assert (customers.created, customers.updated, customers.skipped) == (0, 0, 5)
    assert (purchases.created, purchases.customers_created, purchases.skipped) == (0, 0, 7)
    assert Customer.objects.filter(business=other_business).count() == 5
    assert purchases_by_customer(other_business) == before


def test_importing_the_export_into_the_business_it_came_from_adds_nothing(business, tmp_path):
    _anna, bert, twin, carla = shop(business)
    customers_csv, purchases_csv = exported(business, tmp_path)
    before = purchases_by_customer(business)

    customers, purchases = import_both(business, customers_csv, purchases_csv)

    assert (customers.created, customers.updated, purchases.created) == (0, 0, 0)
    assert purchases.customers_created == 0
    assert Customer.objects.filter(business=business).count() == 5
    assert purchases_by_customer(business) == before
    # Customers without a number stay without one.
    assert sorted(
        Customer.objects.filter(business=business, pk__in=[bert.pk, twin.pk, carla.pk]).values_list(
            "external_ref", flat=True
        )
    ) == ["", "", ""]


def test_a_deleted_purchase_comes_back_from_the_export_and_nothing_else_is_added(
    business, tmp_path
):
    _anna, bert, _twin, _carla = shop(business)
    _customers_csv, purchases_csv = exported(business, tmp_path)
    before = purchases_by_customer(business)
    Purchase.objects.filter(customer=bert).first().delete()

    result = data_import(business=business, kind="purchases", path=purchases_csv)

    assert (result.ok, result.created, result.skipped) == (True, 1, 6)
    assert purchases_by_customer(business) == before


@pytest.mark.parametrize("kind", ["customers", "purchases"])
def test_the_import_command_reads_the_exported_files(business, other_business, tmp_path, kind):
    shop(business)
    customers_csv, purchases_csv = exported(business, tmp_path)
    out = io.StringIO()
    if kind == "purchases":
        call_command(
            "import_data", "customers", str(customers_csv), business=other_business.slug, stdout=out
        )

    call_command(
        "import_data",
        kind,
        str(customers_csv if kind == "customers" else purchases_csv),
        business=other_business.slug,
        stdout=out,
    )

    assert Customer.objects.filter(business=other_business).count() == 5
    assert Purchase.objects.filter(business=other_business).count() == (
        7 if kind == "purchases" else 0
    )


def test_the_export_key_of_a_row_reaches_only_that_row(business, tmp_path):
    """Another server may hold a customer or purchase with the same id (a business restored
    there): the key's check, over the business, the id and the moment of recording, tells them
    apart, so the key is taken as the number of a new customer, or the receipt number of a new
    purchase, rather than as someone else's."""
    _anna, bert, twin, _carla = shop(business)
    customers_csv, purchases_csv = exported(business, tmp_path)
    key = next(row[0] for row in table(purchases_csv)[1:] if row[1] == "Bert Smit")
    later = F("created_at") + timedelta(seconds=1)
    Customer.objects.filter(pk=bert.pk).update(created_at=later)
    # A day earlier too: the same customer, day and amount without a receipt number would be
    # taken as the line's sale recorded by hand (importers.hand_recorded), whatever the key.
    Purchase.objects.filter(customer=twin).update(created_at=later, at=F("at") - timedelta(days=1))

    customers = data_import(business=business, kind="customers", path=customers_csv)
    purchases = data_import(business=business, kind="purchases", path=purchases_csv)

    assert (customers.ok, customers.created, customers.skipped) == (True, 1, 4)
    made = Customer.objects.get(business=business, external_ref=key)
    assert made.name == "Bert Smit"
    assert (purchases.ok, purchases.created, purchases.skipped) == (True, 1, 6)
    assert sorted(twin.purchases.values_list("amount_cents", flat=True)) == [1250, 1250]
    assert bert.purchases.count() == 2
