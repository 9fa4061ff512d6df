from pathlib import Path

from django.core.management.base import CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.backup import BackupError, backup
from klantvriend.core.commands import ShopCommand


class Command(ShopCommand):
    help = gettext_lazy(
        "Write a consistent backup of the whole database to OUT (SQLite file or pg_dump archive)."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help=_("the file to write the backup to"))

    def handle(self, *args, out: Path, **options):
        try:
            backup(out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s (%(size)s bytes).")
                % {"path": out, "size": number_format(out.stat().st_size, force_grouping=True)}
            )
        )
