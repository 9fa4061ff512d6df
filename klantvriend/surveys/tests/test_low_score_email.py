"""An owner hears of a low score at once (surveys.alerts): the survey told the guest "Uw
antwoord is meteen naar de eigenaar gegaan", while a restaurant's owner away from Today heard
nothing until the next morning."""

import smtplib

import pytest
from django.core import mail

from klantvriend.core.accounts import account_language_set, account_low_score_email_set
from klantvriend.core.models import Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys import services

LOW = {
    "nps": "3",
    "certainty": "4",
    "flexibility": "4",
    "reliability": "1",
    "customisation": "4",
    "complaint_handling": "",
    "comment": "Soep was lauw en we wachtten een uur",
}


@pytest.fixture
def guest(business):
    return CustomerFactory(business=business, name="Pieter de Vries")


@pytest.fixture
def owner_with_address(owner):
    owner.email = "sanne@slagerij.example"
    owner.save(update_fields=["email"])
    return owner


def _answer(business, guest, captured, **answers):
    invitation = services.survey_invitation_create(
        business=business, customer=guest, channel="counter"
    )
    with captured(execute=True):
        return services.survey_answer(key=invitation.key, answers={**LOW, **answers})


def test_a_low_score_emails_the_owner_at_once_with_the_guests_words(
    business, guest, owner_with_address, django_capture_on_commit_callbacks
):
    response = _answer(business, guest, django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["sanne@slagerij.example"]
    assert message.subject == "Pieter de Vries gaf een 3 van 10"
    lines = message.body.splitlines()
    assert lines[:5] == [
        "Pieter de Vries gaf een 3 van 10 in de enquête van Slagerij Test.",
        "",
        "In hun woorden: “Soep was lauw en we wachtten een uur”",
        "Laag gescoord: betrouwbaarheid 1",
        "",
    ]
    assert lines[5] == (
        "Het staat op Vandaag als nazorg voor vandaag: bel ze, vraag wat er misging, en maak "
        "het goed."
    )
    assert lines[6] == f"https://klanten.example/customers/{guest.pk}/"
    assert response.follow_up is not None


def test_an_owner_who_reads_english_gets_it_in_english(
    business, guest, owner_with_address, django_capture_on_commit_callbacks
):
    account_language_set(user=owner_with_address, language="en")

    _answer(business, guest, django_capture_on_commit_callbacks, comment="")

    [message] = mail.outbox
    assert message.subject == "Pieter de Vries gave a 3 out of 10"
    assert message.body.splitlines()[0] == (
        "Pieter de Vries gave a 3 out of 10 in the survey of Slagerij Test."
    )
    assert "Their words" not in message.body


@pytest.mark.parametrize(
    ("score", "turned_off", "sent"),
    [("7", False, 0), ("6", False, 1), ("6", True, 0)],
)
def test_only_a_low_score_is_sent_and_only_to_an_owner_who_wants_it(
    business, guest, owner_with_address, django_capture_on_commit_callbacks, score, turned_off, sent
):
    account_low_score_email_set(
        membership=business.memberships.get(user=owner_with_address), on=not turned_off
    )
    # Staff get none; an owner without an address is skipped.
    staff = user_create(username="daan", password="pw-daan-12345", email="daan@example.nl")
    membership_create(business=business, user=staff, role=Role.STAFF)
    second_owner = user_create(username="fatima", password="pw-fatima-12345")
    membership_create(business=business, user=second_owner, role=Role.OWNER)

    _answer(business, guest, django_capture_on_commit_callbacks, nps=score)

    assert [message.to for message in mail.outbox] == [["sanne@slagerij.example"]] * sent


def test_a_mail_server_that_refuses_loses_no_answer(
    business, guest, owner_with_address, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*_args, **_kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)

    response = _answer(business, guest, django_capture_on_commit_callbacks)

    assert response.pk is not None
    assert response.follow_up is not None
    assert "Low score email for business" in caplog.text


def _add_later(invitation_key, captured, comment):
    with captured(execute=True):
        return services.survey_answer(key=invitation_key, answers={**LOW, "comment": comment})


@pytest.mark.parametrize(
    ("comment", "kept_as", "today_line"),
    [
        (
            "Ik ben echt teleurgesteld in de bediening",
            "complaint",
            "Het staat op Vandaag als klacht, met de klok lopend: beantwoord ze snel.",
        ),
        (
            "De ober was wel erg aardig",
            "follow_up",
            "Het staat op Vandaag als nazorg voor vandaag: bel ze, vraag wat er misging, en maak "
            "het goed.",
        ),
    ],
)
def test_words_added_later_to_a_low_score_are_emailed_too_once(
    business,
    guest,
    owner_with_address,
    django_capture_on_commit_callbacks,
    comment,
    kept_as,
    today_line,
):
    invitation = services.survey_invitation_create(
        business=business, customer=guest, channel="counter"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_answer(key=invitation.key, answers=LOW)

    late = _add_later(invitation.key, django_capture_on_commit_callbacks, comment)
    _add_later(invitation.key, django_capture_on_commit_callbacks, comment)  # sent again

    assert late.kept_as == kept_as
    _low_score, added = mail.outbox
    assert added.to == ["sanne@slagerij.example"]
    assert added.subject == "Pieter de Vries vulde een 3 van 10 aan"
    assert added.body.splitlines()[:5] == [
        "Pieter de Vries vulde het antwoord aan in de enquête van Slagerij Test, waar ze een 3 "
        "van 10 gaven:",
        f"“{comment}”",
        "",
        today_line,
        f"https://klanten.example/customers/{guest.pk}/",
    ]


def test_words_added_later_to_a_good_score_send_nothing(
    business, guest, owner_with_address, django_capture_on_commit_callbacks
):
    invitation = services.survey_invitation_create(
        business=business, customer=guest, channel="counter"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_answer(key=invitation.key, answers={**LOW, "nps": "9", "comment": ""})

    late = _add_later(invitation.key, django_capture_on_commit_callbacks, "Toch nog even dit")

    assert late.kept_as == "follow_up"
    assert mail.outbox == []
