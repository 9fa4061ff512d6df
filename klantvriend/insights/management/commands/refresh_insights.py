from django.core.management.base import BaseCommand, CommandError

from klantvriend.core.models import Business
from klantvriend.insights.services import insights_refresh


class Command(BaseCommand):
    help = (
        "Recompute customer value, probability alive, segments, stages and advice "
        "(run it every night, e.g. from cron; imports refresh on their own)."
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
