"""Search normalisation shared by writes (the stored search text) and reads (the query), so that
"Jose" finds "José", "Yilmaz" finds "Yılmaz", "DE VRIES" finds "de Vries" and "0612" finds
"06-12 34 56 78"."""

import re
import unicodedata

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")
# Letters that Unicode does not decompose into a plain letter and a mark, written as people
# without them on their keyboard write them: Turkish dotless i, Scandinavian o, Polish l, ...
# (a change here needs a migration that refreshes the stored search text, as 0013 did).
_PLAIN_LETTERS = str.maketrans(
    {"ı": "i", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae"}
    | {"œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th"}
)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS))
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", without_accents.casefold()).strip()


def digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def search_text_for(*, name: str, company: str, email: str, phone: str) -> str:
    parts = [fold(name), fold(company), fold(email), digits(phone)]
    return " ".join(part for part in parts if part)
