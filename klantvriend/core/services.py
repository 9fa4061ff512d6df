import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .audit import AuditAction, audit_diff, audit_record
from .errors import ValidationError
from .hooks import BUSINESS_TIME_ZONE_CHANGED, run_in_transaction
from .models import ApiToken, Business, LoginFailure, Membership, Role

TOKEN_PREFIX = "kv_"
LOGIN_FAILURE_MEMORY = timedelta(hours=1)


def business_create(
    *,
    name: str,
    owner,
    slug: str = "",
    time_zone: str = "Europe/Amsterdam",
    currency: str = "EUR",
    language: str | None = None,
) -> Business:
    """A new business writes its own texts in `language`, by default in the server's."""
    base = slugify(slug or name)[:50] or "business"
    candidate, counter = base, 1
    while Business.objects.filter(slug=candidate).exists():
        counter += 1
        candidate = f"{base}-{counter}"
    with transaction.atomic():
        business = Business(
            name=name,
            slug=candidate,
            time_zone=time_zone,
            currency=currency,
            language=language or settings.LANGUAGE_CODE,
        )
        business.full_clean()
        business.save()
        Membership.objects.create(user=owner, business=business, role=Role.OWNER)
    return business


def business_update(
    *,
    business: Business,
    actor,
    name: str,
    time_zone: str,
    language: str,
    contact_email: str | None = None,
) -> Business:
    """The owner renames the business, moves its clock (a shop in another time zone) or changes
    the language it writes its own texts in (texts stored before stay as they are), or the
    address customers' replies go to (`contact_email`; None: unchanged, "": none). The
    currency stays: every stored amount is in it. Refused whole on a bad value; audited.

    A new time zone re-dates what is stored as a business-local day in the same transaction
    (BUSINESS_TIME_ZONE_CHANGED: the promises' days and all-day due moments); the audit event
    says how many rows each app re-dated. The business row stays locked until then, and every
    write of such days reads the zone under the same lock (business_lock_time_zone)."""
    fields = ["name", "time_zone", "language"]
    if contact_email is not None:
        fields.append("contact_email")
    with transaction.atomic():
        # NO KEY: rows that only refer to the business (a purchase, an audit event) are not held
        # up while promises are re-dated; writes that read the zone (business_lock_time_zone) are.
        locked = Business.objects.select_for_update(no_key=True).get(pk=business.pk)
        before = {field: getattr(locked, field) for field in fields}
        locked.name, locked.time_zone, locked.language = name.strip(), time_zone, language
        if contact_email is not None:
            locked.contact_email = contact_email.strip()
        locked.full_clean()
        locked.save(update_fields=fields)
        changes = audit_diff(before, {field: getattr(locked, field) for field in fields})
        if "time_zone" in changes:
            redated = run_in_transaction(
                BUSINESS_TIME_ZONE_CHANGED, business=locked, old_time_zone=before["time_zone"]
            )
            changes.update({name: [None, count] for name, count in redated.items()})
        audit_record(
            business=locked, actor=actor, action=AuditAction.SETTINGS, obj=locked, changes=changes
        )
    for field in fields:
        setattr(business, field, getattr(locked, field))
    return business


def business_lock_time_zone(*, business: Business) -> Business:
    """The business as it is now, its time zone fixed until the caller's transaction ends: for
    a write that stores what it derives from the zone (a promise's local day). The zone the
    request read when it came in may be outdated by then, or be changing: a change of zone
    (business_update) holds this row's lock while it re-dates, so the write waits for it and
    reads the new zone, and a change that comes later re-dates what the write stored.

    FOR NO KEY UPDATE: it conflicts with the change and with other such writes, not with rows
    that merely refer to the business (a purchase, an audit event). SQLite has no row locks,
    but its IMMEDIATE transactions (config/settings) hold every other writer off from BEGIN,
    so reading the row inside the transaction is enough there."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the time zone must be read inside the transaction of the write")
    return Business.objects.select_for_update(no_key=True).get(pk=business.pk)


def business_getting_started_close(*, business: Business) -> None:
    """Today's "Getting started" card goes for good: an owner hid it, or every step is done.
    Closing it again keeps the first moment."""
    now = timezone.now()
    Business.objects.filter(pk=business.pk, getting_started_closed_at__isnull=True).update(
        getting_started_closed_at=now
    )
    if business.getting_started_closed_at is None:
        business.getting_started_closed_at = now


def membership_create(*, business: Business, user, role: str = Role.STAFF) -> Membership:
    membership = Membership(business=business, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


def user_by_login_name(username: str):
    """The user a name typed to log in, or to add a member by, stands for: the one of exactly
    that name, else the one whose name differs in capitals only ("Sanne" for "sanne": a phone
    writes the first letter as a capital by itself); None when there is none, or more than
    one from before names were kept apart so (refuse_login_name_taken)."""
    users = get_user_model().objects
    exact = users.filter(username=username).first()
    if exact is not None:
        return exact
    alike = list(users.filter(username__iexact=username)[:2])
    return alike[0] if len(alike) == 1 else None


def refuse_login_name_taken(username: str) -> None:
    """A new login's name is refused when one differs from it in capitals only: logging in
    takes either for the other (user_by_login_name)."""
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        unique = user_model._meta.get_field("username").error_messages["unique"]
        raise ValidationError({"username": ValidationError(unique, code="unique")})


def user_create(*, username: str, password: str, email: str = "", first_name: str = ""):
    """A new login, its values checked as the members page checks them (a name longer than its
    column, an e-mail address that is none, a name taken in other capitals): refused with
    ValidationError, nothing stored."""
    user_model = get_user_model()
    user_model(username=username, email=email, first_name=first_name).full_clean(
        exclude=["password"]
    )
    refuse_login_name_taken(username)
    return user_model.objects.create_user(
        username=username, password=password, email=email, first_name=first_name
    )


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def apitoken_create(*, membership: Membership, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token row and the secret; the secret is not stored and cannot be shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership, name=name, prefix=key[:10], key_hash=hash_token(key)
    )
    return token, key


def apitoken_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(
        username=username.strip().lower()[:150], ip_address=ip_address or None
    )
    # Old failures say nothing any more; dropping them here keeps the table small without a job.
    LoginFailure.objects.filter(at__lt=timezone.now() - LOGIN_FAILURE_MEMORY).delete()


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.strip().lower()).delete()
