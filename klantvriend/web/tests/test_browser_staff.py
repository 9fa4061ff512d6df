"""A staff member's Saturday at the counter, on the shop's tablet (768 x 1024, portrait) and on a
phone: what the walk-through of a newcomer tripped over."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.services import important_date_add
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.promises.tests.factories import PromiseFactory

from .test_browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 390, "height": 844}

# The right edges of a card and of every field and button in it that sticks out of it.
STICKING_OUT = """card => {
  const edge = card.getBoundingClientRect().right;
  return [...card.querySelectorAll('input, select, textarea, button')]
    .filter(e => e.getBoundingClientRect().width && e.getBoundingClientRect().right > edge)
    .map(e => (e.name || e.textContent.trim()) + ' ends at ' + e.getBoundingClientRect().right
              + ', the card at ' + edge);
}"""


# What a thumb taps on a page, each shorter than 44 px (Apple's and WCAG 2.5.5's touch target),
# as "text: height".
TOO_SMALL_TO_TAP = """() => [...document.querySelectorAll(
    'main button, main a.button, main summary.button, .mainnav a, .usermenu > summary, '
    + 'main .contact a, main a[href^="tel:"], main a.timeline-edit, main summary.link')]
  .filter(e => e.checkVisibility() && e.getBoundingClientRect().height < 43.5)
  .map(e => (e.innerText || e.getAttribute('aria-label')).trim() + ': '
            + Math.round(e.getBoundingClientRect().height))"""


def test_on_a_phone_every_button_of_today_and_the_profile_is_a_thumb_high(
    page: Page, live_server, business, staff_user
):
    customer = CustomerFactory(business=business, name="Koen Kuipers", phone="06-12345678")
    PurchaseFactory(customer=customer, amount_cents=1625)
    PromiseFactory(customer=customer, description="Rollade klaarzetten")  # overdue
    ComplaintFactory(customer=customer, description="Gehakt was te vet")
    FollowUpFactory(customer=customer, due_on=timezone.localdate())
    important_date_add(customer=customer, label="Trouwdag", date=date(2011, 6, 18))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "joris", "pw-joris-123")

    # "Gedaan", "Antwoord gegeven", "Oplossen", "Tevreden"... were 36 px high, the menu's links 34,
    # the phone number of a follow-up to call 24.
    expect(page.get_by_role("button", name="Antwoord gegeven")).to_be_visible()
    assert page.evaluate(TOO_SMALL_TO_TAP) == []
    shot(page, "staff-09-phone-today-buttons")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.get_by_test_id("promise-done")).to_be_visible()
    # The phone number (to call the customer) was a line of text, 19 px high, as were a
    # purchase's "Wijzigen" and a date's "verwijderen".
    assert page.evaluate(TOO_SMALL_TO_TAP) == []


def test_on_a_phone_today_opens_with_the_first_complaint_to_answer_in_sight(
    page: Page, live_server, business, staff_user
):
    customer = CustomerFactory(business=business, name="Koen Kuipers")
    ComplaintFactory(customer=customer, description="Gehakt was te vet")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "joris", "pw-joris-123")

    # The four figures, one under the other, filled the first screen; two by two they leave
    # room for the work of the day.
    expect(page.get_by_role("button", name="Antwoord gegeven")).to_be_in_viewport()
    shot(page, "staff-10-phone-today-first-screen")


def test_on_a_phone_a_promise_is_made_from_the_top_of_the_profile(
    page: Page, live_server, business, staff_user
):
    customer = CustomerFactory(business=business, name="Koen Kuipers")
    for days in range(1, 26):
        PurchaseFactory(customer=customer, at=timezone.now() - timedelta(days=7 * days))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "joris", "pw-joris-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    # The promise form was below twenty entries of timeline, three screens down; the card
    # where purchases and visits are recorded now leads to it, unfolded, the cursor in it.
    page.get_by_test_id("record-more").get_by_role("link", name="+ Belofte").click()
    description = page.get_by_test_id("promise-form").get_by_label("Wat is er beloofd")
    expect(description).to_be_focused()
    expect(description).to_be_in_viewport()
    shot(page, "staff-11-phone-promise-from-the-top")
    page.keyboard.type("Rollade klaarzetten")
    page.get_by_role("button", name="Belofte opslaan").click()
    expect(page.get_by_test_id("profile-promises")).to_contain_text("Rollade klaarzetten")


def test_the_record_forms_fit_their_card_on_a_tablet(page: Page, live_server, business, staff_user):
    customer = CustomerFactory(business=business, name="Koen Kuipers")
    PurchaseFactory(customer=customer, amount_cents=1625)
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "joris", "pw-joris-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    record_card = page.locator("section[aria-labelledby='record-heading']")
    assert record_card.evaluate(STICKING_OUT) == []
    shot(page, "staff-01-tablet-record-forms")


def test_saving_a_visit_keeps_the_form_in_sight(page: Page, live_server, business, staff_user):
    # A customer with a long profile below the forms (promises, complaints, surveys...).
    customer = CustomerFactory(business=business, name="Koen Kuipers")
    PurchaseFactory(customer=customer, amount_cents=1625)
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "joris", "pw-joris-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    contact_form = page.get_by_test_id("contact-form")
    contact_form.get_by_label("Samenvatting").fill("Kwam langs voor de rollade")
    save = contact_form.get_by_role("button", name="Contactmoment opslaan")
    save.scroll_into_view_if_needed()
    save.click()

    # The page stays where the staff member was, instead of jumping to its bottom.
    expect(page.get_by_test_id("timeline")).to_contain_text("Kwam langs voor de rollade")
    expect(page.get_by_test_id("contact-form").get_by_label("Samenvatting")).to_be_in_viewport()
    shot(page, "staff-02-tablet-visit-saved")


def test_a_search_on_a_phone_shows_the_customers_found_without_scrolling(
    page: Page, live_server, business, staff_user
):
    for name in ("Koen Kuipers", "Daan Koster", "Gerda Kok"):
        CustomerFactory(business=business, name=name)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "joris", "pw-joris-123")

    page.get_by_role("combobox", name="Klant zoeken").fill("ko")
    page.keyboard.press("Enter")

    # The filters (tag, segment, stage, order) used to fill the screen above the results.
    expect(page.get_by_role("link", name="Daan Koster")).to_be_in_viewport()
    expect(page.get_by_role("link", name="Gerda Kok")).to_be_in_viewport()
    shot(page, "staff-03-phone-search")


def test_opening_a_complaints_resolve_form_keeps_its_buttons_level(
    page: Page, live_server, business, staff_user
):
    customer = CustomerFactory(business=business, name="Koen Kuipers")
    ComplaintFactory(customer=customer, description="Gehakt was te vet")
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "joris", "pw-joris-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    resolve = page.get_by_text("Oplossen", exact=True)
    resolve.click()
    expect(page.get_by_label("Hoe is het opgelost")).to_be_visible()

    # "Antwoord gegeven" stays level with "Oplossen" instead of floating halfway down the open form.
    answered = page.get_by_role("button", name="Antwoord gegeven").bounding_box()
    assert answered is not None
    assert abs(answered["y"] - resolve.bounding_box()["y"]) < 2
    shot(page, "staff-08-tablet-resolve-form")
