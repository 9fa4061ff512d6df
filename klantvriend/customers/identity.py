"""How a customer is recognised in a file: by customer number, else by e-mail address. Both
importers match with these keys, so that they cannot disagree on who is who."""

import string

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def customer_number_key(number: str) -> str:
    """AB-1 and ab-1 are one customer number. Only the letters A-Z are folded: that is what
    the database folds the same way on SQLite and PostgreSQL (core.db.AsciiLower, used in the
    lookup and its index), so Python and the database agree on every number."""
    return number.strip().translate(_ASCII_LOWER)


def email_key(email: str) -> str:
    """An e-mail address as the importers match it: lower-cased, without surrounding spaces."""
    return email.strip().lower()
