"""The import history as the owner sees it around an erasure: the access page lists the errors
that quote the customer, the erasure cuts them out of the import's page, and the audit log says
how many errors named the person."""

from datetime import UTC, datetime

from klantvriend.customers import services
from klantvriend.importers.history import error_page_search_text
from klantvriend.importers.models import ImportErrorPage, ImportRecord

ERRORS = [
    [
        3,
        "E-mail",
        "jan@devries.example",
        "Dit e-mailadres staat ook op regel 2; geef elke klant een klantnummer, of houd één "
        "regel per klant.",
        "duplicate",
    ],
    [4, "E-mail", "piet@@smit.example", "Vul een geldig e-mailadres in.", "invalid"],
]


def refused_record(business) -> ImportRecord:
    at = datetime(2026, 11, 30, 8, 15, tzinfo=UTC)  # 9:15 in Amsterdam
    record = ImportRecord.objects.create(
        business=business,
        source=ImportRecord.Source.WEB,
        kind="customers",
        file_name="klanten.csv",
        file_size=300,
        state=ImportRecord.State.REFUSED,
        started_at=at,
        finished_at=at,
        rows=3,
        error_count=2,
    )
    ImportErrorPage.objects.create(
        record=record, number=1, errors=ERRORS, search_text=error_page_search_text(ERRORS)
    )
    return record


def test_the_access_page_lists_the_import_errors_that_quote_the_customer(owner_client, business):
    customer = services.customer_create(
        business=business, name="Jan de Vries", email="jan@devries.example"
    )
    refused_record(business)

    page = owner_client.get(f"/customers/{customer.pk}/personal-data/").content.decode()

    assert '<h2 class="h3">Fouten van imports die deze klant aanhalen (1)</h2>' in page
    assert (
        "<th>Geïmporteerd bestand</th><th>Regel</th><th>Kolom</th><th>Waarde</th>"
        "<th>Probleem</th>" in page
    )
    assert (
        "<tr><td>klanten.csv, 30 november 2026, 09:15</td><td>3</td><td>E-mail</td>"
        "<td>jan@devries.example</td><td>Dit e-mailadres staat ook op regel 2; geef elke klant "
        "een klantnummer, of houd één regel per klant.</td></tr>" in page
    )
    assert "piet@@smit.example" not in page


def test_an_erasure_from_the_page_empties_the_cell_and_the_audit_log_counts_it(
    owner_client, business
):
    customer = services.customer_create(
        business=business, name="Jan de Vries", email="jan@devries.example"
    )
    record = refused_record(business)

    response = owner_client.post(f"/customers/{customer.pk}/erase/")
    errors = owner_client.get(f"/data/imports/{record.pk}/").content.decode()
    audit = owner_client.get("/privacy/audit/").content.decode()

    assert response.status_code == 302
    assert "<td>3</td><td>E-mail</td><td><code>[…]</code></td>" in errors
    assert "jan@devries.example" not in errors
    assert "<td>4</td><td>E-mail</td><td><code>piet@@smit.example</code></td>" in errors
    today = business.today()
    months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    assert (
        f"op verzoek van de klant, verzoek ontvangen op {today.day}\xa0{months[today.month - 1]}"
        f"\xa0{today.year}, dezelfde dag afgehandeld, 1 fout in de importgeschiedenis noemde hen"
    ) in audit
