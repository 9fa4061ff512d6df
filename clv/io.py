"""Reading till and web-shop exports into transaction arrays.

The common case (no quoted fields) is parsed on the raw bytes with numpy: field boundaries from
the positions of delimiters and newlines, fields gathered into fixed-width byte arrays, dates
parsed by digit arithmetic and amounts by numpy's string-to-float cast. Files with quoted
fields go through the standard ``csv`` module instead. Every error names the line (1-based, as
an editor shows it) and the column.

Accepted: delimiters ``,`` ``;`` tab or runs of whitespace (sniffed from the first lines);
UTF-8 with or without BOM, or Windows-1252; decimal point or decimal comma (with thousands
separators); dates as ISO ``yyyy-mm-dd`` (a time after it is ignored), ``yyyymmdd``,
``dd-mm-yyyy``, ``dd/mm/yyyy`` or ``dd.mm.yyyy``.
"""

from __future__ import annotations

import csv
import io as _io
import re
from dataclasses import dataclass

import numpy as np

CUSTOMER_HEADERS = (
    "klant",
    "klantnummer",
    "klantnr",
    "klantid",
    "klantcode",
    "klantnaam",
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


class TransactionFileError(ValueError):
    """A problem with an input file; the message names line and column where there is one."""


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


def _decode(raw: bytes, path: str) -> tuple[str, str, bytes]:
    """Return (encoding, text of the first lines, raw bytes without BOM)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        encoding = "utf-8"
    else:
        encoding = "ascii" if not np.any(np.frombuffer(raw, dtype=np.uint8) >= 0x80) else "utf-8"
    if encoding == "utf-8":
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                raw.decode("cp1252")
                encoding = "cp1252"
            except UnicodeDecodeError as error:
                line = raw.count(b"\n", 0, error.start) + 1
                column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
                raise TransactionFileError(
                    f"{path}: line {line}, character {column}: the file is neither UTF-8 nor "
                    "Windows-1252 text; save it as UTF-8 CSV"
                ) from None
    head = raw[:65536].decode(encoding if encoding != "ascii" else "utf-8", errors="replace")
    return encoding, head, raw


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
                    f"{path}: column number {option} for the {role} does not exist"
                )
            return index
        shown = ", ".join(header) if header else "(no header row)"
        raise TransactionFileError(
            f"{path}: no column named {option!r} for the {role}; the columns are: {shown}"
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


def _fast_fields(raw: bytes, delimiter: str, columns: list[int], n_columns: int, path: str):
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
            raise TransactionFileError(
                f"{path}: line {int(lines[row]) + 1} has {int(tokens_per_line[row])} fields, expected {n_columns}"
            )
        fields = [
            _field_matrix(
                data, token_starts[first_token + column], token_ends[first_token + column]
            )
            for column in columns
        ]
        return fields, lines + 1
    separator = newline | (data == ord(delimiter))
    line_ends = np.flatnonzero(newline)
    if len(data) and not newline[-1]:
        line_ends = np.append(line_ends, len(data))
    line_starts = np.concatenate(([0], line_ends[:-1] + 1))
    # Blank lines (only a carriage return or nothing) are skipped.
    line_lengths = line_ends - line_starts
    blank = line_lengths == 0
    blank |= (line_lengths == 1) & (data[np.minimum(line_starts, len(data) - 1)] == 13)
    separator_positions = np.flatnonzero(separator)
    if len(data) and not newline[-1]:
        separator_positions = np.append(separator_positions, len(data))
    # Each line contributes n_columns separators (n_columns - 1 delimiters and its newline).
    per_line = np.diff(np.searchsorted(separator_positions, np.append(line_starts, len(data) + 1)))
    line_numbers = np.arange(1, len(line_starts) + 1)
    keep = ~blank
    bad = keep & (per_line != n_columns)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise TransactionFileError(
            f"{path}: line {row + 1} has {int(per_line[row])} fields, expected {n_columns}"
        )
    first_separator = np.searchsorted(separator_positions, line_starts[keep])
    fields = []
    for column in columns:
        ends = separator_positions[first_separator + column]
        starts = (
            line_starts[keep]
            if column == 0
            else separator_positions[first_separator + column - 1] + 1
        )
        # Drop a carriage return before the newline.
        ends = ends - ((ends > starts) & (data[np.maximum(ends - 1, 0)] == 13))
        fields.append(_field_matrix(data, starts, ends))
    return fields, line_numbers[keep]


def _csv_module_fields(
    text: str, delimiter: str, columns: list[int], n_columns: int, path: str, encoding: str
):
    """Quote-aware fallback through the csv module."""
    reader = csv.reader(_io.StringIO(text), delimiter=delimiter)
    values = [[] for _ in columns]
    line_numbers = []
    for record in reader:
        if not record or all(not field.strip() for field in record):
            continue
        if len(record) != n_columns:
            raise TransactionFileError(
                f"{path}: line {reader.line_num} has {len(record)} fields, expected {n_columns}"
            )
        line_numbers.append(reader.line_num)
        for target, column in zip(values, columns, strict=True):
            target.append(record[column].encode(encoding if encoding != "ascii" else "utf-8"))
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
    fields: np.ndarray, *, line_numbers: np.ndarray, column: str, path: str
) -> np.ndarray:
    """Parse byte fields into datetime64[D]; one format per file, detected from the values."""
    fields = _strip_matrix(fields)
    if len(fields) == 0:
        return np.array([], dtype="datetime64[D]")
    matrix = _bytes_matrix(fields)
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
    sample = fields[0].decode("latin-1")
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
            f"{path}: line {int(line_numbers[row])}, column {column!r}: cannot read the date "
            f"{fields[row].decode('latin-1')!r} (the file's dates look like {date_format}, from {sample!r})"
        )
    return month_start.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")


def parse_amounts(
    fields: np.ndarray, *, line_numbers: np.ndarray, column: str, path: str
) -> np.ndarray:
    """Parse byte fields into floats, with decimal point or decimal comma and currency signs."""
    fields = _strip_matrix(fields)
    if len(fields) == 0:
        return np.array([], dtype=np.float64)
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
                f"{path}: line {int(line_numbers[row])}, column {column!r}: cannot read the amount "
                f"{fields[row].decode('latin-1')!r}"
            ) from None
    raise TransactionFileError(f"{path}: column {column!r}: cannot read the amounts")


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
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise TransactionFileError(f"{path}: cannot open the file: {error.strerror}") from None
    if not raw.strip():
        raise TransactionFileError(f"{path}: the file is empty")
    encoding, head, raw = _decode(raw, path)
    raw = raw.replace(b"\r\n", b"\n")
    delimiter = _sniff_delimiter(head)
    first_line = next(line for line in head.splitlines() if line.strip())
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
            f"{path}: the file has no header row; name the columns by number, for example "
            "--customer-col 2 --date-col 3 --amount-col 5"
        )
    for index, role, option in (
        (customer_index, "customer", "--customer-col"),
        (date_index, "date", "--date-col"),
    ):
        if index is None:
            raise TransactionFileError(
                f"{path}: no {role} column found among {', '.join(header)}; name it with {option}"
            )
    if amount_index is None and require_amount:
        raise TransactionFileError(f"{path}: no amount column found; name it with --amount-col")
    for index in (customer_index, date_index, amount_index):
        if index is not None and index >= n_columns:
            raise TransactionFileError(
                f"{path}: column number {index + 1} does not exist (the file has {n_columns})"
            )

    wanted = [customer_index, date_index] + ([amount_index] if amount_index is not None else [])
    if delimiter != "whitespace" and b'"' in raw:
        text = raw.decode(encoding if encoding != "ascii" else "utf-8")
        fields, line_numbers = _csv_module_fields(
            text, delimiter, wanted, n_columns, path, encoding
        )
    else:
        fields, line_numbers = _fast_fields(raw, delimiter, wanted, n_columns, path)
    if has_header:
        fields = [column[1:] for column in fields]
        line_numbers = line_numbers[1:]
    if len(line_numbers) == 0:
        raise TransactionFileError(f"{path}: the file has a header but no transactions")

    def column_name(index):
        return header[index] if header is not None else f"column {index + 1}"

    customer_ids = _strip_matrix(fields[0])
    empty_id = np.char.str_len(customer_ids) == 0
    if empty_id.any():
        row = int(np.flatnonzero(empty_id)[0])
        raise TransactionFileError(
            f"{path}: line {int(line_numbers[row])}, column {column_name(customer_index)!r}: the customer is empty"
        )
    dates = parse_dates(
        fields[1], line_numbers=line_numbers, column=column_name(date_index), path=path
    )
    amounts = None
    if amount_index is not None:
        amounts = parse_amounts(
            fields[2], line_numbers=line_numbers, column=column_name(amount_index), path=path
        )
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
    )
