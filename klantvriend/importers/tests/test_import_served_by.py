"""A till's column of who served each purchase ("Medewerker", "Kapper", "Served by") is matched
to a member of the business by user name, first name or full name, whatever the capitals; a
name no one (or more than one) answers to imports the purchase without a member and says so.
The export writes the name back, and the backup keeps who it was."""

import io
import zipfile

import pytest
from django.utils import translation

from klantvriend.core.models import Role
from klantvriend.core.services import business_create, membership_create, user_create
from klantvriend.customers import services
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.export import business_export
from klantvriend.importers.privacy import customer_erase, customer_personal_data
from klantvriend.importers.results import RowError
from klantvriend.importers.service import data_import

from .test_export_reimport import table
from .test_import import write

pytestmark = pytest.mark.django_db


@pytest.fixture
def lotte(business):
    user = user_create(username="lotte", password="pw-lotte-123", first_name="Lotte")
    user.last_name = "de Wit"
    user.save()
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def _member_notes(result) -> list[RowError]:
    """The notes on who served (a customer number nobody had makes a note of its own)."""
    return [note for note in result.notes if note.code.startswith("member")]


def _served(business) -> list[tuple[str, str | None]]:
    return list(
        Purchase.objects.filter(business=business)
        .order_by("external_ref")
        .values_list("external_ref", "member__username")
    )


@pytest.mark.parametrize(
    "header", ["Medewerker", "Kapper", "Verkoper", "Monteur", "Staff", "Served by"]
)
def test_the_column_of_who_served_is_found_by_its_header(tmp_path, business, lotte, header):
    path = write(
        tmp_path,
        "p.csv",
        f"Klantnummer;Datum;Bedrag;Bonnummer;{header}\nK1;25-03-2026;89,50;B1;Lotte\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert result.ok, result.errors
    assert _served(business) == [("B1", "lotte")]


def test_a_member_is_matched_by_user_name_first_or_full_name_whatever_the_capitals(
    tmp_path, business, owner, lotte
):
    path = write(
        tmp_path,
        "p.csv",
        "Klantnummer;Datum;Bedrag;Bonnummer;Medewerker\n"
        "K1;25-03-2026;10;B1;LOTTE\n"
        "K1;25-03-2026;10;B2;lotte de wit\n"
        "K1;25-03-2026;10;B3;  Lotte   de  Wit \n"
        "K1;25-03-2026;10;B4;sanne\n"
        "K1;25-03-2026;10;B5;\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert (result.ok, result.created, _member_notes(result)) == (True, 5, [])
    assert _served(business) == [
        ("B1", "lotte"),
        ("B2", "lotte"),
        ("B3", "lotte"),
        ("B4", "sanne"),
        ("B5", None),
    ]


@pytest.mark.parametrize(
    ("dry_run", "imported"),
    [
        (
            False,
            "were imported without who served them. Add them as a member and import the file "
            "again to fill them in.",
        ),
        (
            True,
            "would be imported without who served them. Add them as a member first, or check "
            "the spelling; imported again afterwards, the file fills them in.",
        ),
    ],
)
def test_an_unknown_name_imports_the_purchase_without_a_member_and_says_so_once(
    tmp_path, business, lotte, other_owner, dry_run, imported
):
    # Someone of another business is no one here.
    path = write(
        tmp_path,
        "p.csv",
        "Klantnummer;Datum;Bedrag;Bonnummer;Kapper\n"
        "K1;25-03-2026;10;B1;Lotte\n"
        "K1;25-03-2026;10;B2;Ingrid\n"
        "K1;25-03-2026;10;B3;Ingrid\n"
        "K1;25-03-2026;10;B4;other\n",
    )

    with translation.override("en"):
        result = data_import(business=business, kind="purchases", path=path, dry_run=dry_run)

    assert result.ok, result.errors
    assert result.created == 4
    notes = _member_notes(result)
    assert [note.message.split(":")[0] for note in notes] == [
        "No member is called “Ingrid”",
        "No member is called “other”",
    ]
    assert notes[0] == RowError(3, "Kapper", "Ingrid", notes[0].message, "member_unknown")
    if not dry_run:
        assert notes[0].message.endswith(imported)
        assert _served(business) == [("B1", "lotte"), ("B2", None), ("B3", None), ("B4", None)]
    else:
        assert notes[0].message.endswith(imported)
        assert not Purchase.objects.exists()


def test_imported_again_after_the_member_was_added_the_file_fills_in_who_served(
    tmp_path, business, owner, lotte
):
    """A garage imported its purchases before adding Emre: "No member is called Emre", and
    nothing then gave Emre the purchases once Emre was a member."""
    till = (
        "Klantnummer;Datum;Bedrag;Bonnummer;Monteur\n"
        "K1;25-03-2026;10;B1;Emre\n"
        "K1;26-03-2026;10;B2;Emre\n"
        "K1;27-03-2026;10;B3;Lotte\n"
        "K1;28-03-2026;10;B4;Emre\n"
    )
    path = write(tmp_path, "p.csv", till)
    data_import(business=business, kind="purchases", path=path)
    emre = user_create(username="emre", password="pw-emre-12345", first_name="Emre")
    membership_create(business=business, user=emre, role=Role.STAFF)
    # Who served B4 was corrected since to the owner: the file does not undo that.
    Purchase.objects.filter(external_ref="B4").update(member=owner)
    before = dict(Purchase.objects.values_list("external_ref", "updated_at"))

    again = data_import(business=business, kind="purchases", path=write(tmp_path, "p.csv", till))

    assert (again.ok, again.created, again.updated, again.skipped) == (True, 0, 2, 2)
    assert _served(business) == [("B1", "emre"), ("B2", "emre"), ("B3", "lotte"), ("B4", "sanne")]
    after = dict(Purchase.objects.values_list("external_ref", "updated_at"))
    assert [ref for ref in sorted(after) if after[ref] != before[ref]] == ["B1", "B2"]


def test_a_first_name_two_members_share_is_no_one_and_the_note_says_to_use_the_user_name(
    tmp_path, business
):
    for username in ("sam.b", "sam.k"):
        user = user_create(username=username, password="pw-sam-12345", first_name="Sam")
        membership_create(business=business, user=user, role=Role.STAFF)
    path = write(
        tmp_path,
        "p.csv",
        "Klantnummer;Datum;Bedrag;Bonnummer;Medewerker\n"
        "K1;25-03-2026;10;B1;Sam\n"
        "K1;25-03-2026;10;B2;SAM.K\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert _served(business) == [("B1", None), ("B2", "sam.k")]
    assert [(note.line, note.code) for note in _member_notes(result)] == [(2, "member_ambiguous")]
    assert _member_notes(result)[0].message == (
        "Meer dan één medewerker heet “Sam”: de aankopen met die naam zijn geïmporteerd "
        "zonder wie er hielp. Schrijf hun gebruikersnaam."
    )


def test_past_ten_unknown_names_the_rest_are_counted_in_one_note(tmp_path, business):
    lines = "".join(f"K1;25-03-2026;10;B{n:02};Naam {n:02}\n" for n in range(1, 14))
    path = write(tmp_path, "p.csv", "Klantnummer;Datum;Bedrag;Bonnummer;Medewerker\n" + lines)

    with translation.override("en"):
        result = data_import(business=business, kind="purchases", path=path)

    assert result.created == 13
    codes = [(note.line, note.code) for note in _member_notes(result)]
    assert codes == [*((line, "member_unknown") for line in range(2, 12)), (12, "members_unknown")]
    assert _member_notes(result)[-1].message.startswith("And 3 more names no member answers to")


def test_the_export_writes_who_served_and_reads_back_into_a_business_with_them(
    tmp_path, business, owner, lotte
):
    customer = CustomerFactory(business=business, external_ref="K1", name="Anna")
    services.purchase_create(customer=customer, amount_cents=8950, external_ref="B1", member=lotte)
    services.purchase_create(customer=customer, amount_cents=100, external_ref="B2")
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    purchases_csv = tmp_path / "purchases.csv"
    with zipfile.ZipFile(buffer) as archive:
        purchases_csv.write_bytes(archive.read("purchases.csv"))

    rows = table(purchases_csv)
    assert rows[0][-1] == "member"
    assert sorted((row[7], row[-1]) for row in rows[1:]) == [("B1", "Lotte de Wit"), ("B2", "")]

    # The branch Lotte also works in: she is matched there by the name the export wrote.
    branch = business_create(name="Filiaal", owner=owner)
    membership_create(business=branch, user=lotte, role=Role.STAFF)
    result = data_import(business=branch, kind="purchases", path=purchases_csv)
    assert (result.ok, result.created, _member_notes(result)) == (True, 2, [])
    assert _served(branch) == [("B1", "lotte"), ("B2", None)]


def test_an_erased_customer_keeps_their_purchases_with_who_served_them(business, owner, lotte):
    # Who served is a fact of the shop's staff, not of the customer: the fiscal record keeps it,
    # and the access document names them as the pages do.
    customer = CustomerFactory(business=business, name="Anna Verborgen")
    purchase = services.purchase_create(
        customer=customer, amount_cents=8950, description="Knippen Anna Verborgen", member=lotte
    )

    document = customer_personal_data(customer=customer)
    customer_erase(customer=customer, actor=owner)

    assert [row["member"] for row in document["purchases"]] == ["Lotte de Wit"]
    stored = Purchase.objects.get(pk=purchase.pk)
    assert (stored.member_id, stored.amount_cents, stored.description) == (
        lotte.pk,
        8950,
        "Knippen […]",
    )


def test_a_member_is_found_by_a_full_name_longer_than_a_first_name_can_be(tmp_path, business):
    """A first name and a last name hold 150 characters each (the account page): the full name
    a till writes was refused as longer than a name could be."""
    user = user_create(username="marie", password="pw-marie-123", first_name="M" * 150)
    user.last_name = "W" * 150
    user.save()
    membership_create(business=business, user=user, role=Role.STAFF)
    path = write(
        tmp_path,
        "p.csv",
        f"Klantnummer;Datum;Bedrag;Bonnummer;Medewerker\nK1;25-03-2026;89,50;B1;{user.get_full_name()}\n",
    )

    result = data_import(business=business, kind="purchases", path=path)

    assert result.ok, result.errors
    assert _served(business) == [("B1", "marie")]
