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
    COUNT_SAID,
    CUSTOMER_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
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

INVITATION_CHANNEL_SAID = (
    "How the link reaches the customer: email (sent by Klantvriend; needs the customer's "
    "consent to e-mail), counter (a QR code shown at the counter) or link (you deliver the "
    "link yourself)."
)
ANSWERED_AT_SAID = "When the customer answered, in UTC"
DRIVER_SAID = "The answer to the driver question (1 to 5); null: no opinion."


class InvitationOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., description=CUSTOMER_SAID)
    channel: str = Field(..., description=INVITATION_CHANNEL_SAID)
    trigger: str = Field(
        ...,
        description="What it was made for: delivery (after a kept delivery), complaint (after "
        "a resolved complaint), purchase, manual (by hand, as through this API) or round (a "
        "survey round).",
    )
    created_at: datetime = Field(..., description="When it was made, in UTC.")
    expires_at: datetime = Field(..., description="Until when the link takes an answer, in UTC.")
    sent_at: datetime | None = Field(
        ..., description="When its e-mail was sent, in UTC; null when none was (yet)."
    )
    answered_at: datetime | None = Field(
        ..., description=f"{ANSWERED_AT_SAID}; null while unanswered."
    )
    response: int | None = Field(
        ...,
        description="The id of the answer (GET /survey-responses/{id}); null while unanswered.",
    )
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
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    channel: ChannelName = Field("link", description=INVITATION_CHANNEL_SAID)

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
    items: list[InvitationOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


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


@invitations_router.get(
    "",
    response={200: InvitationPage, **ERRORS},
    summary="List invitations",
    description="The survey invitations of the business, or of one customer (`customer`), "
    "newest first.",
)
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
    "",
    response={201: InvitationCreated, **WRITE_ERRORS},
    summary="Invite a customer to the survey",
    description="Makes a personal, single-use link that expires, given in `url` in this answer "
    "only. With channel `email` Klantvriend sends it: a customer without an e-mail address or "
    "consent to be e-mailed is refused (422 `no_email`, `no_consent`). A customer invited "
    "within the survey's interval is refused with 409 `too_soon`, an anonymised one with 409 "
    "`anonymised`. Send an `Idempotency-Key`: a retry gets the same link.",
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
    "/{survey_invitation_id}",
    response={200: InvitationOut, **ERRORS},
    summary="Get an invitation",
    description="Its state: sent, answered, expired or withdrawn. The link itself is not "
    "stored and is not given again.",
)
def get_invitation(request: HttpRequest, survey_invitation_id: int):
    return invitation_out(
        selectors.survey_invitation_get(
            business=business_of(request), survey_invitation_id=survey_invitation_id
        )
    )


class ResponseOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., description=CUSTOMER_SAID)
    invitation: int = Field(..., description="The id of the invitation it answers.")
    answered_at: datetime = Field(..., description=f"{ANSWERED_AT_SAID}.")
    language: str = Field(..., description="The language the survey was answered in: nl or en.")
    nps: int = Field(
        ..., description="How likely the customer is to recommend the business, 0 to 10."
    )
    category: Category = Field(
        ..., description="From nps: promoter (9 or 10), passive (7 or 8), detractor (0 to 6)."
    )
    certainty: int | None = Field(..., description=DRIVER_SAID)
    flexibility: int | None = Field(..., description=DRIVER_SAID)
    reliability: int | None = Field(..., description=DRIVER_SAID)
    customisation: int | None = Field(..., description=DRIVER_SAID)
    complaint_handling: int | None = Field(..., description=DRIVER_SAID)
    comment: str = Field(..., description="The customer's own words; empty for none.")
    follow_up: int | None = Field(
        ..., description="The follow-up the answer planned (a detractor's); null for none."
    )
    complaint: int | None = Field(
        ..., description="The complaint the answer opened; null for none."
    )


class ResponsePage(Out):
    items: list[ResponseOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


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


@responses_router.get(
    "",
    response={200: ResponsePage, **ERRORS},
    summary="List survey answers",
    description="The answers customers gave on the survey's public page, newest first, of "
    "every customer or of one (`customer`), or of one `category`. Read only.",
)
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
    "/{survey_response_id}",
    response={200: ResponseOut, **ERRORS},
    summary="Get a survey answer",
    description="One answer with its scores, comment and what it set in motion (a follow-up "
    "or a complaint). Read only.",
)
def get_response(request: HttpRequest, survey_response_id: int):
    return response_out(
        selectors.survey_response_get(
            business=business_of(request), survey_response_id=survey_response_id
        )
    )
