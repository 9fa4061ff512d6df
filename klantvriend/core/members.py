"""Members of a business and their API tokens. Owners add and remove staff; every member makes
and revokes their own tokens. A removed member's tokens die with the membership."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import CharField, Func, QuerySet, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import gettext as _

from .audit import audit_record
from .errors import NotFound, ValidationError
from .hooks import MEMBER_REMOVED, run_in_transaction
from .models import ApiToken, AuditEvent, Business, Membership, Role
from .services import (
    apitoken_create,
    apitoken_revoke,
    refuse_login_name_taken,
    user_by_login_name,
)


def staff_name(user) -> str:
    """The name a member of staff goes by on pages, in documents and audit trails: their full
    name, or the name they log in with when they gave none."""
    return user.get_full_name() or user.get_username()


def member_users(*, business: Business | int) -> QuerySet:
    """The people who work in `business`, by name, with what staff_name reads: the choices of
    a form that names one of them (who calls, who served)."""
    return (
        get_user_model()
        .objects.filter(memberships__business=business)
        .only("first_name", "last_name", "username")
        .order_by("first_name", "username")
    )


def refuse_name_alike(*, business: Business, user, field: str) -> None:
    """`user`'s name (staff_name) is refused on `field` when another member of `business` goes
    by it: two of "Sanne" could not be told apart in who served, who calls and Today."""
    name = staff_name(user)
    if any(
        staff_name(other).casefold() == name.casefold()
        for other in member_users(business=business).exclude(pk=user.pk)
    ):
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "Someone at %(business)s goes by “%(name)s” already. Add a last name "
                        "or an initial, such as “%(name)s B.”, so that everyone can tell the "
                        "two apart."
                    )
                    % {"business": business.name, "name": name},
                    code="name_taken",
                )
            }
        )


def staff_name_in_database() -> Func:
    """staff_name as the database writes it, of a user row: for a name read inside another
    query (whom a customer is usually served by, in the briefing's query) rather than by a
    query of its own. Django's get_full_name is first and last name joined by a space and
    stripped."""
    full = Trim(Concat("first_name", Value(" "), "last_name", output_field=CharField()))
    return Coalesce(NullIf(full, Value("")), "username", output_field=CharField())


def member_of_business(*, business: Business | int, user, field: str):
    """`user` (a user, or, from the API, a user's id) when they work in `business`; None for
    no one. Anyone else, of another business or of none, is refused on `field` alike, so that
    the refusal tells nothing about a user elsewhere."""
    if user is None or (not isinstance(user, int) and not getattr(user, "is_authenticated", False)):
        return None
    if isinstance(user, int):
        found = get_user_model().objects.filter(pk=user, memberships__business=business).first()
    else:
        found = user if Membership.objects.filter(business=business, user=user).exists() else None
    if found is None:
        raise ValidationError(
            {field: ValidationError(_("This person does not work here."), code="not_member")}
        )
    return found


def membership_list(*, business: Business) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(business=business)
        .select_related("user")
        .order_by("role", "user__username")
    )


def membership_get_in_business(*, business: Business, membership_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user").get(business=business, pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise NotFound from None


@transaction.atomic
def member_add(
    *,
    business: Business,
    actor,
    username: str,
    first_name: str = "",
    password: str = "",
    email: str = "",
    role: str = Role.STAFF,
) -> Membership:
    """Adds an existing user by user name, or makes a new one when a password or an e-mail
    address is given: with an address alone the new person has no password yet, and chooses
    one with the link the members page e-mails them (web.account_views.member_invitation_send).
    An owner made up a password for a stylist and passed it on, and she, without an address,
    could not ask for a new one when she forgot it.

    User names are shared by every business on the server, so an existing user is added only
    when they already work in a business that `actor` owns (one owner's chain of shops), or
    worked in this very business before and an owner of it takes them back (seasonal staff):
    the owner of another business could otherwise pull anyone into theirs, where the person
    might type their customers unawares (a person lands in their first business by name). The
    refusal is the same whatever else is true of the user, so it tells nothing about them."""
    username = username.strip()
    if role not in Role.values:
        raise ValidationError(
            {"role": ValidationError(_("Choose owner or staff."), code="invalid")}
        )
    user_model = get_user_model()
    user = user_by_login_name(username)
    if user is None:
        if not username:
            raise ValidationError(
                {"username": ValidationError(_("Enter a user name."), code="required")}
            )
        email = email.strip()
        if not password and not email:
            raise ValidationError(
                {
                    "password": ValidationError(
                        _("A new person needs a password, or an email address to choose one with."),
                        code="required",
                    )
                }
            )
        candidate = user_model(username=username, first_name=first_name.strip(), email=email)
        try:
            candidate.full_clean(exclude=["password"])
            refuse_login_name_taken(username)
            refuse_name_alike(business=business, user=candidate, field="first_name")
            if password:
                validate_password(password, candidate)
        except ValidationError as error:
            raise ValidationError(
                error.error_dict if hasattr(error, "error_dict") else {"password": error}
            ) from None
        if password:
            candidate.set_password(password)
        else:
            candidate.set_unusable_password()
        candidate.save()
        user = candidate
    elif Membership.objects.filter(business=business, user=user).exists():
        raise ValidationError(
            {"username": ValidationError(_("This person is already a member."), code="duplicate")}
        )
    elif not _works_for_an_owner(user=user, owner=actor) and not _returns_to_their_business(
        user=user, business=business, owner=actor
    ):
        raise ValidationError(
            {
                "username": ValidationError(
                    _(
                        "This user name is already taken by someone outside your businesses. "
                        "Choose another user name for a new person."
                    ),
                    code="taken",
                )
            }
        )
    membership = Membership.objects.create(business=business, user=user, role=role)
    audit_record(
        business=business,
        actor=actor,
        action="created",
        obj=membership,
        changes={"user": user.get_username(), "user_id": user.pk, "role": role},
    )
    return membership


def _works_for_an_owner(*, user, owner) -> bool:
    """Whether `user` is a member of a business in which `owner` is an owner."""
    if owner is None or not owner.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        business__memberships__user=owner,
        business__memberships__role=Role.OWNER,
    ).exists()


def _returns_to_their_business(*, user, business: Business, owner) -> bool:
    """Whether `owner` owns `business` and `user` was removed from it before, as its audit trail
    records (member_remove). Removals recorded before the trail held the user's id name only the
    user name; they count only for an account that existed at the time of the removal, so that
    a later account that took a freed name is not mistaken for the person who left."""
    if owner is None or not owner.is_authenticated:
        return False
    if not Membership.objects.filter(business=business, user=owner, role=Role.OWNER).exists():
        return False
    removals = AuditEvent.objects.filter(
        business=business, object_type=Membership._meta.model_name, action="removed"
    )
    return (
        removals.filter(changes__user_id=user.pk).exists()
        or removals.exclude(changes__has_key="user_id")
        .filter(changes__user=user.get_username(), at__gte=user.date_joined)
        .exists()
    )


@transaction.atomic
def member_remove(*, membership: Membership, actor) -> None:
    """Removes the membership and so every API token of it, and lets other apps let go of the
    person (core.hooks.MEMBER_REMOVED: no customer has them as regular staff member any more,
    their open follow-ups are for everyone). The last owner cannot go.

    The business's owners are read locked: two owners removing each other at the same moment
    each saw the other stay and left the business with none. The second now waits for the
    first and finds itself the last (on SQLite the IMMEDIATE transaction waits at BEGIN)."""
    owners = set(
        Membership.objects.select_for_update()
        .filter(business=membership.business_id, role=Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if membership.role == Role.OWNER and not owners - {membership.pk}:
        raise ValidationError(_("A business needs at least one owner."), code="last_owner")
    # What other apps let go of with them (the customers they were the regular staff member
    # of, the open follow-ups assigned to them), in this transaction: refused or rolled back, the member stays and so does that.
    released = run_in_transaction(
        MEMBER_REMOVED, business=membership.business, user=membership.user, actor=actor
    )
    audit_record(
        business=membership.business,
        actor=actor,
        action="removed",
        obj=membership,
        # The user's id identifies them for good (a user name can be freed and taken by someone
        # else): _returns_to_their_business reads it to let an owner take them back.
        changes={
            "user": membership.user.get_username(),
            "user_id": membership.user_id,
            "role": membership.role,
            **released,
        },
    )
    membership.delete()


def token_list(*, membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership).order_by("-created_at")


def token_create(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if len(name) > 100:
        raise ValidationError(
            {"name": ValidationError(_("Use at most 100 characters."), code="max_length")}
        )
    return apitoken_create(membership=membership, name=name)


def token_revoke(*, membership: Membership, token_id: int) -> ApiToken:
    """Only the member's own token; anyone else's is "not found"."""
    try:
        token = ApiToken.objects.get(membership=membership, pk=token_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise NotFound from None
    apitoken_revoke(token=token)
    return token
