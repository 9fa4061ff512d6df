"""A birthday or customer-since date after today in the customer form: a new one is refused on
its field, one stored before the rule does not stand in the way of other changes. A shop with
long-standing customers records since when they come in the form itself."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory

from .sent_forms import form_as_sent


def _edit(client, customer, **typed):
    """Saves the customer's edit form as its page would send it, with `typed` typed over (a
    field given as None is one the page did not have)."""
    url = reverse("web:customer_edit", args=[customer.pk])
    sent = {**form_as_sent(client.get(url), having="notes"), **typed}
    return client.post(url, {name: value for name, value in sent.items() if value is not None})


def test_a_birthday_after_today_is_refused_on_its_field_and_nothing_is_stored(
    owner_client, business
):
    tomorrow = business.today() + timedelta(days=1)

    page = owner_client.post(
        reverse("web:customer_create"),
        {"name": "Anna", "birthday": tomorrow.isoformat(), "acquisition_channel": "walk_in"},
    )

    assert page.context["form"].errors == {
        "birthday": ["Een verjaardag kan niet in de toekomst liggen."]
    }
    assert Customer.objects.count() == 0


def test_a_birthday_or_customer_since_before_1900_is_refused_as_a_typo_of_the_year(
    owner_client, business
):
    # "0001" or "0198" typed for the year: Today's "Coming up" wished a happy 2026th birthday.
    page = owner_client.post(
        reverse("web:customer_create"),
        {
            "name": "Anna",
            "birthday": "0001-05-01",
            "customer_since": "1899-12-31",
            "acquisition_channel": "walk_in",
        },
    )

    assert page.context["form"].errors == {
        "birthday": ["Kijk het jaar na: deze dag ligt voor 1900."],
        "customer_since": ["Kijk het jaar na: deze dag ligt voor 1900."],
    }
    assert Customer.objects.count() == 0


def test_a_customer_with_days_stored_in_the_future_before_the_rule_can_still_be_changed(
    owner_client, business
):
    """A day to come stored in a customer's days (imported before it was refused) must not make
    every change of the customer impossible: the form shows it, and leaves it alone."""
    later = business.today() + timedelta(days=40)
    anna = CustomerFactory(business=business, name="Anna", phone="0611111111")
    Customer.objects.filter(pk=anna.pk).update(customer_since=later, birthday=later)
    saved = _edit(owner_client, anna, phone="0612345678")

    assert saved.status_code == 302
    assert Customer.objects.values_list("phone", "customer_since", "birthday").get(pk=anna.pk) == (
        "0612345678",
        later,
        later,
    )


def test_a_stored_day_to_come_changed_to_another_is_refused(owner_client, business):
    later = business.today() + timedelta(days=40)
    anna = CustomerFactory(business=business, name="Anna", birthday=date(1980, 5, 1))
    Customer.objects.filter(pk=anna.pk).update(birthday=later)
    refused = _edit(
        owner_client,
        anna,
        phone="0612345678",
        birthday=(later + timedelta(days=1)).isoformat(),
    )

    assert refused.status_code == 422
    assert refused.context["form"].errors == {
        "birthday": ["Een verjaardag kan niet in de toekomst liggen."]
    }
    assert Customer.objects.values_list("phone", "birthday").get(pk=anna.pk) == ("", later)


def test_one_submission_shows_a_wrong_email_address_and_a_birthday_to_come_at_once(
    owner_client, business
):
    """The form's own refusals used to stop it before the services' day rule was asked: the
    birthday was refused only after the e-mail address had been put right."""
    tomorrow = business.today() + timedelta(days=1)

    refused = owner_client.post(
        reverse("web:customer_create"),
        {
            "name": "Anna",
            "email": "anna@@example",
            "birthday": tomorrow.isoformat(),
            "acquisition_channel": "walk_in",
        },
    )

    assert refused.status_code == 422
    assert refused.context["form"].errors == {
        "email": ["Voer een geldig e-mailadres in."],
        "birthday": ["Een verjaardag kan niet in de toekomst liggen."],
    }
    page = refused.content.decode()
    assert "Voer een geldig e-mailadres in." in page
    assert "Een verjaardag kan niet in de toekomst liggen." in page
    assert Customer.objects.count() == 0


def test_editing_shows_a_wrong_email_address_and_a_birthday_to_come_at_once(owner_client, business):
    anna = CustomerFactory(business=business, name="Anna", email="anna@example.nl")
    before = Customer.objects.filter(pk=anna.pk).values().get()

    refused = _edit(
        owner_client,
        anna,
        email="anna@@example",
        birthday=(business.today() + timedelta(days=1)).isoformat(),
    )

    assert refused.status_code == 422
    assert refused.context["form"].errors == {
        "email": ["Voer een geldig e-mailadres in."],
        "birthday": ["Een verjaardag kan niet in de toekomst liggen."],
    }
    assert Customer.objects.filter(pk=anna.pk).values().get() == before


SINCE_IN_THE_FUTURE = {
    "nl": "“Klant sinds” kan niet in de toekomst liggen: uiterlijk vandaag.",
    "en": "“Customer since” cannot lie in the future: today at the latest.",
}


def _error_beside(page: str, field: str) -> list[str]:
    """The messages shown under `field` in the page (web/partials/field.html)."""
    return re.findall(rf'<p class="error" id="id_{field}_error" role="alert">([^<]*)</p>', page)


def test_the_new_customer_form_offers_customer_since_as_today_where_the_business_is(
    owner_client, business
):
    page = owner_client.get(reverse("web:customer_create")).content.decode()

    assert re.findall(r'<input type="date" name="customer_since"[^>]*>', page) == [
        f'<input type="date" name="customer_since" value="{business.today().isoformat()}" '
        'aria-describedby="id_customer_since_helptext" id="id_customer_since">'
    ]
    assert (
        "De dag dat deze klant voor het eerst kwam, hoe lang geleden ook; vandaag voor wie "
        "nieuw is." in page
    )


@pytest.mark.parametrize(
    ("sent", "stored"), [("2006-03-01", date(2006, 3, 1)), ("", None), (None, None)]
)
def test_a_new_customer_is_one_since_the_day_typed_else_since_today(
    owner_client, business, sent, stored
):
    data = {"name": "Anna", "acquisition_channel": "walk_in"}
    if sent is not None:
        data["customer_since"] = sent

    saved = owner_client.post(reverse("web:customer_create"), data)

    assert saved.status_code == 302
    assert Customer.objects.get(business=business).customer_since == (stored or business.today())


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_customer_since_after_today_is_refused_beside_its_field_and_nothing_is_stored(
    owner_client, owner, business, language
):
    account_language_set(user=owner, language=language)
    tomorrow = business.today() + timedelta(days=1)

    refused = owner_client.post(
        reverse("web:customer_create"),
        {"name": "Anna", "customer_since": tomorrow.isoformat(), "acquisition_channel": "walk_in"},
    )

    assert refused.status_code == 422
    assert refused.context["form"].errors == {"customer_since": [SINCE_IN_THE_FUTURE[language]]}
    page = refused.content.decode()
    assert _error_beside(page, "customer_since") == [SINCE_IN_THE_FUTURE[language]]
    # What was typed is kept, to be put right.
    assert f'name="customer_since" value="{tomorrow.isoformat()}"' in page
    assert Customer.objects.count() == 0


def test_editing_records_since_when_a_long_standing_customer_comes(owner_client, business):
    anna = CustomerFactory(business=business, name="Anna", customer_since=business.today())
    page = owner_client.get(reverse("web:customer_edit", args=[anna.pk]))
    assert form_as_sent(page, having="notes")["customer_since"] == business.today().isoformat()

    saved = _edit(owner_client, anna, customer_since="2006-03-01")

    assert saved.status_code == 302
    assert Customer.objects.get(pk=anna.pk).customer_since == date(2006, 3, 1)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_editing_to_a_customer_since_after_today_is_refused_and_nothing_is_stored(
    owner_client, owner, business, language
):
    account_language_set(user=owner, language=language)
    anna = CustomerFactory(business=business, name="Anna", customer_since=date(2006, 3, 1))
    before = Customer.objects.filter(pk=anna.pk).values().get()

    refused = _edit(
        owner_client,
        anna,
        phone="0612345678",
        customer_since=(business.today() + timedelta(days=1)).isoformat(),
    )

    assert refused.status_code == 422
    assert _error_beside(refused.content.decode(), "customer_since") == [
        SINCE_IN_THE_FUTURE[language]
    ]
    assert Customer.objects.filter(pk=anna.pk).values().get() == before


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "nl",
            "Vul in sinds wanneer dit een klant is: de dag dat die voor het eerst kwam, zo goed "
            "als je het weet.",
        ),
        (
            "en",
            "Fill in since when they are a customer: the day they first came, as near as you "
            "know it.",
        ),
    ],
)
def test_emptying_customer_since_is_refused_and_nothing_is_stored(
    owner_client, owner, business, language, message
):
    account_language_set(user=owner, language=language)
    anna = CustomerFactory(business=business, name="Anna", customer_since=date(2006, 3, 1))
    before = Customer.objects.filter(pk=anna.pk).values().get()

    refused = _edit(owner_client, anna, phone="0612345678", customer_since="")

    assert refused.status_code == 422
    assert _error_beside(refused.content.decode(), "customer_since") == [message]
    assert Customer.objects.filter(pk=anna.pk).values().get() == before


def test_a_page_drawn_before_the_form_had_customer_since_keeps_the_day_stored(
    owner_client, business
):
    anna = CustomerFactory(business=business, name="Anna", customer_since=date(2006, 3, 1))
    saved = _edit(
        owner_client,
        anna,
        phone="0612345678",
        **{"customer_since": None, "initial-customer_since": None},
    )

    assert saved.status_code == 302
    assert Customer.objects.values_list("phone", "customer_since").get(pk=anna.pk) == (
        "0612345678",
        date(2006, 3, 1),
    )
