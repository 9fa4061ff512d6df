from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klantvriend.core.commands import ShopCommand
from klantvriend.core.models import Business
from klantvriend.today.digest import digest_send


class Command(ShopCommand):
    help = gettext_lazy(
        "Email each owner the Today list of their business (run it every morning, e.g. from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--business", help=_("only this business (its short name)"))

    def handle(self, *args, **options):
        businesses = Business.objects.all()
        if options["business"]:
            businesses = businesses.filter(slug=options["business"])
            if not businesses.exists():
                raise CommandError(
                    _("No business with short name “%(slug)s”.") % {"slug": options["business"]}
                )
        result = digest_send(businesses=businesses)
        sent = ngettext("Sent %(count)s digest", "Sent %(count)s digests", result.sent) % {
            "count": result.sent
        }
        without = ngettext(
            "%(count)s owner without an email address.",
            "%(count)s owners without an email address.",
            result.skipped_without_email,
        ) % {"count": result.skipped_without_email}
        quiet = ngettext(
            "%(count)s business with nothing to do today, so no email.",
            "%(count)s businesses with nothing to do today, so no email.",
            result.businesses_with_nothing_to_do,
        ) % {"count": result.businesses_with_nothing_to_do}
        self.stdout.write(f"{sent}; {without} {quiet}")
        if result.not_sent:
            raise CommandError(
                ngettext(
                    "%(count)s message could not be sent: the mail server refused it or could "
                    "not be reached (see the log).",
                    "%(count)s messages could not be sent: the mail server refused them or "
                    "could not be reached (see the log).",
                    result.not_sent,
                )
                % {"count": result.not_sent}
            )
