"""Cell values as people and tills write them: dates, amounts, yes/no.

Some values cannot be read on their own: is 03-04-2026 the third of April or the fourth of
March, is 1.250 one thousand two hundred and fifty or one and a quarter? Those are decided per
column over the whole file (a column holding 25-04-2026 reads day first; a column holding 12,50
has a decimal comma). When the file does not decide, the importer reports the question instead
of guessing, and the user answers it (`--date-order`, or the choice on the preview page)."""

import re
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.core.money import AmountError, parse_amount

DMY, MDY = "dmy", "mdy"
DATE_ORDERS = (DMY, MDY)


class CellError(ValueError):
    """A cell that cannot be read; the message is for the user, in their language."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DAY_MONTH = re.compile(
    r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?::(\d{2}))?)?$"
)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True)
class DateValue:
    """A parsed date whose day/month order may still be open."""

    first: int
    second: int
    year: int
    clock: time | None
    offset: str | None = None
    iso: bool = False

    def dated(self, order: str | None) -> date:
        if self.iso:
            return date(self.year, self.first, self.second)
        if order == MDY:
            return date(self.year, self.first, self.second)
        return date(self.year, self.second, self.first)

    def valid(self, order: str) -> bool:
        try:
            self.dated(order)
        except ValueError:
            return False
        return True


def _full_year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # d-m-jj: a two-digit year up to this year's is this century, a later one the last.
        this = timezone.now().year % 100
        return 2000 + year if year <= this else 1900 + year
    return year


def _clock(hour: str | None, minute: str | None, second: str | None) -> time | None:
    if hour is None:
        return None
    try:
        return time(int(hour), int(minute or 0), int(second or 0))
    except ValueError:
        raise CellError(_("This is not a valid time of day."), "invalid_time") from None


def _offset(text: str | None) -> str | None:
    """An offset from UTC as written (Z, +01:00, -0530), refused unless some clock shows it:
    the world's run from -12:00 to +14:00, and Python holds none of a day or more."""
    if text is None or text == "Z":
        return text
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    if int(digits[2:]) >= 60 or minutes > (14 if text[0] == "+" else 12) * 60:
        raise CellError(
            _("This time zone does not exist: the offset from UTC lies from -12:00 to +14:00."),
            "invalid_offset",
        )
    return text


def read_date(text: str) -> DateValue:
    """ISO (2026-04-25, with or without a time), dd-mm-jjjj, d-m-jj, dd/mm/yyyy, dd.mm.yyyy."""
    value = text.strip()
    match = _ISO.match(value)
    if match:
        year, month, day, hour, minute, second, offset = match.groups()
        parsed = DateValue(
            int(month), int(day), int(year), _clock(hour, minute, second), _offset(offset), iso=True
        )
        if not parsed.valid(DMY):
            raise CellError(_("This date does not exist."), "invalid_date")
        return parsed
    match = _DAY_MONTH.match(value)
    if match:
        first, _separator, second_part, year, hour, minute, second = match.groups()
        parsed = DateValue(
            int(first), int(second_part), _full_year(year), _clock(hour, minute, second)
        )
        if not parsed.valid(DMY) and not parsed.valid(MDY):
            raise CellError(_("This date does not exist."), "invalid_date")
        return parsed
    raise CellError(_("Write the date as 25-04-2026, 25/04/2026 or 2026-04-25."), "invalid_date")


def read_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if not match:
        raise CellError(_("Write the time as 14:30."), "invalid_time")
    clock = _clock(*match.groups())
    assert clock is not None
    return clock


@dataclass
class DateColumn:
    """Collects, over the whole file, which day/month orders every value of one column allows."""

    forced: str | None = None
    invalid_line: dict[str, int | None] = field(default_factory=lambda: {DMY: None, MDY: None})
    invalid_text: dict[str, str] = field(default_factory=dict)  # the value on invalid_line
    open_line: int | None = None  # a value both orders read, but differently (03-04-2026)
    open_value: str = ""

    def see(self, value: DateValue, line: int, text: str) -> None:
        if value.iso:
            return
        if self.forced:
            if not value.valid(self.forced):
                raise CellError(_("This date does not exist."), "invalid_date")
            return
        for order in DATE_ORDERS:
            if not value.valid(order) and self.invalid_line[order] is None:
                self.invalid_line[order], self.invalid_text[order] = line, text
        if (
            value.first != value.second
            and self.open_line is None
            and value.valid(DMY)
            and value.valid(MDY)
        ):
            self.open_line, self.open_value = line, text

    def decide(self) -> str | None:
        """The order for this column, or None when its values read both ways
        (Columns.date_order_of decides) or mix both orders (`problem`)."""
        viable = self._viable()
        if len(viable) == 1:
            return viable[0]
        if len(viable) == 2 and self.open_line is None:
            return DMY  # every value reads the same either way
        return None

    def shown_order(self) -> str | None:
        """The order this column's values show (a value that only one order reads, 25-04), not
        one merely taken because every value reads the same either way."""
        viable = self._viable()
        return viable[0] if len(viable) == 1 else None

    def reads_both_ways(self) -> bool:
        """Whether both orders read every value, some of them as different days (03-04)."""
        return len(self._viable()) == 2 and self.open_line is not None

    def _viable(self) -> list[str]:
        if self.forced:
            return [self.forced]
        return [order for order in DATE_ORDERS if self.invalid_line[order] is None]

    def problem(self) -> tuple[int | None, str, str, str] | None:
        """(line, value, reason, code) when the column cannot be read with one order: it has
        dates that only day-month reads (the first at `line`, `value`) and dates that only
        month-day reads. (Dates that read both ways are read as the file's other date column
        shows, else day first: Columns.date_order_of.)"""
        if self.invalid_line[DMY] is None or self.invalid_line[MDY] is None:
            return None
        return (
            self.invalid_line[MDY],
            self.invalid_text[MDY],
            _(
                "This column mixes day-month and month-day dates (see also line %(line)s); "
                "use one order for the whole column."
            )
            % {"line": self.invalid_line[DMY]},
            "mixed_date_order",
        )


# Amounts ---------------------------------------------------------------------------------------

_MARKS = re.compile(r"(?i)(€|eur|euro|\$|usd|£|gbp|\s|\u00a0)")


@dataclass(frozen=True)
class AmountValue:
    cents: int | None  # None while the decimal mark of the column is still open
    text: str = ""
    mark: str = ""  # the single mark of an open value ("1.250" -> ".")


def read_amount(text: str) -> AmountValue:
    """Cents, or an open value when a single mark followed by three digits could be a
    thousands separator or a decimal mark (1.250, 1,250)."""
    cleaned = _MARKS.sub("", text)
    points, commas = cleaned.count("."), cleaned.count(",")
    if points + commas == 1 and re.fullmatch(r"\d{1,3}[.,]\d{3}", cleaned):
        return AmountValue(None, cleaned, "." if points else ",")
    try:
        return AmountValue(parse_amount(text))
    except AmountError as error:
        raise CellError(str(error), error.code) from None


def decimal_evidence(text: str) -> str:
    """The decimal mark a value proves for its column: "," for 12,50 or 1.234,5, "." for 12.50."""
    cleaned = _MARKS.sub("", text)
    match = re.search(r"([.,])\d{1,2}$", cleaned)
    return match.group(1) if match else ""


def resolve_amount(value: AmountValue, decimal_mark: str) -> int:
    if value.cents is not None:
        return value.cents
    if value.mark == decimal_mark:
        return int(Decimal(value.text.replace(",", ".")) * 100)
    return int(value.text.replace(value.mark, "")) * 100


@dataclass
class AmountColumn:
    evidence: set[str] = field(default_factory=set)
    open_line: int | None = None
    open_value: str = ""

    def see(self, value: AmountValue, line: int, text: str) -> None:
        mark = decimal_evidence(text)
        if mark:
            self.evidence.add(mark)
        if value.cents is None and self.open_line is None:
            self.open_line, self.open_value = line, text

    def decide(self) -> str:
        return next(iter(self.evidence)) if len(self.evidence) == 1 else ""

    def problem(self) -> tuple[int, str, str, str] | None:
        """(line, value, reason, code) of the first amount the column leaves open."""
        if self.open_line is None or self.decide():
            return None
        return (
            self.open_line,
            self.open_value,
            _(
                "Is %(value)s meant with a thousands separator or with decimals? No other amount "
                "in this column tells; write it as 1250 or 1.25."
            )
            % {"value": self.open_value},
            "ambiguous",
        )


_YES = {"1", "ja", "j", "yes", "y", "true", "waar", "x", "✓", "wel"}
_NO = {"0", "nee", "n", "no", "false", "onwaar", "", "-", "niet"}


def read_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise CellError(_("Write yes or no."), "invalid_boolean")
