"""The opt-out link of an invitation e-mail: a customer stops the shop's e-mails with one click
of their own, and the consent history says so. It said "reply with stop", which reached the
sending address and no one in the shop."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from klantvriend.core.audit import AuditEvent
from klantvriend.core.errors import ValidationError
from klantvriend.customers.models import ConsentRecord, Customer, LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_erase
from klantvriend.surveys.models import InvitationChannel, SurveyInvitation
from klantvriend.surveys.services import (
    email_stop_url,
    may_email,
    survey_answer,
    survey_invitation_create,
)


@pytest.fixture
def customer(business):
    return CustomerFactory(
        business=business, name="Bram Bakker", email="bram@example.nl", emailable=True
    )


@pytest.fixture
def invited(business, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = survey_invitation_create(
            business=business, customer=customer, channel=InvitationChannel.EMAIL
        )
    return created


def _stop_path(invited) -> str:
    return f"/s/{invited.key}/stop/"


def _consent(customer) -> tuple:
    stored = Customer.objects.get(pk=customer.pk)
    return (stored.marketing_consent, stored.marketing_consent_basis, stored.updated_at)


def test_the_invitation_email_carries_its_own_opt_out_link_and_the_one_click_headers(invited):
    message = mail.outbox[0]
    url = email_stop_url(invited.key)

    assert url.endswith(f"/s/{invited.key}/stop/")
    assert message.extra_headers == {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert (
        "Liever geen e-mails meer van Slagerij Test? Meld u af met deze link, dan sturen we u "
        f"er geen meer:\n{url}\n" in message.body
    )
    assert (
        "Rather not receive emails from Slagerij Test? Unsubscribe with this link and we will "
        f"not send you any more:\n{url}\n" in message.body
    )
    assert "stop”" not in message.body


@pytest.mark.parametrize(
    ("language", "ask", "button", "done", "said"),
    [
        (
            "nl",
            "Geen e-mails meer van Slagerij Test?",
            "Stop de e-mails",
            "U bent afgemeld",
            "Slagerij Test stuurt u geen e-mails meer. Later toch van gedachten veranderd? Laat"
            " het ons gewoon weten.",
        ),
        (
            "en",
            "No more emails from Slagerij Test?",
            "Stop the emails",
            "You are unsubscribed",
            "Slagerij Test will not send you any more emails. Changed your mind later? Just let"
            " us know.",
        ),
    ],
)
def test_opening_the_link_asks_and_changes_nothing_the_button_stops_the_emails(
    business, customer, invited, language, ask, button, done, said
):
    before = _consent(customer)
    public = Client(enforce_csrf_checks=True)

    asked = public.get(_stop_path(invited), {"lang": language})
    unchanged = _consent(customer)
    stopped = public.post(_stop_path(invited), {"lang": language})

    assert asked.status_code == 200
    assert f'<h1 data-testid="stop-ask">{ask}</h1>' in asked.content.decode()
    assert f">{button}</button>" in asked.content.decode()
    assert unchanged == before
    assert stopped.status_code == 200
    assert f'<h1 data-testid="stop-done">{done}</h1>' in stopped.content.decode()
    assert said in stopped.content.decode()
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.marketing_consent, stored.marketing_consent_basis) == (False, "")
    assert stored.marketing_consent_at is not None
    assert stored.updated_at > before[2]
    assert not may_email(stored)
    record = ConsentRecord.objects.filter(customer=customer).order_by("-id").first()
    assert (record.kind, record.given, record.basis, record.source) == (
        "marketing",
        False,
        "",
        "email_link",
    )
    event = AuditEvent.objects.filter(customer_id=customer.pk).order_by("-id").first()
    assert (event.actor_id, event.changes["marketing_consent"]) == (None, [True, False])


def test_the_mail_programs_one_click_post_stops_them_without_a_form(customer, invited):
    """RFC 8058: the mail program posts "List-Unsubscribe=One-Click" to the header's address,
    without the page's form or its CSRF token."""
    clicked = Client(enforce_csrf_checks=True).post(
        _stop_path(invited), {"List-Unsubscribe": "One-Click"}
    )

    assert clicked.status_code == 200
    assert Customer.objects.get(pk=customer.pk).marketing_consent is False
    assert ConsentRecord.objects.filter(customer=customer, source="email_link").count() == 1


def test_a_second_click_records_nothing_more_and_a_later_email_is_refused(
    business, customer, invited
):
    public = Client()
    public.post(_stop_path(invited))
    records = ConsentRecord.objects.count()
    events = AuditEvent.objects.count()

    again = public.post(_stop_path(invited), {"lang": "en"})
    opened = public.get(_stop_path(invited), {"lang": "en"})

    assert 'data-testid="stop-done"' in again.content.decode()
    assert 'data-testid="stop-done"' in opened.content.decode()
    assert (ConsentRecord.objects.count(), AuditEvent.objects.count()) == (records, events)
    SurveyInvitation.objects.update(created_at=timezone.now() - timedelta(days=400))
    with pytest.raises(ValidationError) as refused:
        survey_invitation_create(
            business=business,
            customer=Customer.objects.get(pk=customer.pk),
            channel=InvitationChannel.EMAIL,
        )
    assert refused.value.error_dict["channel"][0].code == "no_consent"


def test_the_link_still_stops_the_emails_once_the_survey_is_answered_or_expired(customer, invited):
    survey_answer(key=invited.key, answers={"nps": 9})
    SurveyInvitation.objects.update(
        created_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(days=1),
    )

    stopped = Client().post(_stop_path(invited))

    assert stopped.status_code == 200
    assert Customer.objects.get(pk=customer.pk).marketing_consent is False


def test_a_mistyped_link_is_a_friendly_not_found_and_changes_nothing(customer, invited):
    before = _consent(customer)
    tampered = _stop_path(invited).replace(invited.key, invited.key[:-2] + "xy")

    page = Client().post(tampered, {"lang": "en"})

    assert page.status_code == 404
    assert "This link is not valid" in page.content.decode()
    assert _consent(customer) == before
    assert ConsentRecord.objects.filter(source="email_link").count() == 0


def test_an_erased_customers_link_says_unsubscribed_and_stores_nothing(
    business, owner, customer, invited
):
    customer_erase(customer=Customer.objects.get(pk=customer.pk), actor=owner)
    erased = _consent(customer)
    records = ConsentRecord.objects.count()

    page = Client().post(_stop_path(invited), {"lang": "en"})

    assert page.status_code == 200
    assert 'data-testid="stop-done"' in page.content.decode()
    assert "Bram" not in page.content.decode()
    assert _consent(customer) == erased
    assert ConsentRecord.objects.count() == records


def test_the_page_has_no_name_of_the_customer_and_only_gets_and_posts(customer, invited):
    public = Client()

    asked = public.get(_stop_path(invited)).content.decode()
    put = public.put(_stop_path(invited))

    assert "Bram" not in asked
    assert "bram@example.nl" not in asked
    assert put.status_code == 405
    assert '<form method="post">' in asked
    assert Customer.objects.get(pk=customer.pk).marketing_consent_basis == LegalBasis.SOFT_OPT_IN
