"""The button that adds a customer by name is used for a customer on the phone as much as for one
at the counter (a garage books most repairs by phone): it and its page say "new customer", not
"walk-in" nor "at the counter"."""

import re

from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import Customer


def _title_and_button(page: str) -> tuple[str, str, str]:
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)[1]
    button = re.search(r'<summary class="button button-primary">(.*?)</summary>', page, re.S)[1]
    return title.split("·")[0].strip(), heading.strip(), button.strip()


def test_the_quick_add_page_and_button_say_new_customer_in_dutch(staff_client):
    response = staff_client.post(reverse("web:customer_quick_add"), {"name": ""})

    assert response.status_code == 422
    assert _title_and_button(response.content.decode()) == (
        "Nieuwe klant",
        "Nieuwe klant",
        "+ Nieuwe klant",
    )
    assert Customer.objects.count() == 0


def test_the_quick_add_page_button_and_message_say_new_customer_in_english(
    owner_client, owner, business
):
    account_language_set(user=owner, language="en")

    refused = owner_client.post(reverse("web:customer_quick_add"), {"name": ""})
    added = owner_client.post(
        reverse("web:customer_quick_add"), {"name": "Kees Jansen", "phone": ""}, follow=True
    )

    assert _title_and_button(refused.content.decode()) == (
        "New customer",
        "New customer",
        "+ New customer",
    )
    assert "New customer Kees Jansen added." in added.content.decode()


def test_the_phone_is_typed_on_the_number_pad_in_the_quick_add_and_the_full_form(staff_client):
    """The quick add's phone field brought up the letters on a phone at the counter."""
    for url in (reverse("web:customer_quick_add"), reverse("web:customer_create")):
        page = staff_client.post(url, {"name": ""}).content.decode()
        field = re.search(r'<input[^>]*name="phone"[^>]*>', page)[0]
        assert 'inputmode="tel"' in field, url
        assert 'autocomplete="off"' in field, url
