"""An owner hears of a low score at once: the survey tells the customer their answer went
straight to the owner, and Today lists it, but an owner away from the screen learned of it only
the next morning. Each owner who has an email address and has not turned it off gets one
message, in the language they read Klantvriend in; and again for words the customer adds to
such an answer later, which Today lists as what they became."""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from klantvriend.core.language import OWN_LANGUAGE, reader_language
from klantvriend.core.links import public_url
from klantvriend.core.mail import header_text
from klantvriend.core.models import Role

from .models import SurveyResponse

logger = logging.getLogger(__name__)


def low_score_alert_send(*, response_id: int, added: str = "", added_as: str = "") -> int:
    """Emails the owners of the response's business who want it; the number sent. A message the
    mail server does not take is logged, not raised: the customer's answer is stored, and the
    owner finds it on Today. `added`: words the customer added to the answer later (surveys.
    services._keep_late_comment), which the message is then about, kept as `added_as`
    ("complaint" or "follow_up")."""
    response = SurveyResponse.objects.select_related(
        "business", "customer", "complaint", "follow_up"
    ).get(pk=response_id)
    business = response.business
    owners = (
        business.memberships.filter(role=Role.OWNER, user__is_active=True, low_score_email=True)
        .exclude(user__email="")
        .select_related("user")
        .annotate(own_language=OWN_LANGUAGE)
    )
    addresses_by_language: dict[str, list[str]] = defaultdict(list)
    for owner in owners:
        language = reader_language(own=owner.own_language, business=business)
        addresses_by_language[language].append(owner.user.email)
    sent = 0
    for language, addresses in addresses_by_language.items():
        with translation.override(language):
            context = {
                "response": response,
                "added": added,
                "added_as": added_as,
                "customer_url": public_url(
                    reverse("web:customer_detail", args=[response.customer_id])
                ),
                "account_url": public_url(reverse("web:account")),
            }
            body = render_to_string("surveys/low_score_email.txt", context)
            subject = (
                translation.gettext("%(customer)s added to their %(score)d out of 10")
                if added
                else translation.gettext("%(customer)s gave a %(score)d out of 10")
            ) % {
                "customer": header_text(response.customer.name),
                "score": response.nps,
            }
        for address in addresses:
            message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            try:
                message.send()
            except OSError as error:  # smtplib's errors, a refused connection, a time-out
                logger.warning(
                    "Low score email for business %s not sent: %s",
                    business.pk,
                    type(error).__name__,
                )
            else:
                sent += 1
    return sent
