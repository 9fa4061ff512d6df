"""No page scrolls sideways or cuts off what it shows on a phone (390 × 844 px, and the 360 px of
many Android phones): shopkeepers use Klantvriend on a phone behind the counter. Every page that
an owner and a staff member reach in the demo shop is opened: the routes of the URL
configuration (their ids filled with rows of every kind, the profile's with the customer who has
every section), then every further view of a page that the pages link to (a list filtered or
sorted, a scorecard figure's rows), one of each, so that a new page or view is checked the day
it is added. What is not a page for GET (a form that only takes a POST, a download, a page the
role may not open) is left out by what the server answers, not by a list. Content wider than the
phone must scroll inside its own box; the failure names the page and its widest element. Nor may
a page cut off, without scrolling it sideways, what a user must read or tap: a drop-down's chosen
text, a table's cell or button out of sight past the phone's edge (a table too wide is read as
cards, table-stack), a field past its card's edge. On a tablet (1024 px held sideways, 800
upright) the owner's pages are swept the same way for a table wider than the box it scrolls in."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import Resolver404, resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Browser, Page, expect

from klantvriend.core.calendar import calendar_token_create
from klantvriend.core.models import time_zones
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.demo.shop import demo_create
from klantvriend.importers.models import ImportErrorPage, ImportRecord
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.tests.factories import ImportRecordFactory
from klantvriend.isolation import create_foreign_rows, model_for_parameter
from klantvriend.surveys.models import InvitationChannel
from klantvriend.surveys.services import survey_invitation_create

from .test_browser import log_in
from .test_browser_accessibility import PHONE, profile_customer
from .test_tenant_isolation import PARAMETER, ROUTES

pytestmark = [pytest.mark.browser, pytest.mark.layout, pytest.mark.django_db(transaction=True)]
# The phone of the other browser tests, and the narrowest in common use.
WIDTHS = (PHONE["width"], 360)

# How far the page scrolls sideways and, when it does, its widest element that is not inside a
# box of its own that scrolls or clips (that box would be the one to name): the outermost one of
# those reaching furthest right, with its place in the page and the start of its text.
MEASURE = """() => {
  const room = window.innerWidth;
  const found = {scrollWidth: document.documentElement.scrollWidth, room, widest: null};
  // A chart is drawn to fit: one that runs out of sight is cut off or scrolls in its card.
  found.charts = [...document.querySelectorAll("svg.chart")]
    .filter((chart) => {
      const box = chart.getBoundingClientRect();
      return chart.getClientRects().length && (box.left < -0.5 || box.right > room + 0.5);
    })
    .map((chart) => chart.querySelector("title").textContent);
  if (found.scrollWidth <= room) return found;
  const clipped = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (element) => {
    const classes = [...element.classList].map((name) => "." + name).join("");
    return element.tagName.toLowerCase() + (element.id ? "#" + element.id : "") + classes;
  };
  let widest = null;
  for (const element of document.body.querySelectorAll("*")) {
    // Its box, or its own text running out of it (a long word that does not break), unless it
    // clips its own text (a name cut short with "…", words only for a screen reader).
    const box = element.getBoundingClientRect();
    const text = getComputedStyle(element).overflowX === "visible"
      && [...element.childNodes].some((node) => node.nodeType === 3 && node.data.trim());
    const right = text ? Math.max(box.right, box.left + element.scrollWidth) : box.right;
    if (right > room + 0.5 && (!widest || right > widest.right + 0.5) && !clipped(element)) {
      widest = {element, right};
    }
  }
  if (widest) {
    const path = [];
    for (let element = widest.element; element && element !== document.body; element = element.parentElement) {
      path.unshift(name(element));
    }
    const text = (widest.element.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    found.widest = `${path.slice(-4).join(" > ")} (right edge at ${Math.round(widest.right)} px): "${text}"`;
  }
  return found;
}"""
# What a page cuts off on the phone without scrolling sideways, one line each: a drop-down whose
# chosen text is wider than its box (measured against a copy of it that holds only that choice,
# at its own width: the text, the padding and the browser's arrow, as the browser draws them), a
# button of a table's row out of sight past the phone's edge (the table scrolls in its box, the
# button is there only for who thinks of scrolling it), and a field or button that runs past its
# card's edge into the margin or beyond.
CUT_OFF = """() => {
  const room = window.innerWidth;
  const shown = (element) => element.getClientRects().length > 0
    && getComputedStyle(element).visibility !== "hidden" && !element.closest(".visually-hidden");
  const words = (element) => (element.innerText || element.value || element.name || "")
    .trim().replace(/\\s+/g, " ").slice(0, 40);
  const scrolls = (element, until) => {
    for (let box = element.parentElement; box && box !== until; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  const found = [];
  for (const select of document.querySelectorAll("main select")) {
    const choice = select.selectedOptions[0];
    if (!shown(select) || !choice) continue;
    const probe = select.cloneNode(false);
    probe.removeAttribute("id");
    probe.append(choice.cloneNode(true));
    Object.assign(probe.style, {
      position: "absolute", visibility: "hidden", width: "auto", minWidth: "0", maxWidth: "none",
    });
    select.after(probe);
    const needs = probe.getBoundingClientRect().width;
    probe.remove();
    const has = select.getBoundingClientRect().width;
    if (needs > has + 0.5) {
      const text = choice.text.trim(), [wide, box] = [needs, has].map(Math.round);
      found.push(`the drop-down ${select.name} cuts off “${text}” (${wide} px in ${box})`);
    }
  }
  const controls = "tbody :is(button, a.button, select, input:not([type=hidden]))";
  for (const table of document.querySelectorAll("main table")) {
    const buttons = [...table.querySelectorAll(controls)]
      .filter((button) => shown(button) && button.getBoundingClientRect().right > room + 0.5);
    if (buttons.length) {
      const name = table.dataset.testid || table.querySelector("th")?.innerText.trim();
      found.push(
        `the table ${name} has ${buttons.length} button(s) past the phone's edge, ` +
        `first “${words(buttons[0])}”`
      );
    }
  }
  // Words only for a screen reader (a table's head kept for it while its cells show their
  // headings as labels): a box of a pixel that clips what it holds.
  const unseen = (element, until) => {
    for (let box = element; box && box !== until; box = box.parentElement) {
      if (box.getBoundingClientRect().width <= 1 && getComputedStyle(box).overflowX === "hidden") {
        return true;
      }
    }
    return false;
  };
  for (const table of document.querySelectorAll("main table")) {
    const cells = [...table.querySelectorAll("th, td")].filter((cell) => shown(cell)
      && !unseen(cell, table) && cell.getBoundingClientRect().right > room + 0.5);
    if (cells.length) {
      const name = table.dataset.testid || table.querySelector("th")?.innerText.trim();
      const first = cells.find((cell) => cell.tagName === "TD") || cells[0];
      const column = table.querySelectorAll("thead th")[first.cellIndex];
      const heading = column ? column.textContent.trim() : "";
      found.push(
        `the table ${name} has ${cells.length} cell(s) past the phone's edge, ` +
        `first “${heading}: ${words(first)}”`
      );
    }
  }
  const fields = ":is(input:not([type=hidden]), select, textarea, button, .button)";
  for (const card of document.querySelectorAll("main .card")) {
    if (!shown(card)) continue;
    const style = getComputedStyle(card);
    const edge = card.getBoundingClientRect().right - parseFloat(style.borderRightWidth)
      - parseFloat(style.paddingRight);
    const past = [...card.querySelectorAll(fields)].filter((field) => shown(field)
      && !scrolls(field, card) && field.getBoundingClientRect().right > edge + 0.5);
    if (past.length) {
      const over = Math.round(past[0].getBoundingClientRect().right - edge);
      const name = words(past[0].labels?.[0] || past[0]);
      found.push(`“${name}” runs ${over} px past its card's edge`);
    }
  }
  return found;
}"""
SAME_ORIGIN_LINKS = """(origin) => [...document.querySelectorAll("a[href]")]
  .filter((link) => !link.hasAttribute("download"))
  .map((link) => new URL(link.getAttribute("href"), location.href))
  .filter((url) => url.origin === origin)
  .map((url) => url.pathname + url.search)"""


def view_of(path: str) -> tuple | None:
    """One key for the views of a page that look alike: its route with the names of its query
    parameters (the customer list sorted, filtered by channel, searched), or None outside the
    web interface. The pages of a list are one view."""
    url = urlsplit(path)
    try:
        match = resolve(url.path)
    except Resolver404:
        return None
    if match.namespace != "web":
        return None
    # The next page of a list is laid out as its first.
    names = {name for name, _ in parse_qsl(url.query)} - {"page"}
    return match.url_name, tuple(sorted(names))


def filled(route: str, values: dict[str, object]) -> str:
    return "/" + PARAMETER.sub(lambda match: str(values[match.group(2)]), route)


def swept_pages(
    page: Page, live_server, seeds: list[str], sizes: list[dict], failures_at, view=view_of
) -> tuple[list[str], list, list]:
    """Opens the seeds and then every view they link to, one of each (`view` says which paths
    are one view), and measures each at the screen sizes given, loaded at the first:
    `failures_at(page, path, width)` says what is wrong there. Returns the failures, the paths
    measured and the paths that were not a page."""
    origin = live_server.url
    queue, seen, measured, not_pages, failures = list(seeds), set(), [], [], []
    while queue:
        path = queue.pop(0)
        key = view(path)
        if key is None or key in seen:
            continue
        seen.add(key)
        # Asked first without the page (a download or a refused GET is no page to open), and
        # without following a redirect (the page it leads to is a view of its own).
        answer = page.request.get(f"{origin}{path}", max_redirects=0)
        kind = answer.headers.get("content-type", "")
        if answer.status != 200 or not kind.startswith("text/html"):
            not_pages.append((path, answer.status, kind.split(";")[0]))
            continue
        # The page is opened from that answer rather than rendered a second time for the
        # browser (about 7 s of the two sweeps' 100). Its styles, scripts and what they fetch
        # still come from the server.
        fulfilled = []
        url = answer.url

        def from_answer(route, url=url, answer=answer, fulfilled=fulfilled):
            fulfilled.append(route.request.url)
            route.fulfill(response=answer)

        page.route(lambda requested, url=url: requested == url, from_answer)
        page.goto(url)
        page.unroute_all()
        assert fulfilled == [url], f"{path} was asked of the server again"
        page.evaluate(
            "document.querySelectorAll('main details').forEach((d) => { d.open = true; })"
        )
        # Measured at each width on the page as loaded: a narrower screen is a new layout, not a
        # new page to ask the server for.
        for size in sizes:
            page.set_viewport_size(size)
            failures.extend(failures_at(page, path, size["width"]))
        page.set_viewport_size(sizes[0])
        measured.append(path)
        queue.extend(page.evaluate(SAME_ORIGIN_LINKS, origin))
    return failures, measured, not_pages


def phone_failures(page: Page, path: str, width: int) -> list[str]:
    """What scrolls sideways or is cut off on the page at a phone's width."""
    failures = []
    found = page.evaluate(MEASURE)
    if found["scrollWidth"] > found["room"]:
        failures.append(
            f"{path} ({page.title()}) is {found['scrollWidth']} px wide on a "
            f"{found['room']} px phone; widest: {found['widest']}"
        )
    failures.extend(
        f"{path} at {width} px: the chart “{chart}” runs past the phone's edge"
        for chart in found["charts"]
    )
    failures.extend(f"{path} at {width} px: {line}" for line in page.evaluate(CUT_OFF))
    return failures


def uploaded_import(page: Page, live_server, tmp_path) -> str:
    """The preview of a till export the owner uploads: its token is kept in the session."""
    till = tmp_path / "kassa.csv"
    till.write_text(
        "Bonnummer;Datum;Klantnummer;Naam;E-mailadres;Bedrag\r\n"
        "B1;13-01-2025;1001;José Müller-Van den Heuvel;jose.muller@voorbeeld.example;12,50\r\n",
        encoding="utf-8",
    )
    page.goto(f"{live_server.url}/data/import/")
    page.get_by_label("Aankopen").check()
    page.get_by_label("CSV-bestand").set_input_files(str(till))
    page.get_by_role("button", name="Uploaden en bekijken").click()
    expect(page.get_by_test_id("import-preview")).to_be_visible()
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def long_import_errors(business) -> ImportRecord:
    """A refused import whose errors quote a long cell and name a long column."""
    record = ImportRecordFactory(business=business, file_name="kassa-export-2025-volledig.csv")
    ImportErrorPage.objects.filter(record=record).update(
        errors=[
            [
                2,
                "E-mailadres van de klant (privé)",
                "josephine.vandenheuvel-mulder@administratiekantoor-voorbeeld.example",
                "Dit e-mailadres staat ook op regel 2; geef elke klant een eigen adres, of laat "
                "het leeg bij een van beide.",
                "duplicate_email",
            ]
        ]
    )
    return record


def invited_by_qr(page: Page, live_server, customer) -> int:
    """An invitation shown as a QR code: only the session that made it may show its code."""
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    invite = page.get_by_test_id("survey-invite-form")
    invite.get_by_label("QR-code nu tonen").check()
    invite.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_test_id("survey-qr").locator("svg")).to_be_visible()
    return int(page.url.rstrip("/").split("/")[-2])


def test_no_page_an_owner_or_staff_member_reaches_scrolls_sideways_or_cuts_off_on_a_phone(
    browser: Browser, browser_context_args, live_server, tmp_path
):
    summary = demo_create(customers=150)
    business = summary.business
    customer = profile_customer(business)
    # An address of one long word, as shops' customers have: it must break, not push the page.
    customer.email = "josephine.vandenheuvel-mulder@administratiekantoor-voorbeeld.example"
    customer.save(update_fields=["email"])
    # A row of every other kind, for the routes that take its id; a second record of the same
    # person, to merge.
    rows = {model: row.pk for model, row in create_foreign_rows(business).items()}
    double = CustomerFactory(business=business, name=customer.name, phone=customer.phone)
    owner = business.memberships.get(role="owner")
    invitation = survey_invitation_create(
        business=business, customer=double, channel=InvitationChannel.COUNTER
    )
    secrets = {
        "survey_answer": {"key": invitation.key},
        # The opt-out link of the invitation's e-mail.
        "email_stop": {"key": invitation.key},
        "calendar_feed": {"key": calendar_token_create(membership=owner)[1]},
        "password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(owner.user.pk)),
            "token": default_token_generator.make_token(owner.user),
        },
        "import_preview": {},  # filled once the owner has uploaded a file
    }
    ids = {"customer_id": customer.pk, "other_customer_id": double.pk}

    def seeds() -> list[str]:
        paths = []
        for route, name in ROUTES:
            parameters = [match.group(2) for match in PARAMETER.finditer(route)]
            values = dict(secrets.get(name, {}))
            for parameter in parameters:
                if parameter not in values:
                    assert parameter not in ("key", "token", "uidb64"), (
                        f"{route}: a secret parameter; say here how a user comes by one"
                    )
                    values[parameter] = ids.get(parameter) or rows[model_for_parameter(parameter)]
            paths.append(filled(route, values))
        return paths

    results = {}
    for username, role in (
        (summary.username, "owner"),
        (f"{summary.username}-medewerker", "staff"),
    ):
        context = browser.new_context(**{**browser_context_args, "viewport": PHONE})
        page = context.new_page()
        log_in(page, live_server, username, summary.password)
        ids["survey_invitation_id"] = invited_by_qr(
            page, live_server, CustomerFactory(business=business)
        )
        if role == "owner":
            secrets["import_preview"]["token"] = uploaded_import(page, live_server, tmp_path)
        results[role] = swept_pages(
            page,
            live_server,
            seeds(),
            [{**PHONE, "width": width} for width in WIDTHS],
            phone_failures,
        )
        context.close()
    failures = [f"{role}: {line}" for role, (lines, _m, _n) in results.items() for line in lines]
    assert not failures, "Pages that scroll sideways or cut off on a phone:\n" + "\n".join(failures)
    owner_paths, staff_paths = results["owner"][1], results["staff"][1]
    # The sweep reached the pages, not a login form or error: the main ones of each role.
    for path in ("/", "/customers/", f"/customers/{customer.pk}/", "/insights/charts/"):
        assert path in owner_paths
    assert "/aftercare/" in owner_paths
    assert "/aftercare/" in staff_paths  # staff do the follow-ups
    assert f"/data/import/{secrets['import_preview']['token']}/" in owner_paths
    record = rows[ImportRecord]
    for path in ("/data/imports/", f"/data/imports/{record}/"):
        assert path in owner_paths
        assert path not in staff_paths  # the import is the owner's, and so is its history
    assert f"/s/{invitation.key}/" in owner_paths  # the customer's survey, on their phone
    assert f"/survey-invitations/{ids['survey_invitation_id']}/qr/" in staff_paths
    assert "/data/export/" in owner_paths
    assert "/data/export/" not in staff_paths  # an owner's page: staff are refused it
    assert "/" in staff_paths
    assert f"/customers/{customer.pk}/" in staff_paths
    assert "/complaints/" in owner_paths
    assert "/complaints/" in staff_paths  # staff handle complaints: the list is theirs too
    assert "/surveys/invitations/" in owner_paths
    assert "/surveys/invitations/" in staff_paths  # as the survey results: theirs too
    assert any(path.startswith("/customers/?") for path in owner_paths)
    assert not any(status >= 500 for _path, status, _kind in results["owner"][2])
    assert not any(status >= 500 for _path, status, _kind in results["staff"][2])


def test_the_longest_choices_an_english_reader_sees_fit_a_phone(page: Page, live_server, business):
    """An owner reading Klantvriend in English, in a shop in the time zone with the longest name:
    the drop-downs that cut off their longest choices on a phone ("came back: bought on two days
    or more", "The language of the business (English)", "America/Argentina/ComodRivadavia") show
    them in full at 390 and 360 px."""
    business.language = "en"
    business.time_zone = max(time_zones(), key=len)
    business.save(update_fields=["language", "time_zone"])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/login/")
    # The installation's one shop reads English, and so does its log-in page.
    page.get_by_label("Username").fill("sanne")
    page.get_by_label("Password").fill("pw-sanne-123")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sanne")
    shown = {
        "/customers/?bought=again": ("bought", "Came back: bought on 2+ days"),
        "/account/": ("language", "Business language (English)"),
        "/settings/": ("time_zone", "Argentina/ComodRivadavia"),
        "/aftercare/?state=missed": ("state", "Missed: two weeks past its day"),
        "/promises/?agenda=overdue": ("agenda", "Overdue before today (7 days)"),
        "/promises/?agenda=today": ("agenda", "Due today, passed ones too"),
    }
    failures = []
    for path, (name, text) in shown.items():
        page.goto(f"{live_server.url}{path}")
        choice = page.locator(f"main select[name$={name}]").evaluate(
            "select => select.selectedOptions[0].text"
        )
        assert choice == text
        for width in WIDTHS:
            page.set_viewport_size({**PHONE, "width": width})
            failures.extend(f"{path} at {width} px: {line}" for line in page.evaluate(CUT_OFF))
        page.set_viewport_size(PHONE)
    assert not failures, "Cut off on a phone in English:\n" + "\n".join(failures)


# A tablet held sideways and upright.
TABLET_SIZES = ({"width": 1024, "height": 768}, {"width": 800, "height": 1024})
# Each table of the page (shown) wider than the box it scrolls in, with by how much.
SCROLLING_TABLES = """() => [...document.querySelectorAll("main table")]
  .filter((table) => table.getClientRects().length)
  .flatMap((table) => {
    const box = table.parentElement, over = box.scrollWidth - box.clientWidth;
    const name = table.dataset.testid || table.querySelector("th")?.textContent.trim();
    return over > 0 ? [`the table ${name} is ${over} px wider than its box`] : [];
  })"""


def tablet_failures(page: Page, path: str, width: int) -> list[str]:
    """What scrolls sideways on the page at a tablet's width: a table in its box, or the page."""
    lines = page.evaluate(SCROLLING_TABLES)
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        lines.append("the page scrolls sideways")
    return [f"{path} at {width} px: {line}" for line in lines]


def view_with_columns(path: str) -> tuple | None:
    """A view of a page, told apart by what changes its table's columns: the customer list's
    order (by spend or by probability alive: figures of their own) and a scorecard figure
    (whose rows have columns of their own)."""
    view = view_of(path)
    if view is None:
        return None
    choices = dict(parse_qsl(urlsplit(path).query))
    return view, choices.get("order"), choices.get("figure")


def a_wide_table_says_it_scrolls(page: Page, live_server, customer) -> None:
    """A customer's insights (every figure of the model, one record) read as a list of their
    fields, label beside value, with nothing to scroll on a laptop, a tablet or a phone; as a
    table of one row they scrolled sideways at 1280 px. A table wider than its box anywhere
    (here one of 30 columns put in the page's card) scrolls inside that box with a line above
    it that says so, and takes its place in the Tab order; narrowed to fit, the line goes."""
    page.goto(f"{live_server.url}/customers/{customer.pk}/personal-data/")
    section = page.get_by_test_id("personal-data-section").filter(
        has=page.get_by_role("heading", name="Klantinzichten (1)")
    )
    for size in ({"width": 1280, "height": 900}, *TABLET_SIZES, PHONE):
        page.set_viewport_size(size)
        expect(section.locator("dl.data-list dt").first).to_be_visible()
        assert section.locator("table").count() == 0
        assert section.evaluate("card => card.scrollWidth <= card.clientWidth"), size
    page.set_viewport_size({"width": 1280, "height": 900})
    section.evaluate(
        """card => {
            const box = document.createElement("div");
            box.className = "table-wrap";
            const cells = Array.from({length: 30}, (_, i) => `<td>kolom${i}&nbsp;met&nbsp;tekst</td>`);
            box.innerHTML = `<table class="table"><tbody><tr>${cells.join("")}</tr></tbody></table>`;
            card.append(box);
            window.dispatchEvent(new Event("resize"));
        }"""
    )
    box = section.locator(".table-wrap")
    hint = section.locator(".scroll-hint")
    expect(hint).to_have_text("Schuif opzij voor meer kolommen")
    assert hint.evaluate("hint => hint.nextElementSibling.classList.contains('table-wrap')")
    assert box.evaluate("box => box.scrollWidth > box.clientWidth && box.tabIndex === 0")
    box.evaluate(
        """box => {
            box.querySelectorAll("td:nth-child(n+3)").forEach((cell) => cell.remove());
            window.dispatchEvent(new Event("resize"));
        }"""
    )
    expect(hint).to_be_hidden()
    assert box.evaluate(
        "box => box.scrollWidth <= box.clientWidth && !box.hasAttribute('tabindex')"
    )


def a_month_reads_as_a_card(page: Page, live_server) -> None:
    """The channels per month fit a tablet held sideways as a table; held upright, and on a
    phone, each month is a card of its own, each cell under its column's heading, as a screen
    reader hears it too."""
    page.goto(f"{live_server.url}/reports/acquisition/")
    table = page.get_by_test_id("acquisition-table")
    shown_as = "table => getComputedStyle(table).display"
    page.set_viewport_size(TABLET_SIZES[0])
    assert table.evaluate(shown_as) == "table"
    for size in (TABLET_SIZES[1], PHONE):
        page.set_viewport_size(size)
        assert table.evaluate(shown_as) == "block"
    month = table.locator("tbody tr").first
    assert month.locator("td").evaluate_all("cells => cells.map((cell) => cell.dataset.label)") == [
        "Maand",
        "Binnengelopen",
        "Doorverwijzing",
        "Online",
        "Advertentie",
        "Anders",
        "Nieuwe klanten",
        "Aandeel doorverwijzing",
    ]
    expect(table.get_by_role("columnheader", name="Doorverwijzing", exact=True)).to_have_count(1)
    expect(month.get_by_role("cell")).to_have_count(8)


@pytest.mark.in_postgresql_run
def test_no_table_an_owner_reaches_scrolls_sideways_on_a_tablet(
    browser: Browser, browser_context_args, live_server, tmp_path
):
    """On a tablet held sideways (1024 px) or upright (800) no table scrolls sideways in its box:
    every page the owner reaches from Today, the customer list in each order, each scorecard
    figure's rows, a customer's profile and personal data, an import's preview. Where a table
    does not fit, its secondary columns are left out (hide-medium: what the row's own page
    shows, or a page's head sums up), its figures' headings wrap, or, a table of many columns,
    it reads as cards (table-stack below the width its page names)."""
    summary = demo_create(customers=150)
    customer = profile_customer(summary.business)
    context = browser.new_context(**{**browser_context_args, "viewport": TABLET_SIZES[0]})
    page = context.new_page()
    log_in(page, live_server, summary.username, summary.password)
    token = uploaded_import(page, live_server, tmp_path)
    refused = long_import_errors(summary.business)
    # A handled erasure, whose row names an anonymised customer at length (seven columns)
    customer_erase(
        customer=CustomerFactory(business=summary.business),
        requested_on=summary.business.today(),
    )
    seeds = [
        "/",
        "/privacy/requests/",
        "/customers/?order=-value",
        "/customers/?bought=any&order=-spend",
        "/customers/?order=-alive",
        f"/customers/{customer.pk}/",
        f"/customers/{customer.pk}/personal-data/",
        f"/data/import/{token}/",
        "/data/import/",
        "/data/imports/",
        f"/data/imports/{refused.pk}/",
        "/insights/scorecard/",
        "/promises/reliability/",
        "/customers/duplicates/?kind=name",
    ]
    failures, measured, _not_pages = swept_pages(
        page, live_server, seeds, list(TABLET_SIZES), tablet_failures, view=view_with_columns
    )
    assert not failures, "Tables that scroll sideways on a tablet:\n" + "\n".join(failures)
    assert set(seeds) <= set(measured)
    for page_path in (
        "/promises/",
        "/complaints/",
        "/aftercare/",
        "/insights/gestures/",
        "/reports/acquisition/",
        "/surveys/",
        "/surveys/invitations/",
    ):
        assert any(urlsplit(path).path == page_path for path in measured), page_path
    figures = {dict(parse_qsl(urlsplit(path).query)).get("figure") for path in measured}
    assert {"promises", "complaint_response", "drivers", "referrals"} <= figures
    # The rows the charts' and the gestures page's figures open to.
    assert {"revenue", "cohort", "value", "gestures"} <= figures
    a_wide_table_says_it_scrolls(page, live_server, customer)
    a_month_reads_as_a_card(page, live_server)
    # The customer's facts beside their labels have room on a tablet held upright: the longest
    # label on one line left them a strip of a few letters.
    page.goto(f"{live_server.url}/customers/{customer.pk}/personal-data/")
    page.set_viewport_size(TABLET_SIZES[1])
    facts = page.locator("dl.data-list").first
    width, value = facts.evaluate(
        "list => [list.clientWidth, list.querySelector('dd').clientWidth]"
    )
    assert value >= width / 2, f"the values have {value} px of the list's {width}"
    context.close()


# The customer list's orders, each shown on a tablet held sideways and upright.
TABLET_ORDERS = ("", "?order=-value", "?bought=any&order=-spend", "?order=-alive")


@pytest.mark.parametrize("width", [size["width"] for size in TABLET_SIZES])
def test_the_customer_list_fits_a_tablet(page: Page, live_server, width):
    """On a tablet held sideways or upright the customer list shows the figures it is read for
    without scrolling sideways: the e-mail address and the customer-since date (and, sorted by
    a figure, the last purchase and the repeat spend) are left out there, as on a phone; at
    1280 px every column is back."""
    summary = demo_create(customers=60)
    customer = profile_customer(summary.business)
    customer.email = "josephine.vandenheuvel-mulder@administratiekantoor.example"
    customer.save(update_fields=["email"])
    log_in(page, live_server, summary.username, summary.password)
    page.set_viewport_size({"width": width, "height": 900})
    for query in TABLET_ORDERS:
        page.goto(f"{live_server.url}/customers/{query}")
        box = page.locator("table.table").locator("xpath=..")
        overflow = box.evaluate("box => box.scrollWidth - box.clientWidth")
        assert overflow <= 0, f"/customers/{query} at {width} px: {overflow} px too wide"
        expect(page.get_by_role("columnheader", name="E-mail")).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/customers/")
    expect(page.get_by_role("columnheader", name="E-mail")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Klant sinds")).to_be_visible()


@pytest.mark.parametrize("scripts", [True, False], ids=["with JavaScript", "without"])
def test_a_table_reads_as_labelled_cards_on_a_phone_and_without_scripts_as_a_table(
    browser: Browser, browser_context_args, live_server, business, owner, scripts
):
    """A card's lines are labelled by app.js from the table's headings; without scripts they
    would be lines without a word of what each is, so the table stays a table, its headings
    above its columns, scrolling sideways in its box and not the page."""
    customer = CustomerFactory(business=business, name="Anna de Vries")
    context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE, "java_script_enabled": scripts}
    )
    page = context.new_page()
    log_in(page, live_server, "sanne", "pw-sanne-123")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")  # a look, on the audit log

    page.goto(f"{live_server.url}/privacy/audit/")

    table = page.get_by_test_id("audit-log")
    first = table.locator("tbody tr").first.locator("td").first
    if scripts:
        assert table.evaluate("t => getComputedStyle(t).display") == "block"
        assert first.get_attribute("data-label") == "Wanneer"
        expect(table.locator("thead")).to_have_css("position", "absolute")
    else:
        assert table.evaluate("t => getComputedStyle(t).display") == "table"
        assert first.get_attribute("data-label") is None
        expect(table.locator("thead th").first).to_be_visible()
        box = page.locator(".table-wrap").filter(has=table)
        assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
