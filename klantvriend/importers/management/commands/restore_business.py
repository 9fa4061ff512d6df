from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.commands import ShopCommand
from klantvriend.core.errors import NotFound, ValidationError
from klantvriend.core.selectors import business_get_by_slug
from klantvriend.importers.export import business_restore


class Command(ShopCommand):
    help = gettext_lazy("Load a zip made by export_business into an empty business.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("the short name of the empty business to load into"))
        parser.add_argument("file", type=Path, help=_("the zip file made by export_business"))

    def handle(self, *args, slug: str, file: Path, **options):
        try:
            business = business_get_by_slug(slug=slug)
        except NotFound:
            raise CommandError(_("There is no business %(slug)s.") % {"slug": slug}) from None
        if not file.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        try:
            counts = business_restore(business=business, path=file)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(summary))
