"""Search normalisation shared by writes (the stored search text) and reads (the query), so that
"Jose" finds "José", "DE VRIES" finds "de Vries" and "0612" finds "06-12 34 56 78"."""

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", without_accents.casefold()).strip()


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def search_text_for(*, name: str, company: str, email: str, phone: str) -> str:
    parts = [fold(name), fold(company), fold(email), digits(phone)]
    return " ".join(part for part in parts if part)
