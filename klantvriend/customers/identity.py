"""How a customer is recognised in a file: by customer number, else by e-mail address, and a
purchase line that gives neither by phone number. The importers match with these keys, and
erasure remembers an erased person's identifiers by them (`ErasedIdentity`), so that what an
import compares and what erasure remembers cannot drift apart. The list of possible duplicates compares customers by the same e-mail key, and by keys
of their phone number and name (`match_keys`)."""

import hashlib
import secrets
import string

from .text import dialled_at_home, fold

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def customer_number_key(number: str) -> str:
    """AB-1 and ab-1 are one customer number. Only the letters A-Z are folded: that is what
    the database folds the same way on SQLite and PostgreSQL (core.db.AsciiLower, used in the
    lookup and in the unique constraint), so Python and the database agree on every number.
    Numbers are stored without surrounding spaces (customers.services), so the key of a stored
    number is exactly what the constraint compares."""
    return number.strip().translate(_ASCII_LOWER)


def renumbering(numbers: list[tuple[int, str]], *, max_length: int = 100) -> dict[int, str]:
    """For the numbered customers of one business, (id, number) in the order they were
    recorded: {id: new number} for each customer whose number an earlier one has in other
    capitals (K-1001 beside k-1001, made before the database refused it). The first one keeps
    the number; each later one gets it with "-2", "-3", … after it, the first suffix that no
    customer's number has in any capitals. Used by migration 0016, which records each change."""
    taken = {number.translate(_ASCII_LOWER) for _pk, number in numbers}
    kept: set[str] = set()
    renamed: dict[int, str] = {}
    for pk, number in numbers:
        key = number.translate(_ASCII_LOWER)
        if key not in kept:
            kept.add(key)
            continue
        suffix = 2
        while True:
            ending = f"-{suffix}"
            candidate = number[: max_length - len(ending)] + ending
            if candidate.translate(_ASCII_LOWER) not in taken:
                break
            suffix += 1
        taken.add(candidate.translate(_ASCII_LOWER))
        renamed[pk] = candidate
    return renamed


def email_key(email: str) -> str:
    """An e-mail address as the importers match it: lower-cased, without surrounding spaces."""
    return email.strip().lower()


CUSTOMER_NUMBER = "customer_number"
EMAIL = "email"
PHONE = "phone"


def new_salt() -> str:
    return secrets.token_hex(16)


def identity_digest(*, salt: str, kind: str, value: str) -> str:
    """A one-way SHA-256 digest of an identifier, normalised as the importers match it. The salt
    is random per business: the same e-mail address gets another digest in another business, so
    the digests of two businesses cannot be linked, and, unlike the business's id, it travels
    with an export, so a restored business still recognises its erased customers."""
    text = f"{salt}|{kind}|{identifier_key(kind, value)}"
    return hashlib.sha256(text.encode()).hexdigest()


# The longest match key stored (Customer.match_*): a folded name can be longer than the name
# ("æ" becomes "ae"), and a key cut short still matches the same name cut short.
MATCH_KEY_LENGTH = 300


def phone_key(phone: str) -> str:
    """A phone number as the list of possible duplicates and the purchase import compare it
    (Customer.match_phone): as dialled at home
    (text.dialled_at_home: 06-12345678, 06 1234 5678, +31 6 1234 5678 and +31 (0)6 12345678 are
    one number), another country's number with a "+" before its dialling code ("+4930123"), so
    that it never equals a national number's digits."""
    number, foreign = dialled_at_home(phone)
    return f"+{number}" if foreign else number


_KEYS = {CUSTOMER_NUMBER: customer_number_key, EMAIL: email_key, PHONE: phone_key}


def identifier_key(kind: str, value: str) -> str:
    return _KEYS[kind](value)


def name_key(name: str) -> str:
    """A name as the list of possible duplicates compares it: "José de Vries", "JOSE  DE VRIES"
    and "jose de vries" are one name (the search's fold: accents, capitals, spaces)."""
    return fold(name)[:MATCH_KEY_LENGTH]


def match_keys(*, name: str, email: str, phone: str, anonymised: bool) -> dict[str, str]:
    """The keys a customer is stored with for the list of possible duplicates (the model's
    match_name, match_email, match_phone; "" for no key). An anonymised customer has none:
    nothing of theirs is to be merged."""
    if anonymised:
        return {"match_name": "", "match_email": "", "match_phone": ""}
    return {
        "match_name": name_key(name),
        "match_email": email_key(email)[:MATCH_KEY_LENGTH],
        "match_phone": phone_key(phone),
    }
