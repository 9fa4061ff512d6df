""" "Brought someone in" on a customer's profile, and the customer form's question when a
referral may be recorded the wrong way round."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.core.accounts import account_language_set
from klantvriend.core.shown import moment_shown
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.importers.privacy import customer_erase
from klantvriend.isolation import snapshot

HTMX = {"HX-Request": "true"}


def _shown(day: date) -> str:
    with translation.override("nl"):
        return moment_shown(day).replace("\xa0", " ")


def _errors(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", error).strip()
        for error in re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    ]


@pytest.fixture
def koen(business):
    return CustomerFactory(business=business, name="Koen Brouwer", customer_since=date(2025, 1, 3))


def test_the_referrers_card_records_whom_they_brought_in(
    owner_client, business, koen, django_capture_on_commit_callbacks
):
    eva = CustomerFactory(business=business, name="Eva de Groot", customer_since=date(2026, 11, 1))
    PurchaseFactory(customer=eva)  # she ate here already: the thank-you is planned now

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("web:referral_add", args=[koen.pk]), {"referred": eva.pk}, headers=HTMX
        )

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        '<p class="message message-success" role="status" data-testid="record-saved">'
        "Eva de Groot vastgelegd als meegebracht door Koen Brouwer.</p>"
    ) in page
    assert f'<a href="/customers/{eva.pk}/">Eva de Groot</a>' in page
    eva.refresh_from_db()
    assert (eva.referred_by, eva.acquisition_channel) == (koen, "referral")
    thanks = FollowUp.objects.get(reason=Reason.REFERRAL)
    assert (thanks.customer, thanks.referred_customer) == (koen, eva)


def test_a_customer_who_was_here_first_is_asked_about_before_it_is_recorded(
    owner_client, business, koen
):
    kees = CustomerFactory(business=business, name="Kees Bos", customer_since=date(2024, 5, 2))
    url = reverse("web:referral_add", args=[koen.pk])
    before = snapshot()

    asked = owner_client.post(url, {"referred": kees.pk}, headers=HTMX)

    assert asked.status_code == 422
    assert snapshot() == before
    assert _errors(asked.content.decode()) == [
        "Kees Bos is al klant sinds 2 mei 2024, langer dan Koen Brouwer (sinds 3 jan 2025): "
        "bracht Kees Bos misschien Koen Brouwer mee? Klopt het zo, vink dan “Toch vastleggen” "
        "aan."
    ]
    assert 'name="confirm_referral"' in asked.content.decode()
    assert '<details class="record-form" id="new-referral" open>' in asked.content.decode()

    confirmed = owner_client.post(url, {"referred": kees.pk, "confirm_referral": "on"})

    assert confirmed.status_code == 302
    kees.refresh_from_db()
    assert kees.referred_by == koen


@pytest.mark.parametrize("language", ["nl", "en"])
def test_refused_referrals_say_why_and_change_nothing(
    owner_client, owner, business, other_business, koen, language
):
    account_language_set(user=owner, language=language)
    anna = CustomerFactory(business=business, name="Anna Vos")
    already = CustomerFactory(business=business, name="Bram Bakker", referred_by=koen)
    elsewhere = CustomerFactory(business=business, name="Cees Jansen", referred_by=anna)
    # Koen came in through Dirk: Dirk cannot have come in through Koen.
    dirk = CustomerFactory(business=business, name="Dirk de Boer")
    Customer.objects.filter(pk=koen.pk).update(referred_by=dirk)
    erased = CustomerFactory(business=business, name="Piet Jansen")
    customer_erase(customer=erased, actor=owner)
    stranger = CustomerFactory(business=other_business, name="Elders")
    url = reverse("web:referral_add", args=[koen.pk])
    before = snapshot()

    refused = {
        name: _errors(owner_client.post(url, {"referred": pk}, headers=HTMX).content.decode())
        for name, pk in [
            ("none", ""),
            ("already", already.pk),
            ("elsewhere", elsewhere.pk),
            ("circle", dirk.pk),
            ("self", koen.pk),
            ("erased", erased.pk),
            ("stranger", stranger.pk),
        ]
    }

    assert snapshot() == before
    dutch = {
        "none": ["Kies de klant die via deze klant kwam."],
        "already": ["Bram Bakker staat al vastgelegd als meegebracht door deze klant."],
        "elsewhere": [
            "Cees Jansen kwam via Anna Vos: wijzig dat op de kaart van Cees Jansen, onder "
            "“Bewerken”."
        ],
        "circle": [
            "Koen Brouwer is (direct of via anderen) door Dirk de Boer aangebracht en kan Dirk "
            "de Boer dus niet zelf hebben aangebracht."
        ],
        "self": ["Deze klant bestaat niet."],
        "erased": ["Deze klant bestaat niet."],
        "stranger": ["Deze klant bestaat niet."],
    }
    english = {
        "none": ["Choose the customer they brought in."],
        "already": ["Bram Bakker is recorded as brought in by this customer already."],
        "elsewhere": [
            "Cees Jansen came through Anna Vos: change that on the card of Cees Jansen, under "
            "“Edit”."
        ],
        "circle": [
            "Koen Brouwer came in through Dirk de Boer (directly or through others), so cannot "
            "have brought Dirk de Boer in."
        ],
        "self": ["This customer does not exist."],
        "erased": ["This customer does not exist."],
        "stranger": ["This customer does not exist."],
    }
    assert refused == (dutch if language == "nl" else english)


def test_another_businesss_customer_card_is_not_found(owner_client, other_business, business):
    theirs = CustomerFactory(business=other_business, name="Elders")
    ours = CustomerFactory(business=business, name="Eva de Groot")

    response = owner_client.post(
        reverse("web:referral_add", args=[theirs.pk]), {"referred": ours.pk}
    )

    assert response.status_code == 404
    ours.refresh_from_db()
    assert ours.referred_by is None


def test_the_customer_form_asks_before_a_referrer_who_came_later(owner_client, business, koen):
    mila = CustomerFactory(business=business, name="Mila Bakker", customer_since=date.today())
    edit = reverse("web:customer_edit", args=[koen.pk])
    form = {
        "name": "Koen Brouwer",
        "customer_since": "2025-01-03",
        "acquisition_channel": "referral",
        "referred_by": mila.pk,
    }

    asked = owner_client.post(edit, form)
    koen.refresh_from_db()
    assert koen.referred_by is None
    confirmed = owner_client.post(edit, {**form, "confirm_referral": "on"})

    assert asked.status_code == 422
    assert _errors(asked.content.decode())[1] == (
        "Koen Brouwer is al klant sinds 3 jan 2025, langer dan Mila Bakker (sinds "
        f"{_shown(date.today())}): bracht Koen Brouwer misschien Mila Bakker mee? Klopt het "
        "zo, vink dan “Toch vastleggen” aan."
    )
    assert 'name="confirm_referral"' in asked.content.decode()
    assert confirmed.status_code == 302
    koen.refresh_from_db()
    assert koen.referred_by == mila
    # Saved again with the referral as stored, nothing is asked.
    earlier = {**form, "customer_since": "2024-01-03", "initial-referred_by": mila.pk}
    assert owner_client.post(edit, earlier).status_code == 302
