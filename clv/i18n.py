"""The words of ``klantvriend analyse`` and its report, in Dutch or English.

The engine imports no Django (STYLE.md rule 4), so its words go through the standard library's
gettext: marked ``_()`` and ``ngettext()`` as in the web app, extracted into
``clv/locale/nl/LC_MESSAGES/django.po`` by the same ``makemessages`` (make messages; the test
command refuses a word without its Dutch), compiled by scripts/compile-messages.sh. Nothing is
translated until ``activate`` is called: the web app, which says these things in its own words,
never calls it, and a missing catalogue leaves the English.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("nl", "en")
# Dutch first, as the web app: a shell that names no language of ours (LANG=C) gets Dutch.
DEFAULT_LANGUAGE = "nl"
_LOCALE = Path(__file__).resolve().parent / "locale"

_active: gettext.NullTranslations = gettext.NullTranslations()
# The language numbers are written in: English until a language is activated.
_language = "en"


def language_from_environment(environ: Mapping[str, str] = os.environ) -> str:
    """The language the shell asks for, in POSIX's order of precedence (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG), the first of ours named; else Dutch."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for choice in environ.get(name, "").split(":"):
            code = choice[:2].lower()
            if code in LANGUAGES and (len(choice) == 2 or not choice[2:3].isalpha()):
                return code
    return DEFAULT_LANGUAGE


def activate(language: str) -> None:
    """Say everything from now on in `language` (one of LANGUAGES)."""
    global _active, _language
    _active = gettext.translation("django", localedir=_LOCALE, languages=[language], fallback=True)
    _language = language


def deactivate() -> None:
    """Back to English, as before any activate()."""
    global _active, _language
    _active, _language = gettext.NullTranslations(), "en"


def active_language() -> str:
    return _language


def _(message: str) -> str:
    return _active.gettext(message)


def gettext_noop(message: str) -> str:
    """Marks a word said elsewhere (argparse's own, clv/cli.py) for the catalogue."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    return _active.ngettext(singular, plural, count)


def number(value: float, decimals: int = 0) -> str:
    """`value` with its thousands grouped, as the active language writes it: 1,234.56 in
    English, 1.234,56 in Dutch (where 1,234 would read as a bit more than one)."""
    text = f"{value:,.{decimals}f}"
    return text.translate(_DUTCH_MARKS) if _language == "nl" else text


def percent(share: float, decimals: int = 0) -> str:
    """A share as a percentage: 45.3% in English, 45,3% in Dutch."""
    text = f"{share:.{decimals}%}"
    return text.translate(_DUTCH_MARKS) if _language == "nl" else text


_DUTCH_MARKS = str.maketrans(",.", ".,")
