from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from klantvriend.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source: Path, yes: bool, **options):
        if not yes:
            answer = input(
                f"This replaces ALL data in the database with {source}. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Database restored from {source}."))
