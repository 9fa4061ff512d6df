"""The import history: every import by the command (and the page, web/tests) is recorded with
who, when, which file, its outcome, counts and every error; a refused import's record outlives
the rollback that refused it; an interrupted one says so; old records go after 90 days."""

import os
import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from klantvriend.customers.models import Customer, Purchase
from klantvriend.importers import history, purchase_import
from klantvriend.importers.models import ImportErrorPage, ImportRecord
from klantvriend.importers.results import RowError
from klantvriend.importers.tests.factories import ImportRecordFactory

GOOD = "Bonnummer;Datum;Klantnummer;Naam;Bedrag\r\nB1;13-01-2025;1001;José Müller;12,50\r\n"


def bad_file(tmp_path, bad_rows: int):
    """A till export whose every row but the first has an amount that is not one."""
    lines = ["Bonnummer;Datum;Klantnummer;Naam;Bedrag", "B0;13-01-2025;1000;Ans;1,00"]
    lines += [f"B{n};13-01-2025;{1000 + n};Klant {n};vijf" for n in range(1, bad_rows + 1)]
    path = tmp_path / "kassa-fout.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def fields(record: ImportRecord) -> dict:
    return {
        name: getattr(record, name)
        for name in (
            "source",
            "member_id",
            "kind",
            "dry_run",
            "file_name",
            "file_size",
            "state",
            "rows",
            "created",
            "updated",
            "skipped",
            "customers_created",
            "anonymised",
            "error_count",
        )
    }


def test_an_accepted_import_by_the_command_is_recorded_with_its_counts(tmp_path, business):
    path = tmp_path / "kassa.csv"
    path.write_text(GOOD, encoding="utf-8")
    before = timezone.now()

    call_command("import_data", "purchases", str(path), stdout=StringIO())

    record = ImportRecord.objects.get()
    assert fields(record) == {
        "source": "command",
        "member_id": None,
        "kind": "purchases",
        "dry_run": False,
        "file_name": "kassa.csv",
        "file_size": len(GOOD.encode()),
        "state": "imported",
        "rows": 1,
        "created": 1,
        "updated": 0,
        "skipped": 0,
        "customers_created": 1,
        "anonymised": 0,
        "error_count": 0,
    }
    assert record.business == business
    assert before <= record.started_at <= record.finished_at <= timezone.now()
    assert record.process == f"{socket.gethostname()}:{os.getpid()}"
    # No errors; the note that customer number 1001 was new (purchase_import).
    assert record.note_count == 1
    assert [
        (note.line, note.value, note.code)
        for note in history.import_error_page(record=record, number=1)
    ] == [(2, "1001", "new_customer_number")]


def test_a_dry_run_is_recorded_as_checked_and_stores_nothing_else(tmp_path, business):
    path = tmp_path / "kassa.csv"
    path.write_text(GOOD, encoding="utf-8")

    call_command("import_data", "purchases", str(path), "--dry-run", stdout=StringIO())

    record = ImportRecord.objects.get()
    assert (record.state, record.dry_run, record.rows, record.created) == ("checked", True, 1, 1)
    assert Purchase.objects.count() == 0
    assert Customer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_refused_file_keeps_its_record_and_every_error_past_the_rollback(tmp_path, business):
    """A real transaction: the import's own rollback must not take the record along."""
    path = bad_file(tmp_path, 2500)

    with pytest.raises(CommandError) as refused:
        call_command("import_data", "purchases", str(path), stdout=StringIO(), stderr=StringIO())

    assert str(refused.value) == "2500 fouten; er is niets geïmporteerd."
    assert Purchase.objects.count() == 0
    assert Customer.objects.count() == 0
    record = ImportRecord.objects.get()
    assert (record.state, record.rows, record.created, record.error_count) == (
        "refused",
        2501,
        0,
        2500,
    )
    assert history.import_error_page_count(record=record) == 25  # a hundred errors a page
    pages = [history.import_error_page(record=record, number=n) for n in range(1, 27)]
    assert [error.line for page in pages for error in page] == list(range(3, 2503))
    assert pages[0][0] == RowError(
        3, "Bedrag", "vijf", "Vul het bedrag in als getal, zoals 12,50.", "invalid"
    )
    assert pages[-1] == []  # past the last page


def test_an_import_stopped_by_ctrl_c_is_recorded_as_interrupted(tmp_path, business, monkeypatch):
    path = tmp_path / "kassa.csv"
    path.write_text(GOOD, encoding="utf-8")

    real_write = purchase_import.write

    def stopped(path, layout, business, result, **options):
        real_write(path, layout, business, result, **options)  # every row written, then the stop
        raise KeyboardInterrupt

    monkeypatch.setattr(purchase_import, "write", stopped)

    with pytest.raises(KeyboardInterrupt):
        call_command("import_data", "purchases", str(path), stdout=StringIO())

    record = ImportRecord.objects.get()
    assert (record.state, record.rows, record.error_count) == ("interrupted", 1, 0)
    assert (record.created, record.customers_created) == (0, 0)  # rolled back: none stored
    assert record.finished_at is not None
    assert Purchase.objects.count() == 0


def test_a_record_left_running_by_a_process_that_is_gone_shows_as_interrupted(business):
    host = socket.gethostname()
    ended = os.fork()
    if ended == 0:
        os._exit(0)
    os.waitpid(ended, 0)
    gone = ImportRecordFactory(business=business, state="running", process=f"{host}:{ended}")
    alive = ImportRecordFactory(business=business, state="running", process=f"{host}:{os.getpid()}")
    elsewhere = ImportRecordFactory(business=business, state="running", process="other-host:1")

    assert history.shown_state(gone) == "interrupted"
    assert history.shown_state(alive) == "running"
    assert history.shown_state(elsewhere) == "running"
    assert ImportRecord.objects.get(pk=gone.pk).state == "running"  # reading writes nothing


def test_the_history_is_kept_ninety_days_and_retention_deletes_what_is_older(
    business, other_business
):
    now = timezone.now()
    old = ImportRecordFactory(business=business, started_at=now - timedelta(days=91))
    kept = ImportRecordFactory(business=business, started_at=now - timedelta(days=89))
    other_old = ImportRecordFactory(business=other_business, started_at=now - timedelta(days=91))

    call_command("apply_retention", "--business", business.slug, stdout=(out := StringIO()))

    assert list(ImportRecord.objects.order_by("pk").values_list("pk", flat=True)) == [
        kept.pk,
        other_old.pk,
    ]
    assert not ImportErrorPage.objects.filter(record_id=old.pk).exists()
    assert ImportErrorPage.objects.filter(record_id=kept.pk).count() == 1
    assert "slagerij-test: 1 import ouder dan 90 dagen verwijderd." in out.getvalue()


def test_a_record_that_cannot_be_finished_leaves_the_stop_to_its_caller(
    tmp_path, business, monkeypatch, caplog
):
    path = tmp_path / "kassa.csv"
    path.write_text(GOOD, encoding="utf-8")

    def stopped(*args, **options):
        raise KeyboardInterrupt

    def unwritable(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(purchase_import, "write", stopped)
    monkeypatch.setattr(history, "import_record_finish", unwritable)

    with pytest.raises(KeyboardInterrupt):
        call_command("import_data", "purchases", str(path), stdout=StringIO())

    assert ImportRecord.objects.get().state == "running"  # shown interrupted once we are gone
    assert "could not be finished" in caplog.text
