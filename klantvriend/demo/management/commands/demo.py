from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.commands import ShopCommand
from klantvriend.core.models import Membership, Role
from klantvriend.demo.shop import demo_create, demo_needed


class Command(ShopCommand):
    help = gettext_lazy(
        "Create a demo business: a butcher and caterer with customers, purchases and contact "
        "moments."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help=_("the same seed makes the same shop (default: %(default)s)"),
        )
        parser.add_argument(
            "--customers",
            type=int,
            default=2000,
            help=_("how many customers the shop has (default: %(default)s)"),
        )
        parser.add_argument(
            "--business-name",
            default="Slagerij & Traiteur Van der Meer",
            help=_("the shop's name (default: %(default)s)"),
        )
        parser.add_argument(
            "--username", default="demo", help=_("the owner's login (default: %(default)s)")
        )
        parser.add_argument(
            "--password",
            default="demo",
            help=_("the owner's password (default: %(default)s)"),
        )
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help=_("the last day of the demo history (YYYY-MM-DD); default: today"),
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("only when the database has no business yet"),
        )
        parser.add_argument(
            "--served-at",
            metavar="URL",
            default="",
            help=_("the address `make run` serves Klantvriend at, said in the last two lines"),
        )

    def handle(self, *args, **options):
        if options["customers"] < 1:
            raise CommandError(_("--customers must be at least 1."))
        if options["if_empty"] and not demo_needed():
            self.stdout.write(_("The database already holds a business; no demo data created."))
            # `make run` shows this as what to log in with: the demo's login only where it is
            # still there as it was made, else the owner made with createbusiness.
            self._say_how_to_log_in(
                _login_line(options["username"], options["password"])
                if _demo_login_works(options["username"], options["password"])
                else _("Log in as the owner you made with `manage.py createbusiness`."),
                served_at=options["served_at"],
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
                _(
                    "Created %(business)s (%(slug)s): %(customers)s customers, %(purchases)s "
                    "purchases, %(contact_moments)s contact moments."
                )
                % {
                    "business": summary.business.name,
                    "slug": summary.business.slug,
                    "customers": summary.customers,
                    "purchases": summary.purchases,
                    "contact_moments": summary.contact_moments,
                }
            )
        )
        self._say_how_to_log_in(
            _login_line(summary.username, summary.password), served_at=options["served_at"]
        )

    def _say_how_to_log_in(self, login: str, *, served_at: str) -> None:
        """The last line says what to log in with (`make run` shows it apart); with the address
        `make run` serves at, the last two say where and how to stop, in the command's language
        as the rest (a shell script has no translations)."""
        if not served_at:
            self.stdout.write(login)
            return
        self.stdout.write(_("Klantvriend runs at %(address)s") % {"address": served_at})
        self.stdout.write(_("%(login)s Stop with Ctrl+C.") % {"login": login})


def _login_line(username: str, password: str) -> str:
    return _(
        "Log in as %(username)s / %(password)s (owner) or %(username)s-medewerker / "
        "%(password)s (staff)."
    ) % {"username": username, "password": password}


def _demo_login_works(username: str, password: str) -> bool:
    owner = get_user_model().objects.filter(username=username).first()
    return (
        owner is not None
        and owner.check_password(password)
        and Membership.objects.filter(user=owner, role=Role.OWNER).exists()
    )
