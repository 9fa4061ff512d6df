from django.db.models import QuerySet
from django.utils import timezone

from .errors import NotFound
from .models import ApiToken, Business, Membership
from .services import hash_token


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user).select_related("business").order_by("business__name")
    )


def membership_get(*, user, business_id: int) -> Membership:
    try:
        return Membership.objects.select_related("business").get(user=user, business_id=business_id)
    except Membership.DoesNotExist:
        raise NotFound from None


def membership_get_by_slug(*, user, slug: str) -> Membership:
    try:
        return Membership.objects.select_related("business").get(user=user, business__slug=slug)
    except Membership.DoesNotExist:
        raise NotFound from None


def business_get_by_slug(*, slug: str) -> Business:
    try:
        return Business.objects.get(slug=slug)
    except Business.DoesNotExist:
        raise NotFound from None


def apitoken_authenticate(*, key: str) -> Membership | None:
    """The membership behind a live token, or None for an unknown or revoked one."""
    token = (
        ApiToken.objects.select_related("membership__business", "membership__user")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True, membership__user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write the last use at most once a minute: a busy integration should not turn every read
    # into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.membership
