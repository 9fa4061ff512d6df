"""The import history: every import of a file, from the import page or the command, accepted,
refused, checked in a dry run or interrupted, with its counts and every error it found.

An import is one transaction, whole or nothing, and a refused one rolls back. Its record is
therefore written outside it: when the import starts (a `running` record, committed before the
import's transaction opens) and when its outcome is known (the counts, the state and every
error, in one transaction of its own after the import's has ended), so that a record is never
half-written and a refused file's errors survive the rollback that refused it. A process that
dies during an import (a server restarted, a command killed) leaves a `running` record; it is
shown as interrupted once that process is gone (`shown_state`).

Kept IMPORT_HISTORY_DAYS: the errors quote the file's cells, a name or an e-mail address among
them. `manage.py apply_retention` deletes older records (`import_history_prune`); an erasure
cuts the person out of the errors at once, and an access request lists those that quote them
(importers/privacy.py gives the person's strings; scrubbing.py how they are found)."""

import csv
import io
import logging
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from klantvriend.core.errors import NotFound
from klantvriend.core.models import Business

from .models import ImportErrorPage, ImportRecord
from .results import ImportResult, RowError
from .scrubbing import quoter, scrubber, search_text, text_may_quote
from .service import data_import
from .spreadsheet import cell_for_spreadsheet

# How long the history keeps an import, its counts and its errors (docs/architecture.md).
IMPORT_HISTORY_DAYS = 90
# Errors stored to a row (ImportErrorPage) and shown to a page.
ERRORS_PER_PAGE = 100
_PAGES_PER_INSERT = 100
_NAME_LENGTH = ImportRecord._meta.get_field("file_name").max_length

State = ImportRecord.State
logger = logging.getLogger(__name__)


def _this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def import_record_start(
    *,
    business: Business,
    member,
    source: str,
    kind: str,
    dry_run: bool,
    file_name: str,
    path: Path,
) -> ImportRecord:
    """The record of an import about to start, committed at once (never inside the import's
    transaction, whose rollback would take it along)."""
    return ImportRecord.objects.create(
        business=business,
        member=member,
        source=source,
        kind=kind,
        dry_run=dry_run,
        file_name=file_name[:_NAME_LENGTH],
        file_size=path.stat().st_size if path.is_file() else 0,
        process=_this_process(),
        started_at=timezone.now(),
    )


def import_record_finish(*, record: ImportRecord, result: ImportResult, state: str) -> None:
    """The outcome of the import: its counts, its state and its errors, all or nothing. The
    pages hold the errors of a refused file, and the notes of an accepted one (a refused file
    has none: nothing of it was stored)."""
    record.state = state
    record.finished_at = timezone.now()
    for name in ("rows", "created", "updated", "skipped", "customers_created", "anonymised"):
        setattr(record, name, getattr(result, name))
    record.error_count = result.error_count
    record.note_count = result.note_count
    listed = result.errors or result.notes
    with transaction.atomic():
        record.save(
            update_fields=[
                "state",
                "finished_at",
                "rows",
                "created",
                "updated",
                "skipped",
                "customers_created",
                "anonymised",
                "error_count",
                "note_count",
            ]
        )
        ImportErrorPage.objects.bulk_create(
            (
                _page(
                    record,
                    start // ERRORS_PER_PAGE + 1,
                    [
                        [error.line, error.column, error.value, error.message, error.code]
                        for error in listed[start : start + ERRORS_PER_PAGE]
                    ],
                )
                for start in range(0, len(listed), ERRORS_PER_PAGE)
            ),
            batch_size=_PAGES_PER_INSERT,
        )


def _page(record: ImportRecord, number: int, errors: list[list]) -> ImportErrorPage:
    return ImportErrorPage(
        record=record, number=number, errors=errors, search_text=error_page_search_text(errors)
    )


def _outcome(result: ImportResult) -> str:
    if not result.ok:
        return State.REFUSED
    return State.CHECKED if result.dry_run else State.IMPORTED


def data_import_recorded(*, record: ImportRecord, result: ImportResult, **options) -> ImportResult:
    """`service.data_import` with `options`, its outcome written to `record` (started with
    import_record_start). Stopped by Ctrl-C or the process's end, the record says interrupted;
    by an error of the program, failed; either way the exception goes on."""
    try:
        data_import(**options, result=result)
    except Exception:
        _finish_after_stop(record, result, State.FAILED)
        raise
    except BaseException:
        _finish_after_stop(record, result, State.INTERRUPTED)
        raise
    import_record_finish(record=record, result=result, state=_outcome(result))
    return result


def _finish_after_stop(record: ImportRecord, result: ImportResult, state: str) -> None:
    """Records how the import stopped, if the database still can: the exception that stopped it
    is what its caller must see, and a record left running reads as interrupted once its
    process is gone. Nothing was stored, whatever the counts had reached when it stopped."""
    unwritten = replace(result)
    unwritten.forget_written()
    try:
        import_record_finish(record=record, result=unwritten, state=state)
    except Exception:
        logger.exception("The import record %s could not be finished", record.pk)


def _process_gone(process: str) -> bool:
    """Whether the process named "host:pid" has ended; a process of another host is taken to
    run still (nothing here can tell)."""
    host, _colon, pid = process.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def shown_state(record: ImportRecord) -> str:
    """The state to show: a record still `running` whose process is gone was interrupted."""
    if record.state == State.RUNNING and _process_gone(record.process):
        return State.INTERRUPTED
    return record.state


def import_record_list(*, business: Business) -> QuerySet[ImportRecord]:
    """The business's imports, the latest first."""
    return (
        ImportRecord.objects.filter(business=business)
        .select_related("member")
        .order_by("-started_at", "-id")
    )


def import_record_count(*, business: Business) -> int:
    return ImportRecord.objects.filter(business=business).count()


def import_record_get(*, business: Business, record_id: int) -> ImportRecord:
    try:
        return ImportRecord.objects.select_related("member").get(business=business, pk=record_id)
    except ImportRecord.DoesNotExist:
        raise NotFound from None


def import_error_page_count(*, record: ImportRecord) -> int:
    """How many pages of errors, or of notes, the import keeps (ERRORS_PER_PAGE to a page)."""
    if not (record.error_count or record.note_count):
        return 0
    return ImportErrorPage.objects.filter(record=record).count()


def import_error_page(*, record: ImportRecord, number: int) -> list[RowError]:
    """The errors (or notes) of page `number` (from 1), in the file's order; none past the last
    page."""
    stored = ImportErrorPage.objects.filter(record=record, number=number).only("errors").first()
    return [RowError(*error) for error in stored.errors] if stored else []


# The cells of a stored error ([line, column, value, message, code]) that quote the file or a
# person: the value, and the message, which may repeat it.
_QUOTING_CELLS = (2, 3)


def error_page_search_text(errors: list[list]) -> str:
    """What `search_text` of a page of these errors holds: their values and messages."""
    return search_text(
        error[cell] for error in errors for cell in _QUOTING_CELLS if isinstance(error[cell], str)
    )


def _pages_quoting(business: Business, strings: list[str]) -> QuerySet[ImportErrorPage]:
    """The business's pages of errors that may quote one of `strings`: the few whose search
    text holds them, asked of the database, not every page read (scrubbing.text_may_quote),
    and any page without one (written by the code before it, during an upgrade)."""
    return ImportErrorPage.objects.filter(record__business=business).filter(
        text_may_quote("search_text", strings) | Q(search_text="")
    )


def import_errors_scrub(*, business: Business, strings: list[str]) -> int:
    """Cuts a person's `strings` out of the value and message of every error the business's
    import history keeps (an erasure); returns how many errors quoted them."""
    return _rewrite(_pages_quoting(business, strings), scrubber(strings))


def import_errors_quoting(
    *, business: Business, strings: list[str]
) -> list[tuple[ImportRecord, RowError]]:
    """The errors of the business's import history that quote one of a person's `strings` in
    their value or message (an access request), each with its import: the latest import first,
    its errors in the file's order."""
    quotes = quoter(strings)
    found = []
    pages = _pages_quoting(business, strings).select_related("record").defer("search_text")
    for page in pages.order_by("-record__started_at", "-record_id", "number"):
        for error in page.errors:
            if any(isinstance(error[cell], str) and quotes(error[cell]) for cell in _QUOTING_CELLS):
                found.append((page.record, RowError(*error)))
    return found


def _rewrite(pages: QuerySet[ImportErrorPage], rewrite: Callable[[str], str]) -> int:
    """Passes the value and message of every error on `pages` through `rewrite` and stores the
    pages where that changed something; returns how many errors changed. A hundred pages at a
    time (ten thousand errors), so that a long history is never in memory at once; by their
    keys, read first, since SQLite would let the writes disturb a cursor still reading."""
    keys = list(pages.order_by("pk").values_list("pk", flat=True))
    changed_errors = 0
    for start in range(0, len(keys), _PAGES_PER_INSERT):
        chunk = ImportErrorPage.objects.filter(pk__in=keys[start : start + _PAGES_PER_INSERT])
        changed = []
        for page in chunk.only("pk", "errors"):
            errors_before = changed_errors
            for error in page.errors:
                cells = [error[cell] for cell in _QUOTING_CELLS]
                for cell in _QUOTING_CELLS:
                    if isinstance(error[cell], str) and error[cell]:
                        error[cell] = rewrite(error[cell])
                changed_errors += cells != [error[cell] for cell in _QUOTING_CELLS]
            if changed_errors > errors_before:
                page.search_text = error_page_search_text(page.errors)
                changed.append(page)
        ImportErrorPage.objects.bulk_update(changed, ["errors", "search_text"])
    return changed_errors


def import_errors_csv(*, record: ImportRecord, header: list[str]) -> Iterator[str]:
    """The errors as CSV text for a spreadsheet, a page at a time: `header` (line, column, value,
    problem in the reader's language), then a row per error; a byte order mark and semicolons
    for a Dutch Excel, as the export writes them, and no cell read as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(header)
    pages = ImportErrorPage.objects.filter(record=record).order_by("number")
    for errors in pages.values_list("errors", flat=True).iterator(chunk_size=20):
        writer.writerows(
            [
                "" if line is None else line,
                cell_for_spreadsheet(column),
                cell_for_spreadsheet(value),
                cell_for_spreadsheet(message),
            ]
            for line, column, value, message, _code in errors
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def import_history_prune(
    *, business: Business, dry_run: bool = False, now: datetime | None = None
) -> int:
    """Deletes the business's imports started more than IMPORT_HISTORY_DAYS ago, with their
    errors (in a dry run, only counts them); returns how many imports."""
    cutoff = (now or timezone.now()) - timedelta(days=IMPORT_HISTORY_DAYS)
    old = ImportRecord.objects.filter(business=business, started_at__lt=cutoff)
    if dry_run:
        return old.count()
    with transaction.atomic():
        ImportErrorPage.objects.filter(record__in=old).delete()
        deleted, _counts = old.delete()
    return deleted
