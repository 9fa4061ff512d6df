"""The owner tidies the shop's tags in a real Chromium: from the user menu to the Tags page,
"bbq" renamed onto "BBQ", and one tag left with the customers of both. Screenshots go to
test-artifacts/."""

import pytest
from playwright.sync_api import Page, expect

from klantvriend.customers import services
from klantvriend.customers.models import Customer, Tag

from .test_browser import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_renames_bbq_onto_bbq_and_sees_one_tag_with_the_summed_count(
    page: Page, live_server, business
):
    # Two spellings from before tags were compared in any capitals.
    Tag.objects.create(business=business, name="BBQ")
    Tag.objects.create(business=business, name="bbq")
    services.customer_create(business=business, name="Anna", tags=["BBQ", "buurt"])
    services.customer_create(business=business, name="Bram", tags=["BBQ"])
    services.customer_create(business=business, name="Cor", tags=["bbq"])
    services.customer_create(business=business, name="Dirk", tags=["bbq", "BBQ"])
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "sanne", "pw-sanne-123")

    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="Labels", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Labels")
    expect(page.get_by_test_id("tag-row")).to_have_count(3)
    expect(page.get_by_test_id("tag-spellings")).to_have_count(2)
    shot(page, "tags-01-two-spellings")

    page.get_by_test_id("tag-row").filter(
        has=page.get_by_test_id("tag-name").get_by_text("bbq", exact=True)
    ).get_by_test_id("tag-rename").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("“bbq” hernoemen")
    page.get_by_label("Nieuwe naam").fill("BBQ")
    page.get_by_role("button", name="Opslaan").click()

    expect(page.get_by_role("status")).to_contain_text(
        "“bbq” samengevoegd met “BBQ”, dat nu 4 klanten hebben."
    )
    expect(page.get_by_test_id("tag-row")).to_have_count(2)
    expect(page.get_by_test_id("tag-name")).to_have_text(["BBQ", "buurt"])
    expect(page.get_by_test_id("tag-count")).to_have_text(["4", "1"])
    expect(page.get_by_test_id("tag-spellings")).to_have_count(0)
    shot(page, "tags-02-merged")

    page.get_by_test_id("tag-name").first.click()
    expect(page.get_by_role("link", name="Cor")).to_be_visible()
    assert sorted(Customer.objects.get(name="Dirk").tags.values_list("name", flat=True)) == ["BBQ"]
