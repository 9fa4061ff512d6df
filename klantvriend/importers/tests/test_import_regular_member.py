"""A customer's regular staff member through the importers: a customer file's "Vaste
medewerker" (or "Kapper", "Monteur") matched to a member as the purchase file's "who served"
is, customers.csv of the export naming them and read back, the JSON backup keeping them by
user name, and a merge filling them in as it fills the other single details."""

import io
import zipfile

import pytest
from django.utils import translation

from klantvriend.core.models import Role
from klantvriend.core.services import business_create, membership_create, user_create
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.export import business_export, business_restore
from klantvriend.importers.merge import customer_merge, merge_plan
from klantvriend.importers.privacy import customer_erase, customer_personal_data
from klantvriend.importers.results import RowError
from klantvriend.importers.service import data_import

from .test_export_reimport import table
from .test_import import write

pytestmark = pytest.mark.django_db


@pytest.fixture
def joris(business):
    user = user_create(username="joris", password="pw-joris-123", first_name="Joris")
    user.last_name = "Bakker"
    user.save()
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def _regulars(business) -> dict[str, str | None]:
    return dict(
        Customer.objects.filter(business=business).values_list("name", "regular_member__username")
    )


def _member_notes(result) -> list[RowError]:
    return [note for note in result.notes if note.code.startswith("member")]


@pytest.mark.parametrize(
    "header", ["Vaste medewerker", "Kapper", "Monteur", "Medewerker", "regular_member"]
)
def test_the_column_of_the_regular_member_is_found_by_its_header(tmp_path, business, joris, header):
    path = write(tmp_path, "k.csv", f"Klantnummer;Naam;{header}\nK1;Anna;Joris\n")

    result = data_import(business=business, kind="customers", path=path)

    assert (result.ok, result.mapping["regular_member"]) == (True, header)
    assert _regulars(business) == {"Anna": "joris"}


def test_members_are_matched_as_the_purchase_import_matches_them_and_empty_leaves_them(
    tmp_path, business, owner, joris
):
    CustomerFactory(business=business, name="Anna", external_ref="K1", regular_member=owner)
    CustomerFactory(business=business, name="Bert", external_ref="K2", regular_member=owner)
    path = write(
        tmp_path,
        "k.csv",
        "Klantnummer;Naam;Vaste medewerker\n"
        "K1;Anna;JORIS\n"  # an existing customer gets another one
        "K2;Bert;\n"  # an empty cell wipes nothing
        "K3;Cor;  joris   bakker \n"
        "K4;Dirk;sanne\n",
    )

    result = data_import(business=business, kind="customers", path=path)

    assert (result.ok, result.created, result.updated, _member_notes(result)) == (True, 2, 1, [])
    assert _regulars(business) == {
        "Anna": "joris",
        "Bert": "sanne",
        "Cor": "joris",
        "Dirk": "sanne",
    }


@pytest.mark.parametrize(
    ("dry_run", "imported"),
    [(False, "were imported without a regular staff member."), (True, "would be imported")],
)
def test_a_name_no_member_answers_to_imports_the_customer_without_and_says_so_once(
    tmp_path, business, joris, other_business, other_owner, dry_run, imported
):
    # Someone of another business is no one here.
    CustomerFactory(business=business, name="Anna", external_ref="K1", regular_member=joris)
    path = write(
        tmp_path,
        "k.csv",
        "Klantnummer;Naam;Kapper\nK1;Anna;Ingrid\nK2;Bert;Ingrid\nK3;Cor;other\n",
    )

    with translation.override("en"):
        result = data_import(business=business, kind="customers", path=path, dry_run=dry_run)

    assert result.ok, result.errors
    notes = _member_notes(result)
    assert [(note.line, note.column, note.value, note.code) for note in notes] == [
        (2, "Kapper", "Ingrid", "member_unknown"),
        (4, "Kapper", "other", "member_unknown"),
    ]
    assert notes[0].message.startswith("No member is called “Ingrid”: the customers of that name")
    assert imported in notes[0].message
    if dry_run:
        assert _regulars(business) == {"Anna": "joris"}
    else:
        assert _regulars(business) == {"Anna": "joris", "Bert": None, "Cor": None}


def test_a_first_name_two_members_share_is_noted_in_dutch(tmp_path, business):
    for username in ("sam.b", "sam.k"):
        user = user_create(username=username, password="pw-sam-12345", first_name="Sam")
        membership_create(business=business, user=user, role=Role.STAFF)
    path = write(tmp_path, "k.csv", "Naam;Monteur\nAnna;Sam\nBert;sam.k\n")

    result = data_import(business=business, kind="customers", path=path)

    assert _regulars(business) == {"Anna": None, "Bert": "sam.k"}
    assert [(note.line, note.code, note.message) for note in _member_notes(result)] == [
        (
            2,
            "member_ambiguous",
            "Meer dan één medewerker heet “Sam”: de klanten met die naam zijn geïmporteerd "
            "zonder vaste medewerker. Schrijf hun gebruikersnaam.",
        )
    ]


def test_a_name_too_long_for_anyone_is_refused_at_its_line_and_nothing_imported(tmp_path, business):
    path = write(tmp_path, "k.csv", f"Naam;Vaste medewerker\nAnna;Joris\nBert;{'x' * 302}\n")

    result = data_import(business=business, kind="customers", path=path)

    assert [(error.line, error.column, error.code) for error in result.errors] == [
        (3, "Vaste medewerker", "max_length")
    ]
    assert result.errors[0].message == "Gebruik hoogstens 301 tekens."
    assert not Customer.objects.exists()


def _export(business, tmp_path):
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    customers_csv = tmp_path / "customers.csv"
    with zipfile.ZipFile(buffer) as archive:
        customers_csv.write_bytes(archive.read("customers.csv"))
    buffer.seek(0)
    return buffer, customers_csv


def test_customers_csv_names_the_member_and_reads_back_into_a_business_with_them(
    tmp_path, business, owner, joris
):
    CustomerFactory(business=business, name="Anna", external_ref="K1", regular_member=joris)
    CustomerFactory(business=business, name="Bert", external_ref="K2")

    _buffer, customers_csv = _export(business, tmp_path)

    rows = table(customers_csv)
    column = rows[0].index("regular_member")
    assert sorted((row[rows[0].index("name")], row[column]) for row in rows[1:]) == [
        ("Anna", "Joris Bakker"),
        ("Bert", ""),
    ]
    # The branch Joris also works in: he is matched there by the name the export wrote.
    branch = business_create(name="Filiaal", owner=owner)
    membership_create(business=branch, user=joris, role=Role.STAFF)
    result = data_import(business=branch, kind="customers", path=customers_csv)
    assert (result.ok, result.created, _member_notes(result)) == (True, 2, [])
    assert _regulars(branch) == {"Anna": "joris", "Bert": None}


def test_the_backup_keeps_the_regular_member_for_a_business_they_work_in(
    tmp_path, business, owner, joris
):
    CustomerFactory(business=business, name="Anna", regular_member=joris)
    CustomerFactory(business=business, name="Bert", regular_member=owner)
    buffer, _csv = _export(business, tmp_path)
    # Restored where Joris works too, and where only the owner does: someone who does not
    # work in the business is named by no customer of it.
    with_joris = business_create(name="Terug", owner=owner)
    membership_create(business=with_joris, user=joris, role=Role.STAFF)
    without_joris = business_create(name="Elders", owner=owner)

    business_restore(business=with_joris, path=buffer)
    buffer.seek(0)
    business_restore(business=without_joris, path=buffer)

    assert _regulars(with_joris) == {"Anna": "joris", "Bert": "sanne"}
    assert _regulars(without_joris) == {"Anna": None, "Bert": "sanne"}


def test_the_access_document_names_the_regular_member_as_the_pages_do(business, joris):
    customer = CustomerFactory(business=business, regular_member=joris)

    document = customer_personal_data(customer=customer)

    assert document["customer"]["regular_member"] == "Joris Bakker"


def test_a_merge_fills_in_the_other_record_s_regular_member_when_the_kept_has_none(
    business, owner, joris
):
    keep = CustomerFactory(business=business, name="Anna")
    other = CustomerFactory(business=business, name="A. de Vries", regular_member=joris)

    assert merge_plan(keep=keep, other=other).fields == {"regular_member_id": joris.pk}
    customer_merge(keep=keep, other=other, actor=owner)

    assert _regulars(business) == {"Anna": "joris"}


def test_a_merge_keeps_the_kept_record_s_own_and_says_the_other_one_is_not_kept(
    business, owner, joris
):
    keep = CustomerFactory(business=business, name="Anna", regular_member=owner)
    other = CustomerFactory(business=business, name="A. de Vries", regular_member=joris)

    plan = merge_plan(keep=keep, other=other)
    assert (plan.fields, plan.not_taken) == ({}, [("regular_member_id", joris.pk)])
    customer_merge(keep=keep, other=other, actor=owner)

    assert _regulars(business) == {"Anna": "sanne"}


def test_an_anonymised_customer_has_no_regular_member(business, owner, joris):
    # Whom they asked for is a preference of the person, as what they like is.
    customer = CustomerFactory(business=business, regular_member=joris)

    customer_erase(customer=customer, actor=owner)

    assert Customer.objects.get(pk=customer.pk).regular_member_id is None
    assert customer.regular_member_id is None
