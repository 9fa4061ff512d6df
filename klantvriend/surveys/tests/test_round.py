"""A survey round: every customer who may be e-mailed, invited in bounded clicks, by the rule of
a single invitation (consent with an allowed basis, an address, the interval between
invitations)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from klantvriend.customers.models import Customer, LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys import selectors, services
from klantvriend.surveys.models import (
    InvitationChannel,
    InvitationTrigger,
    SendFailure,
    SurveyInvitation,
)

NOW = datetime.now(UTC).replace(microsecond=0)


def _emailable(business, name, **fields):
    return CustomerFactory(
        business=business, name=name, email=f"{name.lower()}@example.nl", emailable=True, **fields
    )


def _invited(customer, days_ago, **fields):
    return services.survey_invitation_create(
        business=customer.business,
        customer=customer,
        channel=InvitationChannel.COUNTER,
        now=NOW - timedelta(days=days_ago),
    ).invitation


@pytest.fixture
def shop(business, other_business):
    """One customer of each kind, and a customer of another business who counts nowhere."""
    never = _emailable(business, "Anna")
    long_ago = _emailable(business, "Bram")
    _invited(long_ago, days_ago=120)
    recently = _emailable(business, "Cees")
    _invited(recently, days_ago=10)
    withdrawn = _emailable(business, "Dirk")  # a withdrawn invitation counts for nothing
    SurveyInvitation.objects.filter(pk=_invited(withdrawn, days_ago=5).pk).update(withdrawn_at=NOW)
    no_address = CustomerFactory(business=business, name="Eva", emailable=True)
    no_consent = CustomerFactory(business=business, name="Fleur", email="fleur@example.nl")
    # Consent stored without its legal basis (before the model refused that) allows no e-mail.
    no_basis = CustomerFactory(business=business, name="Gijs", email="gijs@example.nl")
    Customer.objects.filter(pk=no_basis.pk).update(
        marketing_consent=True, marketing_consent_basis=LegalBasis.NONE
    )
    erased = _emailable(business, "Hans")
    Customer.objects.filter(pk=erased.pk).update(erased_at=NOW)
    _emailable(other_business, "Ilse")
    return {
        "never": never,
        "long_ago": long_ago,
        "recently": recently,
        "withdrawn": withdrawn,
        "no_address": no_address,
        "no_consent": no_consent,
        "no_basis": no_basis,
    }


def test_the_round_counts_who_may_be_emailed_and_who_is_left_out_and_why(
    business, shop, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        current = selectors.survey_round(business=business, now=NOW)

    assert current.may_invite == 3
    assert current.left_out == {
        "no_consent": 2,
        "no_email": 1,
        "address_refused": 0,
        "asked_recently": 1,
    }
    # Never asked first (by record), then the one asked longest ago.
    assert [customer.name for customer in current.invited_next] == ["Anna", "Dirk", "Bram"]
    assert [customer.last_invited for customer in current.invited_next] == [
        None,
        None,
        NOW - timedelta(days=120),
    ]
    [waiting] = current.waiting
    assert (waiting.name, waiting.again_from) == ("Cees", NOW + timedelta(days=80))
    assert current.again_from == NOW + timedelta(days=80)


def test_the_rounds_rule_is_the_single_invitations_rule(business, shop):
    """may_email (which survey_invitation_create asks of one customer) and the conditions the
    round counts all customers by say the same of every kind of customer."""
    emailable = set(
        Customer.objects.filter(
            selectors.EMAIL_CONSENT, selectors.EMAIL_ADDRESS, selectors.NOT_ANONYMISED
        ).values_list("pk", flat=True)
    )
    for customer in Customer.objects.all():
        assert selectors.may_email(customer) == (customer.pk in emailable), customer.name
    candidates = set(selectors.survey_round_candidates(business=business, now=NOW))
    for customer in Customer.objects.filter(business=business):
        invitable = (
            selectors.may_email(customer)
            and selectors.survey_next_invitation_at(business=business, customer=customer, now=NOW)
            is None
        )
        assert invitable == (customer in candidates), customer.name


class CountingBackend(EmailBackend):
    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()


def test_a_click_invites_at_most_its_size_by_email_over_one_connection(
    business, shop, settings, django_capture_on_commit_callbacks, owner
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CountingBackend"}}
    CountingBackend.opened = 0

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.survey_round_send(business=business, actor=owner, size=2, now=NOW)

    assert outcome == services.RoundOutcome(invited=2, refused={}, not_sent={}, remaining=1)
    assert CountingBackend.opened == 1
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anna@example.nl",
        "dirk@example.nl",
    ]
    made = SurveyInvitation.objects.filter(trigger=InvitationTrigger.ROUND)
    assert {(i.channel, i.created_by, i.sent_at is not None) for i in made} == {
        (InvitationChannel.EMAIL, owner, True)
    }
    body = mail.outbox[0].body
    assert "Hoe tevreden bent u over Slagerij Test?" in body
    assert "How satisfied are you with Slagerij Test?" in body
    assert "bezoek" not in body

    # The next click invites the rest, the one after it no one.
    with django_capture_on_commit_callbacks(execute=True):
        second = services.survey_round_send(business=business, actor=owner, size=2, now=NOW)
        third = services.survey_round_send(business=business, actor=owner, size=2, now=NOW)
    assert (second.invited, second.remaining) == (1, 0)
    assert (third.invited, third.remaining, third.refused) == (0, 0, {})
    assert len(mail.outbox) == 3


def test_a_second_click_racing_the_first_invites_no_one_twice(
    business, shop, owner, monkeypatch, django_capture_on_commit_callbacks
):
    """Both clicks read the same customers; the second finds them invited under their lock."""
    stale = list(selectors.survey_round_candidates(business=business, now=NOW))
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_round_send(business=business, actor=owner, now=NOW)
    before = SurveyInvitation.objects.count()
    real = services.survey_round_candidates
    reads = iter([Customer.objects.filter(pk__in=[c.pk for c in stale]).order_by("pk")])
    monkeypatch.setattr(
        services, "survey_round_candidates", lambda **kwargs: next(reads, None) or real(**kwargs)
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.survey_round_send(business=business, actor=owner, now=NOW)

    assert outcome == services.RoundOutcome(
        invited=0, refused={"asked_recently": 3}, not_sent={}, remaining=0
    )
    assert SurveyInvitation.objects.count() == before
    assert len(mail.outbox) == 3


def test_an_address_the_mail_server_refused_is_left_out_until_it_is_mended(business, shop):
    # The mail server refused Anna's address after her details were last saved.
    Customer.objects.filter(pk=shop["never"].pk).update(updated_at=NOW - timedelta(days=2))
    refused = _invited(shop["never"], days_ago=1)
    SurveyInvitation.objects.filter(pk=refused.pk).update(
        withdrawn_at=NOW - timedelta(days=1), send_failure=SendFailure.REFUSED
    )

    current = selectors.survey_round(business=business, now=NOW)
    assert (current.may_invite, current.left_out["address_refused"]) == (2, 1)

    customer = shop["never"]
    customer.email = "anna.de.vries@example.nl"
    customer.save()
    assert selectors.survey_round(business=business, now=NOW).may_invite == 3
