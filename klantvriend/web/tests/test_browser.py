"""The main flows of a shopkeeper, in a real Chromium. Screenshots go to test-artifacts/."""

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from klantvriend.customers.models import ContactMoment, Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.models import Segment
from klantvriend.insights.tests.factories import CustomerInsightFactory

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Goedendag")


def test_counter_flow_search_quick_add_record_and_switch_language(
    page: Page, live_server, business
):
    CustomerFactory(business=business, name="José Öztürk", phone="06-11112222")
    PurchaseFactory(
        customer=CustomerFactory(business=business, name="Anna de Vries"), amount_cents=995
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    shot(page, "foundation-01-login")

    log_in(page, live_server, "sanne", "pw-sanne-123")
    shot(page, "foundation-02-today")

    # Search from the top bar, without accents, and open the customer.
    page.get_by_role("combobox", name="Klant zoeken").fill("jose")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="José Öztürk")).to_be_visible()
    expect(page.get_by_role("link", name="Anna de Vries")).to_have_count(0)
    shot(page, "foundation-03-search")
    page.get_by_role("link", name="José Öztürk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("José Öztürk")

    # Quick-add a walk-in from anywhere: a name is enough.
    page.get_by_text("+ Nieuwe klant", exact=True).click()
    page.locator(".quick-add-panel").get_by_label("Naam").fill("Willem Wandelaar")
    shot(page, "foundation-04-quick-add")
    page.get_by_role("button", name="Klant toevoegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Willem Wandelaar")

    # A refused amount keeps the form with its message and stores nothing.
    purchase_form = page.get_by_test_id("purchase-form")
    purchase_form.get_by_label("Bedrag").fill("twaalf")
    purchase_form.get_by_role("button", name="Aankoop opslaan").click()
    expect(page.get_by_text("Vul het bedrag in als getal, zoals 12,50.")).to_be_visible()
    assert Purchase.objects.filter(customer__name="Willem Wandelaar").count() == 0

    # Record a purchase and a contact moment; both appear on the timeline.
    purchase_form = page.get_by_test_id("purchase-form")
    purchase_form.get_by_label("Bedrag").fill("12,50")
    purchase_form.get_by_label("Wat").fill("Rollade")
    purchase_form.get_by_role("button", name="Aankoop opslaan").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("€ 12,50")
    expect(timeline).to_contain_text("Rollade")
    expect(page.get_by_test_id("total-spend")).to_have_text("€ 12,50")

    contact_form = page.get_by_test_id("contact-form")
    contact_form.get_by_label("Soort").select_option("call")
    contact_form.get_by_label("Samenvatting").fill("Gebeld over de bestelling voor zaterdag")
    contact_form.get_by_role("button", name="Contactmoment opslaan").click()
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "Gebeld over de bestelling voor zaterdag"
    )
    expect(page.get_by_test_id("timeline").locator(".timeline-entry")).to_have_count(2)
    shot(page, "foundation-05-profile")
    assert ContactMoment.objects.get().member.username == "sanne"

    # Switch to English.
    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text(
        "Gebeld over de bestelling voor zaterdag"
    )
    shot(page, "foundation-06-english")


def test_a_language_chosen_on_the_phone_follows_the_person_to_the_tablet(
    page: Page, browser: Browser, live_server, business
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/account/")
    page.get_by_label("Taal van je schermen").select_option(label="English")
    page.get_by_role("button", name="Taal opslaan").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Klantvriend speaks this language to you from now on."
    )
    expect(page.get_by_label("Language of your screens")).to_have_value("en")
    shot(page, "language-01-account-phone")

    tablet = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    counter = tablet.new_page()
    counter.goto(f"{live_server.url}/login/")
    expect(counter.locator("html")).to_have_attribute("lang", "nl")  # nobody known yet
    counter.get_by_label("Gebruikersnaam").fill("sanne")
    counter.get_by_label("Wachtwoord").fill("pw-sanne-123")
    counter.get_by_role("button", name="Inloggen").click()
    expect(counter.locator("html")).to_have_attribute("lang", "en")
    expect(counter.get_by_role("navigation", name="Main")).to_contain_text("Customers")
    tablet.close()


def test_profile_reads_well_on_a_phone(page: Page, live_server, business):
    customer = CustomerFactory(
        business=business,
        name="Anna de Vries",
        phone="06-12345678",
        preferences="Wil het vlees mager; komt op zaterdag.",
        notes="Dochter begint na de zomer op school.",
    )
    PurchaseFactory(customer=customer, amount_cents=1250, description="Biefstuk")
    page.set_viewport_size({"width": 390, "height": 844})

    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    expect(page.get_by_text("Wil het vlees mager; komt op zaterdag.")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "foundation-07-phone-profile")


@pytest.mark.parametrize("width", [390, 1280])
def test_on_a_phone_one_tap_goes_from_the_briefing_down_to_the_purchase_form(
    page: Page, live_server, business, width
):
    """On a phone the purchase form came about 1,000 px below the top of the profile, under
    the briefing; beside it on a wide screen, where no jump is offered."""
    customer = CustomerFactory(business=business, name="Eva Smit")
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    jump = page.get_by_test_id("jump-to-record")
    amount = page.get_by_test_id("purchase-form").get_by_label("Bedrag")

    if width == 1280:
        expect(jump).to_be_hidden()
        expect(amount).to_be_in_viewport()
        return
    expect(amount).not_to_be_in_viewport()
    # The three buttons on one line under the name.
    tops = page.evaluate(
        "[...document.querySelectorAll('.page-head-row .actions > *')]"
        ".map((element) => Math.round(element.getBoundingClientRect().top))"
    )
    assert len(tops) == 3
    assert len(set(tops)) == 1, tops
    jump.click()
    expect(amount).to_be_in_viewport()
    amount.fill("12,50")
    page.get_by_role("button", name="Aankoop opslaan").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("€ 12,50")


def test_search_results_fit_a_phone_without_scrolling_sideways(page: Page, live_server, business):
    # At the counter the list is for finding and opening a customer: name, phone and last
    # purchase. Segment and value ran off the right edge; they are on the profile.
    for name in ("Bram van de Kuipers", "Eloïse Kuipers"):
        customer = CustomerFactory(business=business, name=name, phone="06-47823592")
        # At noon in the shop 45 days ago: "now" minus 45 days is 44 or 46 of the shop's days
        # ago late in the evening across a change of the clocks.
        day = business.today() - timedelta(days=45)
        PurchaseFactory(customer=customer, at=business.start_of(day) + timedelta(hours=12))
        CustomerInsightFactory(customer=customer, segment=Segment.AT_RISK, value_cents=123456)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/customers/?q=kuip")

    results = page.locator("#customer-results .table-wrap")
    expect(results.get_by_role("link", name="Eloïse Kuipers")).to_be_visible()
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth")
    expect(results.get_by_text("45 dagen geleden").first).to_be_in_viewport()
    shot(page, "foundation-09-phone-search")


# Whether a tap on a panel's first line (below its padding) reaches the panel itself.
FIRST_LINE_ON_TOP = """panel => {
    const box = panel.getBoundingClientRect();
    return panel.contains(document.elementFromPoint(box.left + box.width / 2, box.top + 28));
}"""
PANEL_BOX = "e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }"


@pytest.mark.parametrize("width", [390, 1024, 1280, 1440])
def test_top_bar_panels_open_inside_the_screen(page: Page, live_server, business, width):
    # A long shop name, as in the walk-through that found the panels opening off-screen.
    business.name = "Slagerij & Traiteur Van der Meer"
    business.save(update_fields=["name"])
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    topbar = page.locator(".topbar")
    if width >= 1280:
        height = topbar.evaluate("e => e.getBoundingClientRect().height")
        assert height < 90, f"the top bar wraps onto a second row at {width}px ({height}px)"
    if width < 500:
        # On a phone the bar scrolls away and every menu item is in sight.
        assert topbar.evaluate("e => getComputedStyle(e).position") != "sticky"
        nav = page.locator(".mainnav")
        assert nav.evaluate("e => e.scrollWidth <= e.clientWidth")
        expect(nav.get_by_role("link", name="Inzichten")).to_be_in_viewport()
        # The user menu's links are a thumb high, not a line of text high (24 px).
        page.locator("details.usermenu > summary").click()
        heights = page.locator(".usermenu-panel nav a").evaluate_all(
            "links => links.map(a => a.getBoundingClientRect().height)"
        )
        assert min(heights) >= 40, heights
        page.locator("details.usermenu > summary").click()

    for details, panel in (
        ("details.quick-add", ".quick-add-panel"),
        ("details.usermenu", ".usermenu-panel"),
    ):
        page.locator(f"{details} > summary").click()
        expect(page.locator(panel)).to_be_visible()
        # Nothing of the bar lies over it: on a phone the search box covered its first line.
        assert page.locator(panel).evaluate(FIRST_LINE_ON_TOP), f"{panel} covered at {width}px"
        left, right = page.locator(panel).evaluate(PANEL_BOX)
        where = f"{panel} at {width}px runs from {left} to {right}"
        assert left >= 0, where
        assert right <= width, where
        page.locator(f"{details} > summary").click()
    page.locator("details.usermenu > summary").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_in_viewport()
    shot(page, f"foundation-08-usermenu-{width}")


def test_a_save_that_fails_says_so_instead_of_seeming_to_do_nothing(
    page: Page, live_server, business
):
    customer = CustomerFactory(business=business, name="Bram Bakker")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    purchase_form = page.get_by_test_id("purchase-form")
    purchase_form.get_by_label("Bedrag").fill("12,50")
    banner = page.get_by_test_id("request-failed")
    expect(banner).to_be_hidden()

    # SQLite busy with an import (the server's 503), then no network at all.
    saving = f"**/customers/{customer.pk}/purchases/"
    page.route(saving, lambda route: route.fulfill(status=503, body="busy"))
    purchase_form.get_by_role("button", name="Aankoop opslaan").click()
    expect(banner).to_have_text(
        "Klantvriend is bezig iets groots op te slaan (een import): dit is niet opgeslagen. "
        "Probeer het over een minuut opnieuw."
    )
    shot(page, "foundation-10-save-refused-busy")
    page.unroute(saving)
    page.route(saving, lambda route: route.abort())
    purchase_form.get_by_role("button", name="Aankoop opslaan").click()
    expect(banner).to_contain_text("Geen verbinding met Klantvriend: dit is niet opgeslagen.")

    # Saved again once the server answers: the message goes, the purchase is there.
    page.unroute(saving)
    page.get_by_test_id("purchase-form").get_by_role("button", name="Aankoop opslaan").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("12,50")
    expect(banner).to_be_hidden()
    assert Purchase.objects.filter(customer=customer).count() == 1


# A date-and-time field and what the browser needs to show its date and time whole: its place
# and width, the width it takes at its own size, and its row's width.
MOMENT_FIELD = """(input) => {
  const own = input.cloneNode();
  own.style.width = "auto";
  input.after(own);
  const needed = own.getBoundingClientRect().width;
  own.remove();
  const box = input.getBoundingClientRect();
  const row = input.closest(".field-row").getBoundingClientRect();
  return {top: Math.round(box.top), width: box.width, needed, row: row.width};
}"""


# Whether the date and time stands beside its neighbour on the profile's purchase form (in a
# third of the page) and on the page that changes a contact moment (the page's whole width).
@pytest.mark.layout
@pytest.mark.parametrize(
    ("width", "beside_on_profile", "beside_on_page"),
    [(320, False, False), (390, False, False), (1024, False, True), (1366, True, True)],
)
def test_a_date_and_time_in_a_row_of_two_shows_its_time_whole(
    page: Page, live_server, business, staff_user, width, beside_on_profile, beside_on_page
):
    """Beside "Geholpen door" the purchase's "Wanneer" showed "11/18/2026, 1" on a 390 px phone,
    and lost its "PM" at 1366: it is never narrower than its date and time need, and on a phone,
    or wherever the two do not fit side by side, it takes a line of its own."""
    customer = CustomerFactory(business=business, name="Anna de Vries")
    moment = ContactMoment.objects.create(
        business=business, customer=customer, kind="call", summary="Gebeld"
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    for path, neighbour, beside in (
        (f"/customers/{customer.pk}/", "member", beside_on_profile),
        (f"/customers/{customer.pk}/contact-moments/{moment.pk}/", "kind", beside_on_page),
    ):
        page.goto(f"{live_server.url}{path}")
        form = page.locator("form:has(input[type=datetime-local][name=at])").first
        moment_field = form.locator("input[name=at]")
        moment_field.fill("2026-11-18T13:45")
        field = moment_field.evaluate(MOMENT_FIELD)
        other = form.locator(f"[name={neighbour}]").bounding_box()

        # As wide as its date and time at their widest ("11/18/2026, 01:45 PM"), or, on a
        # phone narrower than that, as the whole row.
        assert field["width"] >= min(field["needed"], field["row"]), path
        if beside:
            assert field["top"] == round(other["y"]), path
        else:
            assert field["top"] > other["y"] + other["height"], path
            assert field["width"] == field["row"], path
        moment_field.scroll_into_view_if_needed()
        shot(page, f"when-{width}-{neighbour}")
