from datetime import datetime, timedelta

from django.db.models import Model, QuerySet
from django.utils import timezone

from .db import DATABASE_INT_MAX, after_in_order
from .errors import NotFound
from .language import OWN_LANGUAGE, TOKEN_OWN_LANGUAGE
from .models import ApiToken, Business, LoginFailure, Membership
from .services import hash_token


def owned_get[Row: Model](rows: QuerySet[Row], *, business: Business, pk) -> Row:
    """The row `pk` of `rows` if it belongs to `business`; NotFound if it belongs to another
    business, does not exist, or `pk` is no id at all (text, or a number too large for the
    database: callers pass what a request gave them)."""
    try:
        return rows.get(business=business, pk=pk)
    except (rows.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(what=rows.model._meta.verbose_name, pk=pk) from None


def refuse_impossible_ids(*ids: int) -> None:
    """NotFound for an id no row can have: below 1, or beyond the database's integers, which
    SQLite cannot even compare (an OverflowError, a 500). For the reads that take ids a request
    gave them without owned_get, as a pair of customers does."""
    if not all(1 <= pk <= DATABASE_INT_MAX for pk in ids):
        raise NotFound


def changed_since[Row: Model](
    rows: QuerySet[Row], *, business: Business, since: datetime, after_id: int | None = None
) -> QuerySet[Row]:
    """The rows of `business` changed at or after `since` (their `updated_at`, which every
    write of what the API shows of them moves: models.ChangeTracked), oldest change first, by
    id within one moment: the API's `changed_since` (docs/api.md, "Syncing"). `after_id`: the
    next page after the row of that id changed at `since`, those changed at `since` with a
    greater id and those changed later. Read in the order of the model's index on (business,
    updated_at, id), a page costs the same however many rows there are, also deep into the
    rows of one moment (an import's, or the two million purchases an upgrade dated at once)."""
    rows = rows.filter(business=business).order_by()
    if after_id is None:
        return rows.filter(updated_at__gte=since).order_by("updated_at", "id")
    return after_in_order(rows, since=since, after_id=after_id).order_by("updated_at", "id")


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    """The businesses a person works in, by name. Each row also carries the language the person
    chose for themselves (`own_language`, "" for none), read in the same query: the web
    interface needs both on every request."""
    return (
        Membership.objects.filter(user=user)
        .select_related("business")
        .annotate(own_language=OWN_LANGUAGE)
        .order_by("business__name")
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


def apitoken_live(*, key: str) -> ApiToken | None:
    """The token of this secret if it may be used: not revoked, its member still active. Its
    membership carries the language its person chose for themselves (`own_language`, "" for
    none), read in the same query: the API answers in it (api.common.speak_the_member_s_language)."""
    token = (
        ApiToken.objects.select_related("membership__business", "membership__user")
        .annotate(own_language=TOKEN_OWN_LANGUAGE)
        .filter(key_hash=hash_token(key), revoked_at__isnull=True, membership__user__is_active=True)
        .first()
    )
    if token is not None:
        token.membership.own_language = token.own_language  # type: ignore[attr-defined]
    return token


def apitoken_used(token: ApiToken) -> Membership:
    """The membership of a live token (apitoken_live, with its `own_language`), its use
    recorded."""
    now = timezone.now()
    # Write the last use at most once a minute: a busy integration should not turn every read
    # into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.membership


# Five wrong passwords for one user name, or twenty from one address, within a quarter of an hour
# lock further attempts until a quarter of an hour after the last failure: enough for a person
# who mistypes, far too few for guessing.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20


def login_wait(*, username: str, ip_address: str | None) -> timedelta:
    """How long log-ins for this user name (or from this address) are refused; zero when allowed."""
    since = timezone.now() - LOGIN_WINDOW
    recent = LoginFailure.objects.filter(at__gte=since)
    by_name = recent.filter(username=username.strip().lower())
    last = None
    if by_name.count() >= MAX_FAILURES_PER_USERNAME:
        last = by_name.order_by("-at").values_list("at", flat=True).first()
    elif ip_address and recent.filter(ip_address=ip_address).count() >= MAX_FAILURES_PER_ADDRESS:
        last = (
            recent.filter(ip_address=ip_address)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
    if last is None:
        return timedelta(0)
    return max(timedelta(0), last + LOGIN_WINDOW - timezone.now())
