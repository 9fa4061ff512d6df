"""Calendar-feed links: one live secret per membership, shown once, revocable."""

import secrets

from django.db import transaction
from django.utils import timezone

from .models import CalendarToken, Membership
from .services import hash_token

CALENDAR_PREFIX = "cal_"


def calendar_token_create(*, membership: Membership) -> tuple[CalendarToken, str]:
    """A new secret for the member's feed; any earlier link stops working at once."""
    key = CALENDAR_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        calendar_token_revoke(membership=membership)
        token = CalendarToken.objects.create(
            membership=membership, prefix=key[:10], key_hash=hash_token(key)
        )
    return token, key


def calendar_token_revoke(*, membership: Membership) -> int:
    return CalendarToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def calendar_token_active(*, membership: Membership) -> CalendarToken | None:
    return CalendarToken.objects.filter(membership=membership, revoked_at__isnull=True).first()


def calendar_membership(*, key: str) -> Membership | None:
    """The membership behind a live calendar secret, or None (unknown, revoked, inactive user)."""
    if not key.startswith(CALENDAR_PREFIX):
        return None
    token = (
        CalendarToken.objects.select_related("membership__business", "membership__user")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True, membership__user__is_active=True)
        .first()
    )
    return token.membership if token else None
