"""Search normalisation shared by writes (the stored search text) and reads (the query), so that
"Jose" finds "José", "Yilmaz" finds "Yılmaz", "DE VRIES" finds "de Vries", "0612" finds
"06-12 34 56 78" and "0612345678" finds "+31 6 12345678"."""

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


# The dialling codes of the countries Klantvriend is made for first (the Netherlands, Belgium):
# "+31 6 12345678" and "0031 (0)6-12345678" are the number people type at the counter as
# "06 12345678". Elsewhere the national form would need each country's own rules.
_HOME_DIALLING_CODES = ("31", "32")


def dialled_at_home(text: str) -> tuple[str, bool]:
    """The digits of a phone number as dialled at home, and whether it is another country's.
    A home country's number is in its national form with its 0 ("+31 6 1234 5678" as
    "0612345678"); another country's starts with its dialling code, without the 00 or + before
    it ("0049 30 1234" and "+49 30 1234" both as "49301234")."""
    number = digits(text)
    international = text.strip().startswith("+")
    if not international and number.startswith("00"):
        number, international = number[2:], True
    if international:
        for code in _HOME_DIALLING_CODES:
            rest = number.removeprefix(code)
            if rest != number and rest:
                # "+31 (0)6 …": the 0 written in brackets is the national one.
                return (rest if rest.startswith("0") else "0" + rest), False
    return number, international and bool(number)


def phone_digits(text: str) -> str:
    """The digits of a phone number as dialled at home (dialled_at_home), as the search
    compares them."""
    return dialled_at_home(text)[0]


# Customer.search_text's length: every part of the person at its longest (name 200, company 200,
# e-mail address 254, phone number 25) fits; the phone's digits as written and the address only
# when shorter (as a customer's are, by far: about a hundred characters in all). Folded, a part
# can grow ("ß" is "ss", "æ" is "ae"): the person is then cut at it.
SEARCH_TEXT_LENGTH = 700


# A customer's name as the lists sort it: folded, so that "jan de Vries" and "Ümit" sort with
# "Jan" and "Ulla" on both databases, which compare text by its bytes and put every name written
# in lower case or with an accent after "Z". Folded, a name of 200 characters can grow: cut.
SORT_NAME_LENGTH = 200


def sort_name_for(name: str) -> str:
    return fold(name)[:SORT_NAME_LENGTH]


# A Dutch postcode however typed ("3512ab", "3512  Ab"): four digits, the first not 0, and two
# letters. Belgian (four digits) and other countries' postcodes do not have this form.
_DUTCH_POSTCODE = re.compile(r"([1-9][0-9]{3})\s*([A-Za-z]{2})")


def postcode_tidied(text: str) -> str:
    """A postcode as stored: a Dutch one as PostNL writes it ("3512ab" as "3512 AB"), so that
    the list, the card and the export show one form; any other as typed, without the spaces
    around it."""
    text = text.strip()
    match = _DUTCH_POSTCODE.fullmatch(text)
    return f"{match[1]} {match[2].upper()}" if match else text


def postcode(text: str) -> str:
    """A postcode as the search compares it: folded, without spaces ("7201 HV" as "7201hv",
    "SW1A 1AA" as "sw1a1aa"), so that it is found however it was written and typed."""
    return fold(text).replace(" ", "")


def search_text_for(
    *,
    name: str,
    company: str,
    email: str,
    phone: str,
    street: str = "",
    postal_code: str = "",
    city: str = "",
) -> str:
    """The text a customer is found by: the person (name, company, e-mail address, phone number
    in its national form), then, where it fits, the number as written ("31612345678", so that
    typing what one reads finds it), the postcode, the place and the street with its number
    (so that "7201 HV 12" finds the customer at number 12). Without an address, the text the
    duplicate check compares (selectors.customers_alike)."""
    parts = [fold(name), fold(company), fold(email), phone_digits(phone)]
    # A name and company of 200 characters that fold to twice as many were refused, naming a
    # field nobody types (and a 500 where the refusal was not expected): their first 700 are
    # what they are found by.
    text = " ".join(part for part in parts if part)[:SEARCH_TEXT_LENGTH].rstrip()
    written = digits(phone)
    extras = [
        written if written != parts[-1] else "",
        postcode(postal_code),
        fold(city),
        fold(street),
    ]
    for extra in extras:
        if extra and len(text) + 1 + len(extra) <= SEARCH_TEXT_LENGTH:
            text = f"{text} {extra}".lstrip()
    return text
