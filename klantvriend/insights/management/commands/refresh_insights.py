from django.core.management.base import BaseCommand, CommandError

from klantvriend.core.idempotency import idempotent_requests_forget_expired
from klantvriend.core.models import Business
from klantvriend.insights.services import insights_refresh


class Command(BaseCommand):
    help = (
        "Recompute customer value, probability alive, segments, stages and advice "
        "(run it every night, e.g. from cron; imports refresh on their own). Also forgets the "
        "API's idempotency keys older than a day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--business", help="only this business (its short name)")

    def handle(self, *args, **options):
        businesses = Business.objects.order_by("pk")
        if options["business"]:
            businesses = businesses.filter(slug=options["business"])
            if not businesses.exists():
                raise CommandError(f"No business with short name {options['business']!r}.")
        for business in businesses:
            run = insights_refresh(business=business)
            outcome = run.not_enough_data or f"model {run.model_name}"
            self.stdout.write(
                f"{business.slug}: {run.customers} customers, {run.purchases} purchases "
                f"in {run.seconds:.1f} s; {outcome}"
            )
        # The nightly run is the one job every installation schedules; expired keys are
        # refused no matter when this runs, so it only keeps the table small.
        forgotten = idempotent_requests_forget_expired()
        self.stdout.write(f"{forgotten} expired API idempotency keys forgotten")
