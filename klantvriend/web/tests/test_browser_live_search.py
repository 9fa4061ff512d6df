"""The header's live search at the counter: two letters typed, the customer chosen with the
keyboard or a tap, on the shop's screen and on a phone (web/search_views.py, picker.js)."""

import contextlib
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Error, Page, Route, expect

from klantvriend.customers.tests.factories import CustomerFactory

from .test_browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def counter_customers(business):
    return {
        "koen": CustomerFactory(
            business=business, name="Koen Kuipers", postal_code="7201 HV", phone="06-12345678"
        ),
        "daan": CustomerFactory(business=business, name="Daan Koster", city="Zutphen"),
        "gerda": CustomerFactory(business=business, name="Gerda Kok", email="gerda@kok.example"),
        "anna": CustomerFactory(business=business, name="Anna Bakker"),
    }


@contextlib.contextmanager
def _staff_page(browser: Browser, browser_context_args, live_server, **options) -> Iterator[Page]:
    """A staff member signed in, in a browser of these options (a phone's, without scripts)."""
    context = browser.new_context(**{**browser_context_args, **options})
    try:
        page = context.new_page()
        log_in(page, live_server, "joris", "pw-joris-123")
        yield page
    finally:
        context.close()


@pytest.fixture
def search(page: Page, live_server, staff_user, counter_customers):
    """The header's search box of a staff member signed in at the shop's screen."""
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "joris", "pw-joris-123")
    return page.get_by_role("combobox", name="Klant zoeken")


def _options(page: Page):
    return page.get_by_role("listbox", name="Gevonden klanten").get_by_role("option")


def test_two_letters_the_arrow_key_and_enter_open_the_customer(
    page: Page, live_server, counter_customers, search
):

    page.keyboard.press("/")  # the shortcut still puts the cursor in the box
    expect(search).to_be_focused()
    page.keyboard.type("ko")

    # The name starting with it first, then the names with a word starting with it.
    expect(_options(page)).to_have_text(
        ["Koen Kuipers 7201 HV · tel. …5678", "Daan Koster Zutphen", "Gerda Kok gerda@kok.example"]
    )
    expect(search).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_test_id("live-search-all")).to_have_text("Alle 3 resultaten")
    # A screen reader hears how many were found: the popup changing is not announced.
    expect(page.get_by_test_id("live-search-status")).to_have_text("Alle 3 resultaten")
    expect(page.get_by_test_id("live-search-status")).to_have_attribute("aria-live", "polite")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(_options(page).nth(1)).to_have_attribute("aria-selected", "true")
    expect(search).to_have_attribute(
        "aria-activedescendant", f"top-search-option-{counter_customers['daan'].pk}"
    )
    page.keyboard.press("ArrowUp")
    expect(_options(page).nth(0)).to_have_attribute("aria-selected", "true")
    expect(_options(page).nth(1)).to_have_attribute("aria-selected", "false")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/customers/{counter_customers['koen'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Koen Kuipers")


def test_escape_shuts_it_and_enter_without_a_choice_opens_the_list_as_before(
    page: Page, live_server, counter_customers, search
):
    search.click()
    page.keyboard.type("kok")
    expect(_options(page)).to_have_count(1)

    page.keyboard.press("Escape")
    expect(page.get_by_test_id("live-search")).to_be_hidden()
    expect(search).to_have_attribute("aria-expanded", "false")
    expect(search).to_have_value("kok")
    page.keyboard.press("ArrowDown")  # brings the matches back, the first highlighted
    expect(_options(page).first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")  # past the last: none highlighted
    expect(search).not_to_have_attribute("aria-activedescendant", re.compile("."))
    expect(_options(page).first).to_have_attribute("aria-selected", "false")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/customers/?q=kok")
    expect(page.get_by_role("link", name="Gerda Kok")).to_be_visible()


def test_nothing_found_says_so_and_one_letter_shows_nothing(
    page: Page, live_server, counter_customers, search
):
    search.click()

    page.keyboard.type("kox")
    expect(page.get_by_test_id("live-search-all")).to_have_text(
        "Geen klant gevonden voor “kox”. Probeer het telefoonnummer of de postcode, of "
        "zoek namen die erop lijken."
    )
    expect(page.get_by_test_id("live-search-status")).to_have_text(
        "Geen klant gevonden voor “kox”. Probeer het telefoonnummer of de postcode, of "
        "zoek namen die erop lijken."
    )
    for _ in range(2):
        page.keyboard.press("Backspace")
    expect(page.get_by_test_id("live-search")).to_be_hidden()
    expect(page.get_by_test_id("live-search-status")).to_have_text("")
    page.keyboard.press("ArrowDown")  # nothing of what was erased comes back
    expect(page.get_by_test_id("live-search")).to_be_hidden()


def test_a_late_answer_never_overwrites_a_newer_one(
    page: Page, live_server, counter_customers, search
):
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if route.request.url.endswith("?q=ko") and not held:
            held.append(route)  # answered only after the newer search
        else:
            route.continue_()

    page.route("**/customers/search/?q=*", hold_the_first)
    search.click()
    page.keyboard.type("ko")
    page.wait_for_timeout(400)  # the pause after typing, so that "ko" is asked on its own
    assert len(held) == 1
    page.keyboard.type("e")
    expect(_options(page)).to_have_text(["Koen Kuipers 7201 HV · tel. …5678"])

    # The page gave up on it already, or it arrives late: either way it must draw nothing.
    with contextlib.suppress(Error):
        held[0].continue_()
    page.wait_for_timeout(300)

    expect(_options(page)).to_have_text(["Koen Kuipers 7201 HV · tel. …5678"])


def test_a_tap_opens_the_customer_and_the_matches_fit_a_phone(
    browser: Browser, browser_context_args, live_server, business, staff_user, counter_customers
):
    CustomerFactory(
        business=business,
        name="Josephine van den Heuvel-Kokmeijer",
        email="josephine.vandenheuvel-mulder@administratiekantoor-voorbeeld.example",
    )
    with _staff_page(
        browser, browser_context_args, live_server, viewport=PHONE, has_touch=True
    ) as page:
        _tap_and_fit(page, live_server, counter_customers)


def _tap_and_fit(page: Page, live_server, counter_customers) -> None:
    """Two letters tapped in on a phone: the matches fit its screen; a tap on one opens it."""
    search = page.get_by_role("combobox", name="Klant zoeken")
    search.tap()
    page.keyboard.type("ko")
    expect(_options(page)).to_have_count(4)

    box = page.get_by_test_id("live-search").bounding_box()
    assert box is not None
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    widest = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('.live-search [role=option]')]"
        ".map((option) => option.getBoundingClientRect().right))"
    )
    assert widest <= box["x"] + box["width"]
    # Each option a thumb's height at least.
    heights = [option.bounding_box()["height"] for option in _options(page).all()]
    assert min(heights) >= 44, heights
    shot(page, "live-search-phone")
    _options(page).filter(has_text="Gerda Kok").tap()

    expect(page).to_have_url(f"{live_server.url}/customers/{counter_customers['gerda'].pk}/")


def test_on_a_phone_the_list_of_a_search_folds_its_filters_under_one_line(
    browser: Browser, browser_context_args, live_server, staff_user, counter_customers
):
    with _staff_page(browser, browser_context_args, live_server, viewport=PHONE) as page:
        page.goto(f"{live_server.url}/customers/?q=ko")

        expect(page.get_by_label("Label", exact=True)).to_be_hidden()
        expect(page.get_by_role("link", name="Koen Kuipers")).to_be_in_viewport()
        page.get_by_text("Label, segment, fase en sortering").click()
        expect(page.get_by_label("Label", exact=True)).to_be_visible()


def test_without_javascript_the_search_box_opens_the_list_as_before(
    browser: Browser, browser_context_args, live_server, staff_user, counter_customers
):
    with _staff_page(browser, browser_context_args, live_server, java_script_enabled=False) as page:
        page.get_by_role("combobox", name="Klant zoeken").fill("kuip")
        page.keyboard.press("Enter")

        expect(page).to_have_url(f"{live_server.url}/customers/?q=kuip")
        expect(page.get_by_role("link", name="Koen Kuipers")).to_be_visible()


@pytest.mark.parametrize(
    ("options", "focused"),
    [
        ({"viewport": {"width": 1280, "height": 900}}, True),
        ({"viewport": PHONE, "has_touch": True, "is_mobile": True}, False),
    ],
    ids=["shop screen", "phone"],
)
def test_the_customer_lists_search_takes_the_cursor_only_where_a_keyboard_is_at_hand(
    browser: Browser,
    browser_context_args,
    live_server,
    staff_user,
    counter_customers,
    options,
    focused,
):
    """On a phone the cursor in the list's search opened the on-screen keyboard over the list
    the page came to show."""
    with _staff_page(browser, browser_context_args, live_server, **options) as page:
        page.goto(f"{live_server.url}/customers/")
        expect(page.get_by_text("Koen Kuipers")).to_be_visible()
        search = page.locator("#customer-search")

        if focused:
            expect(search).to_be_focused()
        else:
            expect(search).not_to_be_focused()
            assert page.evaluate("document.activeElement === document.body")
