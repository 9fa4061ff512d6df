from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klantvriend.core.commands import ShopCommand
from klantvriend.core.models import Business
from klantvriend.importers.history import IMPORT_HISTORY_DAYS, import_history_prune
from klantvriend.importers.management.commands.import_data import business_from_option
from klantvriend.importers.privacy import apply_retention


class Command(ShopCommand):
    help = format_lazy(
        gettext_lazy(
            "Anonymise customers inactive for longer than the business's retention period "
            "(privacy settings), and delete the import history older than {days} days. Try "
            "--dry-run first: it lists who would be anonymised."
        ),
        days=IMPORT_HISTORY_DAYS,
    )

    def add_arguments(self, parser):
        parser.add_argument("--business", metavar="SLUG", help=_("default: every business"))
        parser.add_argument("--dry-run", action="store_true", help=_("only show who"))

    def handle(self, *args, business: str | None, dry_run: bool, **options):
        businesses = [business_from_option(business)] if business else list(Business.objects.all())
        for target in businesses:
            self._prune_history(target, dry_run)
            outcome = apply_retention(business=target, dry_run=dry_run)
            if outcome.years is None:
                self.stdout.write(
                    _("%(business)s: no retention period set.") % {"business": target.slug}
                )
                continue
            for customer in outcome.customers:
                self.stdout.write(f"  {customer.pk}\t{customer.name}")
            count = len(outcome.customers)
            message = (
                ngettext(
                    "%(business)s: %(count)s customer would be anonymised (dry run).",
                    "%(business)s: %(count)s customers would be anonymised (dry run).",
                    count,
                )
                if dry_run
                else ngettext(
                    "%(business)s: %(count)s customer anonymised.",
                    "%(business)s: %(count)s customers anonymised.",
                    count,
                )
            )
            self.stdout.write(message % {"business": target.slug, "count": count})

    def _prune_history(self, business: Business, dry_run: bool) -> None:
        """The import history's errors quote the files' cells: kept IMPORT_HISTORY_DAYS."""
        count = import_history_prune(business=business, dry_run=dry_run)
        if not count:
            return
        message = (
            ngettext(
                "%(business)s: %(count)s import older than %(days)s days would be deleted "
                "(dry run).",
                "%(business)s: %(count)s imports older than %(days)s days would be deleted "
                "(dry run).",
                count,
            )
            if dry_run
            else ngettext(
                "%(business)s: %(count)s import older than %(days)s days deleted.",
                "%(business)s: %(count)s imports older than %(days)s days deleted.",
                count,
            )
        )
        self.stdout.write(
            message % {"business": business.slug, "count": count, "days": IMPORT_HISTORY_DAYS}
        )
