from django.core.management.base import BaseCommand, CommandError

from klantvriend.core.models import Business
from klantvriend.today.digest import digest_send


class Command(BaseCommand):
    help = (
        "Email each owner the Today list of their business (run it every morning, e.g. from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--business", help="only this business (its short name)")

    def handle(self, *args, **options):
        businesses = Business.objects.all()
        if options["business"]:
            businesses = businesses.filter(slug=options["business"])
            if not businesses.exists():
                raise CommandError(f"No business with short name {options['business']!r}.")
        result = digest_send(businesses=businesses)
        self.stdout.write(
            f"Sent {result.sent} digest(s); {result.skipped_without_email} owner(s) without an email address."
        )
