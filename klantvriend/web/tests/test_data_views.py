"""Import and export pages: owners only; upload, preview with the columns found, dry run, import."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from klantvriend.customers.models import Customer, Purchase
from klantvriend.importers.privacy import customer_erase

TILL = (
    "Bonnummer;Datum;Klantnummer;Naam;Bedrag\r\n"
    "B1;13-01-2025;1001;José Müller;€ 12,50\r\n"
    "B2;14-01-2025;1002;Ans Bakker;1.234,56\r\n"
).encode("cp1252")


def upload(client, content=TILL, kind="purchases"):
    return client.post(
        "/data/import/",
        {"kind": kind, "file": SimpleUploadedFile("kassa.csv", content, "text/csv")},
    )


def test_staff_cannot_import_or_export(staff_client):
    assert staff_client.get("/data/import/").status_code == 403
    assert upload(staff_client).status_code == 403
    assert staff_client.get("/data/export/").status_code == 403
    assert Purchase.objects.count() == 0


def test_upload_shows_a_preview_with_the_columns_found(owner_client):
    response = upload(owner_client)
    assert response.status_code == 302

    preview = owner_client.get(response["Location"])

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "José Müller" in page
    assert "Windows-1252" in page
    assert '<option value="Datum" selected>' in page
    assert Purchase.objects.count() == 0


MAPPING = {
    "column_date": "Datum",
    "column_amount": "Bedrag",
    "column_customer_number": "Klantnummer",
    "column_name": "Naam",
    "column_receipt_number": "Bonnummer",
}


def test_a_dry_run_counts_and_the_import_stores(owner_client, business):
    url = upload(owner_client)["Location"]

    dry = owner_client.post(url, {**MAPPING, "action": "dry_run"}, headers={"HX-Request": "true"})
    assert dry.status_code == 200
    assert Purchase.objects.count() == 0
    assert 'data-testid="import-result"' in dry.content.decode()

    done = owner_client.post(url, {**MAPPING, "action": "import"})

    assert done.status_code == 200
    assert Purchase.objects.filter(business=business).count() == 2
    assert Customer.objects.filter(business=business).count() == 2
    assert owner_client.get(url).status_code == 404  # the upload is gone once imported


def test_a_broken_file_lists_its_errors_and_stores_nothing(owner_client):
    broken = b"Datum;Klantnummer;Bedrag\r\n13-01-2025;1;twaalf\r\n32-01-2025;2;5\r\n"
    url = upload(owner_client, broken)["Location"]

    response = owner_client.post(
        url,
        {
            "column_date": "Datum",
            "column_amount": "Bedrag",
            "column_customer_number": "Klantnummer",
            "action": "import",
        },
    )

    assert response.status_code == 422
    page = response.content.decode()
    assert "twaalf" in page
    assert "32-01-2025" in page
    assert Purchase.objects.count() == 0
    assert Customer.objects.count() == 0


def test_another_session_cannot_use_an_upload(owner_client, other_owner, other_business):
    from django.test import Client

    url = upload(owner_client)["Location"]
    stranger = Client()
    stranger.force_login(other_owner)

    assert stranger.get(url).status_code == 404
    assert stranger.post(url, {"action": "import"}).status_code == 404


@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("nl", "1 rijen van geanonimiseerde klanten: hun persoonsgegevens zijn niet opnieuw"),
        ("en", "1 rows of anonymised customers: their personal data was not imported again"),
    ],
)
def test_a_dry_run_reports_the_rows_of_anonymised_customers(
    owner_client, business, owner, language, line
):
    owner_client.post(upload(owner_client)["Location"], {**MAPPING, "action": "import"})
    customer_erase(customer=Customer.objects.get(business=business, external_ref="1001"))
    url = upload(owner_client)["Location"]
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # as the language switch sets

    dry = owner_client.post(url, {**MAPPING, "action": "dry_run"}, headers={"HX-Request": "true"})

    assert dry.status_code == 200
    assert line in dry.content.decode()
    assert Customer.objects.filter(business=business, name="José Müller").count() == 0
