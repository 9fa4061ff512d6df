"""A person's strings and cutting them out of text: of an erased person's free texts and the
rows that name them (privacy.py), of the import history's errors (history.py), and of a
purchase's description on import (purchase_import.py). Text alone: no model here, so that each
of them can use it without importing the others."""

import re
from collections.abc import Callable, Iterable
from itertools import groupby

from django.db.models import Q

ERASED_TEXT = "[…]"


def personal_strings(
    *, name: str, others: Iterable[str], earlier_names: Iterable[str] = ()
) -> list[str]:
    """What identifies a person, longest first, to be cut out of free text elsewhere: the name
    and any name they had before, each of their words (each half of a double surname too:
    "Zonneveld-Bakker" is written "Zonneveld" as well), and the other texts given."""
    names = [name, *earlier_names]
    strings = {text.strip() for text in (*names, *others)}
    strings |= {part for each in names for part in re.split(r"[\s-]+", each) if len(part) >= 3}
    return sorted((text for text in strings if len(text) >= 3), key=len, reverse=True)


def _phone_digits(text: str) -> str | None:
    """The digits of a string that is mostly digits (a phone number), else None."""
    number = re.sub(r"\D", "", text)
    if len(number) >= 6 and len(number) * 10 >= len(re.sub(r"\s", "", text)) * 6:
        return number
    return None


def _as_typed(text: str) -> str:
    """A pattern for one of the person's strings. A phone number matches however it is written
    again ("06-12345678", "06 1234 5678", "0612345678"): its digits, with spaces, dots, dashes
    or slashes between them."""
    number = _phone_digits(text)
    if number is not None:
        return r"[\s./-]*".join(number)
    return re.escape(text)


def _pattern(strings: list[str]) -> re.Pattern[str]:
    """The person's strings as whole words, in any case: "Jan" is one, "januari" is not.
    Longest first, so a full name goes before its parts."""
    return re.compile(
        r"(?<!\w)(?:" + "|".join(_as_typed(text) for text in strings) + r")(?!\w)",
        re.IGNORECASE,
    )


def scrubber(strings: list[str]) -> Callable[[str], str]:
    """Cuts the person's strings out of a text (`_pattern`), each replaced by ERASED_TEXT."""
    if not strings:
        return lambda text: text
    pattern = _pattern(strings)
    return lambda text: pattern.sub(ERASED_TEXT, text)


def quoter(strings: list[str]) -> Callable[[str], bool]:
    """Whether a text holds one of the person's strings, as `scrubber` would find it."""
    if not strings:
        return lambda text: False
    pattern = _pattern(strings)
    return lambda text: pattern.search(text) is not None


# Digits with what `_as_typed` lets stand between a phone number's digits, at least once (digits
# alone are a word already); possessive, since backtracking into a long number took the most.
_DIGIT_RUN = re.compile(r"(?<!\d)\d++(?:[\s./-]++\d++)+")
_PHONE_SEPARATORS = re.compile(r"[\s./-]")
# Characters whose other cases re.IGNORECASE finds only among their own lower case, so that a
# lowered text holds them wherever `_pattern` finds them: printable ASCII but i and s, which it
# also finds as "İ", "ı" and "ſ" (whose lower case is no "i" or "s").
_PLAIN = frozenset(chr(code) for code in range(0x20, 0x7F)) - set("iIsS")


def search_text(texts: Iterable[str]) -> str:
    """`texts` as `text_may_quote` searches them: each word once, lowered, and each run of
    digits once without the separators of a phone number, so that a database's plain LIKE finds
    the person's strings however a number was typed. Words, not the texts: a page of errors
    repeats its messages a hundred times, and the LIKE reads every character."""
    lowered = "\n".join(texts).lower()
    words = set(lowered.split())
    words.update(_PHONE_SEPARATORS.sub("", run) for run in _DIGIT_RUN.findall(lowered))
    return " ".join(sorted(words))


def _longest_plain(text: str) -> str:
    runs = ("".join(run) for plain, run in groupby(text, key=_PLAIN.__contains__) if plain)
    return max(runs, key=len, default="")


def text_may_quote(field: str, strings: list[str]) -> Q:
    """A condition on `field`, a `search_text`, that holds wherever `scrubber(strings)` would
    change one of the texts it was made of, so that only those rows need reading: a phone
    number's digits, or each word of each other string's longest stretch of `_PLAIN`
    characters, lowered. It may hold for a few rows more ("Jan" in "januari"), which the
    scrubber then leaves; where a string has no such stretch (a name in Greek letters), it
    holds for every row."""
    condition = Q(pk__in=[])  # no strings, no row
    for text in strings:
        number = _phone_digits(text)
        words = [number] if number is not None else _longest_plain(text).lower().split()
        if not words:
            return Q()
        condition |= Q(*(Q(**{f"{field}__contains": word}) for word in words))
    return condition
