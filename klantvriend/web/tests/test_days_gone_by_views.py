"""A birthday or customer-since date after today in the customer form: a new one is refused on
its field, one stored before the rule does not stand in the way of other changes."""

from datetime import date, timedelta

from django.urls import reverse

from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory

from .sent_forms import form_as_sent


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


def test_a_customer_with_days_stored_in_the_future_before_the_rule_can_still_be_changed(
    owner_client, business
):
    """The form does not show customer since: a day to come stored there (imported before it
    was refused) must not make every change of the customer impossible."""
    later = business.today() + timedelta(days=40)
    anna = CustomerFactory(business=business, name="Anna", phone="0611111111")
    Customer.objects.filter(pk=anna.pk).update(customer_since=later, birthday=later)
    sent = form_as_sent(
        owner_client.get(reverse("web:customer_edit", args=[anna.pk])), having="notes"
    )

    saved = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]), {**sent, "phone": "0612345678"}
    )

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
    sent = form_as_sent(
        owner_client.get(reverse("web:customer_edit", args=[anna.pk])), having="notes"
    )

    refused = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {**sent, "phone": "0612345678", "birthday": (later + timedelta(days=1)).isoformat()},
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


def test_editing_shows_a_wrong_email_address_and_a_birthday_to_come_at_once(
    owner_client, business
):
    anna = CustomerFactory(business=business, name="Anna", email="anna@example.nl")
    before = Customer.objects.filter(pk=anna.pk).values().get()
    sent = form_as_sent(
        owner_client.get(reverse("web:customer_edit", args=[anna.pk])), having="notes"
    )

    refused = owner_client.post(
        reverse("web:customer_edit", args=[anna.pk]),
        {
            **sent,
            "email": "anna@@example",
            "birthday": (business.today() + timedelta(days=1)).isoformat(),
        },
    )

    assert refused.status_code == 422
    assert refused.context["form"].errors == {
        "email": ["Voer een geldig e-mailadres in."],
        "birthday": ["Een verjaardag kan niet in de toekomst liggen."],
    }
    assert Customer.objects.filter(pk=anna.pk).values().get() == before
