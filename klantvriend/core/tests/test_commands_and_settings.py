import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command, load_command_class
from django.test import Client
from django.utils import translation

from klantvriend.core.models import ApiToken, Business, Role
from klantvriend.core.services import membership_create
from klantvriend.customers.models import Customer

ROOT = Path(__file__).resolve().parents[3]


def test_apitoken_prints_a_working_token_and_stores_only_its_hash(membership):
    out = StringIO()
    call_command("apitoken", "sanne", stdout=out)
    key = out.getvalue().strip()

    token = ApiToken.objects.get()
    assert key.startswith("kv_")
    assert key not in token.key_hash
    response = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/customers")
    assert response.status_code == 200


def test_apitoken_refuses_a_name_longer_than_a_token_holds_and_stores_nothing(membership):
    """The token page refused it; the command stored it on SQLite and failed with
    PostgreSQL's error."""
    with pytest.raises(CommandError) as refused:
        call_command("apitoken", "sanne", "--name", "x" * 101, stdout=StringIO())

    assert str(refused.value) == "Gebruik hoogstens 100 tekens."

    assert not ApiToken.objects.exists()


def test_apitoken_needs_a_business_when_the_user_has_several(owner, business, other_business):
    membership_create(business=other_business, user=owner)

    with pytest.raises(CommandError, match="hoort bij meerdere bedrijven"):
        call_command("apitoken", "sanne")
    call_command("apitoken", "sanne", "--business", other_business.slug, stdout=StringIO())

    assert ApiToken.objects.get().membership.business == other_business


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody"], "Er is geen gebruiker “nobody”."),
        (["sanne", "--business", "elders"], "sanne hoort niet bij een bedrijf “elders”."),
    ],
)
def test_apitoken_refuses_unknown_users_and_businesses(business, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("apitoken", *args)
    assert ApiToken.objects.count() == 0


def _production_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PUBLIC_BASE_URL"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must list"),
        ({"SECRET_KEY": "x" * 60, "DEBUG": "true"}, "DEBUG must not be on"),
        # Survey links built on this machine's own address would not open on a customer's phone.
        ({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "shop.example"}, "PUBLIC_BASE_URL must be"),
        (
            {
                "SECRET_KEY": "x" * 60,
                "ALLOWED_HOSTS": "shop.example",
                "PUBLIC_BASE_URL": "http://localhost:8000",
            },
            "PUBLIC_BASE_URL must be",
        ),
    ],
)
def test_production_settings_refuse_unsafe_values(env, complaint):
    result = _production_settings(**env)

    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_settings_start_with_safe_values():
    result = _production_settings(
        SECRET_KEY="k" * 60, ALLOWED_HOSTS="shop.example", PUBLIC_BASE_URL="https://shop.example"
    )

    assert result.returncode == 0, result.stderr


def test_createbusiness_starts_an_empty_shop_whose_new_owner_can_log_in(db):
    out = StringIO()
    call_command(
        "createbusiness",
        "Fietsen Jansen",
        "--owner=piet",
        "--owner-name=Piet",
        "--password=trapper-zadel-42",
        stdout=out,
    )

    business = Business.objects.get()
    assert (business.name, business.slug, business.time_zone, business.currency) == (
        "Fietsen Jansen",
        "fietsen-jansen",
        "Europe/Amsterdam",
        "EUR",
    )
    membership = business.memberships.get()
    assert (membership.user.username, membership.user.first_name, membership.role) == (
        "piet",
        "Piet",
        Role.OWNER,
    )
    assert Customer.objects.count() == 0
    assert "Fietsen Jansen (fietsen-jansen) aangemaakt met eigenaar piet." in out.getvalue()
    client = Client()
    assert client.login(username="piet", password="trapper-zadel-42")
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "Created Fietsen Jansen (fietsen-jansen) with owner piet. Log in to add customers "
            "and staff, and set the working hours under “Business, targets and aftercare” in the "
            "user menu.",
        ),
        (
            "nl",
            "Fietsen Jansen (fietsen-jansen) aangemaakt met eigenaar piet. Log in om klanten "
            "en medewerkers toe te voegen, en stel de openingstijden in onder “Zaak, "
            "termijnen en nazorg” in het gebruikersmenu.",
        ),
    ],
)
def test_createbusiness_names_the_menu_item_of_the_settings_as_the_owner_will_see_it(
    db, language, said
):
    """It sent the owner to "'Targets and aftercare'", a menu item that does not exist, in
    English while the shop's pages and the command's own refusals speak Dutch."""
    out = StringIO()

    with translation.override(language):
        call_command(
            "createbusiness",
            "Fietsen Jansen",
            "--owner=piet",
            "--email=piet@fietsenjansen.nl",
            "--password=trapper-zadel-42",
            stdout=out,
        )

    assert out.getvalue().strip() == said


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "en",
            "piet has no email address yet: add one under “Your account” to get the daily Today "
            "list and every low survey score by email.",
        ),
        (
            "nl",
            "piet heeft nog geen e-mailadres: vul er een in onder “Je account” om de dagelijkse "
            "Vandaag-lijst en elke lage enquêtescore per e-mail te krijgen.",
        ),
    ],
)
def test_createbusiness_says_an_owner_without_email_misses_the_mails(db, language, said):
    out = StringIO()

    with translation.override(language):
        call_command(
            "createbusiness",
            "Fietsen Jansen",
            "--owner=piet",
            "--password=trapper-zadel-42",
            stdout=out,
        )

    assert out.getvalue().strip().splitlines()[-1] == said


def test_createbusiness_sets_the_language_the_business_writes_in(owner):
    call_command("createbusiness", "Deli Test", "--owner=sanne", stdout=StringIO())
    call_command(
        "createbusiness", "Corner Deli", "--owner=sanne", "--language=en", stdout=StringIO()
    )

    assert dict(Business.objects.values_list("name", "language")) == {
        "Deli Test": "nl",
        "Corner Deli": "en",
    }


def test_createbusiness_makes_an_existing_login_the_owner_of_a_second_business(owner, business):
    call_command("createbusiness", "Traiteur Test", "--owner=sanne", stdout=StringIO())

    second = Business.objects.get(name="Traiteur Test")
    assert second.memberships.get().user == owner
    assert second.memberships.get().role == Role.OWNER
    assert get_user_model().objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--password=trapper-zadel-42", "--time-zone=Europe/Amsterdm"],
            "Onbekende tijdzone: Europe/Amsterdm",
        ),
        # The server's own zone, whatever it is, is no place a shop is in.
        (["--password=trapper-zadel-42", "--time-zone=localtime"], "Onbekende tijdzone: localtime"),
        (
            ["--password=trapper-zadel-42", "--language=fy"],
            "Klantvriend spreekt geen “fy”: kies nl, en.",
        ),
        (["--password=12345678"], "te algemeen"),
        # As the members page refuses them: they were stored on SQLite, and failed with
        # PostgreSQL's error.
        (
            ["--password=trapper-zadel-42", "--owner-name=" + "x" * 151],
            "niet meer dan 150 tekens bevat",
        ),
        (["--password=trapper-zadel-42", "--email=piet@"], "Voer een geldig e-mailadres in."),
    ],
)
def test_createbusiness_refused_creates_neither_login_nor_business(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("createbusiness", "Fietsen Jansen", "--owner=piet", *args, stdout=StringIO())

    assert Business.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_createbusiness_reads_a_new_login_s_password_from_a_pipe(db):
    """`printf 'pw\npw\n' | manage.py createbusiness …` was refused with "geef een --password
    op", which put the password on the command line: in the shell's history and in `ps`."""
    piped = StringIO("trapper zadel 42\nsomething else\n")

    call_command("createbusiness", "Fietsen Jansen", "--owner=piet", stdin=piped, stdout=StringIO())

    assert Business.objects.get().memberships.get().user.username == "piet"
    assert Client().login(username="piet", password="trapper zadel 42")  # one line, spaces kept
    assert piped.read() == "something else\n"


def test_createbusiness_reads_no_password_for_an_existing_login(owner):
    piped = StringIO("trapper zadel 42\n")

    call_command("createbusiness", "Traiteur Test", "--owner=sanne", stdin=piped, stdout=StringIO())

    assert piped.read() == "trapper zadel 42\n"
    assert Business.objects.get(name="Traiteur Test").memberships.get().user == owner


@pytest.mark.parametrize(
    ("piped", "message"),
    [
        # Cron's input, or a script's variable left empty: no login without a password.
        (
            "",
            "piet is een nieuwe login: geef het wachtwoord als één regel op standaardinvoer, "
            "of start deze opdracht in een terminal om ernaar gevraagd te worden.",
        ),
        (
            "\n",
            "piet is een nieuwe login: geef het wachtwoord als één regel op standaardinvoer, "
            "of start deze opdracht in een terminal om ernaar gevraagd te worden.",
        ),
        # The same rules as a password given with --password or typed on a terminal.
        (
            "12345678\n",
            "Dit wachtwoord is te algemeen. Dit wachtwoord bevat alleen cijfers.",
        ),
        ("kort\n", "Dit wachtwoord is te kort: gebruik minstens 8 tekens."),
    ],
)
def test_createbusiness_refuses_a_piped_password_as_any_other(db, piped, message):
    with pytest.raises(CommandError) as refused:
        call_command(
            "createbusiness",
            "Fietsen Jansen",
            "--owner=piet",
            stdin=StringIO(piped),
            stdout=StringIO(),
        )

    assert str(refused.value) == message

    assert Business.objects.count() == 0
    assert get_user_model().objects.count() == 0


def test_a_login_without_a_business_is_told_how_to_create_one(db):
    user = get_user_model().objects.create_user(username="piet", password="trapper-zadel-42")
    client = Client()
    client.force_login(user)

    page = client.get("/").content.decode()

    assert "manage.py createbusiness &quot;Naam van je bedrijf&quot; --owner piet" in page


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "nl",
            "--password PASSWORD het wachtwoord van een nieuwe login, voor scripts die niet "
            "anders kunnen: anderen op deze computer lezen het in de geschiedenis van de shell "
            "en met `ps`. Laat het liever weg: dan wordt erom gevraagd in een terminal, of wordt "
            "het als één regel van standaardinvoer gelezen",
        ),
        (
            "en",
            "--password PASSWORD a new login's password, for scripts that cannot do otherwise: "
            "others on this computer can read it in the shell's history and with `ps`. Better "
            "left out: it is then asked for on a terminal, or read as one line from standard "
            "input",
        ),
    ],
)
def test_createbusiness_help_advises_against_a_password_on_the_command_line(language, said):
    with translation.override(language):
        parser = load_command_class("klantvriend.core", "createbusiness").create_parser(
            "manage.py", "createbusiness"
        )
        text = " ".join(parser.format_help().split())

    assert said in text
