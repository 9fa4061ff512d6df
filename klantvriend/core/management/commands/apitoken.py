from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.commands import ShopCommand
from klantvriend.core.errors import NotFound, ValidationError
from klantvriend.core.members import token_create
from klantvriend.core.selectors import membership_get_by_slug, membership_list_for_user


class Command(ShopCommand):
    help = gettext_lazy(
        "Print a new API token for a member of a business (shown once; only its hash is stored)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("the login the token acts for"))
        parser.add_argument(
            "--business", metavar="SLUG", help=_("needed when the user is in several businesses")
        )
        parser.add_argument("--name", default="", help=_("a label to recognise the token by"))

    def handle(self, *args, username: str, business: str | None, name: str, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                _("No user named “%(username)s”.") % {"username": username}
            ) from None
        if business:
            try:
                membership = membership_get_by_slug(user=user, slug=business)
            except NotFound:
                raise CommandError(
                    _("%(username)s is not a member of a business “%(business)s”.")
                    % {"username": username, "business": business}
                ) from None
        else:
            memberships = list(membership_list_for_user(user=user))
            if not memberships:
                raise CommandError(
                    _("%(username)s is not a member of any business.") % {"username": username}
                )
            if len(memberships) > 1:
                slugs = ", ".join(m.business.slug for m in memberships)
                raise CommandError(
                    _(
                        "%(username)s is in several businesses; choose one with --business (%(slugs)s)."
                    )
                    % {"username": username, "slugs": slugs}
                )
            membership = memberships[0]
        # Checked as on the token page (a name longer than the column was stored on SQLite and
        # failed on PostgreSQL).
        try:
            _token, key = token_create(membership=membership, name=name or "manage.py apitoken")
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from None
        self.stdout.write(key)
