"""Import and export pages: owners only; upload, preview with the columns found, dry run, import."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import Customer, Purchase
from klantvriend.importers import history
from klantvriend.importers.models import ImportRecord
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.results import ImportResult
from klantvriend.insights.selectors import insight_run_latest
from klantvriend.web import data_views, import_runs

TILL = (
    "Bonnummer;Datum;Klantnummer;Naam;Bedrag\r\n"
    "B1;13-01-2025;1001;José Müller;€ 12,50\r\n"
    "B2;14-01-2025;1002;Ans Bakker;1.234,56\r\n"
).encode("cp1252")


REAL_SPAWN = import_runs._spawn


@pytest.fixture(autouse=True)
def imports_run_inline(monkeypatch):
    """The import runs in the request here, on the test's own connection and transaction (a
    thread of its own would not see the test's uncommitted rows); one test below uses the
    real thread."""
    monkeypatch.setattr(import_runs, "_spawn", lambda work: work())


def upload(client, content=TILL, kind="purchases"):
    return client.post(
        "/data/import/",
        {"kind": kind, "file": SimpleUploadedFile("kassa.csv", content, "text/csv")},
    )


def test_a_test_run_keeps_its_uploads_in_a_directory_of_its_own_removed_when_it_ends():
    """Uploads went to the checkout's var/imports, shared by every test run and the development
    server: a run under a faked clock removed another run's uploads as a day old."""
    other_run = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.VAR_DIR)"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=True,
    )
    other_var = Path(other_run.stdout.strip())

    ours = data_views.upload_dir()
    assert ours == Path(settings.VAR_DIR) / "imports"
    assert ours.is_dir()
    assert not ours.is_relative_to(settings.BASE_DIR)
    assert other_var != Path(settings.VAR_DIR)
    assert not other_var.is_relative_to(settings.BASE_DIR)
    assert not other_var.parent.exists()  # the other run's directory went when it ended


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


def test_the_preview_says_at_once_which_columns_it_did_not_find(owner_client):
    # A till's file naming its customers "Pasnummer": the first word that no column held the
    # customer came after pressing the dry run and waiting for it.
    till = b"Datum;Pasnummer;Bedrag\r\n13-01-2025;1001;12,50\r\n"

    preview = owner_client.get(upload(owner_client, content=till)["Location"])

    page = preview.content.decode()
    assert re.findall(r'<p class="notice" data-testid="import-unfound">([^<]*)</p>', page) == [
        "Een aankoop moet bij een klant horen: kies de kolom met het klantnummer of het "
        "e-mailadres."
    ]
    # A file whose columns were all found says nothing of the kind.
    found = owner_client.get(upload(owner_client)["Location"]).content.decode()
    assert 'data-testid="import-unfound"' not in found


def test_a_column_named_as_the_page_names_its_field_is_read_and_one_no_field_reads_is_named(
    owner_client,
):
    """A garage's file: its addresses under "Straat en huisnummer", the import page's own name
    for that field, were left unread, and the dry run found nothing wrong."""
    garage = (
        b"Klantnummer;Naam;Straat en huisnummer;Postcode;Kenteken;Bouwjaar\r\n"
        b"K1;Pieter de Vries;Oudegracht 12;3511 AB;12-ABC-3;2015\r\n"
    )

    page = owner_client.get(upload(owner_client, garage, "customers")["Location"]).content.decode()

    assert (
        re.search(r'<select name="column_street"[^>]*>.*?</select>', page, re.S)[0].count(
            '<option value="Straat en huisnummer" selected>'
        )
        == 1
    )
    assert re.findall(r'<p class="notice" data-testid="import-unread">([^<]*)</p>', page) == [
        "De kolommen “Kenteken”, “Bouwjaar” worden niet ingelezen. Staat er iets in dat "
        "hieronder hoort, kies de kolom dan daar."
    ]
    found = owner_client.get(upload(owner_client)["Location"]).content.decode()
    assert 'data-testid="import-unread"' not in found
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
    outcome = owner_client.get(done["Location"])

    assert done.status_code == 302
    assert outcome.status_code == 200
    assert "Geïmporteerd" in outcome.content.decode()
    assert "2 aankopen aangemaakt" in outcome.content.decode()
    # Customers the file brought in may be on the list already: the owner can check at once.
    assert '<a class="button" href="/customers/duplicates/">Zoek mogelijk dubbele klanten</a>' in (
        outcome.content.decode()
    )
    assert 'data-testid="import-mapping"' not in outcome.content.decode()  # the file is gone
    assert Purchase.objects.filter(business=business).count() == 2
    assert Customer.objects.filter(business=business).count() == 2
    assert owner_client.post(url, {**MAPPING, "action": "import"}).status_code == 404
    # The page that followed the import by polling is loaded anew, without the form.
    assert owner_client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert Purchase.objects.filter(business=business).count() == 2


CUSTOMERS = b"Klantnummer;Naam\r\n1001;Jos\xc3\xa9 M\xc3\xbcller\r\n"


@pytest.mark.parametrize(
    ("language", "sentence", "advice"),
    [
        (
            "nl",
            "Het aandachtsadvies en de klantgerichtheidsscan zijn opnieuw berekend met deze "
            "aankopen.",
            "Naar het aandachtsadvies",
        ),
        (
            "en",
            "The attention advice and the scorecard have been worked out again with these "
            "purchases.",
            "To the attention advice",
        ),
    ],
)
def test_a_finished_purchase_import_says_where_its_insights_are_now(
    owner_client, owner, business, language, sentence, advice, django_capture_on_commit_callbacks
):
    # Given an owner importing a till export
    account_language_set(user=owner, language=language)
    url = upload(owner_client)["Location"]

    # When the import has finished (the insights refresh runs once it is committed)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(url, {**MAPPING, "action": "import"})
    page = owner_client.get(url).content.decode()

    # Then the page says the insights were worked out, and its first button leads to the advice,
    # the buttons standing apart from the last count line
    assert insight_run_latest(business=business) is not None
    assert (
        f'<p data-testid="import-insights">{sentence}</p>\n'
        '      <div class="actions import-done"><a class="button button-primary" '
        f'href="/insights/advice/">{advice}</a> <a class="button" href="/customers/">'
    ) in page


def test_a_finished_customer_import_does_not_send_the_owner_to_the_insights(owner_client):
    url = upload(owner_client, CUSTOMERS, kind="customers")["Location"]

    owner_client.post(
        url, {"column_customer_number": "Klantnummer", "column_name": "Naam", "action": "import"}
    )
    page = owner_client.get(url).content.decode()

    assert Customer.objects.count() == 1
    assert 'data-testid="import-insights"' not in page
    assert '<div class="actions import-done"><a class="button" href="/customers/">' in page


def test_a_broken_file_lists_its_errors_and_stores_nothing(owner_client):
    broken = b"Datum;Klantnummer;Bedrag\r\n13-01-2025;1;twaalf\r\n32-01-2025;2;5\r\n"
    url = upload(owner_client, broken)["Location"]

    owner_client.post(
        url,
        {
            "column_date": "Datum",
            "column_amount": "Bedrag",
            "column_customer_number": "Klantnummer",
            "action": "import",
        },
    )
    response = owner_client.get(url)

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
        ("nl", "1 rij van een geanonimiseerde klant: de persoonsgegevens zijn niet opnieuw"),
        ("en", "1 row of an anonymised customer: their personal data was not imported again"),
    ],
)
def test_a_dry_run_reports_the_rows_of_anonymised_customers(
    owner_client, business, owner, language, line
):
    owner_client.post(upload(owner_client)["Location"], {**MAPPING, "action": "import"})
    customer_erase(customer=Customer.objects.get(business=business, external_ref="1001"))
    url = upload(owner_client)["Location"]
    # As the account page or the language switch stores it.
    account_language_set(user=owner, language=language)

    dry = owner_client.post(url, {**MAPPING, "action": "dry_run"}, headers={"HX-Request": "true"})

    assert dry.status_code == 200
    assert line in dry.content.decode()
    assert Customer.objects.filter(business=business, name="José Müller").count() == 0


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("en", ["<li>1 row read</li>", "<li>1 purchase created</li>", "<li>1 new customer</li>"]),
        (
            "nl",
            [
                "<li>1 regel gelezen</li>",
                "<li>1 aankoop aangemaakt</li>",
                "<li>1 nieuwe klant</li>",
            ],
        ),
    ],
)
def test_a_dry_run_of_one_row_counts_it_in_the_singular(owner_client, owner, language, lines):
    one_row = "Datum;Klantnummer;Naam;Bedrag\r\n13-01-2025;1001;José Müller;12,50\r\n"
    url = upload(owner_client, one_row.encode())["Location"]
    account_language_set(user=owner, language=language)

    dry = owner_client.post(
        url,
        {
            "column_date": "Datum",
            "column_amount": "Bedrag",
            "column_customer_number": "Klantnummer",
            "column_name": "Naam",
            "action": "dry_run",
        },
        headers={"HX-Request": "true"},
    )

    page = dry.content.decode()
    assert [line for line in lines if line in page] == lines


@pytest.mark.parametrize(
    ("language", "progress"), [("en", "1 row checked…"), ("nl", "1 regel gecontroleerd…")]
)
def test_the_progress_of_an_import_counts_one_row_in_the_singular(
    owner_client, owner, language, progress
):
    url = upload(owner_client)["Location"]
    upload_path = next(data_views.upload_dir().glob(f"{url.rstrip('/').rsplit('/', 1)[1]}.csv"))
    running = ImportResult(kind="purchases", dry_run=False, rows=1)
    import_runs._write(import_runs.status_path(upload_path), import_runs._running(running))
    account_language_set(user=owner, language=language)

    page = owner_client.get(url).content.decode()

    assert f"<progress></progress> {progress}</p>" in page


def test_a_long_import_shows_how_far_it_is_and_the_page_asks_again(owner_client, business):
    url = upload(owner_client)["Location"]
    upload_path = next(data_views.upload_dir().glob(f"{url.rstrip('/').rsplit('/', 1)[1]}.csv"))
    running = ImportResult(kind="purchases", dry_run=False, rows=250000, created=120000)
    import_runs._write(import_runs.status_path(upload_path), import_runs._running(running))

    page = owner_client.get(url).content.decode()
    again = owner_client.post(url, {**MAPPING, "action": "import"}, headers={"HX-Request": "true"})

    assert "Import bezig" in page
    assert "120.000 van 250.000 regels opgeslagen…" in page
    assert f'hx-get="{url}" hx-trigger="every 1s"' in page
    # Pressing Import again while it runs starts nothing a second time, and says so.
    assert "120.000 van 250.000 regels opgeslagen…" in again.content.decode()
    assert (
        "Dit bestand wordt al geïmporteerd: de import is niet nog eens gestart."
        in again.content.decode()
    )
    assert "niet nog eens gestart" not in page
    assert Purchase.objects.count() == 0
    # A dry run stores nothing, and its page does not say it does.
    dry = ImportResult(kind="purchases", dry_run=True, rows=250000, created=120000)
    import_runs._write(import_runs.status_path(upload_path), import_runs._running(dry))
    dry_page = owner_client.get(url).content.decode()
    assert "Proefdraai bezig" in dry_page
    assert "120.000 van 250.000 regels geteld…" in dry_page
    assert "opgeslagen…" not in dry_page


def test_import_pressed_while_the_dry_run_is_under_way_starts_nothing_and_says_why(
    owner_client, business
):
    url = upload(owner_client)["Location"]
    upload_path = next(data_views.upload_dir().glob(f"{url.rstrip('/').rsplit('/', 1)[1]}.csv"))
    status = import_runs.status_path(upload_path)
    dry = ImportResult(kind="purchases", dry_run=True, rows=1)
    import_runs._write(status, import_runs._running(dry))
    before = status.read_text(encoding="utf-8")

    pressed = owner_client.post(
        url, {**MAPPING, "action": "import"}, headers={"HX-Request": "true"}
    )

    page = pressed.content.decode()
    assert pressed.status_code == 200
    assert "Proefdraai bezig" in page
    assert (
        "De proefdraai van dit bestand loopt nog, dus er is niets anders gestart: druk nogmaals "
        "op de knop als die klaar is."
    ) in page
    assert status.read_text(encoding="utf-8") == before
    assert Purchase.objects.count() == 0


def test_an_import_whose_server_stopped_says_so_and_can_be_started_again(
    owner_client, business, monkeypatch
):
    url = upload(owner_client)["Location"]
    upload_path = next(data_views.upload_dir().glob(f"{url.rstrip('/').rsplit('/', 1)[1]}.csv"))
    running = ImportResult(kind="purchases", dry_run=False, rows=2)
    import_runs._write(import_runs.status_path(upload_path), import_runs._running(running))
    monkeypatch.setattr(import_runs, "STALE_SECONDS", -1.0)  # its renewals stopped long ago

    page = owner_client.get(url).content.decode()
    restarted = owner_client.post(url, {**MAPPING, "action": "import"})

    assert "De import is onderbroken (de server stopte): er is niets opgeslagen." in page
    assert 'hx-trigger="every 1s"' not in page
    assert restarted.status_code == 302
    assert Purchase.objects.filter(business=business).count() == 2


def test_an_import_that_fails_in_the_program_says_so_and_stores_nothing(
    owner_client, business, monkeypatch
):
    def broken(**options):
        raise RuntimeError("a bug")

    url = upload(owner_client)["Location"]
    monkeypatch.setattr(history, "data_import", broken)

    owner_client.post(url, {**MAPPING, "action": "import"})
    page = owner_client.get(url).content.decode()

    assert "De import stopte op een fout in Klantvriend: er is niets opgeslagen." in page
    assert Purchase.objects.count() == 0
    assert list(ImportRecord.objects.values_list("state", "file_name")) == [("failed", "kassa.csv")]


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_a_thread_of_its_own_and_the_page_shows_its_outcome(
    owner_client, business, monkeypatch
):
    started = []
    monkeypatch.setattr(import_runs, "_spawn", lambda work: started.append(REAL_SPAWN(work)))
    url = upload(owner_client)["Location"]

    response = owner_client.post(url, {**MAPPING, "action": "import"})
    started[0].join(timeout=60)
    outcome = owner_client.get(url).content.decode()

    assert response.status_code == 302
    assert not started[0].is_alive()
    assert "Geïmporteerd" in outcome
    assert "2 aankopen aangemaakt" in outcome
    assert Purchase.objects.filter(business=business).count() == 2


def test_the_exported_customers_and_purchases_files_import_on_the_page_as_they_are(
    business, other_business, other_owner, tmp_path
):
    """Every column of the export's purchases.csv is found without choosing one by hand."""
    from django.test import Client

    from klantvriend.importers.export import PURCHASE_CSV_COLUMNS
    from klantvriend.importers.tests.test_export_reimport import exported, shop, totals

    shop(business)
    customers_csv, purchases_csv = exported(business, tmp_path)
    client = Client()
    client.force_login(other_owner)
    for kind, path in (("customers", customers_csv), ("purchases", purchases_csv)):
        url = upload(client, path.read_bytes(), kind=kind)["Location"]
        preview = client.get(url).content.decode()
        # What the page chose, posted back as the owner's browser does.
        chosen = dict(
            re.findall(
                r'<select name="(column_\w+)"[^>]*>.*?<option value="([^"]*)" selected>',
                preview,
                re.S,
            )
        )
        if kind == "purchases":
            found = {name: header for name, header in chosen.items() if header}
            assert found == {f"column_{name}": name for name in PURCHASE_CSV_COLUMNS}
        client.post(url, {**chosen, "action": "import"})

    assert Purchase.objects.filter(business=other_business).count() == 7
    assert totals(other_business) == totals(business)


def test_a_column_chosen_before_the_dry_run_is_no_longer_named_as_not_read(owner_client):
    """A restaurant chose its "Allergieën" column for a field and ran the dry run: the notice
    above still said the column was not read."""
    garage = b"Klantnummer;Naam;Kenteken;Bouwjaar\r\nK1;Pieter de Vries;12-ABC-3;2015\r\n"
    url = upload(owner_client, garage, "customers")["Location"]
    page = owner_client.get(url).content.decode()
    chosen = {
        name: (selected[0] if selected else "")
        for name, selected in (
            (name, re.findall(r'<option value="([^"]*)" selected>', options))
            for name, options in re.findall(
                r'<select name="(column_\w+)"[^>]*>(.*?)</select>', page, re.S
            )
        )
    }
    assert (chosen["column_customer_number"], chosen["column_notes"]) == ("Klantnummer", "")

    dry = owner_client.post(
        url,
        {**chosen, "column_notes": "Kenteken", "action": "dry_run"},
        headers={"HX-Request": "true"},
    )

    said = dry.content.decode()
    assert re.findall(r'<div id="import-unread" hx-swap-oob="true">(.*?)</div>', said, re.S) == [
        '<p class="notice" data-testid="import-unread">De kolom “Bouwjaar” wordt niet '
        "ingelezen. Staat er iets in dat hieronder hoort, kies de kolom dan daar.</p>"
    ]
    # Asked how the run goes, the page sends no choices: the notice stays as the form said it.
    assert (
        'id="import-unread"'
        not in owner_client.get(url, headers={"HX-Request": "true"}).content.decode()
    )


def test_downloads_are_named_by_the_business_as_it_is_called_now(owner_client, business):
    """A salon renamed "Priya's Hair Studio" downloaded klantvriend-slagerij-test-….zip: by
    the short name it was made with."""
    business.name = "Priya's Hair Studio"
    business.save(update_fields=["name"])
    day = business.today().isoformat()

    export = owner_client.post("/data/export/")
    listing = owner_client.get("/customers/download/")

    assert export["Content-Disposition"] == (
        f'attachment; filename="klantvriend-priyas-hair-studio-{day}.zip"'
    )
    assert listing["Content-Disposition"] == (
        f'attachment; filename="klantvriend-priyas-hair-studio-klanten-{day}.csv"'
    )


def test_a_guest_list_s_count_of_visits_is_said_to_be_no_purchase(owner_client):
    """A restaurant's guest list held "Aantal bezoeken" and "Laatste bezoek": its regulars came
    in with no purchase, and nothing said where their visits would come from."""
    guests = (
        b"Naam;Aantal bezoeken;Laatste bezoek;Tafelvoorkeur\r\nJan de Wit;12;14-11-2026;raam\r\n"
    )

    page = owner_client.get(upload(owner_client, guests, "customers")["Location"]).content.decode()

    assert re.findall(r'<p class="notice" data-testid="import-unread">([^<]*)</p>', page) == [
        "De kolommen “Aantal bezoeken”, “Laatste bezoek”, “Tafelvoorkeur” worden niet "
        "ingelezen. Staat er iets in dat hieronder hoort, kies de kolom dan daar. Bezoeken en "
        "aankopen komen uit een bestand met aankopen, een regel per aankoop met datum en "
        "bedrag: een aantal bezoeken of een laatste bezoek alleen is er geen."
    ]
