"""What people type may hold a word far longer than any column: a pasted link, a long name
without spaces. It breaks where it must rather than widening its table or card: a complaint of
6,000 letters without a space made the complaint list 73,000 px wide, its status and
"Oplossen" out of sight."""

import pytest
from playwright.sync_api import Page

from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.tests.factories import PromiseFactory

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
