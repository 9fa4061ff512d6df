"""Names a person logs in with and goes by. At a butcher "Sanne" could not log in as "sanne" (a
phone writes the first letter as a capital by itself), and the owner Sanne and a new assistant
Sanne could not be told apart in who served, who calls and Today. Now a login name is one
whatever its capitals, and two members of one business do not go by one name."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from klantvriend.core.accounts import account_update
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import LoginFailure, Membership
from klantvriend.core.services import user_create

pytestmark = pytest.mark.django_db

User = get_user_model()


def _log_in(username: str, password: str):
    client = Client()
    response = client.post(reverse("web:login"), {"username": username, "password": password})
    return client, response


@pytest.mark.parametrize("typed", ["Sanne", " SANNE ", "sanne"])
def test_a_login_name_is_one_whatever_its_capitals(owner, business, typed):
    client, response = _log_in(typed, "pw-sanne-123")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert not LoginFailure.objects.exists()


def test_a_wrong_password_under_other_capitals_counts_for_the_same_name(owner, business):
    _client, response = _log_in("Sanne", "verkeerd")

    assert response.status_code == 200
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["sanne"]


def test_a_new_login_in_other_capitals_of_a_taken_one_is_refused(owner):
    with pytest.raises(ValidationError) as refused:
        user_create(username="SANNE", password="een-lang-wachtwoord-42")

    assert refused.value.message_dict == {
        "username": ["Er bestaat al een gebruiker met deze gebruikersnaam."]
    }
    assert list(User.objects.values_list("username", flat=True)) == ["sanne"]


def test_a_member_added_by_a_login_name_of_someone_elsewhere_in_other_capitals_is_refused(
    owner_client, business, other_owner
):
    response = owner_client.post(
        "/members/",
        {
            "action": "add_member",
            "username": "OTHER",
            "first_name": "Otto",
            "password": "een-lang-wachtwoord-42",
            "role": "staff",
        },
    )

    assert response.status_code == 422
    assert (
        "Deze gebruikersnaam is al in gebruik door iemand buiten jouw zaken. Kies een andere "
        "gebruikersnaam voor een nieuwe persoon."
    ) in response.content.decode()
    assert User.objects.filter(username__iexact="other").count() == 1
    assert not Membership.objects.filter(business=business, user=other_owner).exists()


def _add_assistant(client, first_name: str):
    return client.post(
        "/members/",
        {
            "action": "add_member",
            "username": "sanne2",
            "first_name": first_name,
            "password": "een-lang-wachtwoord-42",
            "role": "staff",
        },
    )


def test_a_new_member_who_would_go_by_a_colleagues_name_is_asked_for_more(owner_client, business):
    response = _add_assistant(owner_client, "sanne")

    assert response.status_code == 422
    assert (
        "Bij Slagerij Test heet al iemand “sanne”. Voeg een achternaam of voorletter toe, "
        "zoals “sanne B.”, zodat iedereen de twee uit elkaar houdt."
    ) in response.content.decode()
    assert not User.objects.filter(username="sanne2").exists()

    assert _add_assistant(owner_client, "Sanne B.").status_code == 302
    assert Membership.objects.filter(business=business, user__first_name="Sanne B.").exists()


def test_a_member_renaming_themselves_to_a_colleagues_name_is_refused(business, staff_user):
    with pytest.raises(ValidationError) as refused:
        account_update(user=staff_user, first_name="Sanne", last_name="", email="j@example.nl")

    assert list(refused.value.message_dict) == ["last_name"]
    staff_user.refresh_from_db()
    assert (staff_user.first_name, staff_user.email) == ("Joris", "")

    account_update(user=staff_user, first_name="Sanne", last_name="de Wit", email="j@example.nl")
    staff_user.refresh_from_db()
    assert (staff_user.get_full_name(), staff_user.email) == ("Sanne de Wit", "j@example.nl")


def test_two_named_alike_from_before_still_save_their_email(business, staff_user):
    User.objects.filter(pk=staff_user.pk).update(first_name="Sanne")
    staff_user.refresh_from_db()

    account_update(user=staff_user, first_name="Sanne", last_name="", email="s@example.nl")

    staff_user.refresh_from_db()
    assert staff_user.email == "s@example.nl"


def test_a_refused_member_opens_at_the_form_and_one_added_at_the_pages_message(owner_client):
    """On a phone the refusal of a second Sanne lay below the page's top, where nothing had
    changed, and the owner thought the button did nothing."""
    refused = _add_assistant(owner_client, "Sanne")
    added = _add_assistant(owner_client, "Sanne B.")

    assert 'action="/members/#member-add-heading"' in refused.content.decode()
    assert added["Location"] == "/members/#content"
