from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.commands import ShopCommand
from klantvriend.core.errors import NotFound
from klantvriend.core.selectors import business_get_by_slug
from klantvriend.importers.export import business_export


class Command(ShopCommand):
    help = gettext_lazy(
        "Write everything of a business to one zip: a CSV file per kind of record and one JSON "
        "document."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("the business's short name"))
        parser.add_argument("out", type=Path, help=_("the zip file to write"))

    def handle(self, *args, slug: str, out: Path, **options):
        try:
            business = business_get_by_slug(slug=slug)
        except NotFound:
            raise CommandError(_("There is no business %(slug)s.") % {"slug": slug}) from None
        with out.open("wb") as stream:
            counts = business_export(business=business, out=stream)
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"{out}: {summary}"))
