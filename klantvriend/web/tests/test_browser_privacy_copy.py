"""The customer's copy of their data (AVG art. 15) printed from a real Chromium: the page's
content alone, without the menu, the buttons or the staff's form. Screenshots go to
test-artifacts/."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from klantvriend.customers.tests.factories import CustomerFactory

from .test_browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_copy_prints_without_the_menu_buttons_or_staff_form(page: Page, live_server, business):
    anna = CustomerFactory(business=business, name="Anna de Vries", phone="06 12345678")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(live_server.url + reverse("web:customer_personal_data", args=[anna.pk]))

    # On screen: the button prints.
    button = page.get_by_test_id("personal-data-print")
    expect(button).to_be_visible()
    page.evaluate("window.print = () => { window.printAsked = true; }")
    button.click()
    assert page.evaluate("window.printAsked") is True
    staff_form = page.get_by_test_id("access-handed-over")
    expect(staff_form).to_be_visible()

    page.emulate_media(media="print")
    shot(page, "privacy-copy-01-printed")

    expect(
        page.get_by_role("heading", name="Alles wat over Anna de Vries is vastgelegd")
    ).to_be_visible()
    expect(page.get_by_test_id("personal-data-as-of")).to_be_visible()
    expect(page.get_by_text("06 12345678").first).to_be_visible()
    expect(page.get_by_test_id("personal-data-processing")).to_be_visible()
    for left_out in (
        page.locator("header.topbar"),
        button,
        page.get_by_test_id("personal-data-json"),
        staff_form,
        # No privacy contact filled in: a note for the staff, not a line for the customer.
        page.get_by_test_id("personal-data-contact"),
    ):
        expect(left_out).to_be_hidden()
