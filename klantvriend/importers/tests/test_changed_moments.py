"""Every write that changes what the API shows of a customer moves their `updated_at`, also the
bulk ones that `auto_now` does not reach: the API's `changed_since` (docs/api.md, "Syncing")
finds what changed by it, and a change it misses is never synced. One test per way a customer
is written outside customers.services (whose own are in customers/tests/test_changed_moments)."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klantvriend.core.services import business_create
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.customers.tests.test_changed_moments import (
    LONG_AGO,
    changed_long_ago,
    updated_at,
)
from klantvriend.importers.export import business_export, business_restore
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_delete, customer_erase
from klantvriend.importers.service import data_import


def test_a_customer_the_import_only_gives_a_new_tag_counts_as_changed(tmp_path, business):
    anna = services.customer_create(business=business, name="Anna", external_ref="K-1")
    bram = services.customer_create(
        business=business, name="Bram", external_ref="K-2", tags=["BBQ"]
    )
    before = changed_long_ago(anna, bram)
    path = tmp_path / "klanten.csv"
    path.write_text("Klantnummer;Naam;Labels\nK-1;Anna;bbq\nK-2;Bram;bbq\n", encoding="utf-8")

    result = data_import(business=business, kind="customers", path=path)

    assert result.errors == []
    assert list(anna.tags.values_list("name", flat=True)) == ["BBQ"]
    assert before <= updated_at(anna) <= timezone.now()
    # Bram had the tag and the file changes nothing of him: no change to sync.
    assert updated_at(bram) == LONG_AGO


def test_the_import_writes_the_customers_it_creates_or_changes_once_whatever_their_tags(
    tmp_path, business
):
    """Their rows are written with their new updated_at; only the customers the file gives
    nothing but a tag are written again to move it (one UPDATE, of those alone)."""
    anna = services.customer_create(business=business, name="Anna", external_ref="K-1")
    services.customer_create(business=business, name="Bram", external_ref="K-2")
    path = tmp_path / "klanten.csv"
    path.write_text(
        "Klantnummer;Naam;Woonplaats;Labels\n"
        "K-1;Anna;;bbq\n"  # a tag only
        "K-2;Bram;Ede;bbq\n"  # changed, and a tag
        "K-3;Cor;;bbq\n",  # new, with a tag
        encoding="utf-8",
    )

    with CaptureQueriesContext(connection) as captured:
        result = data_import(business=business, kind="customers", path=path)

    assert (result.created, result.updated, result.errors) == (1, 1, [])
    moved = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].startswith('UPDATE "customers_customer" SET "updated_at"')
    ]
    assert len(moved) == 1
    assert f"IN ({anna.pk})" in moved[0]
    assert sorted(
        Customer.objects.filter(business=business, tags__name="bbq").values_list("name", flat=True)
    ) == ["Anna", "Bram", "Cor"]


def test_a_customer_the_import_changes_counts_as_changed(tmp_path, business):
    anna = services.customer_create(business=business, name="Anna", external_ref="K-1")
    before = changed_long_ago(anna)
    path = tmp_path / "klanten.csv"
    path.write_text("Klantnummer;Naam;Woonplaats\nK-1;Anna;Ede\n", encoding="utf-8")

    result = data_import(business=business, kind="customers", path=path)

    assert (result.created, result.updated) == (0, 1)
    assert before <= updated_at(anna) <= timezone.now()


def test_a_merge_changes_the_kept_customer_and_those_the_other_record_referred(business, owner):
    keep = CustomerFactory(business=business, name="Jan Bakker")
    other = CustomerFactory(business=business, name="J. Bakker", phone="0612345678")
    referred = CustomerFactory(business=business, name="Pieter", referred_by=other)
    before = changed_long_ago(keep, referred)

    customer_merge(keep=keep, other=other, actor=owner)

    referred.refresh_from_db()
    assert referred.referred_by_id == keep.pk
    assert before <= referred.updated_at <= timezone.now()
    assert before <= updated_at(keep) <= timezone.now()


def test_deleting_a_referrer_changes_the_customers_they_referred(business, owner):
    referrer = CustomerFactory(business=business, name="Typefout")
    referred = CustomerFactory(business=business, name="Pieter", referred_by=referrer)
    bystander = CustomerFactory(business=business, name="Els")
    before = changed_long_ago(referred, bystander)

    customer_delete(customer=referrer, actor=owner)

    referred.refresh_from_db()
    assert referred.referred_by_id is None
    assert before <= referred.updated_at <= timezone.now()
    assert updated_at(bystander) == LONG_AGO


def test_an_erased_customer_counts_as_changed(business, owner):
    anna = CustomerFactory(business=business, name="Anna de Vries", email="anna@example.nl")
    PurchaseFactory(customer=anna, business=business)
    before = changed_long_ago(anna)

    customer_erase(customer=anna, actor=owner)

    assert before <= updated_at(anna) <= timezone.now()


def test_restored_customers_and_purchases_count_as_changed_at_the_restore(business, owner):
    anna = services.customer_create(business=business, name="Anna", tags=["BBQ"])
    changed_long_ago(anna)
    changed_long_ago(services.purchase_create(customer=anna, amount_cents=1250))
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    empty = business_create(name="Nieuwe Server", owner=owner)
    before = timezone.now()

    business_restore(business=empty, path=buffer)

    restored = Customer.objects.get(business=empty)
    assert before <= restored.updated_at <= timezone.now()
    assert before <= Purchase.objects.get(business=empty).updated_at <= timezone.now()


def test_customers_and_purchases_the_purchase_import_makes_count_as_changed(tmp_path, business):
    before = timezone.now()
    path = tmp_path / "aankopen.csv"
    path.write_text(
        "Klantnummer;Naam;Datum;Bedrag\nK-9;Cor;2026-03-02;12,50\nK-9;Cor;2026-03-01;5,00\n",
        encoding="utf-8",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert result.errors == []
    cor = Customer.objects.get(business=business, external_ref="K-9")
    assert cor.customer_since.isoformat() == "2026-03-01"  # corrected by a bulk update
    assert before <= cor.updated_at <= timezone.now()
    # The purchases were last changed when they were recorded (written by plain INSERTs).
    moments = list(cor.purchases.values_list("created_at", "updated_at"))
    assert len(moments) == 2
    assert all(before <= created == changed <= timezone.now() for created, changed in moments)
