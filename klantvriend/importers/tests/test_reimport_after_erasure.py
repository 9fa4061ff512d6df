"""A shop re-exports its whole till history: an import after an erasure must not bring the
erased person back, and what they buy later goes to their anonymised customer."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from klantvriend.customers.models import Customer, ErasedIdentity, Purchase
from klantvriend.importers.privacy import apply_retention, customer_erase, customer_personal_data
from klantvriend.importers.privacy_settings import privacy_settings_update
from klantvriend.importers.service import data_import

from .test_import import write

ANNA = ["Anna", "Verborgen", "anna@example.nl", "0612345678", "K7"]

TILL = (
    "klantnummer;naam;email;telefoon;datum;bedrag;omschrijving;bonnummer\n"
    "K7;Anna Verborgen;anna@example.nl;0612345678;13-03-2026;12,50;Rollade;B1\n"
    "K8;Bert Smit;bert@example.nl;;14-03-2026;3,95;Worst;B2\n"
)
# The same history without receipt numbers: the purchases are known by their stable keys.
TILL_WITHOUT_RECEIPTS = "\n".join(line.rsplit(";", 1)[0] for line in TILL.splitlines()) + "\n"

CUSTOMERS = (
    "klantnummer;naam;email;telefoon;woonplaats;tags\n"
    "K7;Anna Verborgen;anna@example.nl;0612345678;Delft;vaste klant\n"
    "K8;Bert Smit;bert@example.nl;;Rijswijk;\n"
)


def customer_table_text(business) -> str:
    """Every value of every customer of the business, as one text to search in."""
    return "\n".join(
        str(value)
        for row in Customer.objects.filter(business=business).values()
        for value in row.values()
        if value is not None
    ).lower()


def imported_and_erased(tmp_path, business, owner, kind="purchases", text=TILL):
    data_import(business=business, kind=kind, path=write(tmp_path, "first.csv", text))
    anna = Customer.objects.get(business=business, external_ref="K7")
    customer_erase(customer=anna, actor=owner)
    return Customer.objects.get(pk=anna.pk)


@pytest.mark.parametrize("till", [TILL, TILL_WITHOUT_RECEIPTS], ids=["receipts", "stable_keys"])
def test_reimporting_the_till_history_after_an_erasure_adds_nothing(
    tmp_path, business, owner, till
):
    anonymised = imported_and_erased(tmp_path, business, owner, text=till)
    purchases_before = list(Purchase.objects.filter(business=business).values().order_by("pk"))

    again = data_import(business=business, kind="purchases", path=write(tmp_path, "b.csv", till))

    assert again.ok, again.errors
    assert (again.customers_created, again.created, again.skipped) == (0, 0, 2)
    assert again.anonymised == 1
    assert list(Purchase.objects.filter(business=business).values().order_by("pk")) == (
        purchases_before
    )
    assert Customer.objects.filter(business=business).count() == 2
    text = customer_table_text(business)
    assert [personal for personal in ANNA if personal.lower() in text] == []
    assert Customer.objects.get(pk=anonymised.pk).name == f"Geanonimiseerde klant {anonymised.pk}"


def test_a_later_purchase_of_an_erased_person_goes_to_the_anonymised_customer(
    tmp_path, business, owner
):
    anonymised = imported_and_erased(tmp_path, business, owner)
    later = TILL + (
        "K7;Anna Verborgen;anna@example.nl;0612345678;15-03-2026;42,00;"
        "Taart voor Anna Verborgen, bel 0612345678;B3\n"
        ";;ANNA@example.nl;;16-03-2026;1,00;Koffie;B4\n"
        "k7;;;;17-03-2026;2,00;Thee;B5\n"
    )

    result = data_import(business=business, kind="purchases", path=write(tmp_path, "l.csv", later))

    assert result.ok, result.errors
    assert (result.customers_created, result.created, result.skipped) == (0, 3, 2)
    assert result.anonymised == 4
    added = Purchase.objects.filter(business=business, external_ref__in=["B3", "B4", "B5"])
    assert sorted(
        added.values_list("external_ref", "customer_id", "amount_cents", "description")
    ) == [
        ("B3", anonymised.pk, 4200, "Taart voor […], bel […]"),
        ("B4", anonymised.pk, 100, "Koffie"),
        ("B5", anonymised.pk, 200, "Thee"),
    ]
    assert Customer.objects.filter(business=business).count() == 2
    text = customer_table_text(business)
    assert [personal for personal in ANNA if personal.lower() in text] == []
    stored = Customer.objects.get(pk=anonymised.pk)
    assert (stored.email, stored.phone, stored.external_ref) == ("", "", "")


def test_reimporting_a_customer_file_after_an_erasure_skips_the_erased_person(
    tmp_path, business, owner
):
    anonymised = imported_and_erased(tmp_path, business, owner, kind="customers", text=CUSTOMERS)
    by_email_only = "naam;email;telefoon\nAnna Verborgen;Anna@Example.nl;0612345678\n"

    again = data_import(
        business=business, kind="customers", path=write(tmp_path, "b.csv", CUSTOMERS)
    )
    by_email = data_import(
        business=business, kind="customers", path=write(tmp_path, "c.csv", by_email_only)
    )

    assert again.ok, again.errors
    assert (again.created, again.updated, again.skipped, again.anonymised) == (0, 0, 2, 1)
    assert (by_email.created, by_email.updated, by_email.skipped, by_email.anonymised) == (
        0,
        0,
        1,
        1,
    )
    assert Customer.objects.filter(business=business).count() == 2
    text = customer_table_text(business)
    assert [personal for personal in [*ANNA, "Delft"] if personal.lower() in text] == []
    stored = Customer.objects.get(pk=anonymised.pk)
    assert list(stored.tags.all()) == []
    assert stored.consent_records.filter(given=True).count() == 0


def test_an_erasure_in_one_business_does_not_affect_another(
    tmp_path, business, other_business, owner
):
    imported_and_erased(tmp_path, business, owner)

    elsewhere = data_import(
        business=other_business, kind="purchases", path=write(tmp_path, "e.csv", TILL)
    )

    assert elsewhere.ok, elsewhere.errors
    assert (elsewhere.customers_created, elsewhere.created, elsewhere.anonymised) == (2, 2, 0)
    anna = Customer.objects.get(business=other_business, external_ref="K7")
    assert (anna.name, anna.email, anna.phone) == (
        "Anna Verborgen",
        "anna@example.nl",
        "0612345678",
    )
    assert ErasedIdentity.objects.filter(business=other_business).count() == 0


def test_two_businesses_remember_the_same_address_under_different_digests(
    tmp_path, business, other_business, owner, other_owner
):
    imported_and_erased(tmp_path, business, owner)
    imported_and_erased(tmp_path, other_business, other_owner)

    digests = {
        owner_business: set(
            ErasedIdentity.objects.filter(business=owner_business).values_list("digest", flat=True)
        )
        for owner_business in (business, other_business)
    }

    assert len(digests[business]) == len(digests[other_business]) == 3
    assert digests[business].isdisjoint(digests[other_business])


def test_erasure_remembers_number_address_and_phone_only_as_digests(tmp_path, business, owner):
    anonymised = imported_and_erased(tmp_path, business, owner)

    remembered = list(
        ErasedIdentity.objects.filter(business=business).values_list(
            "kind", "customer_id", "digest"
        )
    )

    assert sorted((kind, customer) for kind, customer, _digest in remembered) == [
        ("customer_number", anonymised.pk),
        ("email", anonymised.pk),
        ("phone", anonymised.pk),
    ]
    assert all(len(digest) == 64 for _kind, _customer, digest in remembered)
    # Not readable data about the person: left out of what an access request shows.
    assert "erased_identities" not in customer_personal_data(customer=anonymised)


def test_the_rows_of_an_erased_and_then_deleted_customer_stay_out(tmp_path, business, owner):
    anonymised = imported_and_erased(tmp_path, business, owner)
    # The service refuses to delete a customer with purchases; removed all the same (by hand in
    # the database), the remembered digests keep the rows out.
    anonymised.delete()

    again = data_import(business=business, kind="purchases", path=write(tmp_path, "b.csv", TILL))

    assert (again.customers_created, again.created, again.skipped, again.anonymised) == (
        0,
        0,
        2,
        1,
    )
    assert list(Customer.objects.filter(business=business).values_list("name", flat=True)) == [
        "Bert Smit"
    ]


def test_customers_anonymised_by_the_retention_rule_do_not_come_back(tmp_path, business, owner):
    years_ago = (timezone.now() - timedelta(days=365 * 4)).date().isoformat()
    old_till = TILL.replace("13-03-2026", years_ago).replace("14-03-2026", years_ago)
    data_import(business=business, kind="purchases", path=write(tmp_path, "a.csv", old_till))
    Customer.objects.filter(business=business).update(created_at=timezone.now() - timedelta(1500))
    privacy_settings_update(business=business, actor=owner, retention_years=3)
    apply_retention(business=business, dry_run=False, actor=owner)

    again = data_import(
        business=business, kind="purchases", path=write(tmp_path, "b.csv", old_till)
    )

    assert (again.customers_created, again.created, again.anonymised) == (0, 0, 2)
    assert Customer.objects.filter(business=business, erased_at__isnull=True).count() == 0


def test_the_command_reports_the_rows_of_anonymised_customers(tmp_path, business, owner):
    imported_and_erased(tmp_path, business, owner)
    out = StringIO()

    call_command("import_data", "purchases", str(write(tmp_path, "b.csv", TILL)), stdout=out)

    assert "1 rij van een geanonimiseerde klant" in out.getvalue()
