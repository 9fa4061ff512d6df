"""The survey invitation a kept delivery e-mailed, after that "Gedaan" was undone: its link says
politely, in the survey's language, that it was withdrawn and takes no answer; an answered one
stays, and the undo says so on the profile and on Today."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.services import promise_create
from klantvriend.surveys.models import SurveyInvitation
from klantvriend.surveys.services import survey_answer

HTMX = {"HX-Request": "true"}
ANSWER = {"nps": "3", "reliability": "1", "comment": "Lang moeten wachten"}
KEPT_ANSWER_NL = (
    "De klant had de enquête na deze levering al beantwoord: dat antwoord blijft staan."
)


@pytest.fixture
def delivery(business, staff_user):
    customer = CustomerFactory(
        business=business, name="Bram Bakker", email="bram@example.nl", emailable=True
    )
    return promise_create(
        customer=customer,
        description="Koud buffet bezorgen",
        kind=PromiseKind.DELIVERY,
        due_at=timezone.now() + timedelta(hours=2),
        made_by=staff_user,
    )


@pytest.fixture
def link(staff_client, delivery, django_capture_on_commit_callbacks):
    """ "Gedaan" tapped on the profile: the invitation is e-mailed; its link, from the e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("web:promise_keep", args=[delivery.pk]), headers=HTMX)
    [message] = mail.outbox
    return "/s/" + message.body.split("/s/")[1].split("/")[0] + "/"


@pytest.mark.parametrize(
    ("language", "heading", "message"),
    [
        (
            "nl",
            "Uitnodiging ingetrokken",
            "Deze uitnodiging is ingetrokken: ze is per vergissing verstuurd, dus u hoeft niets "
            "te doen. Excuses voor de moeite, en toch bedankt.",
        ),
        (
            "en",
            "Invitation withdrawn",
            "This invitation was withdrawn: it was sent by mistake, so there is nothing you need "
            "to do. Our apologies for the trouble, and thank you all the same.",
        ),
    ],
)
def test_a_withdrawn_link_says_so_politely_and_takes_no_answer(
    staff_client, delivery, link, language, heading, message
):
    staff_client.post(reverse("web:promise_reopen", args=[delivery.pk]), headers=HTMX)
    customer = Client(headers={"Accept-Language": language})
    before = snapshot()

    page = customer.get(link)
    sent = customer.post(link, ANSWER)

    for response in (page, sent):
        body = response.content.decode()
        assert response.status_code == 410
        assert f'<html lang="{language}">' in body
        assert f"<h1>{heading}</h1>" in body
        assert f'<p data-testid="survey-message">{message}</p>' in body
        assert 'data-testid="survey-form"' not in body
    assert snapshot() == before


def test_undoing_says_on_the_profile_that_an_answered_survey_stays(staff_client, delivery, link):
    survey_answer(key=link.split("/")[2], answers={"nps": "8"})

    undone = staff_client.post(reverse("web:promise_reopen", args=[delivery.pk]), headers=HTMX)

    body = undone.content.decode()
    assert undone.status_code == 200
    assert f'<p class="notice" role="status" data-testid="care-notice">{KEPT_ANSWER_NL}</p>' in body
    assert Promise.objects.get().done_at is None
    invitation = SurveyInvitation.objects.get()
    assert (invitation.withdrawn_at, invitation.answered_at is not None) == (None, True)


def test_undoing_on_today_says_it_too_and_nothing_when_withdrawn(
    staff_client, delivery, link, django_capture_on_commit_callbacks
):
    undone = staff_client.post(
        reverse("web:promise_reopen", args=[delivery.pk]), {"from": "today"}, headers=HTMX
    )
    assert 'data-testid="care-notice"' not in undone.content.decode()
    assert SurveyInvitation.objects.get().withdrawn_at is not None

    # Kept again: invited again (the withdrawn one holds nothing back), answered, undone.
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(reverse("web:promise_keep", args=[delivery.pk]), headers=HTMX)
    key = mail.outbox[-1].body.split("/s/")[1].split("/")[0]
    assert len(mail.outbox) == 2
    survey_answer(key=key, answers={"nps": "10"})

    undone = staff_client.post(
        reverse("web:promise_reopen", args=[delivery.pk]), {"from": "today"}, headers=HTMX
    )

    assert KEPT_ANSWER_NL in undone.content.decode()
    assert (
        list(SurveyInvitation.objects.order_by("pk").values_list("withdrawn_at", flat=True))[1]
        is None
    )


def test_the_profile_says_the_last_invitation_was_withdrawn(
    owner_client, staff_client, delivery, link
):
    staff_client.post(reverse("web:promise_reopen", args=[delivery.pk]), headers=HTMX)

    body = owner_client.get(
        reverse("web:customer_detail", args=[delivery.customer_id])
    ).content.decode()

    assert "(e-mail, ingetrokken)</p>" in body


def test_without_htmx_the_profile_it_returns_to_says_it(staff_client, delivery, link):
    survey_answer(key=link.split("/")[2], answers={"nps": "8"})

    undone = staff_client.post(reverse("web:promise_reopen", args=[delivery.pk]), follow=True)

    assert undone.redirect_chain == [
        (reverse("web:customer_detail", args=[delivery.customer_id]), 302)
    ]
    assert f'<p class="message message-info">{KEPT_ANSWER_NL}</p>' in undone.content.decode()
