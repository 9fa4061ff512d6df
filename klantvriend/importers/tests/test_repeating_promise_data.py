"""A repeating promise among the shop's data: an erasure ends the arrangement (no next time
for a person the shop no longer knows, also when one is made as it runs), the export writes how often it repeats and its next
time, and a restore links the restored times again."""

import csv
import io
import threading
import zipfile
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from klantvriend.core.services import business_create
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.export import business_export, business_restore
from klantvriend.importers.privacy import customer_erase
from klantvriend.promises import services
from klantvriend.promises.models import Promise

pytestmark = pytest.mark.django_db


def _weekly(business, owner):
    now = timezone.now()
    return services.promise_create(
        customer=CustomerFactory(business=business, name="Anna de Vries"),
        description="Rollade klaarleggen",
        made_at=now - timedelta(days=1),
        due_at=now + timedelta(days=2),
        made_by=owner,
        repeat_weeks=1,
    )


def test_an_erasure_ends_the_arrangement(business, owner):
    promise = _weekly(business, owner)

    customer_erase(customer=promise.customer, actor=owner)

    promise.refresh_from_db()
    assert promise.cancelled_at is not None
    assert (promise.repeated_as_id, Promise.objects.count()) == (None, 1)


def test_the_export_writes_the_arrangement_and_a_restore_links_it_again(business, owner):
    first = _weekly(business, owner)
    services.promise_mark_kept(promise=first, actor=owner)
    first.refresh_from_db()
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        text = archive.read("promises.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    empty = business_create(name="Nieuwe Server", owner=owner)

    business_restore(business=empty, path=buffer)

    assert [(row["id"], row["repeat_weeks"], row["repeated_as"]) for row in rows] == [
        (str(first.pk), "1", str(first.repeated_as_id)),
        (str(first.repeated_as_id), "1", ""),
    ]
    restored = list(
        Promise.objects.filter(business=empty)
        .order_by("made_at")
        .values_list("pk", "repeated_as", "repeat_weeks")
    )
    (old_pk, following, weekly), (new_pk, none, also_weekly) = restored
    assert (following, none, weekly, also_weekly) == (new_pk, None, 1, 1)
    assert Promise.objects.get(pk=new_pk).repeat_of.pk == old_pk


@pytest.mark.django_db(transaction=True)
def test_a_weekly_order_kept_while_its_customer_is_anonymised_leaves_nothing_open(business, owner):
    """Bert taps "Gedaan" on Anna's weekly order as Sanne anonymises Anna: the next time his
    tap makes must not stay open beside an erased customer (repeating for nobody every week),
    so the erasure waits for his tap and cancels the next time with the rest."""
    promise = _weekly(business, owner)

    with transaction.atomic():
        services.promise_mark_kept(promise=promise, actor=owner)

        def sanne_anonymises():
            try:
                customer_erase(customer=Customer.objects.get(pk=promise.customer_id), actor=owner)
            finally:
                connection.close()

        other = threading.Thread(target=sanne_anonymises)
        other.start()
        wait_until_blocked_or_done(other, what="the erasure")
    other.join(timeout=60)

    promise.refresh_from_db()
    following = Promise.objects.get(pk=promise.repeated_as_id)
    assert Customer.objects.get(pk=promise.customer_id).erased_at is not None
    assert (following.done_at, following.cancelled_at is not None) == (None, True)
    assert following.repeated_as_id is None
