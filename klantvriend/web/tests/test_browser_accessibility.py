"""Accessibility (WCAG 2.1 A and AA) of every main page, checked by the axe-core engine in a real
Chromium: what a shopkeeper opens on the counter tablet, and, on a phone's width, Today, the
search, the profile and the survey a customer answers on their own phone. One live server, one
demo shop, one page reused; a failure lists every violation with what to fix and where."""

from datetime import UTC, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Page, expect

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.models import ContactKind, Customer
from klantvriend.customers.services import distinct_pair_create
from klantvriend.customers.tests.factories import (
    ContactMomentFactory,
    CustomerFactory,
    ImportantDateFactory,
)
from klantvriend.demo.shop import demo_create
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.promises.services import promise_mark_kept
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.models import InvitationChannel
from klantvriend.surveys.services import survey_invitation_create
from klantvriend.surveys.tests.factories import SurveyResponseFactory

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE = Axe()


def violations(page: Page, what: str) -> list[str]:
    """axe's violations of WCAG 2.1 A and AA on the page as it is now, one readable line per rule
    and one per element: the rule, its impact, what it asks, and the elements that break it."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    # axe-core (570 kB of script) is sent to the page only when it is not there already
    # (axe_on_every_page): the engine's own AXE.run sends it again for every check.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.axe_script)
    found = page.evaluate("(options) => axe.run(document, options)", options)["violations"]
    width = page.viewport_size["width"]
    lines = []
    for rule in found:
        lines.append(
            f"{what} at {width} px: {rule['id']} ({rule['impact']}): {rule['help']} "
            f"<{rule['helpUrl'].split('?')[0]}>"
        )
        for node in rule["nodes"]:
            summary = " ".join(node["failureSummary"].split())
            lines.append(f"    {' '.join(node['target'])}: {summary}")
    return lines


def axe_on_every_page(page: Page) -> None:
    """axe-core in every page the test opens from now on, loaded with the page, instead of
    sent over for each check: about 3 s of the sweep's 35."""
    page.context.add_init_script(script=AXE.axe_script)


def open_every_section(page: Page) -> None:
    """The forms folded away in the page's <details> are checked too, not only their titles. The
    top bar's panels are left shut: they lie over the page, and are checked on their own."""
    page.evaluate(
        "document.querySelectorAll('main details').forEach((details) => { details.open = true; })"
    )


def profile_customer(business) -> Customer:
    """A demo regular with every section of the profile filled in: an open promise, a complaint,
    an aftercare call, a gesture, an important date, a referrer, a survey answer, a logged
    visit."""
    customers = Customer.objects.filter(business=business)
    customer = customers.filter(purchases__isnull=False, email__gt="").first()
    referrer = customers.exclude(pk=customer.pk).first()
    customer.referred_by = referrer
    customer.save(update_fields=["referred_by"])
    now = timezone.now()
    PromiseFactory(customer=customer, description="Rollade op vrijdag", made_at=now)
    PromiseFactory(customer=customer, description="Terugbellen over de prijs")  # overdue
    ComplaintFactory(customer=customer, description="Het gehakt was niet vers", public=True)
    FollowUpFactory(customer=customer, due_on=timezone.localdate() - timedelta(days=1))
    GestureFactory(customer=customer)
    ImportantDateFactory(customer=customer, label="Verjaardag")
    SurveyResponseFactory(customer=customer, nps=6, comment="Lang gewacht aan de toonbank")
    ContactMomentFactory(customer=customer, kind=ContactKind.VISIT, summary="Even binnengelopen")
    return customer


@pytest.mark.layout
def test_every_main_page_meets_wcag_21_aa_on_the_tablet_and_the_phone(
    page: Page, live_server, monkeypatch
):
    summary = demo_create(customers=150)
    business = summary.business
    customer = profile_customer(business)
    # A record of the same person typed in again at the counter, to merge.
    double = CustomerFactory(business=business, name=customer.name, phone=customer.phone)
    # Two namesakes told apart, for the list of those decisions.
    namesake = CustomerFactory(business=business, name=customer.name)
    distinct_pair_create(business=business, customer_id=customer.pk, other_id=namesake.pk)
    survey_key = survey_invitation_create(
        business=business, customer=double, channel=InvitationChannel.COUNTER
    ).key
    owner = business.memberships.get(role="owner").user
    # A promise still open (its form to change it) and one just marked kept by the owner (its
    # row on the profile offers to undo that).
    now = timezone.now()
    open_promise = PromiseFactory(
        customer=customer, made_at=now - timedelta(hours=1), due_at=now + timedelta(days=1)
    )
    promise_mark_kept(
        promise=PromiseFactory(
            customer=customer, made_at=now - timedelta(hours=2), due_at=now + timedelta(hours=3)
        ),
        actor=owner,
    )
    reset = (
        f"/password/new/{urlsafe_base64_encode(force_bytes(owner.pk))}/"
        f"{default_token_generator.make_token(owner)}/"
    )
    found: list[str] = []
    axe_on_every_page(page)

    def check(path: str, what: str, *, sections: bool = True) -> None:
        page.goto(f"{live_server.url}{path}")
        if sections:
            open_every_section(page)
        found.extend(violations(page, what))

    # Before logging in: the login, the password reset, and the customer's survey.
    page.set_viewport_size(TABLET)
    check("/login/", "Login")
    check("/password/forgotten/", "Password forgotten")
    check("/password/sent/", "Password reset sent")
    check(reset, "New password")
    check("/password/done/", "Password changed")
    check("/s/not-a-key/", "Survey with an unknown link")
    page.set_viewport_size(PHONE)
    check(f"/s/{survey_key}/", "Survey answer page")
    # Sent without a score: the messages beside the questions.
    page.get_by_role("button", name="Mijn antwoorden versturen").click()
    expect(page.locator(".error").first).to_be_visible()
    found.extend(violations(page, "Survey answer page with a missing answer"))
    check("/login/", "Login")

    log_in(page, live_server, summary.username, summary.password)
    found.extend(violations(page, "Today"))
    check("/customers/?q=jan", "Customer search")
    check(f"/customers/{customer.pk}/", "Customer profile")
    check(f"/customers/{customer.pk}/visits/", "Visits and purchases")
    check(f"/promises/{open_promise.pk}/edit/", "Promise form")
    page.locator("[name=due_date]").fill("")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator(".error").first).to_be_visible()
    found.extend(violations(page, "Promise form without a due day"))

    page.set_viewport_size(TABLET)
    check("/", "Today")
    check("/customers/", "Customer list")
    check("/customers/?q=jan", "Customer search")
    check(f"/customers/{customer.pk}/", "Customer profile")
    check(f"/customers/{customer.pk}/visits/", "Visits and purchases")
    check(f"/customers/{customer.pk}/edit/", "Customer form")
    check("/customers/new/", "New customer")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error").first).to_be_visible()
    found.extend(violations(page, "New customer without a name"))
    check(f"/customers/{customer.pk}/merge/", "Merge: choose")
    check(f"/customers/{customer.pk}/merge/?other={double.pk}", "Merge: confirm")
    check("/customers/duplicates/", "Possible duplicates")
    check("/customers/duplicates/?kind=name", "Possible duplicates by name")
    # On a phone, a group a page: the records' numbers, the buttons that name them, the pager.
    monkeypatch.setattr("klantvriend.web.duplicate_views.GROUPS_PER_PAGE", 1)
    page.set_viewport_size(PHONE)
    check("/customers/duplicates/?kind=name", "Possible duplicates by name, paged")
    expect(page.get_by_test_id("duplicates-older")).to_be_visible()
    page.get_by_test_id("duplicates-older").click()
    expect(page.get_by_test_id("duplicates-newer")).to_be_visible()
    found.extend(violations(page, "Possible duplicates by name, an older page"))
    page.set_viewport_size(TABLET)
    check("/customers/duplicates/apart/", "Marked as different people")
    check(f"/customers/{customer.pk}/personal-data/", "Personal data")
    check(f"/customers/{customer.pk}/erase/", "Anonymise")
    check(f"/customers/{customer.pk}/delete/", "Delete")
    check("/insights/scorecard/", "Scorecard")
    check("/insights/scorecard/rows/?figure=promises", "Scorecard rows")
    check("/insights/scorecard/rows/?figure=promises&period=before", "Scorecard rows before")
    check("/insights/scorecard/rows/?figure=slipping_away&from=today", "Slipping away, all")
    month = timezone.localdate().replace(day=1).isoformat()
    check(f"/insights/scorecard/rows/?figure=nps&month={month}&from=surveys", "Answers of a month")
    check("/insights/advice/", "Advice")
    check("/insights/advice/why/", "Advice: why")
    check("/insights/charts/", "Charts")
    check("/insights/gestures/", "Gestures")
    check("/surveys/", "Survey results")
    check("/surveys/invitations/", "Survey invitations")
    check("/surveys/invitations/?state=expired&channel=email", "Survey invitations expired")
    check("/surveys/settings/", "Survey settings")
    check("/ambassadors/", "Ambassadors")
    check("/reports/acquisition/", "Acquisition")
    check("/promises/reliability/", "Promise reliability")
    check("/promises/?outcome=judged", "Promises judged")
    check("/promises/?period=90d-before&outcome=judged", "Promises judged, the 90 days before")
    check("/complaints/", "Complaints")
    check("/complaints/?state=resolved&public=no", "Complaints resolved, not public")
    check("/promises/?agenda=overdue&order=due", "Promises overdue, as on Today")
    check("/aftercare/", "Aftercare")
    check("/aftercare/?state=due", "Aftercare due, as on Today")
    check("/?show=occasions", "Today's occasions, all")
    check(f"/promises/{open_promise.pk}/edit/", "Promise form")
    check("/customers/?channel=referral", "Customers by channel")
    check("/customers/?bought=again&order=-spend", "Customers who came back, by spend")
    check("/customers/?segment=champion&order=-value", "Customers of a segment")
    check("/privacy/settings/", "Privacy settings")
    check("/privacy/register/", "Processing register")
    check("/privacy/audit/", "Audit log")
    check("/privacy/audit/?kind=requests&since=2026-01-01", "Audit log filtered")
    check("/privacy/audit/?since=2026-11-30&until=2026-11-01", "Audit log, a refused period")
    check("/privacy/audit/print/?kind=exported", "Audit log print view")
    check("/privacy/requests/", "Privacy requests")
    check("/data/import/", "Import")
    check("/data/export/", "Export")
    check("/members/", "Members")
    check("/account/", "Account")
    check("/settings/", "Care settings")
    check("/calendar/", "Calendar link")
    # The tables read as cards on a phone (table-stack): laid out as blocks, with their roles
    # written out and each cell's heading shown beside it.
    page.set_viewport_size(PHONE)
    check("/insights/scorecard/rows/?figure=promises", "Scorecard rows on a phone")
    check("/privacy/audit/", "Audit log on a phone")
    check("/privacy/requests/", "Privacy requests on a phone")
    check("/insights/gestures/", "Gestures on a phone")
    check(f"/customers/{customer.pk}/personal-data/", "Personal data on a phone")
    check("/insights/charts/", "Charts on a phone")
    check("/reports/acquisition/", "Acquisition on a phone")
    check("/ambassadors/", "Ambassadors on a phone")

    # The top bar's panels, open: the walk-in form (with the customers it resembles) and the menu.
    page.goto(f"{live_server.url}/")
    page.get_by_text("+ Nieuwe klant", exact=True).click()
    page.locator(".quick-add-panel").get_by_label("Naam").fill(customer.name)
    page.get_by_role("button", name="Klant toevoegen").click()
    expect(page.get_by_test_id("quick-add-matches")).to_be_visible()
    found.extend(violations(page, "Quick add with matches"))
    page.goto(f"{live_server.url}/")
    page.locator(".usermenu summary").click()
    found.extend(violations(page, "User menu"))

    assert not found, "Accessibility violations (WCAG 2.1 A/AA):\n" + "\n".join(found)


def focused(page: Page) -> dict:
    return page.evaluate(
        """() => { const element = document.activeElement; const style = getComputedStyle(element);
        return {tag: element.tagName, text: element.innerText.trim().split("\\n")[0],
                id: element.id, outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`}; }"""
    )


FOCUS_RING = "solid 3px rgb(47, 138, 108)"


def test_the_first_tab_offers_a_skip_to_the_content_past_the_menu_and_every_focus_shows(
    page: Page, live_server, business
):
    customer = CustomerFactory(business=business, name="Anna de Vries")
    PromiseFactory(customer=customer, description="Rollade klaarzetten")  # overdue
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.keyboard.press("Tab")
    assert focused(page) == {"tag": "A", "text": "Naar de inhoud", "id": "", "outline": FOCUS_RING}
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # The first link of the content, not the brand or the main menu: in a shop this new, the
    # first step of Today's getting-started card.
    expect(page.get_by_role("link", name="Voeg je eerste klant toe")).to_be_focused()
    assert focused(page)["outline"] == FOCUS_RING
    # A folded form's title and the user menu show the same ring as links and buttons.
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.locator("summary", has_text="+ Belofte").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert focused(page) == {"tag": "SUMMARY", "text": "+ Belofte", "id": "", "outline": FOCUS_RING}


def test_the_walk_in_panel_works_with_the_keyboard_alone_and_escape_shuts_it(
    page: Page, live_server, business
):
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "sanne", "pw-sanne-123")
    panel = page.locator("details.quick-add")
    summary = panel.locator("summary")

    # Opened with Enter, the cursor is in the name; Escape shuts it and gives the focus back.
    summary.focus()
    page.keyboard.press("Enter")
    expect(panel.get_by_label("Naam")).to_be_focused()
    page.keyboard.type("Willem")
    page.keyboard.press("Escape")
    expect(panel).not_to_have_attribute("open", "")
    assert focused(page)["text"] == "+ Nieuwe klant"

    # Tabbing on past its last link shuts it: the focus does not go on hidden behind it.
    page.keyboard.press("Enter")
    expect(panel.get_by_label("Naam")).to_be_focused()
    for _field in ("Telefoon", "Doorverwezen door", "Bij ons gekomen via", "Klant toevoegen"):
        page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Klant toevoegen")).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_test_id("quick-add-full-form")).to_be_focused()
    expect(panel).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(panel).not_to_have_attribute("open", "")
    assert focused(page)["text"] == "Sanne · Slagerij Test"

    # And a walk-in is added with the keyboard alone.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(panel.get_by_label("Naam")).to_be_focused()
    page.keyboard.type(" Wandelaar")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Willem Wandelaar")
    assert Customer.objects.get(business=business).name == "Willem Wandelaar"


def test_a_row_of_today_keeps_the_focus_when_its_button_is_done(page: Page, live_server, business):
    # In a zone where it is about midday whenever the suite runs (Etc/GMT-2 is two hours ahead
    # of UTC), so that both promises are today's.
    business.time_zone = f"Etc/GMT{timezone.now().astimezone(UTC).hour - 12:+d}"
    business.save(update_fields=["time_zone"])
    anna = CustomerFactory(business=business, name="Anna de Vries")
    bert = CustomerFactory(business=business, name="Bert Bakker")
    # Both passed today, Anna's the earlier: hers comes first. Kept late but within the grace,
    # so that "was on time" is offered.
    promise = PromiseFactory(
        customer=anna,
        description="Rollade klaarzetten",
        made_at=timezone.now() - timedelta(days=3),
        due_at=timezone.now() - timedelta(hours=2),
    )
    PromiseFactory(
        customer=bert, description="Worst bestellen", due_at=timezone.now() - timedelta(hours=1)
    )
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "sanne", "pw-sanne-123")
    row = page.locator(f"#promise-{promise.pk}")
    row.get_by_role("button", name="Gedaan").focus()
    page.keyboard.press("Enter")

    expect(row).to_contain_text("gedaan om")
    expect(row).to_be_focused()
    # Tab goes on from the row (its customer, its undo, "was on time" as it was kept late, then
    # the next row), not from the top of the page.
    page.keyboard.press("Tab")
    expect(row.get_by_role("link", name="Anna de Vries")).to_be_focused()
    page.keyboard.press("Tab")
    expect(row.get_by_role("button", name="Ongedaan maken")).to_be_focused()
    page.keyboard.press("Tab")
    expect(row.get_by_test_id("promise-was-on-time")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Bert Bakker")).to_be_focused()
    # Undone with the keyboard, the row keeps the focus again, with its button back.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Gedaan", exact=True)).to_be_visible()
    expect(row).to_be_focused()


def test_a_figures_card_and_its_trend_are_two_stops_of_the_keyboard_each_with_its_ring(
    page: Page, live_server, business
):
    """A scorecard card opens to its rows and its trend to those of the 90 days before: two links
    in one card, the first drawing its ring around the whole card."""
    customer = CustomerFactory(business=business, name="Anna de Vries")
    now = timezone.now()
    for days in (10, 100):  # one promise kept in each of the trend's two periods
        PromiseFactory(
            customer=customer,
            made_at=now - timedelta(days=days + 2),
            due_at=now - timedelta(days=days),
            done_at=now - timedelta(days=days, hours=1),
        )
    page.set_viewport_size(TABLET)
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/insights/scorecard/")
    card = page.get_by_test_id("score-promises")
    ring = "link => getComputedStyle(link, '::after').outline"

    card.focus()
    # The ring is drawn by the box stretched over the card, not around the link's text.
    assert card.evaluate(ring) == "rgb(47, 138, 108) solid 3px"
    assert card.evaluate("link => getComputedStyle(link).outlineStyle") == "none"
    page.keyboard.press("Tab")
    trend = page.get_by_test_id("trend-promises")
    expect(trend).to_be_focused()
    assert focused(page)["outline"] == FOCUS_RING
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Beloften beoordeeld in de 90 dagen vóór de laatste 90"
    )
    expect(page.get_by_test_id("figure-rows").locator("tbody tr")).to_have_count(1)
