from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from klantvriend.core.models import Membership, Role
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
            # `make run` shows this as what to log in with: the demo's login only where it is
            # still there as it was made, else the owner made with createbusiness.
            self.stdout.write(
                _login_line(options["username"], options["password"])
                if _demo_login_works(options["username"], options["password"])
                else "Log in as the owner you made with `manage.py createbusiness`."
            )
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
        self.stdout.write(_login_line(summary.username, summary.password))


def _login_line(username: str, password: str) -> str:
    return (
        f"Log in as {username} / {password} (owner) or {username}-medewerker / {password} (staff)."
    )


def _demo_login_works(username: str, password: str) -> bool:
    owner = get_user_model().objects.filter(username=username).first()
    return (
        owner is not None
        and owner.check_password(password)
        and Membership.objects.filter(user=owner, role=Role.OWNER).exists()
    )
