"""How a real shop starts: `manage.py createbusiness "Fietsen Jansen" --owner piet` creates the
business, empty, with that person as its owner (and their login when it does not exist yet).
From there the owner works in the web UI: customers, staff, working hours, privacy.

A new login's password is asked for on a terminal, or read as one line from standard input
(`printf '%s\n' "$PASSWORD" | manage.py createbusiness …`), so that it stays out of the shell's
history and of `ps`, which show a --password given on the command line to others."""

import getpass
import sys
from typing import TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.commands import ShopCommand
from klantvriend.core.services import business_create, user_by_login_name, user_create


class Command(ShopCommand):
    # call_command(stdin=…): what a pipe would give the command (tests; sys.stdin otherwise).
    stealth_options = ("stdin",)
    help = gettext_lazy(
        "Create an empty business with its owner, creating the owner's login when it does "
        "not exist yet (for a demo shop with made-up customers, use `manage.py demo`)."
    )
    # ShopCommand's --language: the owner who chooses the shop's language is answered in it.
    language_help = gettext_lazy(
        "the language the business's own texts are written in, and this command's answer: "
        "%(codes)s (default: %(default)s)"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help=_("the business's name as its customers know it"))
        parser.add_argument("--owner", required=True, metavar="USERNAME", help=_("who logs in"))
        parser.add_argument("--owner-name", default="", help=_("the owner's first name"))
        parser.add_argument("--email", default="", help=_("the owner's email address"))
        parser.add_argument(
            "--password",
            help=_(
                "a new login's password, for scripts that cannot do otherwise: others on this "
                "computer can read it in the shell's history and with `ps`. Better left out: "
                "it is then asked for on a terminal, or read as one line from standard input"
            ),
        )
        parser.add_argument(
            "--time-zone",
            default="Europe/Amsterdam",
            help=_("the time zone the shop keeps its hours in (default: %(default)s)"),
        )
        parser.add_argument(
            "--currency",
            default="EUR",
            help=_("the currency of its amounts, as ISO 4217 (default: %(default)s)"),
        )

    def handle(
        self, *args, name, owner, owner_name, email, password, time_zone, currency, language, **opts
    ):
        user = user_by_login_name(owner)
        if user is None:
            password = password or self._ask_password(owner, opts.get("stdin") or sys.stdin)
            try:
                validate_password(
                    password, get_user_model()(username=owner, first_name=owner_name, email=email)
                )
            except ValidationError as refused:
                raise CommandError(" ".join(refused.messages)) from None
        try:
            # One transaction: a refused business (a misspelt time zone) leaves no login behind.
            with transaction.atomic():
                if user is None:
                    user = user_create(
                        username=owner, password=password, email=email, first_name=owner_name
                    )
                business = business_create(
                    name=name.strip(),
                    owner=user,
                    time_zone=time_zone,
                    currency=currency,
                    language=language or settings.LANGUAGE_CODE,
                )
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        # In the language of the shop's pages (and of the refusals above), naming the menu item
        # as the owner will find it there.
        self.stdout.write(
            _(
                "Created %(business)s (%(slug)s) with owner %(owner)s. Log in to add customers "
                "and staff, and set the working hours under “%(menu)s” in the user menu."
            )
            % {
                "business": business.name,
                "slug": business.slug,
                "owner": user.get_username(),
                "menu": _("Business, targets and aftercare"),
            }
        )
        if not user.email:
            # Said now: the first low survey score would otherwise be missed in silence.
            self.stdout.write(
                _(
                    "%(owner)s has no email address yet: add one under “%(menu)s” to get the "
                    "daily Today list and every low survey score by email."
                )
                % {"owner": user.get_username(), "menu": _("Your account")}
            )

    def _ask_password(self, owner: str, stdin: TextIO) -> str:
        if not stdin.isatty():
            # From a pipe without a --password-stdin flag: leaving --password out is then all
            # there is to know, in a script as on a terminal (the piped password the testers
            # tried first was refused). Empty input, as cron's, is refused below rather than
            # taken for a password. One line, as `docker login --password-stdin` reads it; the
            # line's spaces belong to the password.
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(
                    _(
                        "%(owner)s is a new login: give the password as one line on standard "
                        "input, or run this command on a terminal to be asked for it."
                    )
                    % {"owner": owner}
                )
            return password
        first = getpass.getpass(_("Password for %(owner)s: ") % {"owner": owner})
        if first != getpass.getpass(_("The same password again: ")):
            raise CommandError(_("The two passwords differ; nothing was created."))
        return first
