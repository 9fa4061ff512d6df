from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from klantvriend.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the whole database to OUT (SQLite file or pg_dump archive)."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)

    def handle(self, *args, out: Path, **options):
        try:
            backup(out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {out} ({out.stat().st_size:,} bytes).")
        )
