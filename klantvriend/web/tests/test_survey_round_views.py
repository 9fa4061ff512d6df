"""The survey round's page: who may be invited by e-mail now and who is left out and why, and the
invitations of one click after one confirmation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys import selectors
from klantvriend.surveys.models import InvitationChannel, InvitationTrigger, SurveyInvitation
from klantvriend.surveys.services import survey_invitation_create

URL = "/surveys/round/"


def _customers(business, emailable: int, without_consent: int = 1, start: int = 0):
    for number in range(start, start + emailable):
        CustomerFactory(
            business=business,
            name=f"Klant {number:03}",
            email=f"k{number}@example.nl",
            emailable=True,
        )
    for number in range(without_consent):
        CustomerFactory(business=business, name=f"Zonder {start + number}", email="z@example.nl")


def test_the_url_is_the_round():
    assert reverse("web:survey_round") == URL


def test_the_page_counts_who_may_be_invited_and_who_not_and_why(owner_client, business):
    _customers(business, emailable=3, without_consent=2)
    CustomerFactory(business=business, name="Geen Adres", emailable=True)
    asked = CustomerFactory(
        business=business, name="Al Gevraagd", email="al@example.nl", emailable=True
    )
    survey_invitation_create(
        business=business,
        customer=asked,
        channel=InvitationChannel.COUNTER,
        now=timezone.now() - timedelta(days=10),
    )

    page = owner_client.get(URL).content.decode()

    assert "<strong>3</strong> mogen nu per e-mail worden uitgenodigd, van 7 klanten." in page
    assert (
        '<tr data-reason="no_consent"><td class="number">2</td><th scope="row">Geen toestemming voor e-mail vastgelegd<br>'
        in page
    )
    assert (
        '<tr data-reason="no_email"><td class="number">1</td><th scope="row">Wel toestemming, maar geen e-mailadres<br>'
        in page
    )
    assert (
        '<tr data-reason="asked_recently"><td class="number">1</td><th scope="row">Onlangs gevraagd<br>'
        in page
    )
    assert "De eerste van hen kan weer gevraagd worden vanaf" in page
    assert "3 klanten per e-mail uitnodigen…" in page
    assert "Al Gevraagd" in page  # among those asked recently, with the day
    assert SurveyInvitation.objects.count() == 1  # reading the page invites no one


def test_the_page_costs_the_same_queries_for_more_customers(
    owner_client, business, django_assert_max_num_queries
):
    _customers(business, emailable=2)
    owner_client.get(URL)  # the session and the like settle
    with django_assert_max_num_queries(12) as few:
        owner_client.get(URL)
    _customers(business, emailable=40, without_consent=10, start=100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = owner_client.get(URL).content.decode()
    assert "<strong>42</strong>" in page


def test_a_post_without_the_confirmation_sends_nothing_and_asks_for_it(owner_client, business):
    _customers(business, emailable=2)

    response = owner_client.post(URL, {})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Er is niets verstuurd: bevestig met de knop hieronder." in page
    assert 'name="confirm" value="yes"' in page
    assert SurveyInvitation.objects.count() == 0
    assert mail.outbox == []


def test_the_confirmation_says_from_whom_and_where_replies_go(owner_client, business):
    _customers(business, emailable=2)

    page = owner_client.get(URL, {"step": "confirm"}).content.decode()
    assert "2 klanten nu per e-mail uitnodigen?" in page
    assert "van Slagerij Test &lt;klantvriend@localhost&gt;" in page
    assert "Een klant die op de e-mail antwoordt, bereikt niemand in de zaak" in page

    business.contact_email = "henk@slagerij-test.nl"
    business.save(update_fields=["contact_email"])
    page = owner_client.get(URL, {"step": "confirm"}).content.decode()
    assert "Een klant die op de e-mail antwoordt, schrijft naar henk@slagerij-test.nl." in page


def test_a_confirmed_click_invites_its_size_and_says_how_many_are_still_to_go(
    owner_client, business, owner, monkeypatch, django_capture_on_commit_callbacks
):
    _customers(business, emailable=3)
    monkeypatch.setattr(selectors, "ROUND_SIZE", 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(URL, {"confirm": "yes"})
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert "2 uitgenodigd; nog 1 te gaan — klik nogmaals." in page
    assert len(mail.outbox) == 2
    assert set(SurveyInvitation.objects.values_list("trigger", "created_by")) == {
        (InvitationTrigger.ROUND, owner.pk)
    }
    # The outcome is said once: a refresh shows the page, it does not click again.
    assert "Wat deze klik deed" not in owner_client.get(URL).content.decode()

    # A second click invites the last one; a double click after that invites no one.
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(URL, {"confirm": "yes"})
        owner_client.post(URL, {"confirm": "yes"})
    page = owner_client.get(URL).content.decode()
    assert "0 klanten per e-mail uitgenodigd; er is nu niemand meer om uit te nodigen." in page
    assert "Er is nu niemand om per e-mail uit te nodigen." in page
    assert len(mail.outbox) == 3
    assert SurveyInvitation.objects.count() == 3


def test_the_page_reads_in_english(owner_client, owner, business):
    account_language_set(user=owner, language="en")
    _customers(business, emailable=1)

    page = owner_client.get(URL, {"step": "confirm"}).content.decode()

    assert "<strong>1</strong> may be invited by email now, of 2 customers." in page
    assert "No consent to email on record" in page
    assert "Invite 1 customer by email now?" in page
    assert "Yes, invite 1 customer" in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_cannot_run_a_round(staff_client, business, method):
    _customers(business, emailable=1)

    response = getattr(staff_client, method)(URL, {"confirm": "yes"})

    assert response.status_code == 403
    assert SurveyInvitation.objects.count() == 0


def test_owners_find_the_round_beside_the_results_and_the_invitations(
    owner_client, staff_client, business
):
    for page in ("/surveys/", "/surveys/invitations/"):
        assert f'href="{URL}"' in owner_client.get(page).content.decode()
        assert f'href="{URL}"' not in staff_client.get(page).content.decode()
