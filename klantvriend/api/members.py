"""The people who work in the business, for a client that names one of them: who served a
purchase (`member`), whom a follow-up is assigned to (`assigned_to`). Those fields take a user
id, which no page shows; a till learns here whose id is whose. Read-only: members are added and
removed by an owner on the Team page."""

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from klantvriend.core.members import membership_list, staff_name

from .common import COUNT_SAID, ERRORS, Out, business_of

router = Router(tags=["members"])


class MemberOut(Out):
    id: int = Field(
        ...,
        description="Their user id: what a purchase's member, a customer's regular_member and "
        "a follow-up's assigned_to take.",
    )
    name: str = Field(
        ..., description="Their name as the pages show it: full name, else login name."
    )
    username: str = Field(
        ...,
        description="The name they log in with: what made_by, received_by, given_by and a "
        "contact moment's member give.",
    )
    role: str = Field(..., description="owner or staff.")


class MemberPage(Out):
    items: list[MemberOut] = Field(..., description="Every member, owners first.")
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "",
    response={200: MemberPage, **ERRORS},
    summary="List the business's members with the user ids that member and assigned_to take",
    description="Whose user id is whose, as no page shows the ids; for any token. Read only: "
    "an owner adds and removes members on the web interface's page Members and connections.",
)
def list_members(request: HttpRequest):
    # A business has a handful of members (one to fifty people): one page, no paging.
    members = [
        {
            "id": membership.user_id,
            "name": staff_name(membership.user),
            "username": membership.user.get_username(),
            "role": membership.role,
        }
        for membership in membership_list(business=business_of(request))
    ]
    return {"items": members, "count": len(members)}
