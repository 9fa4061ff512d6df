"""The English texts are the message ids of the Dutch catalogue: checked here as a whole, so
that a spelling is the same on every page."""

import ast
import re
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "nl" / "LC_MESSAGES" / "django.po"


def english_texts() -> list[str]:
    """Every msgid and msgid_plural, with its continuation lines joined."""
    return catalogue_texts(r"msgid|msgid_plural")


def dutch_texts() -> list[str]:
    """Every msgstr (of a plural, each form), with its continuation lines joined."""
    return catalogue_texts(r"msgstr(?:\[\d\])?")


def catalogue_texts(keys: str) -> list[str]:
    texts, current = [], None
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        start = re.match(rf'({keys}) (".*")$', line)
        if start:
            current = [ast.literal_eval(start.group(2))]
            texts.append(current)
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
        else:
            current = None
    return ["".join(parts) for parts in texts if "".join(parts)]


def test_the_catalogue_is_read_whole():
    texts = english_texts()

    assert "Customers" in texts
    assert "Only the latest %(counter)s entries are shown." in texts  # a plural, on two lines
    assert len(texts) > 1000


def test_english_spells_email_one_way():
    # "Email" on the customer form, "e-mail" in the survey invitation beside it read as two
    # different things.
    assert [text for text in english_texts() if re.search(r"\be-mail", text, re.I)] == []
