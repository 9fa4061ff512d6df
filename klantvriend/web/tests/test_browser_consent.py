"""The legal basis of marketing consent in a real Chromium: shown once consent is ticked, and
fixed from the privacy page for a customer whose consent has none. Screenshots go to
test-artifacts/."""

import re

import pytest
from playwright.sync_api import Page, expect

from klantvriend.customers.models import ConsentRecord, Customer
from klantvriend.customers.tests.factories import CustomerFactory

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


@pytest.mark.parametrize("width", [1280, 390])
def test_consent_without_a_basis_is_fixed_from_the_privacy_page(
    page: Page, live_server, business, width
):
    anna = CustomerFactory(business=business, name="Anna de Vries", marketing_consent=True)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/privacy/settings/")
    missing = page.get_by_test_id("consent-without-basis")
    expect(missing).to_contain_text(
        "1 klant mag nieuws en aanbiedingen ontvangen, maar er is geen grondslag voor vastgelegd:"
    )
    shot(page, f"consent-02-privacy-page-{width}")
    missing.get_by_role("link", name="Anna de Vries").click()

    basis = page.get_by_label("Grondslag")
    expect(basis).to_be_in_viewport()
    expect(basis).to_have_value("")
    expect(page.locator("#id_marketing_consent_basis_notice")).to_contain_text(
        "Er is geen grondslag vastgelegd voor deze toestemming."
    )
    shot(page, f"consent-03-basis-missing-{width}")
    basis.select_option(label="gerechtvaardigd belang")
    page.get_by_role("button", name="Opslaan").click()

    # Saved, the owner is back at the list, where Anna is no longer one to fix.
    # (The browser keeps the link's #fragment through the redirect; nothing bears that id here.)
    expect(page).to_have_url(
        re.compile(re.escape(f"{live_server.url}/privacy/settings/") + "(#.*)?$")
    )
    anna.refresh_from_db()
    assert anna.marketing_consent_basis == "legitimate_interest"
    assert list(ConsentRecord.objects.filter(customer=anna).values_list("given", "basis")) == [
        (True, "legitimate_interest")
    ]
    expect(missing).to_contain_text(
        "Elke klant die nieuws en aanbiedingen mag ontvangen, heeft een vastgelegde grondslag."
    )
