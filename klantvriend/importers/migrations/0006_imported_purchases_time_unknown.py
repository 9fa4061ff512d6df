"""The purchases imported before their time of day was recorded (customers 0047 made every
stored purchase one whose time is known) whose file gave a date alone, so that the import put
them at noon: marked as of an unknown time, where that can be proven, and only there.

The proof: a purchase the file gave no receipt number got a stable key (purchase_import,
"kv-" and a hash of the row as the file had it), and the hash holds the file's time, empty for
a date alone. A stored key equal to the key of the same purchase hashed with an empty time (a
SHA-256 match, not a likeness) says the file had no time. Every other purchase stays as it is:
one with the till's own receipt number, one moved to another customer by a merge or corrected
since, one whose customer was renumbered or whose business changed its time zone (its key no
longer matches), and above all one recorded at the counter or through the API at 12:00, which
is a real time: a noon alone is no sign of an import, and nothing is guessed."""

import itertools
import zoneinfo

from django.db import migrations
from django.utils import timezone

from klantvriend.customers.identity import email_key
from klantvriend.importers.purchase_import import HASH_PREFIX, key_text, stable_key

CHUNK = 2000


def _day_only(purchase, customer_keys, zone, identical) -> bool:
    """Whether the purchase's key is that of its row read without a time, under one of the
    keys the import may have named its customer by and any count of identical rows before it."""
    _pk, key, at, cents, currency, description, _customer = purchase
    for customer_key in customer_keys:
        text = key_text(
            customer_key=customer_key,
            day=timezone.localtime(at, zone).date(),
            clock=None,
            offset=None,
            cents=cents,
            currency=currency,
            description=description,
        )
        if any(stable_key(text, count) == key for count in range(identical)):
            return True
    return False


def mark_imported_dates(apps, schema_editor):
    Business = apps.get_model("core", "Business")
    Customer = apps.get_model("customers", "Customer")
    Purchase = apps.get_model("customers", "Purchase")
    now = timezone.now()
    for business_id, zone_name in Business.objects.values_list("pk", "time_zone"):
        zone = zoneinfo.ZoneInfo(zone_name)
        # The file named the customer by its number as written (stored as the customer's number
        # when the import made them), else by the email address, lower-cased.
        customer_keys = {
            pk: [key for key in dict.fromkeys([number, email_key(email)]) if key]
            for pk, number, email in Customer.objects.filter(business_id=business_id).values_list(
                "pk", "external_ref", "email"
            )
        }
        rows = (
            Purchase.objects.filter(
                business_id=business_id, time_known=True, external_ref__startswith=HASH_PREFIX
            )
            .order_by("customer_id", "id")
            .values_list(
                "pk", "external_ref", "at", "amount_cents", "currency", "description", "customer_id"
            )
            .iterator(CHUNK)
        )
        marked: list[int] = []
        for customer_id, purchases in itertools.groupby(rows, key=lambda row: row[6]):
            purchases = list(purchases)
            # The identical rows of a file (two coffees on one day) count the ones before them.
            identical: dict[tuple, int] = {}
            for row in purchases:
                same = (timezone.localtime(row[2], zone).date(), *row[3:6])
                identical[same] = identical.get(same, 0) + 1
            for row in purchases:
                same = (timezone.localtime(row[2], zone).date(), *row[3:6])
                if _day_only(row, customer_keys[customer_id], zone, identical[same]):
                    marked.append(row[0])
        for start in range(0, len(marked), CHUNK):
            # updated_at moves: a client syncing purchases (docs/api.md "Syncing") reads them anew.
            Purchase.objects.filter(pk__in=marked[start : start + CHUNK]).update(
                time_known=False, updated_at=now
            )


def mark_all_known(apps, schema_editor):
    """Back: nothing to undo here; going back past customers 0047 removes the column."""


class Migration(migrations.Migration):
    dependencies = [
        ("importers", "0005_import_record_note_count"),
        ("customers", "0047_purchase_time_known"),
    ]

    operations = [migrations.RunPython(mark_imported_dates, mark_all_known)]
