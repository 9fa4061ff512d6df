"""The legal basis of marketing consent in a real Chromium: shown once consent is ticked.
Screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import Page, expect

from klantvriend.customers.models import Customer

from .test_browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_basis_is_chosen_once_consent_is_ticked(page: Page, live_server, business, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/customers/new/")
    page.locator("#id_name").fill("Anna de Vries")
    basis = page.get_by_label("Grondslag")
    expect(basis).to_be_hidden()
    page.get_by_label("Mag nieuws en aanbiedingen ontvangen").check()
    expect(basis).to_be_visible()
    expect(basis).to_have_value("consent")
    basis.select_option(label="soft opt-in (bestaande klant)")
    shot(page, f"consent-01-basis-{width}")
    page.get_by_role("button", name="Opslaan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Anna de Vries")
    anna = Customer.objects.get(business=business)
    assert (anna.marketing_consent, anna.marketing_consent_basis) == (True, "soft_opt_in")
