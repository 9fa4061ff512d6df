"""A member's own account, an owner's new password for a member, and "forgot your password?"
by e-mail: each changes only what it should, and refuses with a message and nothing changed."""

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from klantvriend.core import accounts
from klantvriend.core.audit import AuditAction
from klantvriend.core.models import AuditEvent, LoginFailure, PasswordResetRequest, Role
from klantvriend.core.services import membership_create, user_create

User = get_user_model()


def page(response) -> str:
    return html.unescape(response.content.decode())


def logs_in(username: str, password: str) -> bool:
    return Client().login(username=username, password=password)


# --- your account -------------------------------------------------------------------------


def test_the_user_menu_and_the_login_page_lead_to_the_account_and_the_reset(owner_client):
    today = page(owner_client.get("/"))
    login = page(Client().get("/login/"))

    assert '<a href="/account/">Je account</a>' in today
    assert '<a href="/password/forgotten/">Wachtwoord vergeten?</a>' in login


def test_a_member_saves_their_name_and_email_address(staff_client, staff_user):
    response = staff_client.post(
        "/account/",
        {
            "action": "details",
            "first_name": " Joris ",
            "last_name": "de Vries",
            "email": "joris@slagerij.nl",
        },
        follow=True,
    )

    staff_user.refresh_from_db()
    assert (staff_user.first_name, staff_user.last_name, staff_user.email) == (
        "Joris",
        "de Vries",
        "joris@slagerij.nl",
    )
    assert "Je gegevens zijn opgeslagen." in page(response)
    assert "Joris de Vries" in page(response)  # the user menu goes by the new name at once


def test_the_account_page_opens_at_its_top_with_the_saved_message_in_view(staff_client):
    """Django's password form puts the cursor in the current password: a phone then scrolls
    the page past the notice that the name or language was saved, and opens its keyboard."""
    response = staff_client.post("/account/", {"action": "language", "language": "en"}, follow=True)

    assert "Klantvriend speaks this language to you from now on." in page(response)
    assert "autofocus" not in page(response)


@pytest.mark.parametrize(
    ("language", "label", "off", "on"),
    [
        (
            "nl",
            "Mail mij elke ochtend de lijst van Vandaag",
            "Je krijgt geen ochtendmail meer.",
            "Je krijgt elke ochtend de lijst van Vandaag per e-mail.",
        ),
        (
            "en",
            "Email me the Today list each morning",
            "You get no morning email any more.",
            "You get the Today list by email each morning.",
        ),
    ],
)
def test_an_owner_turns_the_morning_email_off_and_on_again(
    owner_client, owner, membership, language, label, off, on
):
    accounts.account_language_set(user=owner, language=language)

    shown = page(owner_client.get("/account/"))
    turned_off = owner_client.post("/account/", {"action": "morning_email"}, follow=True)
    membership.refresh_from_db()
    was_off = membership.morning_email
    turned_on = owner_client.post(
        "/account/", {"action": "morning_email", "morning_email": "on"}, follow=True
    )
    membership.refresh_from_db()

    assert label in shown
    assert re.search(r'<input type="checkbox" name="morning_email"[^>]* checked>', shown)
    assert 'data-testid="morning-email-no-address"' in shown  # the owner has no address yet
    assert (was_off, off in page(turned_off)) == (False, True)
    assert (membership.morning_email, on in page(turned_on)) == (True, True)


def test_an_owner_chooses_the_email_on_a_low_score_beside_the_morning_email(
    owner_client, membership
):
    shown = page(owner_client.get("/account/"))

    assert re.search(r'<input type="checkbox" name="low_score_email"[^>]* checked>', shown)
    assert "Mail me als een klant een laag cijfer geeft" in shown
    shown_with = {"action": "morning_email", "low_score_email_shown": "1"}
    owner_client.post("/account/", {**shown_with, "morning_email": "on"})
    membership.refresh_from_db()
    assert (membership.morning_email, membership.low_score_email) == (True, False)
    owner_client.post("/account/", {**shown_with, "low_score_email": "on"})
    membership.refresh_from_db()
    assert (membership.morning_email, membership.low_score_email) == (False, True)
    # A page opened before the box was offered sends none of it, and leaves it as it is.
    owner_client.post("/account/", {"action": "morning_email", "morning_email": "on"})
    membership.refresh_from_db()
    assert (membership.morning_email, membership.low_score_email) == (True, True)


def test_staff_get_no_morning_email_and_cannot_switch_one_on(staff_client, staff_user, business):
    staff_membership = business.memberships.get(user=staff_user)
    staff_membership.morning_email = False
    staff_membership.save(update_fields=["morning_email"])

    shown = page(staff_client.get("/account/"))
    posted = staff_client.post("/account/", {"action": "morning_email", "morning_email": "on"})

    assert 'data-testid="account-morning-email"' not in shown
    assert posted.status_code == 200
    staff_membership.refresh_from_db()
    assert staff_membership.morning_email is False


def test_a_mistyped_email_address_is_refused_and_nothing_is_saved(staff_client, staff_user):
    response = staff_client.post(
        "/account/",
        {"action": "details", "first_name": "Jorrit", "last_name": "", "email": "joris@"},
    )

    assert response.status_code == 422
    assert "Vul een e-mailadres in zoals naam@voorbeeld.nl." in page(response)
    staff_user.refresh_from_db()
    assert (staff_user.first_name, staff_user.email) == ("Joris", "")


def test_a_member_changes_their_password_and_other_devices_must_log_in_again(
    staff_client, staff_user
):
    other_device = Client()
    other_device.force_login(staff_user)

    response = staff_client.post(
        "/account/",
        {
            "action": "password",
            "old_password": "pw-joris-123",
            "new_password1": "worst-en-kaas-77",
            "new_password2": "worst-en-kaas-77",
        },
        follow=True,
    )

    assert "Je wachtwoord is gewijzigd. Op andere apparaten moet je opnieuw inloggen." in page(
        response
    )
    assert staff_client.get("/").status_code == 200  # this session stays
    assert other_device.get("/").status_code == 302  # the other one goes to the login page
    assert logs_in("joris", "worst-en-kaas-77")
    assert not logs_in("joris", "pw-joris-123")


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        (
            "fout-wachtwoord",
            "worst-en-kaas-77",
            "worst-en-kaas-77",
            "Je huidige wachtwoord klopt niet: typ het opnieuw.",
        ),
        (
            "pw-joris-123",
            "worst-en-kaas-77",
            "worst-en-kaas-78",
            "De twee nieuwe wachtwoorden verschillen: typ twee keer hetzelfde.",
        ),
        ("pw-joris-123", "kort", "kort", "Dit wachtwoord is te kort"),
    ],
    ids=["wrong old password", "two different", "too short"],
)
def test_a_refused_password_change_changes_nothing(
    staff_client, staff_user, old, new1, new2, message
):
    response = staff_client.post(
        "/account/",
        {"action": "password", "old_password": old, "new_password1": new1, "new_password2": new2},
    )

    assert response.status_code == 422
    assert message in page(response)
    assert logs_in("joris", "pw-joris-123")


# --- an owner's new password for a member ------------------------------------------------


def test_an_owner_gives_a_member_a_new_password(owner_client, owner, business, staff_user):
    membership = business.memberships.get(user=staff_user)
    locked_out = Client()
    for _attempt in range(5):
        locked_out.post("/login/", {"username": "joris", "password": "vergeten"})
    device = Client()
    device.force_login(staff_user)

    response = owner_client.post(
        f"/members/{membership.pk}/password/", {"password": "nieuw-voor-joris-1"}, follow=True
    )

    assert "Joris kan inloggen met het nieuwe wachtwoord; vertel het persoonlijk." in page(response)
    assert logs_in("joris", "nieuw-voor-joris-1")  # also no longer locked out
    assert LoginFailure.objects.filter(username="joris").count() == 0
    assert device.get("/").status_code == 302
    event = AuditEvent.objects.get(object_type="membership", action=AuditAction.CHANGED)
    assert (event.actor, event.business, event.changes) == (
        owner,
        business,
        {"user": "joris", "user_id": staff_user.pk, "password": "new"},
    )


def test_the_members_page_offers_a_new_password_for_others_only(
    owner_client, business, owner, staff_user
):
    members = page(owner_client.get("/members/"))

    staff_membership = business.memberships.get(user=staff_user)
    own_membership = business.memberships.get(user=owner)
    assert f'href="/members/{staff_membership.pk}/password/"' in members
    assert f'href="/members/{own_membership.pk}/password/"' not in members


def test_an_owner_cannot_set_the_password_of_someone_who_also_works_elsewhere(
    owner_client, business, other_business
):
    # Given a member who also works at a garage the owner has nothing to do with.
    shared = user_create(username="pieter", password="pw-pieter-123", first_name="Pieter")
    membership = membership_create(business=business, user=shared, role=Role.STAFF)
    membership_create(business=other_business, user=shared, role=Role.OWNER)

    response = owner_client.post(
        f"/members/{membership.pk}/password/", {"password": "overname-poging-1"}
    )

    assert response.status_code == 422
    assert "werkt ook voor een zaak die niet van jou is" in page(response)
    assert logs_in("pieter", "pw-pieter-123")
    assert not AuditEvent.objects.filter(object_type="membership", action="changed").exists()


def test_an_owner_may_set_the_password_of_someone_in_another_of_their_own_shops(
    owner, owner_client, business
):
    from klantvriend.core.services import business_create

    second_shop = business_create(name="Slagerij Test Centrum", owner=owner)
    shared = user_create(username="pieter", password="pw-pieter-123")
    membership = membership_create(business=business, user=shared, role=Role.STAFF)
    membership_create(business=second_shop, user=shared, role=Role.STAFF)

    response = owner_client.post(
        f"/members/{membership.pk}/password/", {"password": "tweede-zaak-42"}
    )

    assert response.status_code == 302
    assert logs_in("pieter", "tweede-zaak-42")


def test_an_owner_cannot_set_their_own_password_there_nor_a_too_short_one(
    owner_client, owner, business, staff_user
):
    own = business.memberships.get(user=owner)
    staff = business.memberships.get(user=staff_user)

    own_response = owner_client.post(f"/members/{own.pk}/password/", {"password": "eigen-nieuw-1"})
    short_response = owner_client.post(f"/members/{staff.pk}/password/", {"password": "kort"})

    assert own_response.status_code == 422
    assert "Wijzig je eigen wachtwoord op je accountpagina." in page(own_response)
    assert short_response.status_code == 422
    assert "Dit wachtwoord is te kort" in page(short_response)
    assert logs_in("sanne", "pw-sanne-123")
    assert logs_in("joris", "pw-joris-123")


# --- forgot your password? ---------------------------------------------------------------


def _reset_link(message) -> str:
    return re.search(r"https://klanten\.example(/password/new/\S+/)", message.body).group(1)


def test_a_forgotten_password_is_reset_by_a_link_sent_by_email(staff_user, mailoutbox):
    staff_user.email = "joris@slagerij.nl"
    staff_user.save()
    for _attempt in range(5):
        Client().post("/login/", {"username": "joris", "password": "vergeten"})
    visitor = Client()

    sent = visitor.post("/password/forgotten/", {"email": "Joris@Slagerij.nl"}, follow=True)
    [message] = mailoutbox
    link = _reset_link(message)
    form = visitor.get(link, follow=True)
    saved = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": "terug-binnen-55", "new_password2": "terug-binnen-55"},
        follow=True,
    )
    used_again = visitor.get(link)

    assert "Kijk in je e-mail" in page(sent)
    assert message.to == ["joris@slagerij.nl"]
    assert message.subject == "Een nieuw wachtwoord voor Klantvriend"
    assert "Hallo Joris," in message.body
    assert "Kies een nieuw wachtwoord" in page(form)
    assert "Je nieuwe wachtwoord is opgeslagen" in page(saved)
    assert logs_in("joris", "terug-binnen-55")  # the lock-out by wrong guesses is lifted too
    assert "Deze link werkt niet meer" in page(used_again)


def test_an_unknown_address_gets_the_same_answer_and_no_email(db, mailoutbox):
    response = Client().post("/password/forgotten/", {"email": "niemand@example.nl"}, follow=True)

    assert "Kijk in je e-mail" in page(response)
    assert mailoutbox == []


def test_reset_emails_to_one_address_are_limited(staff_user, mailoutbox):
    staff_user.email = "joris@slagerij.nl"
    staff_user.save()

    for _request in range(accounts.MAX_RESETS_PER_EMAIL + 2):
        response = Client().post("/password/forgotten/", {"email": "joris@slagerij.nl"})
        assert response.status_code == 302

    assert len(mailoutbox) == accounts.MAX_RESETS_PER_EMAIL
    # The address typed is kept only as a digest.
    assert not PasswordResetRequest.objects.filter(email_digest__contains="joris").exists()
    assert PasswordResetRequest.objects.count() == accounts.MAX_RESETS_PER_EMAIL + 2


def test_reset_requests_from_one_visitor_are_limited(db, staff_user, mailoutbox):
    staff_user.email = "joris@slagerij.nl"
    staff_user.save()
    visitor = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(accounts.MAX_RESETS_PER_ADDRESS):
        visitor.post("/password/forgotten/", {"email": f"iemand{number}@example.nl"})

    visitor.post("/password/forgotten/", {"email": "joris@slagerij.nl"})
    Client(REMOTE_ADDR="198.51.100.4").post("/password/forgotten/", {"email": "joris@slagerij.nl"})

    assert len(mailoutbox) == 1  # only the request from another visitor


@pytest.mark.parametrize(
    ("own", "shop", "subject"),
    [
        ("en", "nl", "A new password for Klantvriend"),
        ("", "en", "A new password for Klantvriend"),
        ("nl", "en", "Een nieuw wachtwoord voor Klantvriend"),
    ],
)
def test_the_reset_email_is_in_the_language_the_member_reads(
    staff_user, business, mailoutbox, own, shop, subject
):
    staff_user.email = "joris@slagerij.nl"
    staff_user.save()
    accounts.account_language_set(user=staff_user, language=own)
    business.language = shop
    business.save()

    # Asked for on the Dutch log-in page of the shop's tablet.
    Client().post("/password/forgotten/", {"email": "joris@slagerij.nl"})

    [message] = mailoutbox
    assert message.subject == subject


# --- a member invited by e-mail ---------------------------------------------------------------


def _add_member(client, **fields):
    return client.post(
        "/members/", {"action": "add_member", "role": "staff", **fields}, follow=True
    )


def test_a_member_added_with_an_email_address_chooses_their_own_password(
    owner_client, business, mailoutbox
):
    """An owner made up a password for a stylist and passed it on; without an address on her
    login, the stylist could not ask for a new one when she forgot it."""
    added = _add_member(
        owner_client, username="fleur", first_name="Fleur", email=" fleur@kapsalon.nl "
    )

    # Not "can now log in": only once the password is chosen.
    assert (
        "Fleur is toegevoegd als medewerker. Er is een link om een wachtwoord te kiezen "
        "gestuurd naar fleur@kapsalon.nl; daarna kan Fleur inloggen."
    ) in page(added)
    fleur = User.objects.get(username="fleur")
    assert (fleur.email, fleur.has_usable_password()) == ("fleur@kapsalon.nl", False)
    assert business.memberships.filter(user=fleur, role=Role.STAFF).exists()
    [message] = mailoutbox
    assert message.to == ["fleur@kapsalon.nl"]
    assert message.subject == "Je kunt nu inloggen bij Slagerij Test in Klantvriend"
    assert message.body.startswith(
        "Hallo Fleur,\n\nSanne heeft je toegevoegd aan Slagerij Test in Klantvriend, waar je "
        "klanten opzoekt en vastlegt wat je voor ze doet. Je gebruikersnaam is “fleur”."
    )
    visitor = Client()
    form = visitor.get(_reset_link(message), follow=True)
    saved = visitor.post(
        form.redirect_chain[-1][0],
        {"new_password1": "eigen-keuze-77", "new_password2": "eigen-keuze-77"},
        follow=True,
    )
    assert "Je nieuwe wachtwoord is opgeslagen" in page(saved)
    assert logs_in("fleur", "eigen-keuze-77")


def test_a_new_member_needs_a_password_or_an_address_and_nothing_is_made_without(
    owner_client, business, mailoutbox
):
    users = User.objects.count()

    without = _add_member(owner_client, username="fleur")
    wrong = _add_member(owner_client, username="fleur", email="fleur@@kapsalon")

    assert without.status_code == 422
    assert (
        "Een nieuwe persoon heeft een wachtwoord nodig, of een e-mailadres om er zelf een te "
        "kiezen." in page(without)
    )
    assert wrong.status_code == 422
    assert "Voer een geldig e-mailadres in." in page(wrong)
    assert User.objects.count() == users
    assert mailoutbox == []


def test_an_invitation_the_mail_server_refused_says_to_give_a_password(
    owner_client, business, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)

    added = _add_member(owner_client, username="fleur", first_name="Fleur", email="f@kapsalon.nl")

    assert (
        "Fleur is toegevoegd als medewerker, maar de e-mail aan f@kapsalon.nl kon niet worden "
        "verstuurd: geef een wachtwoord met “Nieuw wachtwoord…”."
    ) in page(added)
    assert business.memberships.filter(user__username="fleur").exists()
