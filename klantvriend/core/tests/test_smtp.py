"""Mail through Django's real SMTP backend to an SMTP server listening on 127.0.0.1, as a shop's
relay would receive it: the headers and the text survive the trip, accents included."""

import email
import socket
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.management import call_command

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.customers.models import LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys.models import InvitationChannel
from klantvriend.surveys.services import survey_invitation_create


class Inbox(Message):
    def __init__(self):
        super().__init__(message_class=None)
        self.received: list[email.message.EmailMessage] = []

    def handle_message(self, message):
        self.received.append(email.message_from_bytes(message.as_bytes(), policy=default))


@pytest.fixture
def relay(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller checks its own by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    yield inbox
    server.stop()


def test_a_survey_invitation_reaches_the_relay_with_its_accents(
    relay, business, django_capture_on_commit_callbacks
):
    business.name = "Slagerij Köhler & Zn."
    business.save()
    customer = CustomerFactory(
        business=business,
        name="Zoë Çelik",
        email="zoe@example.nl",
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.SOFT_OPT_IN,
    )

    with django_capture_on_commit_callbacks(execute=True):
        created = survey_invitation_create(
            business=business, customer=customer, channel=InvitationChannel.EMAIL
        )

    [received] = relay.received
    assert received["To"] == "zoe@example.nl"
    assert received["Subject"] == (
        "Hoe hebben we het gedaan? Een korte vraag van Slagerij Köhler & Zn."
    )
    body = received.get_body(("plain",)).get_content()
    assert "Beste Zoë Çelik" in body
    assert created.url in body


def test_the_owners_digest_reaches_the_relay(relay, business, owner):
    owner.email = "sanne@example.nl"
    owner.save()
    FollowUpFactory(customer=CustomerFactory(business=business), due_on=business.today())

    call_command("digest", "--business", business.slug, verbosity=0)

    [received] = relay.received
    assert received["To"] == "sanne@example.nl"
    assert received["Subject"].startswith("Vandaag bij Slagerij Test")
