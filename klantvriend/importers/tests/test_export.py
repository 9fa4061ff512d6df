"""Everything out and back in: the round trip that proves an export loses nothing."""

import csv
import io
import json
import zipfile
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.core.services import business_create, user_create
from klantvriend.customers import services
from klantvriend.customers.models import Customer, ErasedIdentity, ImportantDate, Purchase
from klantvriend.customers.privacy_requests import privacy_request_record
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.importers.export import JSON_NAME, business_export, business_restore
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.service import data_import
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.tests.factories import SurveyInvitationFactory

# Derived on writing, so they differ between two databases without any data being lost.
VOLATILE = {"updated_at"}


def fill(business, owner):
    anna = services.customer_create(
        business=business,
        name="Anna de Vries",
        email="anna@example.nl",
        phone="06 12345678",
        notes="Dochter begint op school",
        marketing_consent=True,
        special_category_consent=True,
        special_notes="Notenallergie",
        external_ref="K-1",
        tags=["vaste klant", "catering"],
        birthday=date(1980, 5, 17),
    )
    bert = services.customer_create(business=business, name="Bert Smit", referred_by=anna)
    services.important_date_add(customer=anna, label="Trouwdag", date=date(2005, 6, 1))
    services.purchase_create(
        customer=anna, amount_cents=123456, description="Rollade", external_ref="B1", member=owner
    )
    services.purchase_create(
        customer=bert, amount_cents=995, at=timezone.now() - timedelta(days=40)
    )
    services.contact_moment_create(
        customer=anna, kind="call", summary="Gebeld over het feest", member=owner
    )
    promise = PromiseFactory(customer=anna, made_by=owner)
    complaint = ComplaintFactory(customer=bert, received_by=owner, resolution="Nieuwe geleverd")
    FollowUpFactory(customer=bert, complaint=complaint, assigned_to=owner)
    FollowUpFactory(customer=anna, promise=promise)
    GestureFactory(customer=anna, given_by=owner, value_cents=250)
    privacy_request_record(
        customer=bert,
        actor=owner,
        kind="objection",
        received_on=business.today() - timedelta(days=3),
        channel="phone",
        note="Wil geen aanbiedingen meer",
    )
    return anna, bert


def archived(document: dict) -> io.BytesIO:
    """An export file holding `document`, as an older version may have written it."""
    path = io.BytesIO()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(JSON_NAME, json.dumps(document))
    return path


def export_document(business) -> dict:
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        return json.loads(archive.read(JSON_NAME))


def normalised(document: dict) -> dict:
    """Ids replaced by their position in the export, so two databases compare equal."""
    sections = {
        name: rows
        for name, rows in document.items()
        if isinstance(rows, list) and name not in {"members", "audit_events"}
    }
    positions = {
        name: {row["id"]: index for index, row in enumerate(rows)}
        for name, rows in sections.items()
    }
    targets = {
        "customer": "customers",
        "referred_by": "customers",
        "promise": "promises",
        "complaint": "complaints",
        "purchase": "purchases",
        "raised_complaint": "complaints",
        "tags": "tags",
    }
    result = {}
    for name, rows in sections.items():
        clean = []
        for row in rows:
            row = {key: value for key, value in row.items() if key not in VOLATILE}
            row["id"] = positions[name][row["id"]]
            for key, target in targets.items():
                if key in row and row[key] is not None:
                    if isinstance(row[key], list):
                        row[key] = sorted(positions[target][value] for value in row[key])
                    else:
                        row[key] = positions[target][row[key]]
            clean.append(row)
        result[name] = clean
    return result


def test_export_holds_every_kind_of_record_as_csv_and_json(business, owner):
    fill(business, owner)
    buffer = io.BytesIO()

    counts = business_export(business=business, out=buffer)

    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        customers_csv = archive.read("customers.csv").decode()
    assert {
        "klantvriend.json",
        "customers.csv",
        "purchases.csv",
        "contact_moments.csv",
        "important_dates.csv",
        "consent_records.csv",
        "tags.csv",
        "promises.csv",
        "complaints.csv",
        "follow_ups.csv",
        "gestures.csv",
        "members.csv",
        "audit_events.csv",
        "privacy_requests.csv",
    } <= names
    assert counts["customers"] == 2
    assert counts["purchases"] == 2
    assert counts["promises"] == 1
    assert "Anna de Vries" in customers_csv
    assert customers_csv.splitlines()[0].startswith("\ufeffid;name;company;email;")


def test_the_zip_says_in_a_read_me_what_each_file_is_for(business, owner):
    """Whoever opened the zip met insights_customerinsight.csv and customers_distinctpair.csv
    beside one JSON file, without a word of which restores and which a spreadsheet opens."""
    fill(business, owner)
    buffer = io.BytesIO()

    with translation.override("nl"):
        counts = business_export(business=business, out=buffer)

    with zipfile.ZipFile(buffer) as archive:
        lines = archive.read("leesmij.txt").decode("utf-8").split("\r\n")
    assert lines[0].startswith(f"Export van {business.name}, gemaakt op ")
    assert lines[2] == (
        "klantvriend.json: alles, voor wie Klantvriend voor je beheert om terug te zetten in een "
        "lege zaak (met de opdracht manage.py restore_business). Houd de zip heel."
    )
    # Only purchases.csv writes euros with a decimal comma (as the import reads them): the
    # read-me said so of every file, beside gestures.csv's value_cents of 1500.
    assert (
        "De andere bestanden bevatten de velden van elk gegeven zoals Klantvriend ze bewaart: "
        "een bedrag in centen (een kolom die op _cents eindigt: 1500 is 15,00)"
    ) in lines[3]
    assert "  customers.csv: 2 regels" in lines
    assert "  promises.csv: 1 regel" in lines
    assert len([line for line in lines if line.startswith("  ")]) == len(counts)
    assert lines[-2].startswith("Dit bestand bevat de persoonsgegevens van elke klant")


def test_the_csv_files_open_in_a_dutch_excel_with_accents_and_columns_intact(business):
    """Excel reads a CSV file without a byte order mark as Windows-1252 ("JosÃ©"), and a Dutch
    Excel splits columns on semicolons only: a comma-separated file opened in one column."""
    services.customer_create(business=business, name="José Öztürk", city="Den Haag, Centrum")
    buffer = io.BytesIO()

    business_export(business=business, out=buffer)

    with zipfile.ZipFile(buffer) as archive:
        raw = {name: archive.read(name) for name in archive.namelist() if name.endswith(".csv")}
    assert all(content.startswith(b"\xef\xbb\xbf") for content in raw.values())
    header, row = raw["customers.csv"].decode("utf-8-sig").splitlines()
    assert header.split(";")[:8] == [
        "id",
        "name",
        "company",
        "email",
        "phone",
        "street",
        "postal_code",
        "city",
    ]
    assert row.split(";")[1:8] == ["José Öztürk", "", "", "", "", "", "Den Haag, Centrum"]


def test_the_round_trip_into_an_empty_business_compares_equal(business, owner):
    fill(business, owner)
    original = export_document(business)
    empty = business_create(name="Nieuwe Server", owner=owner)
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)

    business_restore(business=empty, path=buffer)

    restored = export_document(empty)
    assert normalised(restored) == normalised(original)
    assert normalised(original)["customers"][1]["referred_by"] == 0
    assert Customer.objects.get(business=empty, name="Anna de Vries").search_text


def test_a_restored_business_still_recognises_its_erased_customers(business, owner, tmp_path):
    till = tmp_path / "kassa.csv"
    till.write_text(
        "klantnummer;naam;email;datum;bedrag;bonnummer\n"
        "K7;Anna Verborgen;anna@example.nl;13-03-2026;12,50;B1\n"
    )
    data_import(business=business, kind="purchases", path=till)
    customer_erase(customer=Customer.objects.get(business=business, external_ref="K7"))
    original = export_document(business)
    empty = business_create(name="Nieuwe Server", owner=owner)
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)

    business_restore(business=empty, path=buffer)
    again = data_import(business=empty, kind="purchases", path=till)

    assert len(original["erased_identities"]) == 2
    assert (
        normalised(export_document(empty))["erased_identities"]
        == normalised(original)["erased_identities"]
    )
    assert (again.customers_created, again.created, again.skipped, again.anonymised) == (0, 0, 1, 1)
    anonymised = Customer.objects.get(business=empty)
    assert anonymised.erased_at is not None
    assert list(
        ErasedIdentity.objects.filter(business=empty).values_list("customer_id", flat=True)
    ) == [anonymised.pk, anonymised.pk]


def test_restore_refuses_a_business_that_has_data(business, other_business, owner):
    fill(business, owner)
    services.customer_create(business=other_business, name="Al Aanwezig")
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)

    with pytest.raises(ValidationError):
        business_restore(business=other_business, path=buffer)

    assert Customer.objects.filter(business=other_business).count() == 1
    assert Purchase.objects.filter(business=other_business).count() == 0


def test_a_copy_on_the_same_server_is_refused_clearly_and_writes_nothing(business, owner):
    SurveyInvitationFactory(customer=services.customer_create(business=business, name="Anna"))
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    copy = business_create(name="Kopie", owner=owner)

    with pytest.raises(ValidationError) as refused:
        business_restore(business=copy, path=buffer)

    assert refused.value.error_dict["file"][0].code == "already_here"
    assert Customer.objects.filter(business=copy).count() == 0


def test_restore_refuses_a_file_that_is_not_an_export(business, tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"not a zip")

    with pytest.raises(ValidationError):
        business_restore(business=business, path=path)


def test_the_commands_export_and_restore(business, owner, tmp_path):
    fill(business, owner)
    target = business_create(name="Elders", owner=user_create(username="x", password="pw-x-12345"))
    out = tmp_path / "export.zip"

    call_command("export_business", business.slug, str(out), stdout=io.StringIO())
    call_command("restore_business", target.slug, str(out), stdout=io.StringIO())

    assert Purchase.objects.filter(business=target).count() == 2
    # The members of the other server are other people: who made a promise is kept only when
    # that user is a member there too.
    assert export_document(target)["promises"][0]["made_by"] is None


def test_only_owners_download_the_export(owner_client, staff_client, business, owner):
    fill(business, owner)

    refused = staff_client.post("/data/export/")
    response = owner_client.post("/data/export/")

    assert refused.status_code == 403
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert "Anna de Vries" in archive.read("customers.csv").decode()


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_exported_inert_and_reimported_as_is(
    business, other_business, tmp_path
):
    """A name typed as =HYPERLINK(...) on a public survey or by a careless integration must not
    become a live formula in the owner's Excel (CSV injection): a leading apostrophe makes the
    cell text there, and the importers take it off again, so the data makes the round trip."""
    risky = {
        "name": '=HYPERLINK("http://example.com","klik")',
        "city": "@SUM(A1:A9)",
        "phone": "+31 6 12345678",
        "notes": "-mager vlees",
        "preferences": "+1 extra saus",
    }
    services.customer_create(business=business, **risky)
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        exported = archive.read("customers.csv")
    header, row = csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";")
    cells = dict(zip(header, row, strict=True))
    path = tmp_path / "customers.csv"
    path.write_bytes(exported)

    result = data_import(business=other_business, kind="customers", path=path)

    assert {name: cells[name] for name in risky} == {
        name: "'" + value for name, value in risky.items()
    }
    assert result.ok, result.errors
    again = Customer.objects.get(business=other_business)
    assert {name: getattr(again, name) for name in risky} == risky


def test_an_exported_customers_file_imports_back_with_its_numbers_and_tags(
    business, other_business, tmp_path
):
    """The CSV files are for people (Excel, another tool): a tag is its name there, not the id
    of a row of tags.csv, and the customers importer knows the export's own column names."""
    services.customer_create(
        business=business,
        name='Jan "de Slager"; Öztürk',
        external_ref="K-001",
        tags=["vaste klant", "bbq"],
        notes="regel 1\nregel 2; met, komma",
    )
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)
    with zipfile.ZipFile(buffer) as archive:
        exported = archive.read("customers.csv")
    header, row = csv.reader(io.StringIO(exported.decode("utf-8-sig")), delimiter=";")
    path = tmp_path / "customers.csv"
    path.write_bytes(exported)

    result = data_import(business=other_business, kind="customers", path=path)

    assert dict(zip(header, row, strict=True))["tags"] == "bbq;vaste klant"
    assert result.ok, result.errors
    again = Customer.objects.get(business=other_business)
    assert (again.name, again.external_ref, again.notes) == (
        'Jan "de Slager"; Öztürk',
        "K-001",
        "regel 1\nregel 2; met, komma",
    )
    assert sorted(again.tags.values_list("name", flat=True)) == ["bbq", "vaste klant"]


def test_an_export_from_before_numbers_were_unique_in_any_capitals_restores_renumbered(
    business, owner, other_business
):
    """An old export may hold K-1 beside k-1, which the database now refuses: the customer
    recorded later is renumbered as the upgrade renumbers them, and the change is audited."""
    fill(business, owner)
    document = export_document(business)
    later = {**document["customers"][0], "id": 999_999, "name": "Kees", "external_ref": "k-1"}
    later["created_at"] = "2999-01-01T00:00:00+00:00"
    document["customers"].append(later)

    counts = business_restore(business=other_business, path=archived(document))

    assert counts["customers"] == 3
    assert sorted(
        Customer.objects.filter(business=other_business).values_list("name", "external_ref")
    ) == [("Anna de Vries", "K-1"), ("Bert Smit", ""), ("Kees", "k-1-2")]
    kees = Customer.objects.get(business=other_business, name="Kees")
    assert AuditEvent.objects.get(customer=kees).changes == {"external_ref": ["k-1", "k-1-2"]}


def test_an_export_from_before_important_dates_were_unique_restores_each_once(
    business, owner, other_business
):
    """An old export may hold a customer's important date twice, which the database now
    refuses: restored once, as the upgrade merges them (every year if either was)."""
    fill(business, owner)
    document = export_document(business)
    wedding = document["important_dates"][0]
    document["important_dates"] = [
        {**wedding, "yearly": False},
        {**wedding, "id": wedding["id"] + 1, "yearly": True},
        {**wedding, "id": wedding["id"] + 2, "date": "2006-06-01"},
    ]

    counts = business_restore(business=other_business, path=archived(document))

    assert counts["important_dates"] == 2
    assert sorted(
        ImportantDate.objects.filter(business=other_business).values_list(
            "customer__name", "label", "date", "yearly"
        )
    ) == [
        ("Anna de Vries", "Trouwdag", date(2005, 6, 1), True),
        ("Anna de Vries", "Trouwdag", date(2006, 6, 1), True),
    ]


def test_a_restored_business_works_out_its_complaints_deadlines_by_its_own_settings(
    business, owner
):
    received = datetime(2026, 3, 10, 11, 0, tzinfo=business.tzinfo)
    ComplaintFactory(
        customer=CustomerFactory(business=business), received_at=received, description="Te laat"
    )
    empty = business_create(name="Nieuwe Server", owner=owner)
    care_settings_update(business=empty, actor=owner, complaint_resolution_days=7)
    buffer = io.BytesIO()
    business_export(business=business, out=buffer)

    business_restore(business=empty, path=buffer)

    restored = Complaint.objects.get(business=empty)
    with zipfile.ZipFile(buffer) as archive:
        exported = json.loads(archive.read(JSON_NAME))["complaints"][0]
    assert exported["description"] == "Te laat"
    assert not {"respond_by", "resolve_by"} & set(exported)
    assert (restored.respond_by, restored.resolve_by) == (
        datetime(2026, 3, 10, 15, 0, tzinfo=empty.tzinfo),
        # Seven working days after Tuesday, the Sunday closed: Wednesday 18 March's closing.
        datetime(2026, 3, 18, 18, 0, tzinfo=empty.tzinfo),
    )
