from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.backup import BackupError, restore
from klantvriend.core.commands import ShopCommand

# The answer that confirms, in the language the command asks in ("ja", "yes").
YES = gettext_lazy("yes")


class Command(ShopCommand):
    help = gettext_lazy("Replace the whole database with a backup made by `manage.py backup`.")

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help=_("the backup file made by backup"))
        parser.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    def handle(self, *args, source: Path, yes: bool, **options):
        if not yes:
            answer = input(
                _(
                    "This replaces ALL data in the database with %(path)s. Type “%(yes)s” to continue: "
                )
                % {"path": source, "yes": YES}
            )
            if answer.strip().lower() not in {str(YES), "yes"}:
                raise CommandError(_("Restore cancelled; nothing was changed."))
        try:
            restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(_("Database restored from %(path)s.") % {"path": source})
        )
