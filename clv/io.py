"""Reading till and web-shop exports into transaction arrays.

The common case (no quoted fields) is parsed on the raw bytes with numpy: field boundaries from
the positions of delimiters and newlines, fields gathered into fixed-width byte arrays, dates
parsed by digit arithmetic and amounts by numpy's string-to-float cast. Files with quoted
fields go through the standard ``csv`` module instead. Every error names the line (1-based, as
an editor shows it) and the column.

Accepted: delimiters ``,`` ``;`` tab or runs of whitespace (sniffed from the first lines);
UTF-8 with or without BOM, or Windows-1252; decimal point or decimal comma (with thousands
separators), a round amount as ``35,-``; dates as ISO ``yyyy-mm-dd`` (a time after it is ignored), ``yyyymmdd``,
``dd-mm-yyyy``, ``dd/mm/yyyy`` or ``dd.mm.yyyy``.
"""

from __future__ import annotations

import csv
import errno
import io as _io
import os
import re
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from clv._memory import release_free_memory
from clv.i18n import _

CUSTOMER_HEADERS = (
    "klant",
    "klantnummer",
    "klantnr",
    "klantid",
    "klantcode",
    "klantnaam",
    # A loyalty card is how many tills know their customers.
    "klantkaart",
    "klantkaartnummer",
    "pasnummer",
    "customer",
    "customerid",
    "customernumber",
    "customerno",
    "customercode",
    "client",
    "clientid",
    "debiteur",
    "debiteurnummer",
    "debiteurnr",
    "relatie",
    "relatienummer",
    "relatienr",
    "lid",
    "lidnummer",
    "member",
    "memberid",
    "userid",
    "masterid",
    "id",
)
DATE_HEADERS = (
    "datum",
    "date",
    "transactiedatum",
    "aankoopdatum",
    "orderdatum",
    "besteldatum",
    "factuurdatum",
    "verkoopdatum",
    "kassadatum",
    "bondatum",
    "transactiondate",
    "purchasedate",
    "orderdate",
    "invoicedate",
    "saledate",
    "datetime",
    "timestamp",
    "tijdstip",
    "moment",
    "dag",
    "day",
)
AMOUNT_HEADERS = (
    "bedrag",
    "bedraginclbtw",
    "totaalbedrag",
    "totaal",
    "totaalinclbtw",
    "omzet",
    "waarde",
    "prijs",
    "amount",
    "total",
    "totalamount",
    "revenue",
    "value",
    "price",
    "sales",
    "spend",
    "monetaryvalue",
    "dollars",
    "sum",
    "bon",
    "bonbedrag",
)


HEAD_BYTES = 1 << 16
BLOCK_BYTES = 1 << 21
PARSE_THREADS = min(2, os.cpu_count() or 1)


def _role(role: str) -> str:
    """What a column holds, in the words of the message it is named in."""
    return {"customer": _("customer"), "date": _("date"), "amount": _("amount")}[role]


def _field_count_error(path: str, line: int, fields: int, expected: int) -> TransactionFileError:
    return TransactionFileError(
        _("%(path)s: line %(line)s has %(fields)s fields, expected %(expected)s")
        % {"path": path, "line": line, "fields": fields, "expected": expected}
    )


class TransactionFileError(ValueError):
    """A problem with an input file; the message names line and column where there is one."""


class OutputFileError(ValueError):
    """A file asked for (the predictions, the report) that cannot be written there."""


@dataclass(frozen=True)
class Transactions:
    """Parsed transactions: parallel arrays, one entry per data row."""

    customer_ids: np.ndarray  # bytes ('S') identifiers, as in the file
    dates: np.ndarray  # datetime64[D]
    amounts: np.ndarray | None
    encoding: str
    delimiter: str  # "," ";" "\t" or "whitespace"
    has_header: bool
    customer_column: str
    date_column: str
    amount_column: str | None
    # Rows without a customer (walk-in sales at the till): left out, counted, their amounts summed.
    walk_in_rows: int = 0
    walk_in_amount: float = 0.0

    @property
    def n_transactions(self) -> int:
        return len(self.dates)

    def decoded_ids(self) -> np.ndarray:
        """Identifiers as text (for reports and output files)."""
        return np.char.decode(
            self.customer_ids, self.encoding if self.encoding != "ascii" else "utf-8"
        )


def _normalise_header(name: str) -> str:
    return re.sub(
        r"[\s_\-./()]+", "", name.strip().strip('"').strip("'").lower().replace("\ufeff", "")
    )


def _decode_text(raw: bytes) -> tuple[str | None, str | None]:
    """Return (encoding, text) for a block of bytes: ascii, utf-8 or cp1252; (None, None) if neither."""
    if raw.isascii():
        return "ascii", raw.decode("ascii")
    try:
        return "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return "cp1252", raw.decode("cp1252")
    except UnicodeDecodeError:
        return None, None


def _encoding_error(raw: bytes, path: str, line_offset: int) -> TransactionFileError:
    try:
        raw.decode("cp1252")
        position = 0
    except UnicodeDecodeError as error:
        position = error.start
    line = line_offset + raw.count(b"\n", 0, position) + 1
    column = position - (raw.rfind(b"\n", 0, position) + 1) + 1
    return TransactionFileError(
        _(
            "%(path)s: line %(line)s, character %(column)s: the file is neither UTF-8 nor "
            "Windows-1252 text; save it as UTF-8 CSV"
        )
        % {"path": path, "line": line, "column": column}
    )


def _chunks(handle, first: bytes, size: int):
    """Yield blocks of whole lines (the last block may lack its final newline)."""
    carry = first
    while True:
        block = handle.read(size)
        if not block:
            if carry:
                yield carry
            return
        data = carry + block
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        yield data[:cut]
        carry = data[cut:]


def _sniff_delimiter(head: str) -> str:
    lines = [line for line in head.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = "whitespace", 0
    for delimiter in (";", "\t", ","):
        counts = [line.count(delimiter) for line in lines[:-1] or lines]
        if counts[0] > 0 and all(count == counts[0] for count in counts):
            score = counts[0] + 1000  # consistent counts win
        else:
            score = 0
        if score > best_score:
            best, best_score = delimiter, score
    if best_score == 0:
        for delimiter in (";", "\t", ","):
            if lines[0].count(delimiter):
                return delimiter
    return best


def _looks_like_header(fields: list[str]) -> bool:
    known = set(CUSTOMER_HEADERS + DATE_HEADERS + AMOUNT_HEADERS)
    if any(_normalise_header(field) in known for field in fields):
        return True
    # A data row is made of numbers and dates; anything with letters in every field is a header.
    numeric = [
        bool(re.fullmatch(r"[\d\s.,:/+\-€$]*", field.strip().strip('"'))) for field in fields
    ]
    return not any(numeric)


def _pick_column(
    option: str | None, header: list[str] | None, known: tuple[str, ...], role: str, path: str
):
    """Index of the column for ``role``: by name, by 1-based number, or auto-detected."""
    if option is not None:
        if header is not None:
            wanted = _normalise_header(option)
            for index, name in enumerate(header):
                if _normalise_header(name) == wanted or name.strip() == option:
                    return index
        if option.isdigit():
            index = int(option) - 1
            width = len(header) if header is not None else None
            if index < 0 or (width is not None and index >= width):
                raise TransactionFileError(
                    _("%(path)s: column number %(number)s for the %(role)s does not exist")
                    % {"path": path, "number": option, "role": _role(role)}
                )
            return index
        shown = ", ".join(header) if header else _("(no header row)")
        raise TransactionFileError(
            _("%(path)s: no column named %(name)r for the %(role)s; the columns are: %(columns)s")
            % {"path": path, "name": option, "role": _role(role), "columns": shown}
        )
    if header is None:
        return None
    normalised = [_normalise_header(name) for name in header]
    for candidate in known:
        if candidate in normalised:
            return normalised.index(candidate)
    return None


def _field_matrix(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Gather byte ranges [start, end) into a fixed-width 'S' array (NUL padded).

    Filled one byte column at a time so that memory stays at n x width bytes.
    """
    lengths = ends - starts
    width = max(int(lengths.max()) if len(lengths) else 1, 1)
    matrix = np.zeros((len(starts), width), dtype=np.uint8)
    for offset in range(width):
        inside = lengths > offset
        if inside.all():
            matrix[:, offset] = data[starts + offset]
        else:
            matrix[inside, offset] = data[starts[inside] + offset]
    return matrix.view(f"S{width}").reshape(-1)


def _fast_fields(
    raw: bytes, delimiter: str, columns: list[int], n_columns: int, path: str, line_offset: int = 0
):
    """Split an unquoted file on bytes; return (fields per requested column, line numbers).

    The first line (header or not) is included; the caller drops it when it is a header.
    """
    data = np.frombuffer(raw, dtype=np.uint8)
    newline = data == 10
    if delimiter == "whitespace":
        is_space = (data == 32) | (data == 9) | (data == 13)
        token = ~(is_space | newline)
        previous_token = np.concatenate(([False], token[:-1]))
        next_token = np.concatenate((token[1:], [False]))
        token_starts = np.flatnonzero(token & ~previous_token)
        token_ends = np.flatnonzero(token & ~next_token) + 1
        line_of_token = np.cumsum(newline)[token_starts]  # 0-based line index
        lines, first_token, tokens_per_line = np.unique(
            line_of_token, return_index=True, return_counts=True
        )
        bad = tokens_per_line != n_columns
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise _field_count_error(
                path, line_offset + int(lines[row]) + 1, int(tokens_per_line[row]), n_columns
            )
        fields = [
            _field_matrix(
                data, token_starts[first_token + column], token_ends[first_token + column]
            )
            for column in columns
        ]
        return fields, lines + 1 + line_offset
    separator = newline | (data == ord(delimiter))
    separator_positions = np.flatnonzero(separator)
    if len(data) and not newline[-1]:
        separator_positions = np.append(separator_positions, len(data))
    regular = _regular_field_bounds(data, separator_positions, n_columns, columns)
    if regular is not None:
        fields = [_field_matrix(data, *_trim_spaces(data, *bounds)) for bounds in regular]
        return fields, np.arange(1, len(separator_positions) // n_columns + 1) + line_offset
    line_ends = np.flatnonzero(newline)
    if len(data) and not newline[-1]:
        line_ends = np.append(line_ends, len(data))
    line_starts = np.concatenate(([0], line_ends[:-1] + 1))
    # Blank lines (only a carriage return or nothing) are skipped.
    line_lengths = line_ends - line_starts
    blank = line_lengths == 0
    blank |= (line_lengths == 1) & (data[np.minimum(line_starts, len(data) - 1)] == 13)
    # Each line contributes n_columns separators (n_columns - 1 delimiters and its newline).
    per_line = np.diff(np.searchsorted(separator_positions, np.append(line_starts, len(data) + 1)))
    line_numbers = np.arange(1, len(line_starts) + 1)
    keep = ~blank
    bad = keep & (per_line != n_columns)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise _field_count_error(path, line_offset + row + 1, int(per_line[row]), n_columns)
    first_separator = np.searchsorted(separator_positions, line_starts[keep])
    fields = []
    for column in columns:
        ends = separator_positions[first_separator + column]
        starts = (
            line_starts[keep]
            if column == 0
            else separator_positions[first_separator + column - 1] + 1
        )
        fields.append(_field_matrix(data, *_trim_spaces(data, starts, ends)))
    return fields, line_numbers[keep] + line_offset


def _regular_field_bounds(data, separator_positions, n_columns, columns):
    """Field bounds when every line has exactly ``n_columns`` fields and none is blank.

    Then the separators come in groups of n_columns per line, the last of each group being a
    newline, and the bounds of column k are every n_columns-th separator: no search needed.
    Returns None when the block is not that regular (blank or malformed lines).
    """
    count = len(separator_positions)
    if count == 0 or count % n_columns:
        return None
    line_ends = separator_positions[n_columns - 1 :: n_columns]
    at_end = line_ends == len(data)
    is_newline = np.where(at_end, True, data[np.minimum(line_ends, len(data) - 1)] == 10)
    if not is_newline.all():
        return None
    if n_columns > 1:
        inner = separator_positions.reshape(-1, n_columns)[:, :-1]
        if np.any(data[inner] == 10):
            return None
    line_starts = np.concatenate(([0], line_ends[:-1] + 1))
    if np.any(line_starts >= line_ends):
        return None  # a blank line
    bounds = []
    for column in columns:
        starts = line_starts if column == 0 else separator_positions[column - 1 :: n_columns] + 1
        bounds.append((starts, separator_positions[column::n_columns]))
    return bounds


def _trim_spaces(data, starts, ends):
    """Move field bounds past surrounding spaces and a carriage return (rarely needed)."""
    for _attempt in range(64):
        last = data[np.maximum(ends - 1, 0)]
        trailing = (ends > starts) & ((last == 13) | (last == 32) | (last == 9))
        leading = (starts < ends) & (
            (data[np.minimum(starts, len(data) - 1)] == 32)
            | (data[np.minimum(starts, len(data) - 1)] == 9)
        )
        if not (trailing.any() or leading.any()):
            break
        ends = ends - trailing
        starts = starts + leading
    return starts, ends


def _csv_module_fields(
    text: str,
    delimiter: str,
    columns: list[int],
    n_columns: int,
    path: str,
    encoding: str,
    line_offset: int = 0,
):
    """Quote-aware fallback through the csv module."""
    reader = csv.reader(_io.StringIO(text), delimiter=delimiter)
    values = [[] for _ in columns]
    line_numbers = []
    for record in reader:
        if not record or all(not field.strip() for field in record):
            continue
        if len(record) != n_columns:
            raise _field_count_error(path, line_offset + reader.line_num, len(record), n_columns)
        line_numbers.append(line_offset + reader.line_num)
        for target, column in zip(values, columns, strict=True):
            value = record[column].strip()
            target.append(value.encode(encoding if encoding != "ascii" else "utf-8"))
    return [np.array(column_values, dtype="S") for column_values in values], np.array(line_numbers)


def _strip_matrix(fields: np.ndarray) -> np.ndarray:
    """Trim spaces and surrounding quotes of each fixed-width byte field."""
    stripped = np.char.strip(fields)
    if np.any(np.char.startswith(stripped, b'"')):
        stripped = np.char.strip(stripped, b'"')
    return stripped


def _bytes_matrix(fields: np.ndarray) -> np.ndarray:
    width = fields.dtype.itemsize
    return np.frombuffer(fields.tobytes(), dtype=np.uint8).reshape(len(fields), width)


def _group_value(matrix: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Integer value of the digits in [start, end) of each row, read left to right (Horner)."""
    value = np.zeros(len(matrix), dtype=np.int64)
    for position in range(matrix.shape[1]):
        inside = (starts <= position) & (position < ends)
        digit = matrix[:, position].astype(np.int64) - 48
        value = np.where(inside, value * 10 + digit, value)
    return value


def parse_dates(
    fields: np.ndarray, *, line_numbers: np.ndarray, column: str, path: str, strip: bool = True
) -> np.ndarray:
    """Parse byte fields into datetime64[D]; one format per file, detected from the values.

    ``strip=False`` when the fields are already trimmed (the reader trims at the byte level).
    """
    if strip:
        fields = _strip_matrix(fields)
    if len(fields) == 0:
        return np.array([], dtype="datetime64[D]")
    matrix = _bytes_matrix(fields)
    sample = fields[0].decode("latin-1")
    fixed = _fixed_layout_date_parts(matrix)
    if fixed is not None:
        year, month, day, date_format = fixed
        well_formed = np.ones(len(fields), dtype=bool)
    else:
        year, month, day, well_formed, date_format = _general_date_parts(fields, matrix)
    return _assemble_dates(
        year,
        month,
        day,
        well_formed,
        fields=fields,
        line_numbers=line_numbers,
        column=column,
        path=path,
        date_format=date_format,
        sample=sample,
    )


# Layouts written by nearly every export, with the columns of year, month, day and separators.
_FIXED_DATE_LAYOUTS = {
    10: (
        ("yyyy-mm-dd", (0, 4), (5, 7), (8, 10), (4, 7)),
        ("dd-mm-yyyy", (6, 10), (3, 5), (0, 2), (2, 5)),
    ),
    8: (("yyyymmdd", (0, 4), (4, 6), (6, 8), ()),),
}


def _fixed_layout_date_parts(matrix: np.ndarray):
    """Year, month and day by column arithmetic when every field has one fixed layout."""
    width = matrix.shape[1]
    if width not in _FIXED_DATE_LAYOUTS or not np.all(matrix[:, -1]):
        return None
    for date_format, years, months, days, separators in _FIXED_DATE_LAYOUTS[width]:
        separator_ok = all(
            np.all(
                (matrix[:, column] == ord("-"))
                | (matrix[:, column] == ord("/"))
                | (matrix[:, column] == ord("."))
            )
            for column in separators
        )
        if not separator_ok:
            continue
        digit_columns = [c for c in range(width) if c not in separators]
        # uint8 arithmetic wraps below '0', so one comparison checks 0 <= digit <= 9.
        if not np.all((matrix[:, digit_columns] - np.uint8(48)) < 10):
            continue

        def number(span):
            value = np.zeros(len(matrix), dtype=np.int64)
            for column in range(*span):
                value = value * 10 + (matrix[:, column] - np.uint8(48))
            return value

        return number(years), number(months), number(days), date_format
    return None


def _general_date_parts(fields: np.ndarray, matrix: np.ndarray):
    """Year, month and day for fields of varying layout (unpadded days, a time after the date)."""
    lengths = np.char.str_len(fields)
    # Ignore a time of day after the date ("2024-03-01 14:05" or "2024-03-01T14:05").
    time_start = (matrix == 32) | (matrix == ord("T"))
    has_time = time_start.any(axis=1)
    lengths = np.where(has_time, np.argmax(time_start, axis=1), lengths)
    positions = np.arange(matrix.shape[1])[None, :]
    in_date = positions < lengths[:, None]
    is_digit = (matrix >= 48) & (matrix <= 57) & in_date
    is_separator = ((matrix == ord("-")) | (matrix == ord("/")) | (matrix == ord("."))) & in_date
    separator_count = is_separator.sum(axis=1)
    first_separator = np.argmax(is_separator, axis=1)
    second_separator = np.argmax(is_separator & (positions > first_separator[:, None]), axis=1)
    if separator_count[0] == 0:
        date_format = "yyyymmdd"
        year = _group_value(matrix, np.zeros_like(lengths), np.full_like(lengths, 4))
        month = _group_value(matrix, np.full_like(lengths, 4), np.full_like(lengths, 6))
        day = _group_value(matrix, np.full_like(lengths, 6), np.full_like(lengths, 8))
        well_formed = (lengths == 8) & (is_digit.sum(axis=1) == 8)
    else:
        zero = np.zeros_like(lengths)
        group_one = (zero, first_separator)
        group_two = (first_separator + 1, second_separator)
        group_three = (second_separator + 1, lengths)
        if first_separator[0] == 4:
            date_format = "yyyy-mm-dd"
            year, month, day = (
                _group_value(matrix, *group) for group in (group_one, group_two, group_three)
            )
            year_width = first_separator
        else:
            date_format = "dd-mm-yyyy"
            day, month, year = (
                _group_value(matrix, *group) for group in (group_one, group_two, group_three)
            )
            year_width = lengths - second_separator - 1
        well_formed = (
            (separator_count == 2)
            & (is_digit.sum(axis=1) == lengths - 2)
            & (year_width == 4)
            & (first_separator >= 1)
            & (second_separator - first_separator >= 2)
            & (lengths - second_separator >= 2)
        )
    return year, month, day, well_formed, date_format


def _assemble_dates(
    year, month, day, well_formed, *, fields, line_numbers, column, path, date_format, sample
):
    """Validate calendar parts and combine them into datetime64[D]."""
    month_ok = (month >= 1) & (month <= 12)
    year_start = (np.clip(year, 1900, 2200) - 1970).astype("timedelta64[Y]") + np.datetime64(
        "1970", "Y"
    )
    month_start = year_start.astype("datetime64[M]") + (np.clip(month, 1, 12) - 1).astype(
        "timedelta64[M]"
    )
    next_month = month_start + np.timedelta64(1, "M")
    days_in_month = (
        next_month.astype("datetime64[D]") - month_start.astype("datetime64[D]")
    ).astype(np.int64)
    valid = (
        well_formed
        & month_ok
        & (day >= 1)
        & (day <= days_in_month)
        & (year >= 1900)
        & (year <= 2200)
    )
    if not valid.all():
        row = int(np.flatnonzero(~valid)[0])
        raise TransactionFileError(
            _(
                "%(path)s: line %(line)s, column %(column)r: cannot read the date %(value)r "
                "(the file's dates look like %(format)s, from %(sample)r)"
            )
            % {
                "path": path,
                "line": int(line_numbers[row]),
                "column": column,
                "value": fields[row].decode("latin-1"),
                "format": date_format,
                "sample": sample,
            }
        )
    return month_start.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")


def parse_amounts(
    fields: np.ndarray, *, line_numbers: np.ndarray, column: str, path: str, strip: bool = True
) -> np.ndarray:
    """Parse byte fields into floats, with decimal point or decimal comma and currency signs."""
    if strip:
        fields = _strip_matrix(fields)
    if len(fields) == 0:
        return np.array([], dtype=np.float64)
    plain = _plain_decimals(_bytes_matrix(fields))
    if plain is not None:
        return plain
    if not np.any(np.char.find(fields, b",") >= 0):
        # Plain decimal points in other notations (exponents): numpy's string-to-float cast.
        try:
            values = fields.astype(np.float64)
        except ValueError:
            values = None
        if values is not None and np.all(np.isfinite(values)):
            return values
    fields = _round_amounts_without_dashes(fields)
    matrix = _bytes_matrix(fields).copy()
    # Currency signs and spaces carry no value: "€ 12,50", "EUR 12.50", "$12.50", "1 234,50".
    # The euro sign is 0xE2 0x82 0xAC in UTF-8 and 0x80 in Windows-1252.
    drop = np.isin(matrix, np.frombuffer(b" $\xe2\x82\xac\x80\xa0'EURur\"", dtype=np.uint8))
    comma = matrix == ord(",")
    point = matrix == ord(".")
    has_comma, has_point = comma.any(axis=1), point.any(axis=1)
    positions = np.arange(matrix.shape[1])[None, :]
    last_comma = np.max(np.where(comma, positions, -1), axis=1)
    last_point = np.max(np.where(point, positions, -1), axis=1)
    # The file's decimal separator is the one that comes last in fields that have both, or
    # the comma when only commas appear ("12,50").
    both = has_comma & has_point
    if both.any():
        decimal_comma = bool(np.median(last_comma[both] > last_point[both]))
    else:
        decimal_comma = bool(has_comma.any())
    if decimal_comma:
        drop |= point
        matrix[comma] = ord(".")
    else:
        drop |= comma
    if drop.any():
        order = np.argsort(drop, axis=1, kind="stable")  # kept bytes first, in order
        matrix = np.take_along_axis(matrix, order, axis=1)
        kept = (~drop).sum(axis=1)
        matrix[positions >= kept[:, None]] = 0
    cleaned = matrix.view(f"S{matrix.shape[1]}").reshape(-1)
    try:
        values = cleaned.astype(np.float64)
    except ValueError:
        values = None
    if values is not None:
        empty = np.char.str_len(cleaned) == 0
        if not empty.any() and np.all(np.isfinite(values)):
            return values
    for row, value in enumerate(cleaned):
        try:
            if not np.isfinite(float(value)):
                raise ValueError
        except ValueError:
            raise TransactionFileError(
                _("%(path)s: line %(line)s, column %(column)r: cannot read the amount %(value)r")
                % {
                    "path": path,
                    "line": int(line_numbers[row]),
                    "column": column,
                    "value": fields[row].decode("latin-1"),
                }
            ) from None
    raise TransactionFileError(
        _("%(path)s: column %(column)r: cannot read the amounts") % {"path": path, "column": column}
    )


# A round amount as Dutch price tags and receipts write it: "35,-" (or "35,--", "35.–") is 35.
# The dash is a hyphen, or an en or em dash in UTF-8 or Windows-1252. The same rule as the web
# app's (klantvriend.core.money), which this package cannot import.
_ROUND_AMOUNT_DASHES = re.compile(
    rb"(?<=[0-9])[.,](?:-|\xe2\x80\x93|\xe2\x80\x94|\x96|\x97){1,2}\Z"
)


def _round_amounts_without_dashes(fields: np.ndarray) -> np.ndarray:
    """`fields` with "35,-" written "35": only the fields that end in a dash are looked at, and
    only on the slow path of parse_amounts, so a file without them costs nothing."""
    dashed = np.flatnonzero(
        np.char.endswith(fields, b"-")
        | np.char.endswith(fields, b"\x93")
        | np.char.endswith(fields, b"\x94")
        | np.char.endswith(fields, b"\x96")
        | np.char.endswith(fields, b"\x97")
    )
    if len(dashed) == 0:
        return fields
    fields = fields.copy()
    for row in dashed:
        fields[row] = _ROUND_AMOUNT_DASHES.sub(b"", fields[row])
    return fields


def _plain_decimals(matrix: np.ndarray) -> np.ndarray | None:
    """Parse ``-123.45``-style fields by integer arithmetic on byte columns, or return None.

    The digits form an exact integer mantissa (up to 17 digits) that is divided by a power of
    ten, both exact in binary, so the division rounds exactly as parsing the text would.
    """
    n_rows, width = matrix.shape
    if width > 17 or n_rows == 0:
        return None
    mantissa = np.zeros(n_rows, dtype=np.int64)
    decimals = np.zeros(n_rows, dtype=np.int64)
    points = np.zeros(n_rows, dtype=np.int64)
    digits = np.zeros(n_rows, dtype=np.int64)
    negative = matrix[:, 0] == ord("-")
    for column in range(width):
        byte = matrix[:, column]
        digit = byte - np.uint8(48)
        is_digit = digit < 10
        is_point = byte == ord(".")
        allowed = is_digit | is_point | (byte == 0) | ((byte == ord("-")) & (column == 0))
        if not allowed.all():
            return None
        mantissa = np.where(is_digit, mantissa * 10 + digit, mantissa)
        decimals += is_digit & (points > 0)
        points += is_point
        digits += is_digit
    if np.any(points > 1) or np.any(digits == 0):
        return None
    values = mantissa / 10.0**decimals
    return np.where(negative, -values, values)


def os_reason(error: OSError) -> str:
    """Why the system refused a file, in the language of the report: the C library's own
    words (`strerror`) stay in English whatever the language, as Python leaves its locale
    alone. The usual reasons in our words, any other in the system's."""
    reasons = {
        errno.ENOENT: _("it does not exist"),
        errno.EACCES: _("no permission"),
        errno.EPERM: _("no permission"),
        errno.EISDIR: _("it is a folder"),
        errno.ENOTDIR: _("part of the path is not a folder"),
        errno.ENOSPC: _("the disk is full"),
        errno.EROFS: _("the disk is read-only"),
    }
    return reasons.get(error.errno, error.strerror or str(error))


def refuse_unwritable(path: str) -> None:
    """Refuse, before any work, a file that could not be written at `path` (its folder missing,
    or a folder there itself), rather than after minutes of fitting. Permissions are left to
    the writing, which says so (os_reason): root may write where the bits say no."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise _unwritable(path, _("it is a folder"))
    if not os.path.isdir(folder):
        raise _unwritable(path, _("its folder %(folder)s does not exist") % {"folder": folder})


def _unwritable(path: str, reason: str) -> OutputFileError:
    return OutputFileError(
        _("%(path)s: cannot write the file: %(reason)s") % {"path": path, "reason": reason}
    )


@contextmanager
def writing(path: str) -> Iterator[None]:
    """Writing `path`: what the system refuses (no permission, the disk full) is said as the
    other refusals are, naming the file, rather than as a traceback."""
    try:
        yield
    except OSError as error:
        raise _unwritable(path, os_reason(error)) from None


def read_transactions(
    path: str,
    *,
    customer_column: str | None = None,
    date_column: str | None = None,
    amount_column: str | None = None,
    require_amount: bool = False,
) -> Transactions:
    """Read a transaction file into arrays.

    Parameters
    ----------
    path : str
        CSV or whitespace-separated text file, with or without a header row.
    customer_column, date_column, amount_column : str, optional
        Header names or 1-based column numbers; detected from common Dutch and English header
        names when left out. A file without header needs numbers (e.g. the CDNOW file:
        customer 2, date 3, amount 5).
    require_amount : bool
        Fail when no amount column is found.
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as error:
        raise TransactionFileError(
            _("%(path)s: cannot open the file: %(reason)s")
            % {"path": path, "reason": os_reason(error)}
        ) from None
    try:
        return _read_open_file(
            handle, path, customer_column, date_column, amount_column, require_amount
        )
    finally:
        handle.close()


def _read_open_file(handle, path, customer_column, date_column, amount_column, require_amount):
    head = handle.read(HEAD_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.strip():
        raise TransactionFileError(_("%(path)s: the file is empty") % {"path": path})
    # Whole lines of the head decide delimiter, header and columns.
    head_lines = head[: head.rfind(b"\n") + 1] or head
    encoding, head_text = _decode_text(head_lines)
    if encoding is None:
        raise _encoding_error(head_lines, path, 0)
    delimiter = _sniff_delimiter(head_text)
    first_line = next(line for line in head_text.splitlines() if line.strip())
    if delimiter == "whitespace":
        first_fields = first_line.split()
    else:
        first_fields = next(csv.reader([first_line], delimiter=delimiter))
    n_columns = len(first_fields)
    has_header = _looks_like_header(first_fields)
    header = [field.strip() for field in first_fields] if has_header else None

    customer_index = _pick_column(customer_column, header, CUSTOMER_HEADERS, "customer", path)
    date_index = _pick_column(date_column, header, DATE_HEADERS, "date", path)
    amount_index = _pick_column(amount_column, header, AMOUNT_HEADERS, "amount", path)
    if header is None and (customer_index is None or date_index is None):
        raise TransactionFileError(
            _(
                "%(path)s: the file has no header row; name the columns by number, for example "
                "--customer-col 2 --date-col 3 --amount-col 5"
            )
            % {"path": path}
        )
    for index, role, option in (
        (customer_index, "customer", "--customer-col"),
        (date_index, "date", "--date-col"),
    ):
        if index is None:
            raise TransactionFileError(
                _("%(path)s: no %(role)s column found among %(columns)s; name it with %(option)s")
                % {
                    "path": path,
                    "role": _role(role),
                    "columns": ", ".join(header),
                    "option": option,
                }
            )
    if amount_index is None and require_amount:
        raise TransactionFileError(
            _("%(path)s: no amount column found; name it with --amount-col") % {"path": path}
        )
    for index in (customer_index, date_index, amount_index):
        if index is not None and index >= n_columns:
            raise TransactionFileError(
                _("%(path)s: column number %(number)s does not exist (the file has %(count)s)")
                % {"path": path, "number": index + 1, "count": n_columns}
            )

    def column_name(index):
        return (
            header[index] if header is not None else _("column %(number)s") % {"number": index + 1}
        )

    wanted = [customer_index, date_index] + ([amount_index] if amount_index is not None else [])
    # Skip the header line (and blank lines before it) in the first block.
    skipped_lines = 0
    if has_header:
        position = 0
        while True:
            line_end = head.find(b"\n", position)
            line = head[position : line_end if line_end >= 0 else len(head)]
            skipped_lines += 1
            position = line_end + 1 if line_end >= 0 else len(head)
            if line.strip() or line_end < 0:
                break
        head = head[position:]

    def parse_block(block: bytes, line_offset: int):
        """Parse one block of whole lines into (ids, dates, amounts, encoding) or None."""
        block_encoding = "ascii" if block.isascii() else None
        text = None
        needs_text = delimiter != "whitespace" and b'"' in block
        if block_encoding is None or needs_text:
            block_encoding, text = _decode_text(block)
            if block_encoding is None:
                raise _encoding_error(block, path, line_offset)
        if needs_text:
            fields, line_numbers = _csv_module_fields(
                text, delimiter, wanted, n_columns, path, block_encoding, line_offset
            )
        else:
            fields, line_numbers = _fast_fields(
                block, delimiter, wanted, n_columns, path, line_offset
            )
        if len(line_numbers) == 0:
            return None
        customer_ids = fields[0]
        dates = parse_dates(
            fields[1],
            line_numbers=line_numbers,
            column=column_name(date_index),
            path=path,
            strip=False,
        )
        amounts = None
        if amount_index is not None:
            amounts = parse_amounts(
                fields[2],
                line_numbers=line_numbers,
                column=column_name(amount_index),
                path=path,
                strip=False,
            )
        # A sale without a customer (a walk-in at the till) cannot be followed over time: it is
        # checked as every row is, then left out and counted, so that a till export need not be
        # cleaned first.
        walk_in = np.char.str_len(customer_ids) == 0
        walk_in_rows, walk_in_amount, first_walk_in_line = 0, 0.0, None
        if walk_in.any():
            walk_in_rows = int(walk_in.sum())
            first_walk_in_line = int(line_numbers[np.argmax(walk_in)])
            if amounts is not None:
                walk_in_amount = float(amounts[walk_in].sum())
                amounts = amounts[~walk_in]
            customer_ids, dates = customer_ids[~walk_in], dates[~walk_in]
        return (
            customer_ids,
            dates,
            amounts,
            block_encoding,
            (walk_in_rows, walk_in_amount, first_walk_in_line),
        )

    # The file is parsed in blocks of whole lines so that memory stays a small multiple of the
    # block size plus the parsed columns, whatever the file size. numpy releases the GIL in
    # its loops, so two threads parse two blocks at once; results are taken in file order, so
    # the first error in the file is the one reported.
    parsed = []
    line_offset = skipped_lines
    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        pending = deque()
        for block in _chunks(handle, head, BLOCK_BYTES):
            pending.append(pool.submit(parse_block, block, line_offset))
            line_offset += block.count(b"\n")
            while len(pending) > PARSE_THREADS:
                parsed.append(pending.popleft().result())
        while pending:
            parsed.append(pending.popleft().result())
    parsed = [result for result in parsed if result is not None]
    if not parsed:
        raise TransactionFileError(
            _("%(path)s: the file has a header but no transactions") % {"path": path}
        )
    walk_ins = [result[4] for result in parsed]
    walk_in_rows = sum(rows for rows, _amount, _line in walk_ins)
    walk_in_amount = sum(amount for _rows, amount, _line in walk_ins)
    if not any(len(result[1]) for result in parsed):
        first_line = next(line for _rows, _amount, line in walk_ins if line is not None)
        raise TransactionFileError(
            _(
                "%(path)s: line %(line)s, column %(column)r: the customer is empty, and so it is "
                "on every row: the analysis follows customers over time, so it needs a column "
                "that names them"
            )
            % {"path": path, "line": first_line, "column": column_name(customer_index)}
        )
    customer_ids = np.concatenate([result[0] for result in parsed])
    dates = np.concatenate([result[1] for result in parsed])
    amounts = np.concatenate([result[2] for result in parsed]) if amount_index is not None else None
    block_encodings = {result[3] for result in parsed} | {encoding}
    encoding = next((name for name in ("cp1252", "utf-8") if name in block_encodings), "ascii")
    del parsed
    release_free_memory()
    return Transactions(
        customer_ids=customer_ids,
        dates=dates,
        amounts=amounts,
        encoding=encoding,
        delimiter=delimiter,
        has_header=has_header,
        customer_column=column_name(customer_index),
        date_column=column_name(date_index),
        amount_column=column_name(amount_index) if amount_index is not None else None,
        walk_in_rows=walk_in_rows,
        walk_in_amount=round(walk_in_amount, 2),
    )


def _number_matrix(values: np.ndarray, decimals: int) -> np.ndarray:
    """Fixed-point text of each value as a NUL-padded byte matrix, by integer arithmetic."""
    negative = values < 0
    scale = 10**decimals
    scaled = np.rint(np.abs(values) * scale)
    integer_part = (scaled // scale).astype(np.int64)
    fraction = (scaled - integer_part * float(scale)).astype(np.int64)
    integer_digits = max(1, len(str(int(integer_part.max()))) if len(values) else 1)
    width = 1 + integer_digits + (1 + decimals if decimals else 0)
    matrix = np.zeros((len(values), width), dtype=np.uint8)
    matrix[:, 0] = np.where(negative & (scaled > 0), ord("-"), 0)
    remaining = integer_part
    for place in range(integer_digits):
        digit = (remaining % 10).astype(np.uint8)
        shown = (remaining > 0) | (place == 0)
        matrix[:, integer_digits - place] = np.where(shown, 48 + digit, 0)
        remaining = remaining // 10
    if decimals:
        matrix[:, 1 + integer_digits] = ord(".")
        remaining = fraction
        for place in range(decimals):
            matrix[:, width - 1 - place] = 48 + (remaining % 10).astype(np.uint8)
            remaining = remaining // 10
    return matrix


def _text_matrix(values: np.ndarray) -> np.ndarray:
    """Byte matrix of text or bytes values, quoted as CSV requires when needed."""
    data = values if values.dtype.kind == "S" else np.char.encode(values.astype(str), "utf-8")
    special = (np.char.find(data, b",") >= 0) | (np.char.find(data, b'"') >= 0)
    special |= np.char.find(data, b"\n") >= 0
    if special.any():
        quoted = np.char.add(np.char.add(b'"', np.char.replace(data, b'"', b'""')), b'"')
        data = np.where(special, quoted, data)
    width = max(data.dtype.itemsize, 1)
    return np.frombuffer(data.astype(f"S{width}").tobytes(), dtype=np.uint8).reshape(
        len(data), width
    )


def write_csv(path: str, columns: dict, *, decimals: dict | None = None, block_rows: int = 200_000):
    """Write columns (text or numbers) as a comma-separated UTF-8 file with a header.

    Numbers are formatted as fixed-point text by integer arithmetic on byte matrices and empty
    padding bytes are dropped, a block of rows at a time: no Python loop per row, memory
    bounded by the block. ``decimals`` gives the digits after the point per column (6 by
    default); non-finite numbers are refused.
    """
    decimals = decimals or {}
    names = list(columns)
    arrays = [np.asarray(columns[name]) for name in names]
    n_rows = len(arrays[0])
    separator = np.full((1, 1), ord(","), dtype=np.uint8)
    newline = np.full((1, 1), ord("\n"), dtype=np.uint8)
    with open(path, "wb") as handle:
        handle.write((",".join(names) + "\n").encode("utf-8"))
        for start in range(0, n_rows, block_rows):
            stop = min(start + block_rows, n_rows)
            parts = []
            for name, array in zip(names, arrays, strict=True):
                block = array[start:stop]
                if block.dtype.kind in "SUO":
                    parts.append(_text_matrix(block))
                else:
                    numbers = block.astype(np.float64)
                    if not np.all(np.isfinite(numbers)):
                        raise ValueError(f"column {name!r} has a value that is not a finite number")
                    parts.append(_number_matrix(numbers, decimals.get(name, 6)))
                parts.append(np.broadcast_to(separator, (stop - start, 1)))
            parts[-1] = np.broadcast_to(newline, (stop - start, 1))
            matrix = np.concatenate(parts, axis=1)
            flat = matrix.ravel()
            handle.write(flat[flat != 0].tobytes())
