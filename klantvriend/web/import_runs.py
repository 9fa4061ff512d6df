"""An import started from the web runs beside the request that started it, not inside it.

A till's history of a million lines takes a minute and a half to check and write: longer than a
server lets one request run (gunicorn stops a worker after 30 seconds), and a shopkeeper should see
it advance rather than a page that hangs. So the import runs in a thread of the web process, and
its progress and outcome go to a small status file beside the upload, which every worker of the
server can read; the import page asks for it every second. The import itself is unchanged: one
transaction, whole or nothing. A server restarted during it leaves nothing written, and its status,
no longer renewed, then says that the import was interrupted."""

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import connection
from django.utils import translation

from klantvriend.core.models import Business
from klantvriend.importers.history import data_import_recorded, import_record_start
from klantvriend.importers.models import ImportRecord
from klantvriend.importers.results import ImportResult

logger = logging.getLogger(__name__)

# How often a running import renews its status, and how long a status may go without renewal
# before the import is taken for dead (its process was stopped or restarted).
BEAT_SECONDS = 1.0
STALE_SECONDS = 30.0


@dataclass(frozen=True)
class ImportRun:
    """What the page shows of an import: running (with the rows checked and stored so far),
    finished (with its result), failed (an error of the program, logged) or interrupted."""

    state: str
    dry_run: bool
    # The run's record in the import history (importers.history), where all its errors are.
    record_id: int | None = None
    checked: int = 0
    stored: int = 0
    result: ImportResult | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"


def status_path(upload: Path) -> Path:
    return upload.with_suffix(".json")


def _write(path: Path, status: dict) -> None:
    # Written aside and renamed, so a reader never sees half a file.
    aside = path.with_suffix(f".{threading.get_ident()}.tmp")
    aside.write_text(json.dumps({**status, "renewed": time.time()}), encoding="utf-8")
    os.replace(aside, path)


def _running(result: ImportResult, record_id: int | None = None) -> dict:
    return {
        "state": "running",
        "dry_run": result.dry_run,
        "record_id": record_id,
        "checked": result.rows,
        "stored": result.created + result.updated + result.skipped,
    }


def read(upload: Path) -> ImportRun | None:
    """The import run of this upload, or None when none was started."""
    try:
        status = json.loads(status_path(upload).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    state = status["state"]
    if state == "running" and time.time() - status["renewed"] > STALE_SECONDS:
        state = "interrupted"
    result = ImportResult.from_dict(status["result"]) if status.get("result") else None
    return ImportRun(
        state=state,
        dry_run=status["dry_run"],
        record_id=status.get("record_id"),
        checked=status.get("checked", 0),
        stored=status.get("stored", 0),
        result=result,
    )


def start(
    *,
    upload: Path,
    business: Business,
    actor,
    kind: str,
    file_name: str,
    columns: dict[str, str],
    dry_run: bool,
    date_order: str | None,
) -> threading.Thread:
    """Starts the import of `upload` (`file_name` as the owner sent it) in a thread and returns
    it (a test may wait for it); its messages are in the language of the request that started
    it. Its record in the import history is written here, so that the page links to it at once."""
    result = ImportResult(kind=kind, dry_run=dry_run)
    record = import_record_start(
        business=business,
        member=actor,
        source=ImportRecord.Source.WEB,
        kind=kind,
        dry_run=dry_run,
        file_name=file_name,
        path=upload,
    )
    _write(status_path(upload), _running(result, record.pk))
    options = {
        "business": business,
        "kind": kind,
        "path": upload,
        "columns": columns,
        "dry_run": dry_run,
        "date_order": date_order,
        "actor": actor,
    }
    language = translation.get_language()
    return _spawn(
        lambda: _run(
            upload=upload, record=record, result=result, language=language, options=options
        )
    )


def _spawn(work: Callable[[], None]) -> threading.Thread:
    """Runs `work` in a thread of its own, which opens its own database connection and closes
    it when done (the request's connection is not shared across threads)."""

    def with_own_connection() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=with_own_connection, name="klantvriend import")
    thread.start()
    return thread


def _run(
    *, upload: Path, record: ImportRecord, result: ImportResult, language: str, options: dict
) -> None:
    path = status_path(upload)
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(BEAT_SECONDS):
            _write(path, _running(result, record.pk))

    heart = threading.Thread(target=renew, name=f"{upload.stem} status", daemon=True)
    heart.start()
    try:
        with translation.override(language):
            data_import_recorded(**options, record=record, result=result)
        if result.ok and not result.dry_run:
            upload.unlink(missing_ok=True)
        outcome = {"state": "finished", "dry_run": result.dry_run, "result": result.as_dict()}
    except Exception:
        logger.exception("The import of %s failed", upload.name)
        outcome = {"state": "failed", "dry_run": result.dry_run}
    finally:
        stop.set()
        heart.join()
    _write(path, {**outcome, "record_id": record.pk})
