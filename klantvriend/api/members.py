"""The people who work in the business, for a client that names one of them: who served a
purchase (`member`), whom a follow-up is assigned to (`assigned_to`). Those fields take a user
id, which no page shows; a till learns here whose id is whose. Read-only: members are added and
removed by an owner on the Team page."""

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from klantvriend.core.members import membership_list, staff_name

from .common import ERRORS, Out, business_of

router = Router(tags=["members"])


class MemberOut(Out):
    id: int
    name: str
    username: str = Field(
        ...,
        description="The name they log in with: what made_by, received_by, given_by and a "
        "contact moment's member give.",
    )
    role: str


class MemberPage(Out):
    items: list[MemberOut]
    count: int


@router.get(
    "",
    response={200: MemberPage, **ERRORS},
    summary="List the business's members with the user ids that member and assigned_to take",
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
