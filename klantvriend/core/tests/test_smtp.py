"""Mail through Django's real SMTP backend to an SMTP server listening on 127.0.0.1, as a shop's
relay would receive it: the headers and the text survive the trip, accents included."""

import email
import socket
from datetime import timedelta
from email.policy import default
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.core.audit import AuditAction
from klantvriend.core.models import AuditEvent
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.models import LegalBasis
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.models import InvitationChannel, SendFailure, SurveyInvitation
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
    business.contact_email = "winkel@koehler.example"
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
    # The shop's name, encoded on the way (RFC 2047) and read back whole; replies to the shop.
    [sender] = received["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Slagerij Köhler & Zn.",
        "klantvriend@localhost",
    )
    [reply_to] = received["Reply-To"].addresses
    assert reply_to.addr_spec == "winkel@koehler.example"
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


class RefusingInbox(Inbox):
    """A relay that knows only some addresses, as a shop's provider answers for its own domain
    (and some relays for every address, by asking the receiving server first)."""

    def __init__(self, known: set[str]):
        super().__init__()
        self.known = known

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address not in self.known:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_relay(settings):
    inbox = RefusingInbox(known={"sanne@example.nl", "piet@example.nl"})
    server = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    server.start()
    settings.MAILERS = _smtp_to(server.port)
    yield inbox
    server.stop()


@pytest.fixture
def no_relay(settings):
    """Nothing listens where the mail should go: the connection is refused."""
    settings.MAILERS = _smtp_to(_free_port())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _smtp_to(port: int) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }


def _may_be_emailed(business, name="Zoë Çelik", address="zoe@example.nl"):
    return CustomerFactory(
        business=business,
        name=name,
        email=address,
        marketing_consent=True,
        marketing_consent_basis=LegalBasis.SOFT_OPT_IN,
    )


@pytest.mark.parametrize(
    ("mail_server", "failure"),
    [("refusing_relay", SendFailure.REFUSED), ("no_relay", SendFailure.UNREACHABLE)],
)
def test_an_invitation_the_mail_server_does_not_take_is_withdrawn_with_why(
    request, business, django_capture_on_commit_callbacks, caplog, mail_server, failure
):
    """Sent after the commit of what caused it, a failure reached the caller as an error (a 500
    after "Done" at the counter) and the invitation stood, unsent, for the whole interval."""
    request.getfixturevalue(mail_server)
    customer = _may_be_emailed(business)

    with django_capture_on_commit_callbacks(execute=True):
        created = survey_invitation_create(
            business=business, customer=customer, channel=InvitationChannel.EMAIL
        )

    invitation = SurveyInvitation.objects.get()
    assert (invitation.send_failure, invitation.sent_at) == (failure, None)
    assert invitation.withdrawn_at is not None
    assert (created.invitation.send_failure, created.invitation.withdrawn_at) == (
        failure,
        invitation.withdrawn_at,
    )
    [entry] = AuditEvent.objects.filter(action=AuditAction.WITHDRAWN)
    assert (entry.actor_id, entry.customer_id) == (None, customer.pk)
    assert entry.changes["send_failure"] == ["", failure]
    assert "zoe@example.nl" not in caplog.text
    assert f"Survey invitation {invitation.pk} not emailed ({failure})" in caplog.text
    # It counts for nothing: the customer can be invited again at once.
    with django_capture_on_commit_callbacks(execute=True):
        survey_invitation_create(
            business=business, customer=customer, channel=InvitationChannel.COUNTER
        )
    assert SurveyInvitation.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("mail_server", "said"),
    [
        (
            "refusing_relay",
            "De uitnodiging kon niet worden gemaild: de mailserver weigerde zoe@example.nl."
            " Controleer het adres bij de gegevens van de klant.",
        ),
        (
            "no_relay",
            "De uitnodiging kon niet worden gemaild: de mailserver was niet bereikbaar."
            " Er is niets verstuurd; probeer het later nog eens.",
        ),
    ],
)
def test_inviting_by_email_says_when_the_mail_server_did_not_take_it(
    request, owner_client, business, mail_server, said
):
    request.getfixturevalue(mail_server)
    customer = _may_be_emailed(business)

    response = owner_client.post(
        f"/customers/{customer.pk}/survey-invitations/", {"channel": "email"}, follow=True
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert said in page
    assert "Enquête-uitnodiging verstuurd" not in page
    assert SurveyInvitation.objects.get().send_failure != ""


@pytest.mark.parametrize(
    ("mail_server", "shown", "ask_again"),
    [
        ("refusing_relay", "e-mail niet verstuurd: de mailserver weigerde het adres", False),
        ("no_relay", "e-mail niet verstuurd: de mailserver was niet bereikbaar", True),
    ],
)
def test_the_invitations_and_the_profile_say_why_an_email_was_not_sent(
    request,
    owner_client,
    business,
    django_capture_on_commit_callbacks,
    mail_server,
    shown,
    ask_again,
):
    request.getfixturevalue(mail_server)
    customer = _may_be_emailed(business)
    with django_capture_on_commit_callbacks(execute=True):
        survey_invitation_create(
            business=business, customer=customer, channel=InvitationChannel.EMAIL
        )

    standing = owner_client.get("/surveys/invitations/").content.decode()
    listed = owner_client.get("/surveys/invitations/?state=withdrawn").content.decode()
    profile = owner_client.get(f"/customers/{customer.pk}/").content.decode()

    assert (
        '<a href="?state=withdrawn" data-testid="invitations-withdrawn">Nog 1 is ingetrokken'
        in standing
    )
    assert f'<span data-testid="invitation-send-failure">{shown}</span>' in listed
    assert ": de e-mail kon niet worden verstuurd" in listed
    # A refused address would be refused again: mend it first. An unreachable server: try again.
    assert ('data-testid="invitation-ask-again"' in listed) is ask_again
    assert f'(<span data-testid="survey-send-failure">{shown}</span>)</p>' in profile


def test_the_api_shows_why_an_invitation_was_not_emailed(
    refusing_relay, api, business, django_capture_on_commit_callbacks
):
    customer = _may_be_emailed(business)

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/survey-invitations",
            {"customer": customer.pk, "channel": "email"},
            content_type="application/json",
        )
    shown = api.get(f"/api/v1/survey-invitations/{created.json()['id']}").json()

    assert created.status_code == 201
    assert (shown["send_failure"], shown["sent_at"]) == ("refused", None)
    assert shown["withdrawn_at"] is not None


def test_the_digest_goes_to_every_address_the_relay_takes_and_fails_for_the_rest(
    refusing_relay, business, owner
):
    """One refused address stopped the loop: owners after it got nothing, and cron saw only a
    traceback."""
    owner.email = "onbekend@example.nl"
    owner.save()
    second = user_create(username="piet", password="pw-piet-123", email="piet@example.nl")
    membership_create(business=business, user=second, role="owner")
    FollowUpFactory(customer=CustomerFactory(business=business), due_on=business.today())
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("digest", stdout=out, language="en")

    assert [message["To"] for message in refusing_relay.received] == ["piet@example.nl"]
    assert out.getvalue() == (
        "Sent 1 digest; 0 owners without an email address."
        " 0 businesses with nothing to do today, so no email.\n"
    )
    assert str(failed.value) == (
        "1 message could not be sent: the mail server refused it or could not be reached"
        " (see the log)."
    )


@pytest.mark.django_db(transaction=True)
def test_done_on_a_delivery_at_the_counter_works_while_the_mail_server_is_down(
    no_relay, staff_client, business
):
    """The invitation a kept delivery sends goes after the commit of the "Done": its failure
    answered the staff member with a server error although the promise was kept."""
    now = timezone.now()
    promise = PromiseFactory(
        customer=_may_be_emailed(business),
        kind=PromiseKind.DELIVERY,
        made_at=now - timedelta(days=1),
        due_at=now + timedelta(hours=1),
    )

    response = staff_client.post(reverse("web:promise_keep", args=[promise.pk]))

    promise.refresh_from_db()
    invitation = SurveyInvitation.objects.get()
    assert response.status_code == 302
    assert promise.done_at is not None
    assert (invitation.trigger, invitation.send_failure) == ("delivery", "unreachable")
