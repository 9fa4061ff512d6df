"""A purchase imported from a file that gave its date alone is recorded with its time unknown
(Purchase.time_known): the import puts it at noon to keep it on its day, and everything that
writes the purchase out again (the export, the backup) keeps that its time was never known."""

import csv
import hashlib
import io
import zipfile
from datetime import date, datetime

from django.apps import apps
from django.utils import timezone, translation

from klantvriend.core.services import business_create
from klantvriend.customers import services
from klantvriend.customers.models import Purchase
from klantvriend.importers.export import business_export, business_restore
from klantvriend.importers.purchase_import import HASH_PREFIX
from klantvriend.importers.service import data_import

from .test_import import write

# A salon's visits: two with a date alone, one with its time in the date, one with a time column.
VISITS = (
    "klantnummer;datum;tijd;bedrag;omschrijving\n"
    "S-1;2026-10-07;;45,00;Knippen\n"
    "S-1;2026-10-07;;45,00;Knippen\n"
    "S-2;2026-10-08 14:30;;60,00;Kleuren\n"
    "S-2;2026-10-09;10:15;30,00;Föhnen\n"
)


def imported(tmp_path, business, text=VISITS):
    result = data_import(business=business, kind="purchases", path=write(tmp_path, "v.csv", text))
    assert result.ok, result.errors
    return result


def test_a_date_alone_is_noon_with_its_time_unknown_and_a_time_makes_it_known(tmp_path, business):
    imported(tmp_path, business)

    rows = [
        (business.local(at), known)
        for at, known in Purchase.objects.filter(business=business)
        .order_by("at", "id")
        .values_list("at", "time_known")
    ]
    zone = business.tzinfo
    assert rows == [
        (datetime(2026, 10, 7, 12, 0, tzinfo=zone), False),
        (datetime(2026, 10, 7, 12, 0, tzinfo=zone), False),
        (datetime(2026, 10, 8, 14, 30, tzinfo=zone), True),
        (datetime(2026, 10, 9, 10, 15, tzinfo=zone), True),
    ]


def test_a_date_alone_of_today_is_no_known_time_either(tmp_path, business):
    today = business.today()
    imported(tmp_path, business, f"klantnummer;datum;bedrag\n1;{today:%Y-%m-%d};6\n")

    purchase = Purchase.objects.get(business=business)
    assert purchase.at <= timezone.now()
    assert purchase.time_known is False


def test_the_key_of_a_row_without_receipt_number_is_the_one_earlier_imports_stored(
    tmp_path, business
):
    """The key's text moved into key_text and stable_key: an earlier import's keys must still
    match, or importing the same file again would double every purchase."""
    imported(tmp_path, business)

    text = "S-1|2026-10-07|||4500|EUR|Knippen"
    first = HASH_PREFIX + hashlib.sha256(text.encode()).hexdigest()[:32]
    second = HASH_PREFIX + hashlib.sha256(f"{text}|1".encode()).hexdigest()[:32]
    keys = set(Purchase.objects.filter(amount_cents=4500).values_list("external_ref", flat=True))
    assert keys == {first, second}
    again = imported(tmp_path, business)
    assert (again.created, again.skipped) == (0, 4)


def purchases_csv(business) -> tuple[list[dict], str]:
    buffer = io.BytesIO()
    with translation.override("en"):
        business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        text = archive.read("purchases.csv").decode("utf-8-sig")
        read_me = archive.read("read-me.txt").decode("utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";")), read_me


def test_the_export_writes_the_date_alone_for_a_purchase_of_unknown_time(tmp_path, business):
    imported(tmp_path, business)

    rows, read_me = purchases_csv(business)

    assert sorted((row["customer_number"], row["date"], row["amount"]) for row in rows) == [
        ("S-1", "2026-10-07", "45,00"),
        ("S-1", "2026-10-07", "45,00"),
        ("S-2", "2026-10-08T14:30:00+02:00", "60,00"),
        ("S-2", "2026-10-09T10:15:00+02:00", "30,00"),
    ]
    assert (
        "a purchase whose time of day is not known (imported from a file with its date alone) "
        "has its date alone there." in " ".join(read_me.split())
    )


def test_the_exports_purchases_read_back_keep_their_time_unknown(tmp_path, business, owner):
    imported(tmp_path, business)
    rows, _read_me = purchases_csv(business)
    path = tmp_path / "purchases.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    elsewhere = business_create(name="Salon Elders", owner=owner)

    result = data_import(business=elsewhere, kind="purchases", path=path)

    assert result.ok, result.errors
    assert sorted(
        Purchase.objects.filter(business=elsewhere).values_list("amount_cents", "time_known")
    ) == [(3000, True), (4500, False), (4500, False), (6000, True)]


def test_the_backup_restores_whether_the_time_was_known(tmp_path, business, owner):
    imported(tmp_path, business)
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    empty = business_create(name="Nieuwe Server", owner=owner)

    business_restore(business=empty, path=buffer)

    restored = Purchase.objects.filter(business=empty).order_by("at", "id")
    assert [(p.amount_cents, p.time_known) for p in restored] == [
        (4500, False),
        (4500, False),
        (6000, True),
        (3000, True),
    ]


def test_a_backup_made_before_the_field_restores_every_purchase_as_of_a_known_time(business, owner):
    customer = services.customer_create(business=business, name="Anna")
    services.purchase_create(customer=customer, amount_cents=500)
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    document = files["klantvriend.json"].decode("utf-8")
    assert '"time_known": true' in document
    files["klantvriend.json"] = document.replace(', "time_known": true', "").encode("utf-8")
    old = io.BytesIO()
    with zipfile.ZipFile(old, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    empty = business_create(name="Nieuwe Server", owner=owner)

    business_restore(business=empty, path=old)

    assert list(Purchase.objects.filter(business=empty).values_list("time_known", flat=True)) == [
        True
    ]


def _mark_imported_dates():
    module = __import__(
        "klantvriend.importers.migrations.0006_imported_purchases_time_unknown",
        fromlist=["mark_imported_dates"],
    )
    module.mark_imported_dates(apps, None)


def test_the_migration_marks_only_purchases_whose_key_proves_a_date_alone(tmp_path, business):
    """Before the field every stored purchase counted as of a known time. The migration marks
    the ones whose stored key is that of a line with a date alone (the two haircuts, the second
    counted as the identical line after the first), and no purchase at noon that was recorded
    at the counter, imported with 12:00 written, or given the till's own receipt number."""
    text = (
        "klantnummer;datum;bedrag;omschrijving;bonnummer\n"
        "S-1;2026-10-07;45,00;Knippen;\n"
        "S-1;2026-10-07;45,00;Knippen;\n"
        "s-1;2026-10-06;20,00;Wassen;\n"  # another spelling of the number: not provable
        "S-2;2026-10-07 12:00;45,00;Knippen;\n"
        "S-2;2026-10-05;15,00;Knippen;B-77\n"
    )
    imported(tmp_path, business, text)
    salon = services.customer_create(business=business, name="Counter", email="Klant@Example.nl")
    noon = datetime(2026, 10, 7, 12, 0, tzinfo=business.tzinfo)
    services.purchase_create(customer=salon, amount_cents=4500, at=noon, description="Knippen")
    by_email = imported(
        tmp_path, business, "email;datum;bedrag\nklant@example.nl;2026-10-04;12,50\n"
    )
    assert by_email.created == 1
    Purchase.objects.update(time_known=True)
    before = dict(Purchase.objects.values_list("pk", "updated_at"))

    _mark_imported_dates()

    unknown = Purchase.objects.filter(time_known=False)
    assert sorted(
        (p.customer.external_ref, business.local(p.at).date(), p.amount_cents) for p in unknown
    ) == [
        ("", date(2026, 10, 4), 1250),
        ("S-1", date(2026, 10, 7), 4500),
        ("S-1", date(2026, 10, 7), 4500),
    ]
    assert all(p.updated_at > before[p.pk] for p in unknown)
    kept = Purchase.objects.filter(time_known=True)
    assert kept.count() == 4
    assert all(p.updated_at == before[p.pk] for p in kept)
