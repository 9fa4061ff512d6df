"""Writes of surveys: the definition, invitations and answers.

Consent (AVG/GDPR and the Dutch Telecommunicatiewet, art. 11.7). An e-mailed survey invitation
is an unsolicited electronic message; the Dutch regulator (ACM) treats customer-satisfaction
e-mails like direct marketing. So Klantvriend e-mails an invitation only to a customer with
`marketing_consent` on record, whose legal basis is consent, the soft opt-in for existing
customers, or legitimate interest (the basis is kept with the consent history); every
invitation e-mail says how to opt out. Without that, the customer can still be invited in
person: a QR code shown at the counter (or a link printed by another system through the API)
sends nothing, and the customer decides to scan it. The opt-out is a link of its own in every
invitation e-mail (and its List-Unsubscribe header, RFC 2369 and RFC 8058's one click): it
withdraws the consent at once, recorded in the consent history as the customer's own
(`email_stop`); a "reply with stop" would reach the sending address, not the shop. The answers themselves are processed on the
legitimate interest of improving the service (art. 6(1)(f)); they hold no special-category data.
An erased (anonymised) customer is never invited."""

import contextlib
import hashlib
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from klantvriend.aftercare.models import NOTE_LENGTH, FollowUp, Reason
from klantvriend.aftercare.services import follow_up_create, follow_up_update, rule_day
from klantvriend.complaints.models import Channel, Complaint, Driver
from klantvriend.complaints.services import complaint_create
from klantvriend.core import links
from klantvriend.core.audit import AuditAction, audit_diff, audit_record
from klantvriend.core.errors import Conflict, NotFound, ValidationError, refusals_of
from klantvriend.core.language import shop_language
from klantvriend.core.mail import header_text
from klantvriend.core.models import Business, Role
from klantvriend.customers.models import (
    ConsentSource,
    ContactKind,
    ContactMoment,
    Customer,
)
from klantvriend.customers.services import contact_moment_create, customer_update
from klantvriend.customers.text import fold
from klantvriend.promises.models import PromiseKind

from .alerts import low_score_alert_send
from .models import (
    DEFAULT_QUESTIONS,
    DETRACTOR_MAX,
    DRIVER_MAX,
    DRIVER_MIN,
    DRIVERS,
    LOW_DRIVER_MAX,
    NPS_MAX,
    NPS_MIN,
    QUESTION_KEYS,
    SURVEY_LANGUAGES,
    InvitationChannel,
    InvitationTrigger,
    SendFailure,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from .selectors import (
    ROUND_SIZE,
    RoundLeftOut,
    gets_new_code,
    invitation_list_state,
    invites_after_complaint,
    may_email,
    survey_invitations_after_delivery,
    survey_next_invitation_at,
    survey_round_candidates,
)

logger = logging.getLogger(__name__)

COMMENT_MAX = 2000
QUESTION_MAX = 300

# A detractor whose comment contains one of these (folded: case and accents ignored, matched at
# the start of a word) has made a complaint in so many words: it goes to the complaint queue with
# its response clocks instead of becoming a follow-up. Kept short and explicit on purpose: a
# false alarm costs a complaint that is resolved in a minute, a missed one costs a customer.
COMPLAINT_WORDS = (
    # Dutch
    "klacht",
    "klagen",
    "boos",
    "teleurgesteld",
    "schandalig",
    "onbeschoft",
    "geld terug",
    "nooit meer",
    # English
    "complain",
    "angry",
    "disappointed",
    "outrageous",
    "rude",
    "refund",
    "never again",
)
_COMPLAINT_PATTERN = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in COMPLAINT_WORDS) + ")")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def comment_is_complaint(comment: str) -> bool:
    return bool(_COMPLAINT_PATTERN.search(fold(comment)))


# --- the definition -----------------------------------------------------------------------


def _survey_for_write(business: Business) -> Survey:
    """The business's survey as stored now, locked until the caller's transaction ends: two
    owners saving the survey page and the API at once each wrote back every setting as read
    before the other's change, so that one change was lost and the trail said it was made."""
    survey, _created = Survey.objects.get_or_create(business=business)
    return Survey.objects.select_for_update().get(pk=survey.pk)


@transaction.atomic
def survey_update(
    *,
    business: Business,
    actor,
    questions: dict[str, dict[str, str]] | None = None,
    invitation_interval_days: int | None = None,
    invitation_valid_days: int | None = None,
    invite_after_delivery: bool | None = None,
    invite_after_complaint: bool | None = None,
    invite_after_purchase: bool | None = None,
) -> Survey:
    """Validates every value before writing; an empty question text falls back to the default."""
    survey = _survey_for_write(business)
    before = _survey_snapshot(survey)
    if questions is not None:
        cleaned: dict[str, dict[str, str]] = {}
        for key, texts in questions.items():
            if key not in QUESTION_KEYS:
                raise _error("questions", _("Unknown question: %(key)s") % {"key": key}, "unknown")
            for language, text in texts.items():
                if language not in SURVEY_LANGUAGES:
                    raise _error("questions", _("Unknown language."), "language")
                text = (text or "").strip()
                if len(text) > QUESTION_MAX:
                    raise _error(
                        f"{key}_{language}",
                        _("Keep a question under %(max)d characters.") % {"max": QUESTION_MAX},
                        "max_length",
                    )
                if text and text != DEFAULT_QUESTIONS[key][language]:
                    cleaned.setdefault(key, {})[language] = text
        survey.questions = cleaned
    for name, value, low, high in (
        ("invitation_interval_days", invitation_interval_days, 0, 3650),
        ("invitation_valid_days", invitation_valid_days, 1, 365),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _error(
                name,
                _("Choose a number from %(low)d to %(high)d.") % {"low": low, "high": high},
                "range",
            )
        setattr(survey, name, value)
    if invite_after_delivery is not None:
        survey.invite_after_delivery = bool(invite_after_delivery)
    if invite_after_complaint is not None:
        survey.invite_after_complaint = bool(invite_after_complaint)
    if invite_after_purchase is not None:
        survey.invite_after_purchase = bool(invite_after_purchase)
    changes = audit_diff(before, _survey_snapshot(survey))
    if changes:
        survey.save(update_fields=[*changes, "updated_at"])
        audit_record(
            business=business,
            actor=actor,
            action=AuditAction.SETTINGS,
            obj=survey,
            changes=changes,
        )
    return survey


def _survey_snapshot(survey: Survey) -> dict[str, Any]:
    return {
        "questions": survey.questions,
        "invitation_interval_days": survey.invitation_interval_days,
        "invitation_valid_days": survey.invitation_valid_days,
        "invite_after_delivery": survey.invite_after_delivery,
        "invite_after_complaint": survey.invite_after_complaint,
        "invite_after_purchase": survey.invite_after_purchase,
    }


# --- invitations --------------------------------------------------------------------------


def survey_path(key: str) -> str:
    """Where a customer answers the survey with this invitation's key."""
    return reverse("web:survey_answer", kwargs={"key": key})


def survey_url(key: str) -> str:
    """The same, whole (`PUBLIC_BASE_URL`): for an e-mail or a QR code."""
    return links.public_url(survey_path(key))


def email_stop_url(key: str) -> str:
    """Where the customer invited with this key stops the shop's e-mails, whole: for the
    invitation e-mail's opt-out line and its List-Unsubscribe header."""
    return links.public_url(reverse("web:email_stop", kwargs={"key": key}))


def still_emailed(customer: Customer) -> bool:
    """Whether the customer's consent to e-mails stands, which their opt-out link withdraws."""
    return customer.erased_at is None and customer.marketing_consent


def email_stop(*, invitation: SurveyInvitation) -> Customer:
    """Withdraws the marketing consent of the customer `invitation` was made for (found by the
    key of its opt-out link, invitation_for_key): the customer's own opt-out, so it holds for
    every later invitation (may_email) whatever became of this one (answered, expired,
    withdrawn). Recorded as any change of consent (customer_update: the consent history with
    source "email_link", the audit trail without an actor). Once withdrawn, or for an erased
    customer, it changes nothing."""
    customer = invitation.customer
    if still_emailed(customer):
        customer_update(
            customer=customer, marketing_consent=False, consent_source=ConsentSource.EMAIL_LINK
        )
    return customer


@dataclass(frozen=True)
class CreatedInvitation:
    invitation: SurveyInvitation
    key: str  # the secret of the link: shown or sent now, never stored

    @property
    def path(self) -> str:
        return survey_path(self.key)

    @property
    def url(self) -> str:
        return survey_url(self.key)


def survey_invitation_create_refusals(
    *, business: Business, customer: Customer, **fields: Any
) -> dict[str, list[ValidationError]]:
    """What survey_invitation_create would refuse of these values, per field, writing
    nothing; {} for the customer's state (anonymised, invited recently: a Conflict)."""
    return refusals_of(lambda: _refuse_invitation(business=business, customer=customer, **fields))


def _refuse_invitation(
    *, business: Business, customer: Customer, channel: str, trigger: str = InvitationTrigger.MANUAL
) -> None:
    """survey_invitation_create's checks of its values, before the interval's under the lock."""
    if customer.business_id != business.pk:
        raise _error("customer", _("This customer does not exist."), "not_found")
    if channel not in InvitationChannel.values:
        raise _error("channel", _("Choose email, the counter or a link."), "invalid_choice")
    if trigger not in InvitationTrigger.values:
        raise _error("trigger", _("Unknown occasion."), "invalid_choice")
    customer.refuse_if_anonymised()
    if channel == InvitationChannel.EMAIL:
        if not customer.email:
            raise _error("channel", _("This customer has no email address."), "no_email")
        if not may_email(customer):
            raise _error(
                "channel",
                _(
                    "This customer has not agreed to receive email from you. "
                    "Show the QR code at the counter instead."
                ),
                "no_consent",
            )


def survey_invitation_create(
    *,
    business: Business,
    customer: Customer,
    channel: str,
    trigger: str = InvitationTrigger.MANUAL,
    actor=None,
    promise=None,
    now: datetime | None = None,
) -> CreatedInvitation:
    """A personal single-use link for `customer`. Refused (nothing stored, nothing sent) for a
    customer of another business, an anonymised customer, an e-mail without consent or address,
    or a customer invited within the survey's interval. `promise`: the kept delivery it is sent
    after, whose undo withdraws it. An e-mail is sent after commit."""
    created = _invitation_create(
        business=business,
        customer=customer,
        channel=channel,
        trigger=trigger,
        actor=actor,
        promise=promise,
        now=now or timezone.now(),
    )
    if channel == InvitationChannel.EMAIL:
        transaction.on_commit(lambda: _send_invitation_emails([created]))
    return created


def _invitation_create(
    *,
    business: Business,
    customer: Customer,
    channel: str,
    trigger: str,
    actor,
    promise,
    now: datetime,
    survey: Survey | None = None,
) -> CreatedInvitation:
    """survey_invitation_create without the sending, which a survey round does for all of its
    invitations at once."""
    _refuse_invitation(business=business, customer=customer, channel=channel, trigger=trigger)
    survey = survey or Survey.objects.filter(business=business).first() or Survey(business=business)
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Lock the customer so that two invitations at the same moment cannot both pass the
        # interval check, nor one pass a customer anonymised since they were read (which would
        # mail them after their erasure).
        locked = Customer.objects.select_for_update().filter(pk=customer.pk).first()
        if locked is not None:
            locked.refuse_if_anonymised()
        possible_from = survey_next_invitation_at(
            business=business, customer=customer, survey=survey, now=now
        )
        if possible_from is not None:
            next_day = business.local(possible_from).date()
            # The customer's state, not a value sent: a conflict, as every such refusal.
            raise Conflict(
                {
                    "customer": ValidationError(
                        _(
                            "This customer was invited recently; the next invitation is "
                            "possible from %(day)s."
                        )
                        % {"day": date_format(next_day, "SHORT_DATE_FORMAT")},
                        code="too_soon",
                    )
                }
            )
        invitation = SurveyInvitation.objects.create(
            business=business,
            customer=customer,
            channel=channel,
            trigger=trigger,
            token_hash=hash_key(key),
            created_at=now,
            expires_at=now + timedelta(days=survey.invitation_valid_days),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            promise=promise,
        )
        audit_record(
            business=business,
            actor=actor,
            # Made by a person (a member's click), or planned by a rule (aftercare's hooks).
            action=AuditAction.CREATED
            if trigger in (InvitationTrigger.MANUAL, InvitationTrigger.ROUND)
            else AuditAction.PLANNED,
            obj=invitation,
            customer=customer,
            changes={"channel": [None, channel], "trigger": [None, trigger]},
        )
    return CreatedInvitation(invitation=invitation, key=key)


def survey_invitation_replace(
    *, business: Business, invitation: SurveyInvitation, actor, now: datetime | None = None
) -> CreatedInvitation:
    """A new code for an open invitation shown at the counter (or made as a link), the old one
    withdrawn in the same transaction: only the page that made a code holds its secret, and a
    customer who did not scan it could not be asked again until the interval had passed. The
    new one has the customer's interval counted from now, as any invitation; it is not an
    invitation more. Refused (Conflict, nothing changed) once the invitation is answered,
    expired or withdrawn, and for an e-mailed one: the customer has that e-mail."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            SurveyInvitation.objects.select_for_update()
            .select_related("customer")
            .filter(pk=invitation.pk, business=business)
            .first()
        )
        if locked is None:
            raise NotFound(_("This invitation does not exist."))
        if not gets_new_code(locked, now=now):
            raise Conflict(
                {
                    "invitation": ValidationError(
                        _("Only an open invitation at the counter gets a new code.")
                        if invitation_state(locked, now=now) == "open"
                        else _("This invitation can no longer be answered: invite again instead."),
                        code="not_replaceable",
                    )
                }
            )
        _withdraw(locked, business=business, actor=actor, now=now)
        return _invitation_create(
            business=business,
            customer=locked.customer,
            channel=locked.channel,
            trigger=InvitationTrigger.MANUAL,
            actor=actor,
            promise=None,
            now=now,
        )


@dataclass(frozen=True)
class RoundOutcome:
    """What one click of a survey round did: how many customers were invited by e-mail (their
    e-mails sent, or going at the commit of the caller's transaction), how many invitations
    were refused and why (RoundLeftOut's values, "other" for anything else; a second click
    racing the first finds its customers asked recently), how many e-mails the mail server did
    not take (SendFailure's values; those invitations are withdrawn), and how many customers the
    next click would invite."""

    invited: int
    refused: dict[str, int]
    not_sent: dict[str, int]
    remaining: int


# The refusals of survey_invitation_create by code, as the round's page names why a customer
# was left out (selectors.RoundLeftOut).
_ROUND_REFUSALS = {
    "too_soon": RoundLeftOut.ASKED_RECENTLY,
    "no_consent": RoundLeftOut.NO_CONSENT,
    "no_email": RoundLeftOut.NO_EMAIL,
}


def survey_round_send(
    *, business: Business, actor, size: int = ROUND_SIZE, now: datetime | None = None
) -> RoundOutcome:
    """A survey round's click: invites by e-mail the `size` customers who may be invited now,
    asked longest ago (or never) first (selectors.survey_round_candidates, the rule of
    survey_invitation_create for all customers at once), in one transaction, and sends their
    e-mails after its commit over one connection to the mail server. Each invitation passes
    survey_invitation_create's own checks under its customer's lock, so a second click racing
    the first (or an invitation from the counter at the same moment) invites no one twice: it
    finds them asked recently. An e-mail the mail server does not take is withdrawn with why,
    as for a single invitation. Bounded: what is left waits for the next click."""
    now = now or timezone.now()
    survey = Survey.objects.filter(business=business).first() or Survey(business=business)
    customers = list(survey_round_candidates(business=business, survey=survey, now=now)[:size])
    created: list[CreatedInvitation] = []
    refused: dict[str, int] = {}
    with transaction.atomic():
        for customer in customers:
            try:
                created.append(
                    _invitation_create(
                        business=business,
                        customer=customer,
                        channel=InvitationChannel.EMAIL,
                        trigger=InvitationTrigger.ROUND,
                        actor=actor,
                        promise=None,
                        now=now,
                        survey=survey,
                    )
                )
            except ValidationError as error:
                codes = [each.code for each in _refusals(error)]
                why = str(
                    next((_ROUND_REFUSALS[c] for c in codes if c in _ROUND_REFUSALS), "other")
                )
                refused[why] = refused.get(why, 0) + 1
        if created:
            transaction.on_commit(lambda: _send_invitation_emails(created))
    # The e-mails went at the commit above (or go at the caller's, inside a transaction).
    not_sent: dict[str, int] = {}
    for each in created:
        if each.invitation.send_failure:
            failure = each.invitation.send_failure
            not_sent[failure] = not_sent.get(failure, 0) + 1
    return RoundOutcome(
        invited=len(created) - sum(not_sent.values()),
        refused=refused,
        not_sent=not_sent,
        remaining=survey_round_candidates(business=business, survey=survey, now=now).count(),
    )


def _refusals(error: ValidationError) -> list[ValidationError]:
    """Each refusal of `error`, whether it was raised for a field or as a whole."""
    if hasattr(error, "error_dict"):
        return [each for errors in error.error_dict.values() for each in errors]
    return list(error.error_list)


def invitation_sender(business: Business) -> str:
    """The From of the shop's e-mails: the shop's name with the server's sending address
    (DEFAULT_FROM_EMAIL, the one its mail relay accepts and signs), so that the customer sees
    who writes. Quoted where the name needs it (a comma, quotes); Django encodes a name with
    accents (RFC 2047). A name on several lines is written on one (header_text)."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = header_text(business.name)
    return str(Address(display_name=name, addr_spec=address or settings.DEFAULT_FROM_EMAIL))


def _invitation_email(created: CreatedInvitation) -> EmailMultiAlternatives:
    """Dutch first with the English text below it: the customer's language is not known until
    they open the page (which then follows their browser). The opening line follows the
    occasion (the template's `trigger`): a round reaches customers who may not have come in
    for months, whom thanks for a visit would puzzle. A reply goes to the shop's own address
    where it has one (Business.contact_email): the sending address reaches no one there."""
    invitation, key = created.invitation, created.key
    business = invitation.business
    stop_url = email_stop_url(key)
    context = {
        "business": business,
        "customer": invitation.customer,
        "trigger": invitation.trigger,
        "url": survey_url(key),
        "stop_url": stop_url,
        "valid_until": invitation.expires_at,
    }
    parts = []
    # Dates in the shop's time zone: a template shows a moment in the active zone, which is the
    # shop's only on its own pages, not in a request to the API.
    for language in SURVEY_LANGUAGES:
        with translation.override(language), timezone.override(business.tzinfo):
            parts.append(render_to_string("surveys/invitation_email.txt", context))
    with shop_language(business):
        subject = _("How did we do? A short question from %(business)s") % {
            "business": header_text(business.name)
        }
    return EmailMultiAlternatives(
        subject,
        "\n-----\n\n".join(parts),
        invitation_sender(business),
        [invitation.customer.email],
        reply_to=[business.contact_email] if business.contact_email else None,
        # A mail program's own "unsubscribe" button posts to the link at once (RFC 8058).
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def _send_invitation_emails(created: list[CreatedInvitation]) -> None:
    """The invitations' e-mails over one connection to the mail server (a round sends up to
    ROUND_SIZE: a connection each would make the relay throttle or refuse). Those withdrawn
    in the moment between their commit and this (an undo of the "Done" that caused one) are
    not sent. Each address the relay refuses, or every e-mail when it cannot be reached, is
    withdrawn with why (_invitation_not_sent); the rest are marked sent, in one update."""
    withdrawn = set(
        SurveyInvitation.objects.filter(
            pk__in=[each.invitation.pk for each in created], withdrawn_at__isnull=False
        ).values_list("pk", flat=True)
    )
    pending = [each for each in created if each.invitation.pk not in withdrawn]
    if not pending:
        return
    sent: list[SurveyInvitation] = []
    connection = mail.mailers.default
    try:
        connection.open()
    except OSError as error:  # a refused connection, a time-out, TLS, a login refused
        for each in pending:
            _invitation_not_sent(each.invitation, SendFailure.UNREACHABLE, error)
        return
    try:
        for each in pending:
            try:
                connection.send_messages([_invitation_email(each)])
            except smtplib.SMTPRecipientsRefused as error:
                _invitation_not_sent(each.invitation, SendFailure.REFUSED, error)
            except OSError as error:  # smtplib's errors, a connection lost on the way
                _invitation_not_sent(each.invitation, SendFailure.UNREACHABLE, error)
            else:
                sent.append(each.invitation)
    finally:
        # What was sent is sent: a failing goodbye to the server changes nothing of it.
        with contextlib.suppress(OSError):
            connection.close()
    if sent:
        now = timezone.now()
        SurveyInvitation.objects.filter(pk__in=[each.pk for each in sent]).update(sent_at=now)
        for invitation in sent:
            invitation.sent_at = now


def _invitation_not_sent(invitation: SurveyInvitation, failure: str, error: OSError) -> None:
    """An invitation whose email the relay would not take is withdrawn, with why: it runs after
    the commit of what caused it (a "Done" at the counter, a staff member's invite), which must
    not fail for the mail server's sake. Withdrawn, it counts for nothing (not for the interval
    between invitations), so the customer can be invited again at once, by a new link: this
    one's key exists only as a hash. Audited without an actor (the relay said no, not a person);
    logged by the kind of error alone (a refusal's text holds the address)."""
    now = timezone.now()
    with transaction.atomic():
        withdrawn = SurveyInvitation.objects.filter(
            pk=invitation.pk, answered_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=now, send_failure=failure)
        if not withdrawn:
            return
        audit_record(
            business=invitation.business,
            actor=None,
            action=AuditAction.WITHDRAWN,
            obj=invitation,
            customer=invitation.customer,
            changes=audit_diff(
                {"withdrawn_at": None, "send_failure": ""},
                {"withdrawn_at": now, "send_failure": failure},
            ),
            at=now,
        )
    invitation.withdrawn_at, invitation.send_failure = now, failure
    logger.warning(
        "Survey invitation %s not emailed (%s): %s", invitation.pk, failure, type(error).__name__
    )


def _invite_automatically(*, business: Business, customer: Customer, trigger: str, promise=None):
    """Aftercare's invitations: by e-mail where allowed, otherwise none (the period rule and the
    consent rule are not errors here, just reasons not to invite)."""
    if not may_email(customer):
        return None
    try:
        return survey_invitation_create(
            business=business,
            customer=customer,
            channel=InvitationChannel.EMAIL,
            trigger=trigger,
            promise=promise,
        )
    except ValidationError:
        return None


def survey_invite_after_promise(*, promise) -> CreatedInvitation | None:
    if promise.kind != PromiseKind.DELIVERY or not promise.survey_after_delivery:
        return None
    survey = Survey.objects.filter(business_id=promise.business_id).first()
    if survey is not None and not survey.invite_after_delivery:
        return None
    return _invite_automatically(
        business=promise.business,
        customer=promise.customer,
        trigger=InvitationTrigger.DELIVERY,
        promise=promise,
    )


def survey_invitation_withdraw_for_promise(
    *, promise, actor, kept_at: datetime | None = None
) -> dict[str, int]:
    """The invitation a kept delivery caused (survey_invite_after_promise), withdrawn when that
    "Done" is undone (PROMISE_REOPENED, inside the undo's transaction, the row locked): it was
    sent after a delivery that, it now turns out, had not taken place. Not yet sent, it is not
    sent; sent, its link answers politely that it was withdrawn and takes no answer. Either way
    it no longer counts for the interval between invitations, so keeping the promise again
    invites again. An invitation the customer has answered stays, with the answer: it is what
    the customer said, and the undo goes ahead (selectors.survey_answer_kept_for_promise lets
    the page say so). Audited as `withdrawn` on the invitation."""
    invitation = survey_invitations_after_delivery(promise=promise).select_for_update().first()
    if invitation is None or invitation.answered_at is not None:
        return {}
    _withdraw(invitation, business=promise.business, actor=actor, now=timezone.now())
    return {"survey_invitations_withdrawn": 1}


def _withdraw(invitation: SurveyInvitation, *, business: Business, actor, now: datetime) -> None:
    """Withdraws `invitation` (its row locked by the caller), audited as `withdrawn`."""
    invitation.withdrawn_at = now
    invitation.save(update_fields=["withdrawn_at"])
    audit_record(
        business=business,
        actor=actor,
        action=AuditAction.WITHDRAWN,
        obj=invitation,
        customer=invitation.customer,
        changes=audit_diff({"withdrawn_at": None}, {"withdrawn_at": now}),
        at=now,
    )


# A purchase typed in longer ago than this invites no one: a survey about a visit of weeks ago.
PURCHASE_INVITE_WITHIN = timedelta(days=2)


def survey_invite_after_purchase(*, purchase) -> CreatedInvitation | None:
    """The invitation after a purchase recorded (PURCHASE_RECORDED, once committed), where the
    owner turned it on: by e-mail to a customer who may be e-mailed and was not invited within
    the survey's interval (_invite_automatically). Not for an imported till history (which
    announces no purchase), nor for one typed in days after it was made."""
    survey = Survey.objects.filter(business_id=purchase.business_id).first()
    if survey is None or not survey.invite_after_purchase:
        return None
    if purchase.at < timezone.now() - PURCHASE_INVITE_WITHIN:
        return None
    customer = purchase.customer
    return _invite_automatically(
        business=customer.business, customer=customer, trigger=InvitationTrigger.PURCHASE
    )


def survey_invite_after_complaint(*, complaint) -> CreatedInvitation | None:
    if not invites_after_complaint(business=complaint.business):
        return None
    return _invite_automatically(
        business=complaint.business,
        customer=complaint.customer,
        trigger=InvitationTrigger.COMPLAINT,
    )


# --- answers ------------------------------------------------------------------------------


def invitation_for_key(*, key: str) -> SurveyInvitation | None:
    """The invitation behind a link, or None for a secret that matches none (mistyped, tampered).
    Looked up by hash only: the secret is never compared as text."""
    if not key or len(key) > 100:
        return None
    return (
        SurveyInvitation.objects.select_related("business", "customer")
        .filter(token_hash=hash_key(key))
        .first()
    )


def invitation_state(invitation: SurveyInvitation | None, *, now: datetime | None = None) -> str:
    """ "open", "answered", "expired", "withdrawn" or "invalid" (no such link)."""
    now = now or timezone.now()
    if invitation is None or invitation.customer.erased_at is not None:
        return "invalid"
    return str(invitation_list_state(invitation, now=now))


def _score(answers: dict[str, Any], name: str, low: int, high: int, required: bool) -> int | None:
    value = answers.get(name)
    if value in (None, "") and not required:
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        if value in (None, ""):
            raise _error(name, _("Choose a score."), "required")
        raise _error(name, _("Choose a whole number."), "invalid")
    if not low <= value <= high:
        raise _error(
            name,
            _("Choose a score from %(low)d to %(high)d.") % {"low": low, "high": high},
            "range",
        )
    return value


def _validate_answers(answers: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {}
    checks = [("nps", NPS_MIN, NPS_MAX, True)] + [
        (name, DRIVER_MIN, DRIVER_MAX, False) for name in DRIVERS
    ]
    for name, low, high, required in checks:
        try:
            cleaned[name] = _score(answers, name, low, high, required)
        except ValidationError as error:
            errors.update(error.error_dict)
    try:
        cleaned["comment"] = _validate_comment(answers)
    except ValidationError as error:
        errors.update(error.error_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _validate_comment(answers: dict[str, Any]) -> str:
    comment = answers.get("comment") or ""
    if not isinstance(comment, str):
        raise _error("comment", _("Write the comment as text."), "invalid")
    # A browser counts a line break as one character against the field's maxlength, and sends
    # it as two (CR LF): counted as sent, a comment the field allowed was refused.
    comment = comment.replace("\r\n", "\n")
    if len(comment.strip()) > COMMENT_MAX:
        raise _error(
            "comment",
            _("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX},
            "max_length",
        )
    return comment.strip()


def _owner_of(business: Business):
    membership = (
        business.memberships.filter(role=Role.OWNER, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


def _weakest_driver(response: SurveyResponse) -> str:
    scored = [(getattr(response, name), name) for name in DRIVERS if getattr(response, name)]
    if not scored:
        return Driver.OTHER
    score, name = min(scored)
    return name if score <= LOW_DRIVER_MAX else Driver.OTHER


# How many comments sent to an answered invitation are kept (_keep_late_comment).
LATE_COMMENTS_MAX = 3


@dataclass(frozen=True)
class LateComment:
    """What became of a comment sent to an invitation already answered (a second tab left
    open): the first answer stands, and the words were kept where the owner acts on them, as a
    complaint or as a note with a follow-up (survey_answer)."""

    response: SurveyResponse  # the first answer, which stands
    kept_as: str  # "complaint" or "follow_up"


def survey_answer(
    *, key: str, answers: dict[str, Any], language: str = "nl", now: datetime | None = None
) -> SurveyResponse | LateComment:
    """Stores the answer to the invitation behind `key`. A link that is unknown, expired or
    withdrawn, and any score out of its range, is refused and nothing is stored.

    A detractor (0-6) is acted on at once: a follow-up for the owner due today (the next working
    day when the shop is closed today), or, when the comment complains in so many words
    (COMPLAINT_WORDS), a complaint with its clocks.

    An invitation already answered takes no second answer: its scores are not stored. But a
    comment that differs from the first answer's is kept (_keep_late_comment), under the same
    row lock: a customer who reports spoiled meat from a tab left open must not be thanked and
    then ignored. Without new words the second answer is refused ("answered")."""
    now = now or timezone.now()
    invitation = invitation_for_key(key=key)
    state = invitation_state(invitation, now=now)
    if state not in ("open", "answered"):
        raise _error("key", _STATE_MESSAGES[state](), state)
    assert invitation is not None
    if state == "answered":
        comment = _validate_comment(answers)
        with transaction.atomic():
            locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
            return _keep_late_comment(locked, invitation, comment, now)
    cleaned = _validate_answers(answers)
    try:
        with transaction.atomic():
            locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
            # Withdrawn while the customer filled it in: the answer is not taken.
            if locked.withdrawn_at is not None:
                raise _error("key", _STATE_MESSAGES["withdrawn"](), "withdrawn")
            if locked.answered_at is not None:
                # Answered in another tab while this one was filled in.
                return _keep_late_comment(locked, invitation, cleaned["comment"], now)
            response = SurveyResponse(
                business_id=locked.business_id,
                invitation=locked,
                customer_id=locked.customer_id,
                answered_at=now,
                language=language if language in SURVEY_LANGUAGES else "nl",
                **cleaned,
            )
            response.full_clean(validate_unique=False)
            response.save()
            locked.answered_at = now
            locked.save(update_fields=["answered_at"])
            if response.nps <= DETRACTOR_MAX:
                _act_on_detractor(response, invitation.business, invitation.customer, now)
                # Once stored: an owner away from Today hears of it now, not the next morning.
                transaction.on_commit(partial(low_score_alert_send, response_id=response.pk))
    except IntegrityError:
        # Two submissions raced; the one-to-one link let only the first one in.
        raise _error("key", _STATE_MESSAGES["answered"](), "answered") from None
    return response


# The calls after a job that a low survey score joins when one is planned within this long: the
# survey was most likely about that job.
AFTER_THE_JOB = (Reason.PURCHASE, Reason.DELIVERY, Reason.REPAIR)
SURVEY_JOINS_CALL = timedelta(days=7)


def _pass_to_owner(
    *, business: Business, customer, comment: str, description: str, note: str, driver: str, now
) -> tuple[Complaint | None, FollowUp | None]:
    """The customer's words where the owner acts on them: a complaint with its response clocks
    when they complain in so many words (COMPLAINT_WORDS), otherwise a follow-up for the owner,
    due today (the next working day when the shop is closed today)."""
    if comment and comment_is_complaint(comment):
        complaint = complaint_create(
            customer=customer,
            description=description,
            channel=Channel.OTHER,
            public=False,
            driver=driver,
            received_at=now,
            now=now,
        )
        return complaint, None
    due_on = rule_day(business=business, day=business.local(now).date())
    planned = FollowUp.objects.select_for_update().filter(customer=customer, done_at__isnull=True)
    same_call = (
        planned.filter(reason=Reason.COMPLAINT).order_by("due_on", "id").first()
        or planned.filter(reason__in=AFTER_THE_JOB, due_on__lte=due_on + SURVEY_JOINS_CALL)
        .order_by("due_on", "id")
        .first()
    )
    if same_call is not None:
        # The check after a complaint is the same call: a restaurant's guest who gave a 6 after
        # a cold steak was to be called today about the score and again in a week about the
        # steak. So is a call planned after the purchase or repair the survey followed: a
        # garage's customer who gave a 5 was to be called twice on Monday. That call is made
        # today, and shows the score and the comment (the answer links to it).
        if same_call.due_on > due_on:
            same_call = follow_up_update(follow_up=same_call, actor=None, due_on=due_on)
        return None, same_call
    follow_up = follow_up_create(
        business=business,
        customer=customer,
        # Cut where it no longer fits, with "…": cut mid-word, it read as all the customer said.
        note=Truncator(note).chars(NOTE_LENGTH),
        due_on=due_on,
        reason=Reason.SURVEY,
        assigned_to=_owner_of(business),
    )
    return None, follow_up


def _act_on_detractor(response: SurveyResponse, business: Business, customer, now) -> None:
    # The customer answered in their own language; the shop reads it in its own. The drivers
    # scored low say what to ask about, where the owner acts on the answer.
    with shop_language(business):
        low = ", ".join(f"{label} {score}" for label, score in response.low_drivers)
        figures = {
            "score": response.nps,
            "comment": response.comment or _("no comment"),
            "low": low,
        }
        if low:
            description = _("In the survey (score %(score)d; low: %(low)s): %(comment)s")
            note = _("Gave %(score)d out of 10 in the survey (low: %(low)s): %(comment)s")
        else:
            description = _("In the survey (score %(score)d): %(comment)s")
            note = _("Gave %(score)d out of 10 in the survey: %(comment)s")
        description, note = description % figures, note % figures
    response.complaint, response.follow_up = _pass_to_owner(
        business=business,
        customer=customer,
        comment=response.comment,
        description=description,
        note=note,
        driver=_weakest_driver(response),
        now=now,
    )
    response.save(update_fields=["complaint", "follow_up"])


def _keep_late_comment(
    locked: SurveyInvitation, invitation: SurveyInvitation, comment: str, now
) -> LateComment:
    """A comment sent to an answered invitation (called under its row lock): refused as a
    second answer when it adds nothing (empty, or the first answer's own); otherwise a complaint
    when it complains in so many words, or else a note on the customer's timeline with the whole
    text and a follow-up for the owner due today: the same rule as a detractor's answer. The
    second answer's scores are not stored, so the texts give the first answer's score. Sent
    again (a refresh of the page that said so), it is not kept twice."""
    response = SurveyResponse.objects.get(invitation_id=locked.pk)
    if not comment or comment == response.comment:
        raise _error("key", _STATE_MESSAGES["answered"](), "answered")
    business, customer = invitation.business, invitation.customer
    with shop_language(business):
        added = _("Added to the survey answer (score %(score)d): %(comment)s")
        description = added % {"score": response.nps, "comment": comment}
        heading = added % {"score": response.nps, "comment": ""}
    # The link is public: whoever holds it must not fill the owner's complaints and follow-ups
    # without end. A customer's few afterthoughts are kept; past LATE_COMMENTS_MAX the first
    # answer and what was added stand.
    kept = (
        Complaint.objects.filter(
            customer=customer,
            description__startswith=heading,
            received_at__gte=response.answered_at,
        ).count()
        + ContactMoment.objects.filter(
            customer=customer, summary__startswith=heading, at__gte=response.answered_at
        ).count()
    )
    if kept >= LATE_COMMENTS_MAX:
        raise _error("key", _STATE_MESSAGES["answered"](), "answered")
    if comment_is_complaint(comment):
        kept_as = "complaint"
        kept_before = Complaint.objects.filter(customer=customer, description=description)
    else:
        kept_as = "follow_up"
        kept_before = ContactMoment.objects.filter(customer=customer, summary=description)
    if not kept_before.exists():
        _pass_to_owner(
            business=business,
            customer=customer,
            comment=comment,
            description=description,
            note=description,
            driver=_weakest_driver(response),
            now=now,
        )
        if kept_as == "follow_up":
            # The follow-up's note holds 300 characters; the timeline keeps every word.
            contact_moment_create(
                customer=customer, kind=ContactKind.NOTE, summary=description, at=now
            )
        if response.nps <= DETRACTOR_MAX:
            # As the low score itself: the owner hears of what was added at once.
            transaction.on_commit(
                partial(
                    low_score_alert_send, response_id=response.pk, added=comment, added_as=kept_as
                )
            )
    return LateComment(response=response, kept_as=kept_as)


_STATE_MESSAGES = {
    "invalid": lambda: _(
        "This link is not valid. Please check that you opened the whole link from the message."
    ),
    "expired": lambda: _("This survey link has expired. Thank you for your interest all the same."),
    "answered": lambda: _(
        "You had already answered this survey: your first answer stands. Thank you!"
    ),
    "withdrawn": lambda: _(
        "This invitation was withdrawn: it was sent by mistake, so there is nothing you need to "
        "do. Our apologies for the trouble, and thank you all the same."
    ),
}


def state_message(state: str) -> str:
    return _STATE_MESSAGES[state]()
