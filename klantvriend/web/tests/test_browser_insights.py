"""Insights in a real Chromium on the demo shop: the scorecard, the advice with its why-page, the
charts, a profile's insight card, the customer list by value, and Today's customers slipping
away and the advice's customers to win back, each with the one-click call. Screenshots go to
test-artifacts/."""

import pytest
from playwright.sync_api import Page, expect

from klantvriend.demo.shop import demo_create

from .test_browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_demo_insights_scorecard_advice_charts_profile_and_today(page: Page, live_server):
    summary = demo_create(customers=400)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, summary.username, summary.password)

    # Today: valuable customers slipping away, each with a one-click call.
    slipping = page.get_by_test_id("today-slipping-away")
    expect(slipping).to_be_visible()
    shot(page, "insights-01-today")
    # (The first with a phone number: one without is emailed, or asks for a number.)
    plan_call = page.get_by_role("button", name="Plan een belletje")
    row_id = slipping.locator("li").filter(has=plan_call).first.get_attribute("id")
    first_row = page.locator(f"#{row_id}")
    first_row.get_by_role("button", name="Plan een belletje").click()
    expect(first_row).to_contain_text("belletje gepland voor vandaag")

    # The scorecard: every figure with a light, the weakest with the next action.
    page.get_by_role("link", name="Inzichten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Klantgerichtheidsscan")
    expect(page.get_by_test_id("next-action")).to_be_visible()
    expect(page.locator(".score")).to_have_count(8)
    shot(page, "insights-02-scorecard")
    page.get_by_test_id("score-promises").click()
    expect(page.get_by_test_id("figure-rows")).to_be_visible()
    shot(page, "insights-03-scorecard-rows")

    # The advice, its figures, the attention worth per segment, and why.
    page.goto(f"{live_server.url}/insights/advice/")
    expect(page.get_by_test_id("advice-verdict")).to_be_visible()
    expect(page.get_by_test_id("attention-worth").locator("tbody tr").first).to_be_visible()
    shot(page, "insights-04-advice")
    page.get_by_role("link", name="waarom?").click()
    expect(page.get_by_test_id("advice-why")).to_contain_text("Relatiebedrijf")
    shot(page, "insights-05-why")

    # Whom to win back first opens them, each with the call to plan in one click.
    page.goto(f"{live_server.url}/insights/advice/")
    page.get_by_test_id("win-back-first-link").click()
    expect(page.get_by_test_id("win-back-how")).to_be_visible()
    plan_call = page.get_by_role("button", name="Plan een belletje")
    cell_id = page.get_by_test_id("call-cell").filter(has=plan_call).first.get_attribute("id")
    page.locator(f"#{cell_id}").get_by_role("button", name="Plan een belletje").click()
    expect(page.locator(f"#{cell_id}")).to_contain_text("belletje gepland voor vandaag")
    shot(page, "insights-05b-win-back")
    # The confirmation opens the call on the profile, where it is done.
    page.locator(f"#{cell_id}").get_by_test_id("call-planned").click()
    planned = page.locator(".care-row:target")
    expect(planned).to_contain_text("Bellen en vragen hoe het gaat")
    expect(planned.get_by_role("button", name="Tevreden", exact=True)).to_be_visible()
    page.go_back()

    # The charts, each with its table.
    page.goto(f"{live_server.url}/insights/charts/")
    expect(page.locator("svg.chart:visible")).to_have_count(5)
    page.get_by_test_id("chart-revenue").get_by_text("Toon de tabel").click()
    shot(page, "insights-06-charts")

    # On a phone every chart is the one drawn for a phone: whole inside its card, from its
    # axis to its newest month, its labels at (nearly) their own 11 px instead of scaled down
    # to 5 or 6 (the scale of its drawing on the screen).
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("svg.chart:visible")).to_have_count(5)
    fits = """chart => { const card = chart.closest('section').getBoundingClientRect();
        const box = chart.getBoundingClientRect();
        return [box.left >= card.left, box.right <= card.right, chart.getScreenCTM().a]; }"""
    for testid in ("chart-revenue", "chart-cohorts", "chart-value", "chart-promises"):
        chart = page.get_by_test_id(testid).locator(".chart-narrow svg")
        inside_left, inside_right, scale = chart.evaluate(fits)
        assert (inside_left, inside_right, scale > 0.9) == (True, True, True), testid
        expect(page.get_by_test_id(testid).locator(".chart-wide svg")).to_be_hidden()
    shot(page, "insights-06b-charts-phone")
    # The advice's answer, what attention is worth, is in sight on a phone without scrolling
    # the table sideways (the average value it is computed from is left out there).
    page.goto(f"{live_server.url}/insights/advice/")
    worth = page.get_by_test_id("attention-worth").locator("tbody tr td:last-child").first
    assert worth.evaluate("cell => cell.getBoundingClientRect().right") <= 390
    table = page.get_by_test_id("attention-worth")
    assert table.evaluate("table => table.scrollWidth <= table.clientWidth")
    shot(page, "insights-06d-advice-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # What gestures do: per occasion the buying before and after, and the log of them.
    page.get_by_role("link", name="Attenties").click()
    expect(page.get_by_test_id("effect-complaint_recovery")).to_be_visible()
    expect(page.get_by_test_id("effect-complaints-without-gesture")).to_be_visible()
    expect(page.get_by_test_id("gesture-log").locator("tbody tr").first).to_be_visible()
    shot(page, "insights-06c-gestures")

    # The customer list by value, and a profile's insight card.
    page.goto(f"{live_server.url}/customers/?order=-value")
    shot(page, "insights-07-customers-by-value")
    page.locator("table.table tbody tr").first.get_by_role("link").first.click()
    card = page.get_by_test_id("insight-card")
    expect(card).to_contain_text("Verwachte klantwaarde (12 maanden)")
    expect(card).to_contain_text("keer gekocht")
    shot(page, "insights-08-profile")
