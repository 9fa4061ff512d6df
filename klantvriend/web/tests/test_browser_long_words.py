"""What people type may hold a word far longer than any column: a pasted link, a long name
without spaces. It breaks where it must rather than widening its table or card: a complaint of
6,000 letters without a space made the complaint list 73,000 px wide, its status and
"Oplossen" out of sight."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page

from klantvriend.complaints.models import Channel, Driver
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.web.templatetags.klantvriend import moment

from .test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "https://example.nl/" + "x" * 600


@pytest.mark.parametrize("width", [390, 1280])
def test_a_long_word_breaks_inside_its_cell_and_card(page: Page, live_server, business, width):
    customer = CustomerFactory(business=business, name="Anna de Vries")
    ComplaintFactory(customer=customer, description=LONG_WORD)
    PromiseFactory(customer=customer, description=LONG_WORD)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    for path in ("/complaints/", "/promises/", f"/customers/{customer.pk}/", "/"):
        page.goto(f"{live_server.url}{path}")
        widths = page.evaluate(
            """() => ({
              page: document.documentElement.scrollWidth,
              room: window.innerWidth,
              boxes: [...document.querySelectorAll(".table-wrap")]
                .filter((box) => box.scrollWidth > box.clientWidth + 1).length,
            })"""
        )
        wide = page.evaluate(
            """() => [...document.querySelectorAll("body *")]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .slice(0, 3).map((e) => e.tagName + "." + e.className)"""
        )
        assert (widths["page"], widths["boxes"]) == (width, 0), (path, wide)


def test_on_a_phone_the_complaint_lists_own_words_and_moments_stay_whole(
    page: Page, live_server, business
):
    """The cell that breaks a customer's long word anywhere let the phone's table squeeze it
    until "klachtafhandelin g" and "13:3 1" broke in two beside a waiting complaint's state."""
    customer = CustomerFactory(business=business, name="Chloë Verhoeven")
    received = timezone.now() - timedelta(hours=3)
    ComplaintFactory(
        customer=customer,
        description="Review: besteld buffet was incompleet, geen reactie op mijn mail.",
        driver=Driver.COMPLAINT_HANDLING,
        channel=Channel.REVIEW_SITE,
        received_at=received,
    )
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.goto(f"{live_server.url}/complaints/")

    with translation.override("nl"), timezone.override(business.tzinfo):
        received_shown = moment(received)
    lines = page.evaluate(
        """(words) => words.map((word) => {
            const cell = document.querySelector("[data-testid=complaint-rows] td.said");
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
              const at = walker.currentNode.data.indexOf(word);
              if (at >= 0) {
                const range = document.createRange();
                range.setStart(walker.currentNode, at);
                range.setEnd(walker.currentNode, at + word.length);
                return new Set([...range.getClientRects()].map((rect) => rect.top)).size;
              }
            }
            return 0;
          })""",
        ["klachtafhandeling", "reviewsite", received_shown],
    )
    assert lines == [1, 1, 1]


def test_a_customers_name_of_one_long_word_breaks_in_its_heading(page: Page, live_server, business):
    """A name of 200 letters without a space, pasted into the quick add, made the profile's
    heading 3,959 px wide on a phone."""
    customer = CustomerFactory(business=business, name="Anna" + "x" * 196)
    PromiseFactory(customer=customer, description="Rollade klaarzetten")
    page.set_viewport_size({"width": 390, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    for path in (f"/customers/{customer.pk}/", "/customers/", "/promises/", "/"):
        page.goto(f"{live_server.url}{path}")
        wide = page.evaluate(
            """() => [...document.querySelectorAll("body *")]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .slice(0, 3).map((e) => e.tagName + "." + e.className)"""
        )
        assert page.evaluate("document.documentElement.scrollWidth") == 390, (path, wide)
