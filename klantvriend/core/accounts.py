"""A member's own account (name, e-mail address, password, language) and the ways back in after a
forgotten password: an owner sets a new one for a member, or the member asks for a reset link
by e-mail (the views are Django's, in web/account_views.py; the limits are here)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .audit import AuditAction, audit_record
from .errors import ValidationError
from .members import refuse_name_alike
from .models import Membership, PasswordResetRequest, Profile, Role

# Reset e-mails: at most this many to one address, and requests from one visitor, per window.
RESET_WINDOW = timedelta(hours=1)
MAX_RESETS_PER_EMAIL = 3
MAX_RESETS_PER_ADDRESS = 10


def account_update(*, user, first_name: str, last_name: str, email: str):
    """The member's own name (on pages, documents and audit trails) and e-mail address (for a
    password reset link and, for an owner, the morning e-mail)."""
    named_before = (user.first_name, user.last_name)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.email = email.strip()
    errors = {}
    if (user.first_name, user.last_name) != named_before:
        # Asked of a name changed only: two named alike from before can still save an e-mail.
        for membership in Membership.objects.filter(user=user).select_related("business"):
            try:
                refuse_name_alike(business=membership.business, user=user, field="last_name")
            except ValidationError as refused:
                errors.update(refused.error_dict)
                break
    if user.email:
        try:
            validate_email(user.email)
        except ValidationError:
            errors["email"] = ValidationError(
                _("Enter an email address such as name@example.nl."), code="invalid"
            )
    for field in ("first_name", "last_name"):
        limit = user._meta.get_field(field).max_length
        if len(getattr(user, field)) > limit:
            errors[field] = ValidationError(
                _("Use at most %(limit)s characters.") % {"limit": limit}, code="max_length"
            )
    if errors:
        user.refresh_from_db(fields=["first_name", "last_name", "email"])
        raise ValidationError(errors)
    user.save(update_fields=["first_name", "last_name", "email"])
    return user


def account_language_set(*, user, language: str) -> None:
    """The language the member reads Klantvriend in, on every device: one of settings.LANGUAGES,
    or "" for the language of the business they work in (core.language.reader_language).
    Refused whole on any other value."""
    known = [code for code, _name in settings.LANGUAGES]
    if language not in ("", *known):
        raise ValidationError(
            {
                "language": ValidationError(
                    _(
                        "Klantvriend does not speak “%(language)s”: choose the language of the "
                        "business or one of the languages in the list."
                    )
                    % {"language": language},
                    code="invalid_choice",
                )
            }
        )
    Profile.objects.update_or_create(user=user, defaults={"language": language})


def account_morning_email_set(*, membership: Membership, on: bool) -> None:
    """Whether the owner of `membership` gets the Today list of that business by email each
    morning (today.digest): their own choice, per business they own."""
    membership.morning_email = on
    membership.save(update_fields=["morning_email"])


def account_low_score_email_set(*, membership: Membership, on: bool) -> None:
    """Whether the owner of `membership` gets an email the moment a customer of that business
    gives a low score in the survey (surveys.alerts)."""
    membership.low_score_email = on
    membership.save(update_fields=["low_score_email"])


def account_today_only_mine_set(*, membership: Membership, on: bool) -> None:
    """Whether Today shows the member of `membership` their own promises and follow-ups only,
    in that business, until they choose again."""
    membership.today_only_mine = on
    membership.save(update_fields=["today_only_mine"])


@transaction.atomic
def member_password_set(*, membership: Membership, actor, password: str) -> None:
    """An owner gives a member who forgot their password a new one, to tell them in person.

    Only for a person who works in no business but the owner's own ones: a password opens every
    business its user works in, so an owner could otherwise take over someone's account at
    another business. Such a person (and an owner themselves) uses "Forgot your password?" on
    the log-in page. Setting it ends the member's sessions (Django keys them to the password)."""
    user = membership.user
    if actor is not None and user.pk == actor.pk:
        raise ValidationError(
            _("Change your own password on your account page."), code="own_password"
        )
    elsewhere = Membership.objects.filter(user=user).exclude(
        business__memberships__user=actor, business__memberships__role=Role.OWNER
    )
    if elsewhere.exists():
        raise ValidationError(
            _(
                "This person also works for a business you do not own, so only they can change "
                "their password: with “Forgot your password?” on the log-in page."
            ),
            code="works_elsewhere",
        )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        business=membership.business,
        actor=actor,
        action=AuditAction.CHANGED,
        obj=membership,
        changes={"user": user.get_username(), "user_id": user.pk, "password": "new"},
    )


def _address_key(email: str) -> str:
    """The typed address, keyed with the server's secret (HMAC-SHA256): requests for one address
    can be counted, while the table does not tell which addresses were typed."""
    return salted_hmac(
        "password-reset-request", email.strip().lower(), algorithm="sha256"
    ).hexdigest()


def password_reset_allowed(*, email: str, ip_address: str | None) -> bool:
    """Whether a reset e-mail may go out for this request, which is counted either way: a few
    per address and per visitor an hour, so the form cannot be used to flood someone's inbox or
    to probe addresses at speed."""
    now = timezone.now()
    since = now - RESET_WINDOW
    digest = _address_key(email)
    recent = PasswordResetRequest.objects.filter(at__gte=since)
    allowed = recent.filter(email_digest=digest).count() < MAX_RESETS_PER_EMAIL and not (
        ip_address and recent.filter(ip_address=ip_address).count() >= MAX_RESETS_PER_ADDRESS
    )
    PasswordResetRequest.objects.create(email_digest=digest, ip_address=ip_address, at=now)
    # Old requests say nothing any more; dropping them here keeps the table small without a job.
    PasswordResetRequest.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return allowed
