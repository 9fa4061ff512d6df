"""The daily digest: each owner gets the Today list of their business by email."""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from klantvriend.core.language import shop_language
from klantvriend.core.models import Business, Role

from .selectors import today_list


@dataclass(frozen=True)
class DigestResult:
    sent: int
    skipped_without_email: int


def digest_send(*, businesses=None, now=None) -> DigestResult:
    """One message per owner and business, in the business's language and time zone.
    An owner without an email address is counted, not an error."""
    now = now or timezone.now()
    sent = skipped = 0
    businesses = businesses if businesses is not None else Business.objects.all()
    for business in businesses:
        owners = [
            membership.user
            for membership in business.memberships.filter(
                role=Role.OWNER, user__is_active=True
            ).select_related("user")
        ]
        with shop_language(business), timezone.override(business.tzinfo):
            today = today_list(business=business, now=now)
            context = {"business": business, "today": today}
            body = render_to_string("today/digest.txt", context)
            subject = ngettext(
                "Today at %(business)s: %(count)d thing to do",
                "Today at %(business)s: %(count)d things to do",
                today.count,
            ) % {"business": business.name, "count": today.count}
        for owner in owners:
            if not owner.email:
                skipped += 1
                continue
            EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email]).send()
            sent += 1
    return DigestResult(sent=sent, skipped_without_email=skipped)
