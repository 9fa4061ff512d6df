from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klantvriend.core.commands import ShopCommand
from klantvriend.core.errors import NotFound
from klantvriend.core.models import Business
from klantvriend.core.selectors import business_get_by_slug
from klantvriend.importers.common import DATE_ORDER_ASSUMED
from klantvriend.importers.history import data_import_recorded, import_record_start
from klantvriend.importers.mapping import FIELDS, KINDS, MappingError, parse_overrides
from klantvriend.importers.models import ImportRecord
from klantvriend.importers.results import MAX_LISTED_ERRORS, ImportResult, RowError
from klantvriend.importers.values import DATE_ORDERS


def business_from_option(slug: str | None) -> Business:
    """The business named by --business, or the only one in the database."""
    if slug:
        try:
            return business_get_by_slug(slug=slug)
        except NotFound:
            raise CommandError(_("There is no business %(slug)s.") % {"slug": slug}) from None
    businesses = list(Business.objects.order_by("slug")[:2])
    if len(businesses) == 1:
        return businesses[0]
    if not businesses:
        raise CommandError(_("The database holds no business yet."))
    slugs = ", ".join(Business.objects.order_by("slug").values_list("slug", flat=True))
    raise CommandError(
        _("The database holds several businesses; choose one with --business (%(slugs)s).")
        % {"slugs": slugs}
    )


class Command(ShopCommand):
    help = gettext_lazy(
        "Import customers or purchases from a CSV file (Excel or till export). Validates every "
        "row first; a file with any error changes nothing and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help=_("what the file holds"))
        parser.add_argument("file", type=Path, help=_("the CSV file"))
        parser.add_argument(
            "--business",
            metavar="SLUG",
            help=_("the business's short name, needed when the database holds several"),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check and count, store nothing")
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help=_(
                "which column holds a field, e.g. --column email=Mailadres; an empty HEADER "
                "ignores the field"
            ),
        )
        parser.add_argument(
            "--date-order",
            choices=DATE_ORDERS,
            help=_("dmy (25-04-2026) or mdy (04-25-2026) when the file does not make it clear"),
        )

    def handle(self, *args, kind, file, business, dry_run, column, date_order, **options):
        if not file.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        target = business_from_option(business)
        try:
            overrides = parse_overrides(column)
        except MappingError as error:
            raise CommandError(str(error)) from None
        record = import_record_start(
            business=target,
            member=None,
            source=ImportRecord.Source.COMMAND,
            kind=kind,
            dry_run=dry_run,
            file_name=file.name,
            path=file,
        )
        result = data_import_recorded(
            record=record,
            result=ImportResult(kind=kind, dry_run=dry_run),
            business=target,
            kind=kind,
            path=file,
            columns=overrides,
            dry_run=dry_run,
            date_order=date_order,
        )
        if result.table:
            self.stdout.write(
                ngettext(
                    "File: %(encoding)s, separator %(delimiter)s, %(rows)s row",
                    "File: %(encoding)s, separator %(delimiter)s, %(rows)s rows",
                    result.rows,
                )
                % {
                    "encoding": result.table.encoding_label,
                    "delimiter": result.table.delimiter_label,
                    "rows": result.rows,
                }
            )
        if result.mapping:
            labels = {item.name: str(item.label) for item in FIELDS[kind]}
            for field, header in result.mapping.items():
                self.stdout.write(f"  {labels[field]} ← {header}")
        if not result.ok:
            self._list(result.errors, self.stderr)
            listed = min(len(result.errors), MAX_LISTED_ERRORS)
            if result.error_count > listed:
                more = result.error_count - listed
                self.stderr.write(
                    ngettext("… and %(count)s more error.", "… and %(count)s more errors.", more)
                    % {"count": more}
                )
            raise CommandError(
                ngettext(
                    "%(count)s error; nothing was imported.",
                    "%(count)s errors; nothing was imported.",
                    result.error_count,
                )
                % {"count": result.error_count},
                returncode=1,
            )
        summary = _("%(created)s created, %(updated)s updated, %(skipped)s already present") % {
            "created": result.created,
            "updated": result.updated,
            "skipped": result.skipped,
        }
        if result.customers_created:
            summary += ngettext(
                "; %(count)s new customer", "; %(count)s new customers", result.customers_created
            ) % {"count": result.customers_created}
        if result.anonymised:
            summary += ngettext(
                "; %(count)s row of an anonymised customer: their personal data was not imported "
                "again",
                "; %(count)s rows of anonymised customers: their personal data was not imported "
                "again",
                result.anonymised,
            ) % {"count": result.anonymised}
        if dry_run:
            summary = _("Dry run, nothing stored: ") + summary
        self.stdout.write(self.style.SUCCESS(summary))
        if result.note_count:
            self.stdout.write(f"{result.notes_summary}:")
            self._list(result.notes, self.stdout)
            more = result.note_count - min(len(result.notes), MAX_LISTED_ERRORS)
            if more:
                self.stdout.write(
                    ngettext("… and %(count)s more line.", "… and %(count)s more lines.", more)
                    % {"count": more}
                )
            if any(note.code == DATE_ORDER_ASSUMED for note in result.notes):
                self.stdout.write(_("Give --date-order mdy if the file puts the month first."))

    @staticmethod
    def _list(lines: list[RowError], out) -> None:
        """The first MAX_LISTED_ERRORS errors or notes, each with its line, column and value."""
        for line in lines[:MAX_LISTED_ERRORS]:
            where = _("line %(line)s") % {"line": line.line} if line.line else _("file")
            column_text = f", {line.column}" if line.column else ""
            value_text = f" ({line.value!r})" if line.value else ""
            out.write(f"{where}{column_text}{value_text}: {line.message}")
