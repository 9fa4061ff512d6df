"""Anna and Bram edit the same customer in two browsers: the one who saves last sees what the
other changed and decides, instead of wiping it out without a word."""

import pytest
from playwright.sync_api import Browser, Page, expect

from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory

from .test_browser import log_in, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.both_databases,
    pytest.mark.django_db(transaction=True),
]

NOTES = "Dochter begint in september op school."
BRAMS_LINE = "Haalt op vrijdag na vijven."
ANNAS_LINE = "Komt voortaan op zaterdag."


def test_the_second_to_save_a_field_both_changed_sees_the_other_change_and_decides(
    page: Page, browser: Browser, browser_context_args, live_server, business, staff_user
):
    marieke = CustomerFactory(
        business=business, name="Marieke de Boer", phone="0611111111", notes=NOTES
    )
    edit_url = f"{live_server.url}/customers/{marieke.pk}/edit/"
    bram = browser.new_context(**browser_context_args).new_page()
    log_in(page, live_server, "sanne", "pw-sanne-123")
    log_in(bram, live_server, "joris", "pw-joris-123")
    page.goto(edit_url)
    bram.goto(edit_url)

    # Bram adds a line to the notes and saves first.
    bram.get_by_label("Persoonlijke notities").fill(f"{NOTES}\n{BRAMS_LINE}")
    bram.get_by_role("button", name="Opslaan").click()
    expect(bram.get_by_text("Wijzigingen opgeslagen.")).to_be_visible()

    # Anna, on the page she opened before, fixes the phone and adds her own line.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#id_phone").fill("0612345678")
    page.get_by_label("Persoonlijke notities").fill(f"{NOTES}\n{ANNAS_LINE}")
    with page.expect_response(edit_url) as answer:
        page.get_by_role("button", name="Opslaan").click()

    assert answer.value.status == 409
    expect(page.get_by_role("alert").first).to_contain_text(
        "Iemand anders heeft deze klant opgeslagen terwijl jij hem bewerkte."
    )
    expect(page.locator("#id_notes_error")).to_have_text(
        f"Intussen gewijzigd door Joris in: “{NOTES}\n{BRAMS_LINE}”", use_inner_text=True
    )
    expect(page.get_by_label("Persoonlijke notities")).to_have_value(f"{NOTES}\n{ANNAS_LINE}")
    expect(page.locator("#id_phone")).to_have_value("0612345678")
    marieke.refresh_from_db()
    assert (marieke.phone, marieke.notes) == ("0611111111", f"{NOTES}\r\n{BRAMS_LINE}")
    page.locator("#id_notes").scroll_into_view_if_needed()
    shot(page, "concurrent-edit-01-conflict-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "concurrent-edit-02-conflict-390")

    # She keeps both lines and saves again: now it is her deliberate choice.
    page.get_by_label("Persoonlijke notities").fill(f"{NOTES}\n{BRAMS_LINE}\n{ANNAS_LINE}")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Wijzigingen opgeslagen.")).to_be_visible()
    stored = Customer.objects.get(pk=marieke.pk)
    assert (stored.phone, stored.notes) == (
        "0612345678",
        f"{NOTES}\r\n{BRAMS_LINE}\r\n{ANNAS_LINE}",
    )
