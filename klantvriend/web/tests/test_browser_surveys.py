"""Surveys and referrals in a real Chromium: a customer answers on a phone from the invitation
link, the owner sees the NPS and the drivers move and the detractor's follow-up on Today; the
referrer is picked by typing on the customer form. Screenshots go to test-artifacts/."""

from datetime import date, time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.working_hours import same_hours
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.surveys.models import SurveyResponse
from klantvriend.surveys.tests.factories import SurveyResponseFactory

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")
    expect(page.locator("#today-figures")).to_be_visible()


def test_a_customer_answers_on_a_phone_and_the_owner_sees_nps_drivers_and_follow_up(
    page: Page, browser: Browser, live_server, business, owner, settings
):
    # Open every day: the detractor's follow-up is for today on whatever day the suite runs (a
    # shop closed on Sunday has it on Monday).
    care_settings_update(
        business=business, actor=owner, opening_hours=same_hours(range(7), time(9), time(18))
    )
    anna = CustomerFactory(business=business, name="Anna de Vries")
    # Three earlier promoters: NPS 100, reliability 5.0.
    for _number in range(3):
        SurveyResponseFactory(
            customer=CustomerFactory(business=business), nps=10, reliability=5, comment=""
        )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/surveys/")
    expect(page.get_by_test_id("nps-score")).to_have_text("+100")
    expect(page.get_by_test_id("driver-reliability").get_by_test_id("driver-average")).to_have_text(
        "5,0"
    )

    # At the counter: invite Anna with a QR code; the page shows it once, with its link on the
    # public address (here the test's server).
    settings.PUBLIC_BASE_URL = live_server.url
    page.goto(f"{live_server.url}/customers/{anna.pk}/")
    invite = page.get_by_test_id("survey-invite-form")
    invite.get_by_label("QR-code nu tonen").check()
    invite.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_test_id("survey-qr").locator("svg")).to_be_visible()
    shot(page, "surveys-01-qr-at-the-counter")
    link = page.get_by_test_id("survey-link").get_attribute("href")
    assert link
    assert "/s/" in link

    # Anna's phone speaks English: the page follows it.
    phone_context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB", device_scale_factor=2
    )
    phone = phone_context.new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("How did we do?")
    recommend = phone.get_by_role("group", name="How likely are you to recommend us")
    # Each question sits inside its box: a legend of two lines on a phone was drawn across
    # the box's top border, half outside it.
    inside = (
        "f => f.querySelector('legend').getBoundingClientRect().top > f.getBoundingClientRect().top"
    )
    assert recommend.evaluate(inside)
    recommend.get_by_text("3", exact=True).click()
    reliability = phone.get_by_role("group", name="We did what we promised, on time.")
    reliability.get_by_text("1", exact=True).click()
    # The scales work with the keyboard too: arrows move within a group of radio buttons.
    flexibility = phone.get_by_role("group", name="We were flexible about your wishes.")
    flexibility.get_by_text("3", exact=True).click()
    phone.keyboard.press("ArrowRight")
    expect(flexibility.get_by_role("radio", name="4")).to_be_checked()
    phone.get_by_label("What could we do better?").fill("Waited forty minutes for my order.")
    shot(phone, "surveys-02-phone-answer")
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_test_id("survey-thanks")).to_be_visible()
    shot(phone, "surveys-03-phone-thanks")

    # Opening the link again stores nothing and thanks again, with what the answer set going.
    phone.goto(link)
    expect(phone.get_by_test_id("survey-thanks")).to_be_visible()
    expect(phone.get_by_test_id("survey-sorry")).to_contain_text("went straight to the owner")
    assert SurveyResponse.objects.filter(customer=anna).count() == 1
    phone_context.close()

    # The owner: the NPS fell to 50 (3 promoters, 1 detractor), reliability to 4.0.
    page.goto(f"{live_server.url}/surveys/")
    expect(page.get_by_test_id("nps-score")).to_have_text("+50")
    expect(page.get_by_test_id("driver-reliability").get_by_test_id("driver-average")).to_have_text(
        "4,0"
    )
    expect(page.get_by_test_id("survey-comments")).to_contain_text("Waited forty minutes")
    # Four answers are too few to name a driver to start with (DRIVER_MIN_ANSWERS).
    expect(page.get_by_test_id("separating-driver")).to_contain_text("Te weinig antwoorden")
    shot(page, "surveys-04-results")

    # Today: the detractor's follow-up, at once.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_text("Waited forty minutes for my order.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Anna de Vries")
    shot(page, "surveys-05-today-follow-up")


def test_the_referrer_is_picked_by_typing_and_the_ambassadors_page_ranks_them(
    page: Page, live_server, business
):
    anna = CustomerFactory(
        business=business,
        name="Anna de Vries",
        phone="06-11112222",
        customer_since=date(2025, 3, 14),
    )
    CustomerFactory(business=business, name="Bert Jansen")
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/customers/new/")
    page.get_by_role("group", name="Wie").locator("input[name=name]").fill("Cor Visser")
    page.get_by_role("combobox", name="Bij ons gekomen via").select_option("referral")
    page.get_by_role("searchbox", name="Doorverwezen door").fill("ann")
    option = page.get_by_role("button", name="Anna de Vries")
    expect(option).to_be_visible()
    shot(page, "surveys-06-referrer-search")
    option.click()
    expect(page.get_by_test_id("referrer-chosen")).to_have_text(ANNA_CHOSEN)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cor Visser")
    cor = Customer.objects.get(name="Cor Visser")
    assert cor.referred_by == anna

    PurchaseFactory(customer=cor, amount_cents=12345)
    page.goto(f"{live_server.url}/ambassadors/")
    expect(page.get_by_test_id("ambassadors")).to_contain_text("Anna de Vries")
    expect(page.get_by_test_id("ambassadors")).to_contain_text("123,45")
    shot(page, "surveys-07-ambassadors")
    page.goto(f"{live_server.url}/customers/{anna.pk}/")
    expect(page.get_by_test_id("profile-referrals")).to_contain_text("Cor Visser")
    ARTIFACTS.mkdir(exist_ok=True)
    page.get_by_test_id("profile-referrals").locator("..").screenshot(
        path=str(ARTIFACTS / "surveys-09-profile-referrals-and-surveys.png")
    )
    page.goto(f"{live_server.url}/reports/acquisition/")
    shot(page, "surveys-08-acquisition")


def test_picking_a_referrer_sets_how_the_customer_came_unless_chosen_otherwise(
    page: Page, live_server, business
):
    """The channel's default "walk-in", left as it is, refused a picked referrer: the
    shopkeeper had to find the select and change it after the error."""
    CustomerFactory(
        business=business,
        name="Anna de Vries",
        phone="06-11112222",
        customer_since=date(2025, 3, 14),
    )
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/customers/new/")
    page.get_by_role("group", name="Wie").locator("input[name=name]").fill("Cor Visser")
    page.get_by_role("searchbox", name="Doorverwezen door").fill("ann")
    page.get_by_role("button", name="Anna de Vries").click()
    expect(page.get_by_test_id("referrer-chosen")).to_have_text(ANNA_CHOSEN)
    expect(page.get_by_role("combobox", name="Bij ons gekomen via")).to_have_value("referral")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cor Visser")
    assert Customer.objects.get(name="Cor Visser").acquisition_channel == "referral"

    # A channel chosen on purpose stays: the form's message asks which of the two is right.
    page.goto(f"{live_server.url}/customers/new/")
    page.get_by_role("combobox", name="Bij ons gekomen via").select_option("online")
    page.get_by_role("searchbox", name="Doorverwezen door").fill("ann")
    page.get_by_role("button", name="Anna de Vries").click()
    expect(page.get_by_test_id("referrer-chosen")).to_be_visible()
    expect(page.get_by_role("combobox", name="Bij ons gekomen via")).to_have_value("online")


LONG_REFERRER = "Maria Antonia van den Berg-Oudshoorn"
# Two customers of one name are told apart by when they came.
ANNA_CHOSEN = "Anna de Vries · 06-11112222 · klant sinds 14 mrt 2025"
LONG_CHOSEN = f"{LONG_REFERRER} · 06-11112222 · Sint-Michielsgestel · klant sinds 14 mrt 2025"


def _chosen_whole(page: Page, scope, name: str) -> None:
    """The chosen referrer reads in full inside the screen: no text cut off in its field."""
    chosen = scope.get_by_test_id("referrer-chosen")
    chosen.wait_for()
    shot(page, name)
    assert chosen.evaluate("e => e.scrollWidth <= e.clientWidth")
    expect(chosen).to_have_text(LONG_CHOSEN)
    # It and the button beside it stay within the screen.
    for part in (chosen, scope.get_by_role("button", name="Wijzigen")):
        assert part.evaluate("e => e.getBoundingClientRect().right") <= page.viewport_size["width"]


@pytest.mark.parametrize("size", [PHONE, {"width": 1280, "height": 900}], ids=["390", "1280"])
def test_a_long_referrer_chosen_reads_in_full_on_a_phone_and_a_screen(
    page: Page, live_server, business, size
):
    """The chosen referrer sat in a one-line read-only field: on a phone a long name with its
    phone number and town was cut off, on the customer form and in the walk-in panel."""
    CustomerFactory(
        business=business,
        name=LONG_REFERRER,
        phone="06-11112222",
        city="Sint-Michielsgestel",
        customer_since=date(2025, 3, 14),
    )
    page.set_viewport_size(size)
    log_in(page, live_server, "sanne", "pw-sanne-123")
    width = size["width"]

    page.goto(f"{live_server.url}/customers/new/")
    page.get_by_role("searchbox", name="Doorverwezen door").fill("maria")
    page.get_by_role("button", name=LONG_REFERRER).click()
    _chosen_whole(page, page.locator("main"), f"surveys-11-long-referrer-form-{width}")
    # The field's label still names what is chosen.
    expect(page.locator("main").get_by_label("Doorverwezen door")).to_have_text(LONG_CHOSEN)

    page.goto(f"{live_server.url}/")
    page.get_by_text("+ Nieuwe klant", exact=True).click()
    panel = page.locator(".quick-add-panel")
    # Opening the panel puts the cursor in its name field (app.js, on the toggle event, which
    # comes a moment after the click): typed before that, the text went into the name.
    expect(panel.get_by_label("Naam")).to_be_focused()
    panel.get_by_role("searchbox", name="Doorverwezen door").fill("maria")
    panel.get_by_role("button", name=LONG_REFERRER).click()
    _chosen_whole(page, panel, f"surveys-12-long-referrer-walk-in-{width}")


def test_the_ambassadors_fit_a_phone_with_what_their_referrals_bought(
    page: Page, live_server, business
):
    # What the ranking goes by, the referred customers' purchases, ran off the right edge.
    anna = CustomerFactory(business=business, name="Zoë van den Öztürk")
    PurchaseFactory(
        customer=CustomerFactory(business=business, referred_by=anna), amount_cents=559125
    )
    SurveyResponseFactory(customer=anna, nps=10)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/ambassadors/")

    ranking = page.get_by_test_id("ambassadors")
    spent = ranking.get_by_text("€ 5.591,25")
    assert spent.evaluate("e => e.getBoundingClientRect().right") <= 390
    shot(page, "surveys-10-ambassadors-phone")
    assert ranking.locator("xpath=..").evaluate("e => e.scrollWidth <= e.clientWidth")


def test_the_five_drivers_fit_a_phone_each_with_its_scores_and_answers(
    page: Page, live_server, business
):
    # Six columns needed about 470 px: on a phone each driver is a block of its own.
    SurveyResponseFactory(customer=CustomerFactory(business=business), nps=10, reliability=5)
    SurveyResponseFactory(customer=CustomerFactory(business=business), nps=3, reliability=2)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/surveys/")

    reliability = page.get_by_test_id("driver-reliability")
    expect(reliability).to_contain_text("Betrouwbaarheid")
    expect(reliability.get_by_test_id("driver-average")).to_have_text("3,5")
    answers = reliability.locator("td").last
    # Two answers, too few to name the driver as the one to start with: said under the count.
    expect(answers).to_have_text("2te weinig antwoorden")
    too_few = reliability.get_by_test_id("driver-too-few")
    # The promoters', the detractors' figure and the number of answers, in sight.
    for cell in (reliability.get_by_text("5,0"), reliability.get_by_text("2,0"), answers, too_few):
        assert cell.evaluate("e => e.getBoundingClientRect().right") <= PHONE["width"]
    shot(page, "surveys-11-drivers-phone")
    table = page.get_by_test_id("drivers").locator(".table-wrap")
    assert table.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_monthly_score_beside_the_score_on_a_tablet_is_drawn_for_its_narrow_card(
    page: Page, live_server, business
):
    """At 800 px the two cards stand side by side, and the chart drawn for a page was shown in
    one at half its size: its labels were 5 or 6 px high. The drawing is chosen by the width of
    its card, not the screen's."""
    SurveyResponseFactory(customer=CustomerFactory(business=business), nps=10)
    page.set_viewport_size({"width": 800, "height": 1280})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/surveys/")

    chart = page.locator(".chart-narrow svg")
    expect(chart).to_be_visible()
    expect(page.locator(".chart-wide svg")).to_be_hidden()
    # Its labels at (nearly) their own 11 px
    assert chart.evaluate("svg => svg.getScreenCTM().a") > 0.9
    # On a wide screen the card is wide enough for the page's drawing
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(".chart-wide svg")).to_be_visible()
    expect(chart).to_be_hidden()


def test_the_qr_code_page_fits_a_phone_screen(page: Page, live_server, business):
    """A counter phone or small tablet shows the QR code: its long link must wrap, not push the
    code and the page out past the right edge."""
    anna = CustomerFactory(business=business, name="Anna de Vries")
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/customers/{anna.pk}/")
    invite = page.get_by_test_id("survey-invite-form")
    invite.get_by_label("QR-code nu tonen").check()
    invite.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_test_id("survey-qr").locator("svg")).to_be_visible()
    shot(page, "surveys-qr-on-a-phone")

    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    link_box = page.get_by_test_id("survey-link").bounding_box()
    assert link_box["x"] + link_box["width"] <= PHONE["width"]


# Each option of 0-10 as the customer sees it: [its number, its top, width, height, left, right].
NPS_BOXES = """spans => spans.map((span) => {
  const box = span.getBoundingClientRect();
  return [span.textContent, Math.round(box.top), Math.round(box.width * 10) / 10,
    Math.round(box.height * 10) / 10, Math.round(box.left), Math.round(box.right)];
})"""


# The width of each option of the first row (0-5) and of the second (6-10) on a phone.
@pytest.mark.layout
@pytest.mark.parametrize(
    ("width", "first_row", "second_row"), [(320, 44.7, 54), (360, 51.3, 62), (390, 56.3, 68)]
)
def test_the_answer_page_gives_0_to_10_in_two_thumb_wide_rows_and_opens_the_drivers_unchosen(
    page: Page, live_server, business, width, first_row, second_row
):
    """In one row on a phone each score was 30 px wide at 390 px (23 at 320), and customers hit
    the one beside the score they meant: two full rows, 0-5 over 6-10, each target at least 44
    px. (Left to wrap, 0-6 sat on one row and 7-10 on a second one stopping halfway.) The
    drivers opened with a solid "no opinion" chosen, as if answered."""
    from klantvriend.surveys.services import survey_invitation_create

    customer = CustomerFactory(business=business)
    key = survey_invitation_create(business=business, customer=customer, channel="counter").key
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/s/{key}/?lang=nl")

    boxes = page.locator(".scale-nps .scale-option span").evaluate_all(NPS_BOXES)
    tops = sorted({top for _number, top, *_rest in boxes})
    rows = [[number for number, top, *_rest in boxes if top == row] for row in tops]
    assert rows == [["0", "1", "2", "3", "4", "5"], ["6", "7", "8", "9", "10"]]
    assert [box[2] for box in boxes] == [first_row] * 6 + [second_row] * 5
    assert min(box[2] for box in boxes) >= 44
    assert {box[3] for box in boxes} == {44}
    # Both rows start and end at the same edges: 0 and 6 at the left, 5 and 10 at the right.
    assert (boxes[0][4], boxes[5][5]) == (boxes[6][4], boxes[10][5])
    # Under them the two ends, "0 = ..." from 0's left edge, "10 = ..." to 10's right edge.
    ends = page.locator(".scale-nps .scale-ends span").evaluate_all(
        "spans => spans.map((span) => { const box = span.getBoundingClientRect();"
        " return [span.textContent, Math.round(box.top), Math.round(box.left),"
        " Math.round(box.right)]; })"
    )
    assert [(text, top > boxes[10][1]) for text, top, *_rest in ends] == [
        ("0 = zeer onwaarschijnlijk", True),
        ("10 = zeer waarschijnlijk", True),
    ]
    assert (ends[0][2], ends[1][3]) == (boxes[0][4], boxes[10][5])
    assert page.evaluate("document.documentElement.scrollWidth") == width
    # Still real radio buttons, and the keyboard's focus shows.
    page.locator("#id_nps_0").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="1", exact=True).first).to_be_checked()
    focused = page.locator("#id_nps_1 + span")
    assert focused.evaluate("s => getComputedStyle(s).outlineStyle") == "solid"
    # The drivers: nothing chosen; "no opinion" chosen is outlined, not filled like a score.
    assert page.locator(".scale-driver input:checked").count() == 0
    certainty = page.get_by_role("group", name="U wist vooraf")
    certainty.get_by_text("geen mening").click()
    certainty.get_by_text("4", exact=True).click()
    flexibility = page.get_by_role("group", name="We gingen flexibel")
    flexibility.get_by_text("geen mening").click()
    background = "s => getComputedStyle(s).backgroundColor"
    chosen_score = page.locator("#id_certainty_3 + span").evaluate(background)
    chosen_none = page.locator("#id_flexibility_5 + span").evaluate(background)
    assert chosen_score == "rgb(31, 111, 92)"
    assert chosen_none == "rgba(0, 0, 0, 0)"
    shot(page, f"surveys-05-phone-{width}-scales")


@pytest.mark.layout
def test_the_answer_page_keeps_0_to_10_in_one_row_on_a_wide_screen(
    page: Page, live_server, business
):
    """Where each of eleven is at least 44 px wide, the scale stays one row (0-10, left to
    right): two rows only where one would be too narrow to tap."""
    from klantvriend.surveys.services import survey_invitation_create

    customer = CustomerFactory(business=business)
    key = survey_invitation_create(business=business, customer=customer, channel="counter").key
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/s/{key}/?lang=nl")

    boxes = page.locator(".scale-nps .scale-option span").evaluate_all(NPS_BOXES)
    assert [number for number, *_rest in boxes] == [str(score) for score in range(11)]
    assert len({top for _number, top, *_rest in boxes}) == 1
    assert {box[2] for box in boxes} <= {53.1, 53.2}
    assert {box[3] for box in boxes} == {44.2}


def test_switching_the_survey_to_english_keeps_the_answers_given(page: Page, live_server, business):
    """The switch was a link: the page came back in English with the score and comment gone."""
    from klantvriend.surveys.services import survey_invitation_create

    customer = CustomerFactory(business=business)
    key = survey_invitation_create(business=business, customer=customer, channel="counter").key
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/s/{key}/?lang=nl")
    page.get_by_role("radio", name="8", exact=True).first.check()
    page.locator("textarea[name=comment]").fill("Prima geholpen")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("radio", name="8", exact=True).first).to_be_checked()
    expect(page.locator("textarea[name=comment]")).to_have_value("Prima geholpen")
    assert SurveyResponse.objects.count() == 0
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("textarea[name=comment]")).to_have_value("Prima geholpen")


# Each question box whose text does not show whole: [its name, its text's height, its own].
QUESTIONS_CUT_OFF = """() => [...document.querySelectorAll('textarea.question-text')]
  .filter((box) => box.scrollHeight > box.clientHeight || box.scrollWidth > box.clientWidth)
  .map((box) => [box.name, box.scrollHeight, box.clientHeight])"""


@pytest.mark.layout
@pytest.mark.parametrize("width", [320, 390, 1366])
def test_the_owner_reads_each_survey_question_whole_in_its_settings(
    page: Page, live_server, business, owner, width
):
    """In a line of text the question was cut off at the box's edge ("Hoe waarschijnlijk is
    het dat u ons aanbevee…"): the owner could not read what customers will be asked."""
    from klantvriend.surveys.services import survey_update

    # The longest text a question may have, in the Dutch comment's box.
    longest = ("Wat kunnen we beter doen, wat deden we goed, en wat zou u anders willen? " * 5)[
        :300
    ].strip()
    survey_update(business=business, actor=owner, questions={"comment": {"nl": longest}})
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/surveys/settings/")

    nps = page.locator("textarea[name=nps_nl]")
    expect(nps).to_have_value(
        "Hoe waarschijnlijk is het dat u ons aanbeveelt bij vrienden, familie of collega's?"
    )
    expect(page.locator("textarea[name=comment_nl]")).to_have_value(longest)
    assert page.locator("textarea.question-text").count() == 14
    assert page.evaluate(QUESTIONS_CUT_OFF) == []
    # At least three lines high, however short the question.
    assert (
        page.locator("textarea[name=flexibility_en]").evaluate(
            "box => Math.round((box.clientHeight - 2 * parseFloat(getComputedStyle(box).paddingTop))"
            " / parseFloat(getComputedStyle(box).lineHeight))"
        )
        == 3
    )
    assert page.evaluate("document.documentElement.scrollWidth") == width
    nps.scroll_into_view_if_needed()
    shot(page, f"surveys-settings-questions-{width}")
