"""A promise moved to a new moment names its successor (Promise.rescheduled_to): the export
writes the link, the restore makes it again between the new rows, a merge of two records of one
person keeps it, anonymising keeps it (it holds no personal data), and deleting the customer
removes both promises without a dangling link."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.core.services import business_create
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.export import business_export, business_restore
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_delete, customer_erase
from klantvriend.promises import services
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import overdue_promise


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def _moved(customer, owner, now):
    """A promise due yesterday, not kept, moved to the day after tomorrow: (old, new)."""
    old = overdue_promise(customer=customer, made_by=owner, now=now, due_at=now - timedelta(days=1))
    new = services.promise_reschedule(
        promise=old, actor=owner, due_at=now + timedelta(days=2), now=now
    )
    return Promise.objects.get(pk=old.pk), new


def _promises_csv(business) -> list[dict[str, str]]:
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        text = archive.read("promises.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_the_promises_csv_names_each_moved_promises_successor(business, owner, now):
    old, new = _moved(CustomerFactory(business=business, name="Anna"), owner, now)

    rows = _promises_csv(business)

    assert [(row["id"], row["rescheduled_to"], row["cancelled_at"] != "") for row in rows] == [
        (str(old.pk), str(new.pk), True),
        (str(new.pk), "", False),
    ]


def test_a_restored_business_links_the_restored_promises(business, owner, now):
    _moved(CustomerFactory(business=business, name="Anna"), owner, now)
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    empty = business_create(name="Nieuwe Server", owner=owner)

    business_restore(business=empty, path=buffer)

    restored = list(
        Promise.objects.filter(business=empty)
        .order_by("made_at")
        .values_list("pk", "rescheduled_to", "description")
    )
    assert len(restored) == 2
    (old_pk, successor, _), (new_pk, none, _) = restored
    assert (successor, none) == (new_pk, None)
    assert Promise.objects.get(pk=new_pk).predecessor.pk == old_pk


def test_a_merge_keeps_the_link_on_the_kept_record(business, owner, now):
    keep = CustomerFactory(business=business, name="Anna de Vries", email="anna@example.nl")
    other = CustomerFactory(business=business, name="Anna de Vries", email="")
    old, new = _moved(other, owner, now)

    customer_merge(keep=keep, other=other, actor=owner)

    rows = list(Promise.objects.order_by("pk").values_list("pk", "customer", "rescheduled_to"))
    assert rows == [(old.pk, keep.pk, new.pk), (new.pk, keep.pk, None)]


def test_anonymising_keeps_the_link(business, owner, now):
    customer = CustomerFactory(business=business, name="Anna de Vries")
    old, new = _moved(customer, owner, now)

    customer_erase(customer=customer, actor=owner)

    assert list(Promise.objects.order_by("pk").values_list("pk", "rescheduled_to")) == [
        (old.pk, new.pk),
        (new.pk, None),
    ]


def test_deleting_the_customer_removes_both_promises(business, owner, now):
    customer = CustomerFactory(business=business, name="Per Ongeluk")
    _moved(customer, owner, now)
    kept = CustomerFactory(business=business, name="Blijft")
    _moved(kept, owner, now)

    customer_delete(customer=customer, actor=owner)

    assert not Customer.objects.filter(pk=customer.pk).exists()
    rows = list(Promise.objects.order_by("pk").values_list("customer", "rescheduled_to"))
    assert len(rows) == 2
    assert [customer_id for customer_id, _ in rows] == [kept.pk, kept.pk]
    assert rows[0][1] == Promise.objects.filter(customer=kept).order_by("pk").last().pk
