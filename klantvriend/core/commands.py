"""The base of the management commands a shopkeeper or their administrator runs (README,
docs/deploy.md): they speak the language of the installation, Dutch unless LANGUAGE_CODE says
otherwise, and another when asked with --language.

Django runs a command in the language active when it is called (since Django 2.1 it no longer
switches translations off for commands, only for a handle() marked @no_translations): from
manage.py that is LANGUAGE_CODE, as nothing else is active; from call_command, the caller's.
--language overrides it for the whole run, so that what the command prints, its refusals and
its prompts are in one language. What a command stores for the shop (a demo's follow-up
questions, an anonymised customer's name) is written in the business's own language by the
services, whatever the command speaks (core.language.shop_language)."""

import argparse
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, DjangoHelpFormatter
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

# The options Django gives every command, and argparse's own -h, in the command's language:
# their help is English text of Django's (and argparse's), which no catalogue of theirs holds
# in Dutch. By the option's name (`dest`), so that an option Django adds later keeps its own
# English words rather than another option's.
_COMMON_OPTIONS = {
    "help": gettext_lazy("show this help and stop"),
    "version": gettext_lazy("show the version of Django and stop"),
    "verbosity": gettext_lazy(
        "how much the command says: 0 the least, 1 as usual, 2 and 3 more (default: 1)"
    ),
    "settings": gettext_lazy(
        "the Python path of a settings module, such as config.settings.production; "
        "otherwise DJANGO_SETTINGS_MODULE"
    ),
    "pythonpath": gettext_lazy("a folder to add to the Python path"),
    "traceback": gettext_lazy("show the whole stack trace when the command stops on an error"),
    "no_color": gettext_lazy("write without colours"),
    "force_color": gettext_lazy("write in colour, also where the output is no terminal"),
    "skip_checks": gettext_lazy("do not run Django's system checks first"),
}


# What argparse says when it refuses a command line, for the catalogue: it asks for these words
# through the names `_` and `ngettext` of its own module at the moment it refuses
# (_argparse_speaking).
ARGPARSE_REFUSALS = (
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("expected one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
)


@contextmanager
def _argparse_speaking() -> Iterator[None]:
    """argparse's refusals in the active language while a command line is read, and argparse
    as it was afterwards (other code in the process keeps its own words)."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class _HelpFormatter(DjangoHelpFormatter):
    """Django's, with argparse's "usage: " in the command's language."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


class ShopCommand(BaseCommand):
    # The words of the --language option; a command whose language means more says so.
    language_help = gettext_lazy(
        "the language the command writes in: %(codes)s (default: %(default)s)"
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # A command's help is translatable text (gettext_lazy), which argparse cannot take:
        # as text in the language active when the options are read.
        self.help = str(self.help)
        kwargs.setdefault("formatter_class", _HelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        for action in parser._actions:
            if action.dest in _COMMON_OPTIONS:
                action.help = str(_COMMON_OPTIONS[action.dest])
        # argparse's own headings (argparse names them in English when the parser is made).
        parser._positionals.title = _("arguments")
        parser._optionals.title = _("options")
        codes = _language_codes()
        parser.add_argument(
            "--language",
            metavar="{" + ",".join(codes) + "}",
            default=None,
            help=self.language_help
            % {"codes": ", ".join(codes), "default": settings.LANGUAGE_CODE},
        )
        return parser

    def run_from_argv(self, argv):
        # From the command line only: call_command reads no command line of a person's. The
        # command line is read in the language it asks for: `--language en --help` printed
        # the help in Dutch, as argparse prints it while reading, before execute() switches.
        asked = _language_asked(argv)
        with translation.override(asked) if asked else nullcontext(), _argparse_speaking():
            return super().run_from_argv(argv)

    def execute(self, *args, **options):
        language = options.get("language")
        if not language:
            return super().execute(*args, **options)
        if language not in _language_codes():
            # Checked here rather than by argparse, whose refusal is always English.
            raise CommandError(
                _("Klantvriend does not speak “%(language)s”: choose %(codes)s.")
                % {"language": language, "codes": ", ".join(_language_codes())}
            )
        with translation.override(language):
            return super().execute(*args, **options)


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _language_asked(argv: list[str]) -> str | None:
    """The language a command line asks for with --language, when Klantvriend speaks it (one
    it does not speak is refused in execute(), in the language active before); None when it asks
    for none of them."""
    for position, word in enumerate(argv):
        if word == "--language" and position + 1 < len(argv):
            asked = argv[position + 1]
        elif word.startswith("--language="):
            asked = word.removeprefix("--language=")
        else:
            continue
        return asked if asked in _language_codes() else None
    return None
