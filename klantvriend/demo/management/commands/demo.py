from datetime import date

from django.core.management.base import BaseCommand, CommandError

from klantvriend.demo.shop import demo_create, demo_needed


class Command(BaseCommand):
    help = "Create a demo business: a butcher and caterer with customers, purchases and contact moments."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--customers", type=int, default=2000)
        parser.add_argument("--business-name", default="Slagerij & Traiteur Van der Meer")
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the last day of the demo history (YYYY-MM-DD); default: today",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="only when the database has no business yet"
        )

    def handle(self, *args, **options):
        if options["customers"] < 1:
            raise CommandError("--customers must be at least 1.")
        if options["if_empty"] and not demo_needed():
            self.stdout.write("The database already holds a business; no demo data created.")
            return
        summary = demo_create(
            seed=options["seed"],
            customers=options["customers"],
            business_name=options["business_name"],
            username=options["username"],
            password=options["password"],
            today=options["today"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {summary.business.name} ({summary.business.slug}): {summary.customers} customers, "
                f"{summary.purchases} purchases, {summary.contact_moments} contact moments."
            )
        )
        self.stdout.write(
            f"Log in as {summary.username} / {summary.password} (owner) "
            f"or {summary.username}-medewerker / {summary.password} (staff)."
        )
