"""The management commands a shopkeeper runs speak Dutch unless told --language en (the
LANGUAGE_CODE setting decides the default), every one of them; what they store for the shop is
in the business's language whichever they speak."""

import argparse
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import translation

from klantvriend.aftercare.models import FollowUp
from klantvriend.core.commands import ShopCommand
from klantvriend.core.models import Business
from klantvriend.customers.models import ContactMoment, Purchase


def test_every_command_of_klantvriend_takes_the_language_option():
    """A command added later speaks like the others: its --language is checked here."""
    ours = {name: app for name, app in get_commands().items() if app.startswith("klantvriend.")}

    assert {
        name
        for name, app in ours.items()
        if not isinstance(load_command_class(app, name), ShopCommand)
    } == set()
    assert {
        "apitoken",
        "apply_retention",
        "backup",
        "createbusiness",
        "demo",
        "digest",
        "export_business",
        "import_data",
        "refresh_insights",
        "restore",
        "restore_business",
    } <= set(ours)


def test_every_command_describes_itself_in_dutch_in_its_help():
    """argparse takes no lazy text: a translatable help made `--help` crash."""
    ours = [name for name, app in get_commands().items() if app.startswith("klantvriend.")]

    helps = {
        name: load_command_class(get_commands()[name], name)
        .create_parser("manage.py", name)
        .format_help()
        for name in ours
    }

    assert "Maak een demobedrijf: een slagerij en traiteur" in helps["demo"]
    assert "de taal waarin de opdracht schrijft: nl, en (standaard: nl)" in " ".join(
        helps["digest"].split()
    )
    assert "de taal waarin het bedrijf zijn eigen teksten schrijft" in " ".join(
        helps["createbusiness"].split()
    )


def test_every_option_of_every_command_is_explained_in_dutch():
    """Django's own options (--verbosity, --settings, …) and argparse's words ("usage:",
    "options") were English in a Dutch help, and some of ours said nothing."""
    ours = [name for name, app in get_commands().items() if app.startswith("klantvriend.")]

    for name in ours:
        parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
        unexplained = [action.dest for action in parser._actions if not action.help]
        text = " ".join(parser.format_help().split())

        assert unexplained == [], name
        assert text.startswith(f"gebruik: manage.py {name} [-h]"), name
        assert "opties: -h, --help toon deze hulp en stop" in text, name
        assert "-v, --verbosity {0,1,2,3} hoeveel de opdracht zegt" in text, name
        for english in ("usage:", "show this help", "Verbosity level", "Show program's"):
            assert english not in text, (name, english)
    backup = load_command_class(get_commands()["backup"], "backup").create_parser(
        "manage.py", "backup"
    )
    assert "argumenten: out het bestand waarin de back-up komt" in " ".join(
        backup.format_help().split()
    )


def test_a_command_line_argparse_refuses_is_said_in_dutch(capsys):
    command = load_command_class(get_commands()["import_data"], "import_data")
    english = argparse._

    with translation.override("nl"), pytest.raises(SystemExit) as stopped:
        command.run_from_argv(["manage.py", "import_data", "klanten", "kassa.csv"])

    assert stopped.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "manage.py import_data: fout: argument kind: ongeldige keuze: 'klanten' (kies uit "
        "'customers', 'purchases')"
    )
    assert argparse._ is english  # argparse as it was for whatever else runs in the process


@pytest.mark.parametrize(
    ("options", "lines"),
    [
        (
            {},
            [
                "Demo (demo) aangemaakt: 30 klanten, {purchases} aankopen, {moments} "
                "contactmomenten.",
                "Log in als demo / demo (eigenaar) of demo-medewerker / demo (medewerker).",
            ],
        ),
        (
            {"language": "en"},
            [
                "Created Demo (demo): 30 customers, {purchases} purchases, {moments} contact "
                "moments.",
                "Log in as demo / demo (owner) or demo-medewerker / demo (staff).",
            ],
        ),
    ],
)
def test_the_demo_speaks_dutch_unless_asked_for_english(db, options, lines):
    """What it stores for the shop (the follow-up questions after a delivery) is in the
    business's language, Dutch, also when the command speaks English."""
    out = StringIO()

    call_command(
        "demo",
        customers=30,
        seed=3,
        today=date(2026, 6, 30),
        business_name="Demo",
        stdout=out,
        **options,
    )

    business = Business.objects.get()
    figures = {
        "purchases": Purchase.objects.filter(business=business).count(),
        "moments": ContactMoment.objects.filter(business=business).count(),
    }
    assert out.getvalue().splitlines() == [line.format(**figures) for line in lines]
    assert business.language == "nl"
    notes = FollowUp.objects.filter(business=business, reason="delivery").values_list(
        "note", flat=True
    )
    assert {text.split(": ")[0] for text in notes} == {"Is alles naar wens na"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Er is geen gebruiker “niemand”."),
        ({"language": "en"}, "No user named “niemand”."),
    ],
)
def test_a_refusal_is_in_the_language_of_the_command(db, options, message):
    with pytest.raises(CommandError) as refused:
        call_command("apitoken", "niemand", stdout=StringIO(), **options)

    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (
            {},
            "0 overzichten verstuurd; 1 eigenaar zonder e-mailadres."
            " 0 zaken zonder iets te doen vandaag, dus geen e-mail.",
        ),
        (
            {"language": "en"},
            "Sent 0 digests; 1 owner without an email address."
            " 0 businesses with nothing to do today, so no email.",
        ),
    ],
)
def test_the_digest_counts_in_the_language_of_the_command(business, options, said):
    out = StringIO()

    call_command("digest", stdout=out, **options)

    assert out.getvalue().strip() == said


def test_an_unknown_language_is_refused_before_anything_runs(business):
    with pytest.raises(CommandError) as refused:
        call_command("digest", "--language", "fr", stdout=StringIO())

    assert str(refused.value) == "Klantvriend spreekt geen “fr”: kies nl, en."


@pytest.mark.parametrize(
    ("arguments", "first_line"),
    [
        (["--language", "en", "--help"], "usage: manage.py createbusiness [-h]"),
        (["--help", "--language=en"], "usage: manage.py createbusiness [-h]"),
        (["--language", "nl", "--help"], "gebruik: manage.py createbusiness [-h]"),
        # A language Klantvriend does not speak leaves the help in the installation's.
        (["--language", "fr", "--help"], "gebruik: manage.py createbusiness [-h]"),
    ],
)
def test_the_help_is_printed_in_the_language_the_command_line_asks_for(
    capsys, arguments, first_line
):
    """Help is printed while the command line is read, before the command switches to its
    language: `createbusiness --language en --help` answered in Dutch."""
    command = load_command_class(get_commands()["createbusiness"], "createbusiness")

    with translation.override("nl"), pytest.raises(SystemExit) as stopped:
        command.run_from_argv(["manage.py", "createbusiness", *arguments])

    help_text = capsys.readouterr().out
    assert stopped.value.code == 0
    assert help_text.startswith(first_line)
    english = "Create an empty business with its owner" in " ".join(help_text.split())
    assert english == first_line.startswith("usage:")
    assert translation.get_language() == "nl"
