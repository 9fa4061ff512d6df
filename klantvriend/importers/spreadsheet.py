"""Text that a spreadsheet would run as a formula (CSV injection, OWASP): a cell starting with
= + - or @ is a formula to Excel, and one typed by a customer or sent by an integration (a name
=HYPERLINK("http://...")) would run on the owner's computer when they open the export. The export
puts an apostrophe before such text, which Excel shows as text; the importers take it off again,
so an export read back in gives the same data."""

_FORMULA_STARTS = ("=", "+", "-", "@")
# A tab or carriage return before the formula works as well in some spreadsheets.
_EXPORT_FORMULA_STARTS = (*_FORMULA_STARTS, "\t", "\r")


def cell_for_spreadsheet(text: str) -> str:
    return "'" + text if text.startswith(_EXPORT_FORMULA_STARTS) else text


def text_from_spreadsheet(cell: str) -> str:
    """The inverse of cell_for_spreadsheet for cells as the importers read them (stripped)."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS) else cell
