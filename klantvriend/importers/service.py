"""The one entry point of both importers, used by the command and the web page alike."""

from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from klantvriend.core.audit import AuditAction, audit_record
from klantvriend.core.hooks import DATA_IMPORTED, run_after_commit
from klantvriend.core.models import Business

from . import customer_import, purchase_import
from .common import Columns
from .mapping import CUSTOMERS, FIELDS, KINDS, MappingError, build_mapping
from .reading import FileFormatError, detect_format
from .results import ImportResult, RowError

_MODULES = {CUSTOMERS: customer_import, "purchases": purchase_import}


def file_format_message(code: str) -> str:
    return {
        "empty": _("The file is empty."),
        "binary": _(
            "This is not a CSV file. In Excel, choose Save as → CSV (semicolon-separated)."
        ),
        "no_header": _("The first line must name the columns."),
        "unclosed_quote": _(
            'A quote (") opens a value on this line and is never closed, so every line after '
            "it would be read as part of that value. Close the quote, or remove it."
        ),
        "stray_quote": _(
            'A value on this line starts with a quote (") and goes on after the closing quote. '
            'Put the whole value between quotes, with any quote inside it doubled ("").'
        ),
    }.get(code, _("The file cannot be read."))


def data_import(
    *,
    business: Business,
    kind: str,
    path: Path,
    columns: dict[str, str] | None = None,
    dry_run: bool = False,
    date_order: str | None = None,
    actor=None,
    result: ImportResult | None = None,
) -> ImportResult:
    """Validates the whole file, then writes it in one transaction, or writes nothing at all when
    any row is refused (or when `dry_run`: the writes are made and rolled back, so the counts are
    exactly what a real import would do). The counts grow in `result` as the file is read and
    written, for whoever shows the progress from another thread."""
    if kind not in KINDS:
        raise ValueError(f"Unknown import kind {kind!r}")
    result = result or ImportResult(kind=kind, dry_run=dry_run)
    try:
        table = detect_format(Path(path))
    except FileFormatError as error:
        result.add_error(RowError(None, "", "", file_format_message(error.code), error.code))
        return result
    result.table = table
    try:
        mapping = build_mapping(kind, table, columns)
    except MappingError as error:
        # The column is named by what it should hold, as the page asks for it ("klantnummer"),
        # not by the field's name in the code.
        labels = {item.name: str(item.label) for item in FIELDS[kind]}
        for field, message in error.messages:
            result.add_error(RowError(None, labels.get(field, field), "", message, "mapping"))
        return result
    result.mapping = mapping
    module = _MODULES[kind]
    layout = Columns(table=table, mapping=mapping, date_order=date_order)
    try:
        module.validate(Path(path), layout, business, result)
    except FileFormatError as error:
        result.add_error(RowError(error.line, "", "", file_format_message(error.code), error.code))
    if not result.ok:
        return result
    try:
        _write(module, Path(path), layout, business, result, dry_run, kind, actor)
    except IntegrityError:
        # Someone saved a customer number or receipt number of the file (by hand, through the
        # API, or in another import) between the check and the write: the database's unique
        # constraints refused it, and the transaction wrote nothing. Importing again finds it.
        result.add_error(
            RowError(
                None,
                "",
                "",
                _(
                    "While this file was being imported, someone else saved a customer number "
                    "or receipt number that is in it. Nothing was imported; import the file "
                    "again."
                ),
                "taken",
            )
        )
    if not result.ok:
        result.forget_written()
    return result


def _write(module, path, layout, business, result, dry_run, kind, actor) -> None:
    with transaction.atomic():
        module.write(path, layout, business, result, actor=actor)
        if not result.ok or dry_run:
            transaction.set_rollback(True)
        else:
            audit_record(
                business=business,
                actor=actor,
                action=AuditAction.IMPORTED,
                obj=business,
                changes={
                    "kind": kind,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "skipped": result.skipped,
                    "customers_created": result.customers_created,
                    "anonymised": result.anonymised,
                },
            )
            run_after_commit(DATA_IMPORTED, business=business, kind=kind)
