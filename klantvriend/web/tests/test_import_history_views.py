"""The import history on the import page: every import by the page (and the command) is listed,
the latest first, and opens to its counts and all its errors, paged and as a CSV file."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.services import purchase_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers import history
from klantvriend.importers.models import ImportErrorPage, ImportRecord
from klantvriend.importers.results import ImportResult, RowError
from klantvriend.importers.tests.factories import ImportRecordFactory
from klantvriend.isolation import snapshot

from .test_data_views import MAPPING, imports_run_inline  # noqa: F401 -- autouse: imports here run in the request too

GOOD = "Bonnummer;Datum;Klantnummer;Naam;Bedrag\r\nB1;13-01-2025;1001;José Müller;12,50\r\n"


def bad_till(bad_rows: int) -> str:
    lines = ["Bonnummer;Datum;Klantnummer;Naam;Bedrag", "B0;13-01-2025;1000;Ans;1,00"]
    lines += [f"B{n};13-01-2025;{1000 + n};Klant {n};vijf" for n in range(1, bad_rows + 1)]
    return "\r\n".join(lines) + "\r\n"


def imported(client, content: str, action: str = "import", name: str = "kassa.csv"):
    upload = SimpleUploadedFile(name, content.encode(), "text/csv")
    url = client.post("/data/import/", {"kind": "purchases", "file": upload})["Location"]
    client.post(url, {**MAPPING, "action": action})
    return url


def recorded(record: ImportRecord, errors: list[RowError]) -> ImportRecord:
    """The record with `errors` in place of the factory's one."""
    ImportErrorPage.objects.filter(record=record).delete()
    result = ImportResult(kind="purchases", dry_run=False, rows=len(errors) + 1)
    for error in errors:
        result.add_error(error)
    history.import_record_finish(record=record, result=result, state="refused")
    return record


def amount_errors(count: int) -> list[RowError]:
    return [
        RowError(n + 2, "Bedrag", f"vijf {n}", "Vul het bedrag in als getal.", "invalid")
        for n in range(1, count + 1)
    ]


def test_an_import_on_the_page_is_recorded_and_listed_under_the_form(owner_client, owner):
    imported(owner_client, GOOD)

    record = ImportRecord.objects.get()
    page = owner_client.get("/data/import/").content.decode()

    assert (record.source, record.member, record.state, record.created) == (
        "web",
        owner,
        "imported",
        1,
    )
    assert (record.file_name, record.file_size) == ("kassa.csv", len(GOOD.encode()))
    assert f'href="/data/imports/{record.pk}/"' in page
    assert 'kassa.csv <span class="subtle">· aankopen</span>' in page
    assert '<span class="badge">geïmporteerd</span>' in page
    assert "1 regel, 1 aangemaakt" in page
    assert "De hele geschiedenis (1 import)" in page


def test_the_opened_import_shows_its_counts_and_who_imported_it(owner_client):
    imported(owner_client, GOOD)
    record = ImportRecord.objects.get()

    page = owner_client.get(f"/data/imports/{record.pk}/").content.decode()

    assert "<h1>Import van aankopen</h1>" in page
    assert "kassa.csv · 81\xa0bytes" in page  # é and ü take two bytes each
    assert "<li>1 regel gelezen</li>" in page
    assert "<li>1 aangemaakt</li>" in page
    assert "<li>Door: Sanne</li>" in page
    assert 'data-testid="import-errors"' not in page


def test_a_refused_file_on_the_page_links_from_its_first_errors_to_all_of_them(owner_client):
    url = imported(owner_client, bad_till(250))

    outcome = owner_client.get(url).content.decode()
    record = ImportRecord.objects.get()

    assert (record.state, record.error_count, record.error_pages.count()) == ("refused", 250, 3)
    assert "De eerste 200 van 250 fouten worden getoond." in outcome
    assert f'<a href="/data/imports/{record.pk}/" data-testid="import-all-errors">' in outcome
    assert "Bekijk alle 250 fouten, of download ze" in outcome
    assert Purchase.objects.count() == 0
    assert Customer.objects.count() == 0


def test_a_dry_run_on_the_page_with_a_few_errors_offers_their_download(owner_client):
    url = imported(owner_client, bad_till(2), action="dry_run")

    outcome = owner_client.get(url).content.decode()
    record = ImportRecord.objects.get()

    assert (record.state, record.dry_run, record.error_count) == ("refused", True, 2)
    assert f'href="/data/imports/{record.pk}/errors.csv"' in outcome


def test_an_import_stopped_with_its_server_is_recorded_as_interrupted(owner_client, monkeypatch):
    def stopped(**options):
        raise SystemExit(1)  # the worker is stopped in the middle of the import

    monkeypatch.setattr(history, "data_import", stopped)

    with pytest.raises(SystemExit):
        imported(owner_client, GOOD)

    record = ImportRecord.objects.get()
    page = owner_client.get(f"/data/imports/{record.pk}/").content.decode()
    assert record.state == "interrupted"
    assert '<span class="badge badge-risk" data-testid="import-record-state">onderbroken' in page
    assert "De import stopte voor het einde" in page
    assert Purchase.objects.count() == 0


def test_all_errors_are_paged_a_hundred_at_a_time_in_the_files_order(owner_client, business):
    record = recorded(ImportRecordFactory(business=business), amount_errors(250))

    first = owner_client.get(f"/data/imports/{record.pk}/").content.decode()
    last = owner_client.get(f"/data/imports/{record.pk}/?page=3").content.decode()

    assert first.count("<tr><td>") == 100
    assert "<tr><td>3</td><td>Bedrag</td><td><code>vijf 1</code></td>" in first
    assert "<code>vijf 100</code>" in first
    assert "<code>vijf 101</code>" not in first
    assert "Pagina 1 van 3" in first
    assert last.count("<tr><td>") == 50
    assert "<code>vijf 250</code>" in last
    assert "<code>vijf 199</code>" not in last


def test_the_errors_download_as_csv_for_a_spreadsheet(owner_client, business):
    record = ImportRecordFactory(business=business)
    recorded(
        record,
        [
            RowError(None, "", "", "Het bestand is leeg.", "empty"),
            RowError(2, "Bedrag", "vijf", "Vul het bedrag in als getal, zoals 12,50.", "invalid"),
            RowError(3, "Naam", "=HYPERLINK(1)", "Te lang; zo'n naam", "long"),
        ],
    )

    response = owner_client.get(f"/data/imports/{record.pk}/errors.csv")

    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="import-{record.pk}-errors.csv"'
    )
    assert body == (
        "\ufeffRegel;Kolom;Waarde;Probleem\r\n"
        ";;;Het bestand is leeg.\r\n"
        "2;Bedrag;vijf;Vul het bedrag in als getal, zoals 12,50.\r\n"
        "3;Naam;'=HYPERLINK(1);\"Te lang; zo'n naam\"\r\n"  # its semicolon quoted
    )


def test_a_large_download_holds_every_error(owner_client, business):
    record = ImportRecordFactory(business=business)
    recorded(record, amount_errors(4500))

    response = owner_client.get(f"/data/imports/{record.pk}/errors.csv")

    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    assert len(rows) == 4501
    assert rows[1] == ["3", "Bedrag", "vijf 1", "Vul het bedrag in als getal."]
    assert rows[-1] == ["4502", "Bedrag", "vijf 4500", "Vul het bedrag in als getal."]


def test_the_history_lists_the_latest_first_fifty_a_page(owner_client, business):
    for number in range(52):
        ImportRecordFactory(business=business, file_name=f"bestand-{number:02d}.csv")

    first = owner_client.get("/data/imports/").content.decode()
    second = owner_client.get("/data/imports/?page=2").content.decode()

    assert first.count('data-testid="import-record"') == 50
    assert first.index("bestand-51.csv") < first.index("bestand-50.csv")
    assert "bestand-01.csv" not in first
    assert "52 imports" in first
    assert second.count('data-testid="import-record"') == 2
    assert "bestand-00.csv" in second


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["<h1>Import history</h1>", "1 import", "the import command", "refused", "1 error"]),
        (
            "nl",
            ["<h1>Importgeschiedenis</h1>", "1 import", "de importopdracht", "geweigerd", "1 fout"],
        ),
    ],
)
def test_the_history_speaks_the_members_language(owner_client, owner, business, language, texts):
    ImportRecordFactory(business=business)
    account_language_set(user=owner, language=language)

    page = owner_client.get("/data/imports/").content.decode()

    assert [text for text in texts if text in page] == texts


def test_staff_cannot_see_the_history_nor_download_errors(staff_client, business):
    record = ImportRecordFactory(business=business)
    before = snapshot()

    responses = [
        staff_client.get("/data/imports/"),
        staff_client.get(f"/data/imports/{record.pk}/"),
        staff_client.get(f"/data/imports/{record.pk}/errors.csv"),
        staff_client.post(f"/data/imports/{record.pk}/", {}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    assert snapshot() == before


def test_the_pages_cost_the_same_queries_for_few_and_many(owner_client, business):
    record = ImportRecordFactory(business=business)
    owner_client.get("/data/import/")  # the session and the business, read once

    def counted(url):
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        return len(queries)

    few = [
        counted("/data/import/"),
        counted("/data/imports/"),
        counted(f"/data/imports/{record.pk}/"),
    ]
    for _number in range(30):
        ImportRecordFactory(business=business)
    recorded(record, amount_errors(450))
    many = [
        counted("/data/import/"),
        counted("/data/imports/"),
        counted(f"/data/imports/{record.pk}/"),
    ]

    assert many == few


def test_a_customer_file_that_kept_first_purchase_days_says_so_on_the_page_and_in_the_history(
    owner_client, business
):
    """Not an error: the file is imported, and the page, its record and the download say which
    lines kept the day of the customer's first purchase instead of the file's later date."""
    customer = CustomerFactory(
        business=business, name="Bert Jansen", external_ref="1002", customer_since=date(2026, 3, 1)
    )
    purchase_create(customer=customer, amount_cents=3000, at=datetime(2026, 2, 20, 12, tzinfo=UTC))
    content = "Klantnummer;Naam;Klant sinds\r\n1001;Anna de Vries;15-03-2026\r\n1002;Bert Jansen;15-03-2026\r\n"
    upload = SimpleUploadedFile("klanten.csv", content.encode(), "text/csv")
    url = owner_client.post("/data/import/", {"kind": "customers", "file": upload})["Location"]
    columns = {
        "column_customer_number": "Klantnummer",
        "column_name": "Naam",
        "column_customer_since": "Klant sinds",
    }
    owner_client.post(url, {**columns, "action": "import"})

    outcome = owner_client.get(url).content.decode()
    record = ImportRecord.objects.get()
    opened = owner_client.get(f"/data/imports/{record.pk}/").content.decode()
    download = b"".join(owner_client.get(f"/data/imports/{record.pk}/errors.csv")).decode()

    note = (
        "“Klant sinds” is 20 februari 2026, de dag van de eerste aankoop van deze klant, in "
        "plaats van de latere 15 maart 2026 uit het bestand: niemand kocht hier voordat die "
        "klant was."
    )
    summary = "1 opmerking bij een regel van het bestand"
    row = f"<tr><td>3</td><td>Klant sinds</td><td><code>15-03-2026</code></td><td>{note}</td></tr>"
    assert (record.state, record.error_count, record.note_count) == ("imported", 0, 1)
    assert Customer.objects.get(pk=customer.pk).customer_since == date(2026, 2, 20)
    for page in (outcome, opened):
        assert f'<li data-testid="import-note-count">{summary}</li>' in page
        assert row in page
        assert '<th scope="col">Opmerking</th>' in page
    assert "Regels anders opgeslagen dan het bestand zei" in opened
    assert 'data-testid="import-errors"' not in opened
    assert list(csv.reader(io.StringIO(download.removeprefix("\ufeff")), delimiter=";")) == [
        ["Regel", "Kolom", "Waarde", "Opmerking"],
        ["3", "Klant sinds", "15-03-2026", note],
    ]
