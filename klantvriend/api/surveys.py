"""Survey invitations (create returns the public link, once) and survey answers (read only:
customers answer on the public page, not through the API)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.surveys import selectors, services
from klantvriend.surveys.models import InvitationChannel

from .common import (
    ERRORS,
    WRITE_ERRORS,
    Input,
    ObjectId,
    Out,
    Pagination,
    actor_of,
    business_of,
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record

invitations_router = Router(tags=["surveys"])
responses_router = Router(tags=["surveys"])

ChannelName = Literal[tuple(InvitationChannel.values)]  # type: ignore[valid-type]
Category = Literal["promoter", "passive", "detractor"]


class InvitationOut(Out):
    id: int
    customer: int
    channel: str
    trigger: str
    created_at: datetime
    expires_at: datetime
    sent_at: datetime | None
    answered_at: datetime | None
    response: int | None
    promise: int | None = Field(
        ..., description="The kept delivery it was sent after (trigger `delivery`); else null."
    )
    withdrawn_at: datetime | None = Field(
        ...,
        description='Withdrawn because the delivery\'s "done" was undone before the customer '
        "answered (the link says so and takes no answer), or because its email could not be "
        "sent (`send_failure`).",
    )
    send_failure: Literal["", "refused", "unreachable"] = Field(
        ...,
        description="Why its email was not sent: `refused` (the mail server refused the "
        "address), `unreachable` (the mail server could not be reached or failed); empty "
        "otherwise. Such an invitation is withdrawn: invite again for a new link.",
    )


class InvitationCreated(InvitationOut):
    url: str = Field(
        ..., description="The public answer link. Shown only now: only a hash is stored."
    )


class InvitationCreate(Input):
    customer: StrictInt
    channel: ChannelName = Field(
        "link",
        description="email (needs the customer's consent to e-mail), counter (QR code) or link "
        "(you deliver the link yourself).",
    )

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        return refusals_of_new_record(
            request,
            fields,
            services.survey_invitation_create_refusals,
            business=business_of(request),
            channel="link",
        )


class InvitationPage(Out):
    items: list[InvitationOut]
    count: int


def invitation_out(invitation) -> dict:
    response = getattr(invitation, "response", None) if invitation.answered_at else None
    return {
        "id": invitation.pk,
        "customer": invitation.customer_id,
        "channel": invitation.channel,
        "trigger": invitation.trigger,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "sent_at": invitation.sent_at,
        "answered_at": invitation.answered_at,
        "response": response.pk if response is not None else None,
        "promise": invitation.promise_id,
        "withdrawn_at": invitation.withdrawn_at,
        "send_failure": invitation.send_failure,
    }


@invitations_router.get("", response={200: InvitationPage, **ERRORS}, summary="List invitations")
def list_invitations(
    request: HttpRequest, page: Query[Pagination], customer: ObjectId | None = None
):
    invitations = selectors.survey_invitation_list(
        business=business_of(request), customer_id=customer
    )
    return {
        "items": [
            invitation_out(item) for item in invitations[page.offset : page.offset + page.limit]
        ],
        "count": invitations.count(),
    }


@invitations_router.post(
    "", response={201: InvitationCreated, **WRITE_ERRORS}, summary="Invite a customer to the survey"
)
def create_invitation(request: HttpRequest, payload: InvitationCreate, response: HttpResponse):
    business = business_of(request)
    created = services.survey_invitation_create(
        business=business,
        customer=customer_for_write(request, payload.customer),
        channel=payload.channel,
        actor=actor_of(request),
    )
    with_location(response, "get_invitation", created.invitation)
    return Status(201, {**invitation_out(created.invitation), "url": created.url})


@invitations_router.get(
    "/{survey_invitation_id}", response={200: InvitationOut, **ERRORS}, summary="Get an invitation"
)
def get_invitation(request: HttpRequest, survey_invitation_id: int):
    return invitation_out(
        selectors.survey_invitation_get(
            business=business_of(request), survey_invitation_id=survey_invitation_id
        )
    )


class ResponseOut(Out):
    id: int
    customer: int
    invitation: int
    answered_at: datetime
    language: str
    nps: int
    category: Category
    certainty: int | None
    flexibility: int | None
    reliability: int | None
    customisation: int | None
    complaint_handling: int | None
    comment: str
    follow_up: int | None
    complaint: int | None


class ResponsePage(Out):
    items: list[ResponseOut]
    count: int


def response_out(response) -> dict:
    return {
        "id": response.pk,
        "customer": response.customer_id,
        "invitation": response.invitation_id,
        "answered_at": response.answered_at,
        "language": response.language,
        "nps": response.nps,
        "category": response.category,
        "certainty": response.certainty,
        "flexibility": response.flexibility,
        "reliability": response.reliability,
        "customisation": response.customisation,
        "complaint_handling": response.complaint_handling,
        "comment": response.comment,
        "follow_up": response.follow_up_id,
        "complaint": response.complaint_id,
    }


@responses_router.get("", response={200: ResponsePage, **ERRORS}, summary="List survey answers")
def list_responses(
    request: HttpRequest,
    page: Query[Pagination],
    customer: ObjectId | None = None,
    category: Category | None = None,
):
    responses = selectors.survey_response_list(
        business=business_of(request), customer_id=customer, category=category
    )
    return {
        "items": [response_out(item) for item in responses[page.offset : page.offset + page.limit]],
        "count": responses.count(),
    }


@responses_router.get(
    "/{survey_response_id}", response={200: ResponseOut, **ERRORS}, summary="Get a survey answer"
)
def get_response(request: HttpRequest, survey_response_id: int):
    return response_out(
        selectors.survey_response_get(
            business=business_of(request), survey_response_id=survey_response_id
        )
    )
