"""Amounts as people type them (12,50 / € 1.234,56 / 12.50 / 35,-) to integer cents, and back."""

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Amounts are written by the engine's helper, so that `klantvriend analyse --report` (which
# imports nothing of the web app) writes them as the pages do; imported from here as before.
from clv.money import format_cents

from .shown import one_line

_CURRENCY_MARKS = re.compile(r"(?i)(€|eur|euro|\$|usd|£|gbp)")
# A round amount as Dutch price tags and receipts write it: "35,-" (or "35,--", "35.–") is 35,00.
_ROUND_CENTS = re.compile(r"(?<=[0-9])(?P<mark>[.,])[-–—]{1,2}\Z")
# The largest amount of one purchase or gesture: ten billion euros less a cent, far above what a
# shop sells at once (so a typo is not refused), far below the 64-bit integer of cents the
# database stores, so that a customer's total kept by the database (CustomerSpend) cannot
# overflow: it would take nearly a million purchases of this size.
MAX_CENTS = 10**12 - 1


class AmountError(ValueError):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def parse_amount(text: str) -> int:
    """Cents from a typed amount. Comma or point may be the decimal mark; with both, the last one
    is. A single point or comma followed by exactly three digits ("1.250", "1,250") could be
    either 1250 or 1.25, so it is refused with a question instead of guessed: a stylist reading
    in English typed 1,250 and saved € 1,25, and the aftercare rule of € 250 planned nothing."""
    cleaned = _CURRENCY_MARKS.sub("", text).replace("\u00a0", " ").replace(" ", "").strip()
    cleaned = _ROUND_CENTS.sub(r"\g<mark>00", cleaned)
    if not cleaned:
        raise AmountError(_("Enter an amount."), "required")
    # A minus before a number (a refund); a dash alone is no amount at all.
    if cleaned.startswith("-") and re.search(r"[0-9]", cleaned):
        raise AmountError(_("The amount cannot be negative."), "negative")
    if not re.fullmatch(r"[0-9.,]+", cleaned) or not re.search(r"[0-9]", cleaned):
        raise AmountError(_("Enter the amount as a number, such as 12.50."), "invalid")
    last_comma, last_point = cleaned.rfind(","), cleaned.rfind(".")
    if last_comma >= 0 and last_point >= 0:
        decimal_mark = "," if last_comma > last_point else "."
    elif last_comma >= 0 or last_point >= 0:
        mark = "," if last_comma >= 0 else "."
        if cleaned.count(mark) > 1:
            decimal_mark = ""  # 1,250,000 or 1.250.000: only thousands separators
        elif len(cleaned) - cleaned.rfind(mark) - 1 == 3:
            raise AmountError(
                _(
                    "Is %(value)s meant with a thousands separator or with decimals? Write it as 1250 or 1.25."
                )
                % {"value": text.strip()},
                "ambiguous",
            )
        else:
            decimal_mark = mark
    else:
        decimal_mark = ""
    thousands_marks = {",": ".", ".": ","}.get(decimal_mark, ".,")
    whole = cleaned.rsplit(decimal_mark, 1)[0] if decimal_mark else cleaned
    groups = re.split(r"[.,]", whole)
    # Thousands separators stand between groups of exactly three digits ("1.234.567").
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise AmountError(_("Enter the amount as a number, such as 12.50."), "invalid")
    for mark in thousands_marks:
        cleaned = cleaned.replace(mark, "") if mark != decimal_mark else cleaned
    if decimal_mark:
        cleaned = cleaned.replace(decimal_mark, ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise AmountError(_("Enter the amount as a number, such as 12.50."), "invalid") from None
    if value * 100 > MAX_CENTS:
        raise AmountError(_("This amount is too large."), "too_large")
    if value != value.quantize(Decimal("0.01")):
        raise AmountError(_("Use at most two decimals."), "precision")
    return int(value * 100)


def whole_cents(cents: float) -> int:
    """An amount computed in fractional cents (a mean over customers, a share of a value) as
    whole cents, rounded half to even (Python's round, numpy's rint): ties go to the even cent,
    so a column of rounded figures is not pushed up. How the API gives such amounts, the pages
    show them and the insights store a customer's value."""
    return round(cents)


def amount_shown(cents: int, currency: str = "EUR", *, whole: bool = False) -> str:
    """An amount as the pages show it, in the reader's language: format_cents with a no-break
    space after the currency sign, so that a line never ends in "€" with the figure on the
    next. Only for pages: an export or the API writes format_cents' ordinary space (or plain
    cents), which a spreadsheet or a script reads as it always did."""
    text = format_cents(cents, currency or "EUR", language=get_language() or "nl", whole=whole)
    return one_line(text)


def cents_for_typing(cents: int, *, language: str = "nl") -> str:
    """An amount to edit in a form, as the reader types amounts: 1234,50 in Dutch, 1234.50 in
    English. No currency sign and no thousands separator, so that saving it unchanged reads
    back the same amount through parse_amount."""
    units, rest = divmod(cents, 100)
    mark = "," if language.startswith("nl") else "."
    return f"{units}{mark}{rest:02d}"
