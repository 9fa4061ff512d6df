from django.core.management.base import CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from klantvriend.core.commands import ShopCommand
from klantvriend.core.idempotency import idempotent_requests_forget_expired
from klantvriend.core.models import Business
from klantvriend.insights.services import insights_refresh


class Command(ShopCommand):
    help = gettext_lazy(
        "Recompute customer value, probability alive, segments, stages and advice "
        "(run it every night, e.g. from cron; imports refresh on their own). Also forgets the "
        "API's idempotency keys older than a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--business", help=_("only this business (its short name)"))

    def handle(self, *args, **options):
        businesses = Business.objects.order_by("pk")
        if options["business"]:
            businesses = businesses.filter(slug=options["business"])
            if not businesses.exists():
                raise CommandError(
                    _("No business with short name “%(slug)s”.") % {"slug": options["business"]}
                )
        for business in businesses:
            run = insights_refresh(business=business)
            outcome = run.not_enough_data_text() or _("model %(name)s") % {"name": run.model_name}
            self.stdout.write(
                _(
                    "%(business)s: %(customers)s customers with purchases, %(purchases)s "
                    "purchases in %(seconds)s s; %(outcome)s"
                )
                % {
                    "business": business.slug,
                    "customers": run.customers,
                    "purchases": run.purchases,
                    "seconds": number_format(run.seconds, decimal_pos=1),
                    "outcome": outcome,
                }
            )
        # The nightly run is the one job every installation schedules; expired keys are
        # refused no matter when this runs, so it only keeps the table small.
        forgotten = idempotent_requests_forget_expired()
        self.stdout.write(
            ngettext(
                "%(count)s expired API idempotency key forgotten",
                "%(count)s expired API idempotency keys forgotten",
                forgotten,
            )
            % {"count": forgotten}
        )
