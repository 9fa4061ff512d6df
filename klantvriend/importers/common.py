"""What the customer and the purchase importer share: the columns a row is read from, and the
two passes over the file (validate everything, then write everything in one transaction)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from klantvriend.core.moments import FUTURE_TOLERANCE

from .reading import TableFormat, iter_rows
from .results import ImportResult, RowError
from .values import DMY, AmountColumn, CellError, DateColumn, DateValue, read_date

# The code of the note on a date column read day first because nothing in the file shows its
# order (Columns.column_problems).
DATE_ORDER_ASSUMED = "date_order_assumed"

# Rows written per bulk insert: large enough to amortise the round trip, small enough that one
# batch of parsed rows stays a few megabytes.
BATCH_SIZE = 2000


@dataclass
class Columns:
    """Column positions of the mapped fields and the per-column decisions of the file."""

    table: TableFormat
    mapping: dict[str, str]
    date_order: str | None = None
    index: dict[str, int] = field(init=False)
    # Later than this is "in the future" (a till clock a few minutes fast is tolerated).
    latest_moment: datetime = field(init=False)
    dates: dict[str, DateColumn] = field(init=False)
    amounts: dict[str, AmountColumn] = field(init=False)
    # The customer file's e-mail addresses (as email_key writes them) on rows of more than one
    # customer number, learnt on the validating pass: such an address (a couple's) says nothing
    # of which of them a customer stored without a number is, so the writing pass does not
    # match those rows on it (customer_import.write).
    emails_of_several_numbers: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.latest_moment = timezone.now() + FUTURE_TOLERANCE
        self.index = {
            name: self.table.headers.index(header) for name, header in self.mapping.items()
        }
        self.dates = {}
        self.amounts = {}

    def date_column(self, name: str) -> DateColumn:
        if name not in self.dates:
            self.dates[name] = DateColumn(forced=self.date_order)
        return self.dates[name]

    def read_day(
        self, name: str, parsed: DateValue, *, line: int, text: str, deciding: bool
    ) -> date | None:
        """The day that `parsed` (`text`, the cell of column `name` on `line`) is, read in the
        column's order. On the validating pass (`deciding`) the column sees it first, and it is
        None while the lines so far leave the order open: the writing pass knows it. Known on
        the validating pass, a day's problems (one in the future) are listed with the file's
        others before anything is written."""
        column = self.date_column(name)
        if deciding:
            column.see(parsed, line, text)
            order = column.decide()
        else:
            order = self.date_order_of(name)
        if not deciding or parsed.iso or order is not None:
            return parsed.dated(order)
        return None

    def date_order_of(self, name: str) -> str | None:
        """The order column `name` is read in once the file has been seen: its own, or where its
        values read both ways the one the file's other date columns show. One file comes from
        one system, which writes its dates one way (the import page also asks one order for
        the whole file): a florist's birthdays 12-03-1958 are day-month where "klant sinds"
        15-9-2019 is. Where no other column shows one order, the day comes first, as dates
        are written in the Netherlands and Belgium (`column_problems` says so in a note): a
        restaurant's file of the first days of December, 03-12-2026 and 04-12-2026, is not
        refused. None only for a column that mixes both orders."""
        column = self.dates[name]
        if not column.reads_both_ways():
            return column.decide()
        return self._order_shown_beside(column) or DMY

    def _order_shown_beside(self, column: DateColumn) -> str | None:
        """The one order the file's other date columns show, if they show one."""
        shown = {other.shown_order() for other in self.dates.values() if other is not column}
        shown.discard(None)
        return shown.pop() if len(shown) == 1 else None

    def amount_column(self, name: str) -> AmountColumn:
        if name not in self.amounts:
            self.amounts[name] = AmountColumn()
        return self.amounts[name]

    def cell(self, cells: list[str], name: str) -> str:
        position = self.index.get(name)
        return cells[position] if position is not None else ""

    def has(self, name: str) -> bool:
        return name in self.index

    def header(self, name: str) -> str:
        return self.mapping.get(name, name)

    def column_problems(self, result: ImportResult) -> None:
        """Report the columns whose dates or amounts the whole file did not decide, and note
        the date columns read day first without the file showing it."""
        for name, column in self.dates.items():
            if column.reads_both_ways() and not self._order_shown_beside(column):
                result.add_note(
                    RowError(
                        column.open_line,
                        self.header(name),
                        column.open_value,
                        _(
                            "Every date in this column can be read as day-month and as "
                            "month-day; they are read day first (%(value)s is %(day)s). If the "
                            "file puts the month first, import it again with the order of day "
                            "and month set to month first."
                        )
                        % {
                            "value": column.open_value,
                            "day": date_format(read_date(column.open_value).dated(DMY)),
                        },
                        DATE_ORDER_ASSUMED,
                    )
                )
        undecided_dates = [
            (name, column) for name, column in self.dates.items() if not self.date_order_of(name)
        ]
        for name, column in [*undecided_dates, *self.amounts.items()]:
            problem = column.problem()
            if problem:
                line, value, message, code = problem
                result.add_error(RowError(line, self.header(name), value, message, code))


class RowProblems:
    """The errors of one row, each with its column and value."""

    def __init__(self, line: int, columns: Columns, cells: list[str]) -> None:
        self.line, self.columns, self.cells = line, columns, cells
        self.errors: list[RowError] = []

    def add(self, name: str, message: str, code: str, value: str | None = None) -> None:
        self.errors.append(
            RowError(
                self.line,
                self.columns.header(name),
                self.columns.cell(self.cells, name) if value is None else value,
                str(message),
                code,
            )
        )

    def cell_error(self, name: str, error: CellError) -> None:
        self.add(name, error.message, error.code)


def overfull_row(line: int, cells: list[str], columns: Columns) -> RowError | None:
    """The refusal of a line with more cells than the header names, unless the cells past the
    header are all empty (a till export's trailing separators): a separator inside an unquoted
    value shifts every cell after it into the wrong column, so nothing of the line can be
    trusted. Both importers read every line through this."""
    width = len(columns.table.headers)
    if not any(cells[width:]):
        return None
    count = len(cells)
    while not cells[count - 1]:  # trailing empty cells are no part of the shift
        count -= 1
    message = _(
        "This line has %(count)s cells where the header has %(width)s: a separator inside a "
        "value? Put that value in quotes."
    ) % {"count": count, "width": width}
    extra = columns.table.delimiter.join(cells[width:count])
    return RowError(line, "", extra, message, "too_many_cells")


def rows(path: Path, columns: Columns) -> Iterator[tuple[int, list[str]]]:
    return iter_rows(path, columns.table)


def batched(items, size: int = BATCH_SIZE):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
