"""The daily digest: each owner gets the Today list of their business by email."""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from klantvriend.core.language import OWN_LANGUAGE, reader_language
from klantvriend.core.links import public_url
from klantvriend.core.mail import header_text
from klantvriend.core.models import Business, Role

from .selectors import today_list

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DigestResult:
    sent: int
    skipped_without_email: int
    businesses_with_nothing_to_do: int
    # Messages the mail server did not take: the others still go; the command says so and
    # fails, so that cron reports it.
    not_sent: int = 0


def digest_send(*, businesses=None, now=None) -> DigestResult:
    """One message per owner and business, in the business's time zone and in the language the
    owner reads Klantvriend in (their own choice, else the business's: core.language), like
    their screens: the message is theirs alone, not a text stored for the whole shop. The stored
    texts it quotes (a promise, a follow-up's question) stay as they were written. Written once
    per language. An owner without an email address is counted, not an error; an owner who
    turned the morning email off on their account page gets none and is not counted. A business
    with nothing to do today sends nothing: a daily message that says "nothing" teaches its
    reader to stop opening it, so it is counted instead."""
    now = now or timezone.now()
    sent = skipped = nothing_to_do = not_sent = 0
    businesses = businesses if businesses is not None else Business.objects.all()
    for business in businesses:
        addresses_by_language: dict[str, list[str]] = defaultdict(list)
        owners = (
            business.memberships.filter(role=Role.OWNER, user__is_active=True, morning_email=True)
            .select_related("user")
            .annotate(own_language=OWN_LANGUAGE)
        )
        for owner in owners:
            if not owner.user.email:
                skipped += 1
                continue
            language = reader_language(own=owner.own_language, business=business)
            addresses_by_language[language].append(owner.user.email)
        for language, addresses in addresses_by_language.items():
            with translation.override(language), timezone.override(business.tzinfo):
                # Read per language: some of its labels (an occasion's) are translated as read.
                today = today_list(business=business, now=now)
                if not today.count:
                    # The same for every language: no other language's message is written.
                    nothing_to_do += 1
                    break
                context = {
                    "business": business,
                    "today": today,
                    "today_url": public_url(reverse("web:today")),
                    "account_url": public_url(reverse("web:account")),
                }
                body = render_to_string("today/digest.txt", context)
                subject = ngettext(
                    "Today at %(business)s: %(count)d thing to do",
                    "Today at %(business)s: %(count)d things to do",
                    today.count,
                ) % {"business": header_text(business.name), "count": today.count}
            for address in addresses:
                message = EmailMultiAlternatives(
                    subject, body, settings.DEFAULT_FROM_EMAIL, [address]
                )
                try:
                    message.send()
                except OSError as error:  # smtplib's errors, a refused connection, a time-out
                    not_sent += 1
                    logger.warning(
                        "Morning email for business %s not sent: %s",
                        business.pk,
                        type(error).__name__,
                    )
                else:
                    sent += 1
    return DigestResult(
        sent=sent,
        skipped_without_email=skipped,
        businesses_with_nothing_to_do=nothing_to_do,
        not_sent=not_sent,
    )
