"""A staff member at the counter, on a phone, in a real Chromium."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.promises.tests.factories import PromiseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_keeping_a_promise_on_the_card_leaves_the_promises_where_they_were(
    page: Page, live_server, business, staff_user
):
    # The whole live part of the card is swapped after "Gedaan": Chromium's scroll anchoring
    # kept a node of the old content in place while the new one went in above it, and the page
    # landed one to two screens further down, at the surveys.
    customer = CustomerFactory(business=business, name="Mila Dekker")
    now = timezone.now()
    for days in range(12):
        PurchaseFactory(customer=customer, at=now - timedelta(days=3 + days * 7))
    for hours in (1, 2, 3):
        PromiseFactory(
            customer=customer,
            made_by=staff_user,
            description=f"Terugbellen {hours}",
            made_at=now - timedelta(days=1),
            due_at=now + timedelta(hours=hours),
        )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("joris")
    page.locator("input[name=password]").fill("pw-joris-123")
    page.locator("input[name=password]").press("Enter")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    done = page.get_by_test_id("promise-done").first
    done.scroll_into_view_if_needed()
    heading = page.locator("#promises-heading")
    briefing = page.locator("section.briefing")
    before = heading.bounding_box()["y"]
    briefing_before = briefing.bounding_box()["height"]
    assert page.evaluate("window.scrollY") > 1000  # a card long enough to jump

    done.click()

    expect(page.get_by_test_id("promise-done")).to_have_count(2)
    # It moves only by the line the kept promise leaves in the open items above.
    shorter = briefing_before - briefing.bounding_box()["height"]
    assert 0 < shorter < 100
    assert abs(before - heading.bounding_box()["y"] - shorter) < 2


def test_a_purchase_rung_up_for_a_colleague_names_them_on_the_card(
    page: Page, live_server, business, staff_user
):
    # "The same stylist as last time": whoever types it in, the card says who served.
    customer = CustomerFactory(business=business, name="Mila Dekker")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("joris")
    page.locator("input[name=password]").fill("pw-joris-123")
    page.locator("input[name=password]").press("Enter")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    form = page.get_by_test_id("purchase-form")
    expect(form.get_by_label("Geholpen door")).to_have_value(str(staff_user.pk))

    form.get_by_label("Bedrag").fill("89,50")
    form.get_by_label("Wat").fill("Knippen")
    form.get_by_label("Geholpen door").select_option(label="Sanne")
    form.get_by_role("button", name="Aankoop opslaan").click()

    expect(page.get_by_test_id("record-saved")).to_have_text("Aankoop opgeslagen.")
    expect(page.get_by_test_id("last-time")).to_contain_text("Knippen · € 89,50 · Sanne")
    expect(page.get_by_test_id("timeline")).to_contain_text("· Sanne")
    # Ready for the next customer: the form starts at the one signed in again.
    expect(form.get_by_label("Geholpen door")).to_have_value(str(staff_user.pk))


def test_a_customer_s_own_stylist_is_chosen_on_the_form_and_named_on_the_card(
    page: Page, live_server, business, staff_user
):
    # "Joris is her hairdresser": set once, read by whoever serves her next.
    customer = CustomerFactory(business=business, name="Mila Dekker")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("sanne")
    page.locator("input[name=password]").fill("pw-sanne-123")
    page.locator("input[name=password]").press("Enter")
    page.goto(f"{live_server.url}/customers/{customer.pk}/edit/")
    member = page.get_by_label("Vaste medewerker")
    expect(member).to_have_value("")

    member.select_option(label="Joris")
    page.get_by_role("button", name="Opslaan").click()

    fact = page.get_by_test_id("regular-member")
    expect(fact.locator(".fact-label")).to_have_text("Vaste medewerker")
    expect(fact.locator(".fact-value")).to_have_text("Joris")
    page.goto(f"{live_server.url}/customers/?member={staff_user.pk}")
    expect(page.get_by_role("link", name="Mila Dekker")).to_be_visible()


def test_a_purchase_rung_up_wrongly_is_corrected_from_the_timeline(
    page: Page, live_server, business, staff_user, owner
):
    # EUR 950 typed for EUR 95, left on the one signed in while Sanne served.
    customer = CustomerFactory(business=business, name="Marieke de Boer")
    purchase = PurchaseFactory(
        customer=customer, amount_cents=95000, description="Kleuring", member=staff_user
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("joris")
    page.locator("input[name=password]").fill("pw-joris-123")
    page.locator("input[name=password]").press("Enter")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")

    page.get_by_test_id("timeline").get_by_role("link", name="Wijzigen aankoop").click()
    form = page.get_by_test_id("purchase-edit-form")
    expect(form.get_by_label("Bedrag")).to_have_value("950,00")
    form.get_by_label("Bedrag").fill("95")
    form.get_by_label("Geholpen door").select_option(label="Sanne")
    # Staff correct a purchase; only an owner removes one.
    expect(page.get_by_test_id("purchase-delete-form")).to_have_count(0)
    form.get_by_role("button", name="Wijzigingen opslaan").click()

    expect(page.get_by_text("Aankoop gewijzigd.")).to_be_visible()
    expect(page.get_by_test_id("last-time")).to_contain_text("Kleuring · € 95,00 · Sanne")
    purchase.refresh_from_db()
    assert (purchase.amount_cents, purchase.member_id) == (9500, owner.pk)
    # Nothing sticks out of the phone's width on the correction page.
    page.goto(f"{live_server.url}/customers/{customer.pk}/purchases/{purchase.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
