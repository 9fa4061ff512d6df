"""Backups of the whole database: the one place with code specific to SQLite or PostgreSQL.

SQLite: the online backup API copies a consistent snapshot while the shop keeps working, and
copies it back page by page on restore. PostgreSQL: pg_dump's custom format, restored with
pg_restore --clean, so a restore replaces what is there instead of merging into it."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def _engine() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _("%(program)s was not found; install the PostgreSQL client programs.")
            % {"program": name}
        )
    return found


def _pg_environment() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    args = ["--host", settings["HOST"] or "localhost", "--port", str(settings["PORT"] or 5432)]
    if settings["USER"]:
        args += ["--username", settings["USER"]]
    environment = dict(os.environ)
    if settings["PASSWORD"]:
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return [*args, "--dbname", settings["NAME"]], environment


def backup(out: Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if _engine() == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(out)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    args, environment = _pg_environment()
    result = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out), *args],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(_("pg_dump failed: %(error)s") % {"error": result.stderr.strip()})


def restore(source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(_("%(path)s does not exist.") % {"path": source})
    magic = source.read_bytes()[:16]
    if _engine() == "sqlite":
        if not magic.startswith(SQLITE_MAGIC):
            raise BackupError(
                _("%(path)s is not a SQLite backup; this database is SQLite.") % {"path": source}
            )
        check = sqlite3.connect(source)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(
                    _("%(path)s is damaged (integrity check failed); nothing was restored.")
                    % {"path": source}
                )
            connection.ensure_connection()
            check.backup(connection.connection)
        finally:
            check.close()
        return
    if not magic.startswith(PGDUMP_MAGIC):
        raise BackupError(
            _("%(path)s is not a PostgreSQL backup (pg_dump custom format); nothing was restored.")
            % {"path": source}
        )
    connection.close()  # pg_restore --clean drops tables this connection may hold open
    args, environment = _pg_environment()
    result = subprocess.run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *args,
            str(source),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(
            _("pg_restore failed, the database is unchanged: %(error)s")
            % {"error": result.stderr.strip()}
        )
