"""The owner's data flows in a real Chromium: import a till export with a preview and a dry run,
and anonymise a customer after confirming. Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import Page, expect

from klantvriend.customers.models import Customer, Purchase

from .test_browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TILL = (
    "Bonnummer;Datum;Klantnummer;Naam;Bedrag\r\n"
    "B1;13-01-2025;1001;José Müller;€ 12,50\r\n"
    "B2;14-01-2025;1002;Ans Bakker;1.234,56\r\n"
).encode("cp1252")


def test_owner_imports_a_till_export_then_anonymises_a_customer(
    page: Page, live_server, business, tmp_path
):
    path = tmp_path / "kassa.csv"
    path.write_bytes(TILL)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/data/import/")
    page.get_by_label("Aankopen").check()
    page.get_by_label("CSV-bestand").set_input_files(str(path))
    page.get_by_role("button", name="Uploaden en bekijken").click()
    expect(page.get_by_test_id("import-preview")).to_contain_text("José Müller")
    shot(page, "data-01-import-preview")

    page.get_by_role("button", name="Proefdraai (niets opslaan)").click()
    # Its outcome, not its progress ("… er wordt niets opgeslagen"): Import pressed while the
    # dry run is still under way starts nothing.
    expect(page.get_by_test_id("import-result")).to_contain_text("het bestand is in orde")
    assert Purchase.objects.count() == 0
    page.get_by_role("button", name="Importeren", exact=True).click()
    expect(page.get_by_test_id("import-result")).to_contain_text("Geïmporteerd")
    shot(page, "data-02-import-done")
    assert Purchase.objects.filter(business=business).count() == 2

    jose = Customer.objects.get(business=business, external_ref="1001")
    page.goto(f"{live_server.url}/customers/{jose.pk}/")
    page.get_by_test_id("more-actions").locator("summary").click()
    page.get_by_test_id("erase").click()
    shot(page, "data-03-erase-confirm")
    page.get_by_test_id("erase-confirm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Geanonimiseerde klant")
    jose.refresh_from_db()
    assert jose.erased_at is not None
    assert Purchase.objects.get(customer=jose).amount_cents == 1250


def test_owner_finds_a_customer_entered_twice_merges_them_and_returns_to_the_list(
    page: Page, live_server, business
):
    from klantvriend.customers import services

    jan = services.customer_create(business=business, name="Jan de Vries", phone="06-12345678")
    services.customer_create(business=business, name="J. de Vries", phone="+31 6 1234 5678")
    services.customer_create(business=business, name="Anna Visser", phone="020-1234567")
    services.customer_create(business=business, name="Anna", phone="0201234567")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/customers/")
    page.get_by_test_id("duplicates-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mogelijk dubbele klanten")
    expect(page.get_by_test_id("duplicate-group")).to_have_count(2)
    shot(page, "data-04-duplicates-phone")
    group = page.get_by_test_id("duplicate-group").filter(has_text="J. de Vries")
    group.get_by_role("link", name="Samenvoegen met klant 1…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "J. de Vries samenvoegen met Jan de Vries?"
    )
    page.get_by_test_id("merge-confirm").click()

    expect(page.get_by_role("status")).to_contain_text(
        "J. de Vries is opgegaan in Jan de Vries: ze zijn nu één klant."
    )
    expect(page.get_by_test_id("duplicate-group")).to_have_count(1)
    expect(page.get_by_test_id("duplicate-group")).to_contain_text("Anna Visser")
    assert page.url.endswith("/customers/duplicates/?kind=phone")
    assert list(
        Customer.objects.filter(name__endswith="de Vries").values_list("pk", flat=True)
    ) == [jan.pk]
    shot(page, "data-05-duplicates-merged")


def test_owner_says_two_namesakes_are_different_people_and_takes_it_back(
    page: Page, live_server, business
):
    from klantvriend.customers import services
    from klantvriend.customers.models import DistinctPair

    services.customer_create(business=business, name="Jan de Vries", city="Haarlem")
    services.customer_create(business=business, name="Jan de Vries", city="Delft")
    services.customer_create(business=business, name="Piet Bakker")
    services.customer_create(business=business, name="Piet Bakker")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/customers/duplicates/?kind=name")
    tabs = page.get_by_test_id("duplicate-kinds")
    expect(tabs).to_contain_text("Dezelfde naam (2)")
    group = page.get_by_test_id("duplicate-group").filter(has_text="Jan de Vries")
    group.get_by_role("button", name="Niet dezelfde persoon als klant 1").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Jan de Vries (klant 1) en Jan de Vries (klant 2) zijn gemarkeerd als verschillende personen."
    )
    expect(tabs).to_contain_text("Dezelfde naam (1)")
    expect(page.get_by_test_id("duplicate-group")).to_have_count(1)
    expect(page.get_by_test_id("duplicate-group")).to_contain_text("Piet Bakker")
    shot(page, "data-06-duplicates-not-same")

    page.get_by_role("link", name="1 keer als verschillend gemarkeerd — bekijk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Gemarkeerd als verschillende personen"
    )
    expect(page.get_by_test_id("distinct-pair")).to_contain_text("Haarlem")
    shot(page, "data-07-distinct-pairs")
    page.get_by_role("button", name="Ongedaan maken").click()

    expect(page.get_by_test_id("distinct-pairs-none")).to_be_visible()
    assert DistinctPair.objects.count() == 0
    page.get_by_role("link", name="Terug naar de mogelijk dubbele klanten").click()
    expect(page.get_by_test_id("duplicate-kinds")).to_contain_text("Dezelfde naam (2)")
