"""Reading CSV files as Dutch and Belgian tills and Excel write them.

A file is read from disk more than once (validate everything, then write), each time as a
stream, so a file of a million rows never sits in memory. What is detected once — the encoding,
the delimiter, the header — is kept in a `TableFormat`."""

import codecs
import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from klantvriend.customers.text import fold

from .spreadsheet import text_from_spreadsheet

# Excel's "CSV (gescheiden door lijstscheidingsteken)" writes Windows-1252 on Dutch Windows;
# newer versions and most tills write UTF-8, sometimes with a byte-order mark.
UTF8_BOM = codecs.BOM_UTF8
DELIMITERS = (";", ",", "\t")
_CHUNK = 1 << 20
csv.field_size_limit(1 << 20)


class FileFormatError(ValueError):
    """The file as a whole cannot be read (empty, no header, not text), or its quoting breaks
    at `line` so that no line after it can be trusted."""

    def __init__(self, message: str, code: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.line = line


@dataclass(frozen=True)
class TableFormat:
    encoding: str  # "utf-8-sig", "utf-8" or "cp1252"
    delimiter: str
    headers: tuple[str, ...]

    @property
    def encoding_label(self) -> str:
        return {
            "utf-8-sig": "UTF-8 (BOM)",
            "utf-8": "UTF-8",
            "cp1252": "Windows-1252",
        }.get(self.encoding, self.encoding)

    @property
    def delimiter_label(self) -> str:
        return {";": ";", ",": ",", "\t": "tab"}[self.delimiter]


def detect_encoding(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8 (a Windows-1252 file with an "é" or "€" does
    not), otherwise Windows-1252. The whole file is checked, in chunks, because a single accented
    name on the last line decides it."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as stream:
        first = stream.read(_CHUNK)
        if first.startswith(UTF8_BOM):
            return "utf-8-sig"
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = stream.read(_CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def _count_outside_quotes(line: str, mark: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == mark and not quoted:
            count += 1
    return count


def detect_delimiter(header_line: str) -> str:
    """The header line decides: headers hold no decimal commas, so the mark that splits it most
    is the delimiter."""
    counts = {mark: _count_outside_quotes(header_line, mark) for mark in DELIMITERS}
    best = max(DELIMITERS, key=lambda mark: counts[mark])
    return best if counts[best] else ";"


def _open_text(path: Path, encoding: str):
    # cp1252 leaves five bytes undefined; a stray one must not make the file unreadable.
    errors = "replace" if encoding == "cp1252" else "strict"
    return path.open("r", encoding=encoding, errors=errors, newline="")


def detect_format(path: Path) -> TableFormat:
    if not path.exists() or path.stat().st_size == 0:
        raise FileFormatError("empty", "empty")
    with path.open("rb") as stream:
        if b"\x00" in stream.read(4096):
            raise FileFormatError("binary", "binary")
    encoding = detect_encoding(path)
    with _open_text(path, encoding) as text:
        header_line = ""
        for line in text:
            if line.strip().strip(";,\t"):
                header_line = line
                break
    if not header_line:
        raise FileFormatError("empty", "empty")
    delimiter = detect_delimiter(header_line)
    headers = next(csv.reader([header_line], delimiter=delimiter))
    headers = tuple(header.strip() for header in headers)
    if not any(headers):
        raise FileFormatError("no_header", "no_header")
    return TableFormat(encoding=encoding, delimiter=delimiter, headers=headers)


def iter_rows(path: Path, table: TableFormat) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every non-empty row after the header; cells are stripped and
    padded to the header's width."""
    width = len(table.headers)
    with _open_text(path, table.encoding) as text:
        # Strict: a quote that is opened and never closed would otherwise swallow every line
        # after it into one value, silently (a customer lost, another one named after them).
        reader = csv.reader(text, delimiter=table.delimiter, strict=True)
        header_seen = False
        while True:
            starts = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                code = "unclosed_quote" if "end of data" in str(error) else "stray_quote"
                raise FileFormatError(code, code, line=starts) from None
            if not any(cell.strip() for cell in cells):
                continue
            if not header_seen:
                header_seen = True
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield reader.line_num, [text_from_spreadsheet(cell.strip()) for cell in cells]


def header_key(header: str) -> str:
    """ "E-mail", "e-mailadres " and "EMAIL" compare equal; "Bedrag (€)" becomes "bedrag"."""
    return re.sub(r"[^a-z0-9]+", "", fold(re.sub(r"\(.*?\)", "", header)))
