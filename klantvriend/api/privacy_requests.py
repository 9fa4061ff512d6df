"""A customer's requests about their data (AVG/GDPR articles 15, 16, 17 and 21) through the API,
as on the web interface's privacy requests page: recorded the day they came in, listed with the
day the law's month runs out, and handled. For owners only, as on the web: a request names the
person and what they asked of the shop.

A request for a copy is answered by giving one (the web's personal data page), one for erasure
by `POST /customers/{id}/erase`, which handles every open request of the customer; an objection
to marketing as it is recorded, by withdrawing the marketing consent; the others, or one of
those answered otherwise, are handled here with a note."""

from datetime import date, datetime
from typing import Literal

from django.db.models import F
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.customers.models import (
    PrivacyRequest,
    PrivacyRequestChannel,
    PrivacyRequestKind,
)
from klantvriend.customers.privacy_requests import (
    NOTE_LENGTH,
    privacy_request_deadline,
    privacy_request_get,
    privacy_request_handle,
    privacy_request_record,
    privacy_request_refusals,
)

from .common import (
    OWNER_ERRORS,
    OWNER_WRITE_ERRORS,
    WRITE_ERRORS,
    Input,
    ObjectId,
    Out,
    Pagination,
    Username,
    actor_of,
    business_of,
    require_owner,
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record

router = Router(tags=["privacy"])

KindName = Literal[tuple(PrivacyRequestKind.values)]  # type: ignore[valid-type]
ChannelName = Literal[tuple(PrivacyRequestChannel.values)]  # type: ignore[valid-type]


class PrivacyRequestOut(Out):
    id: int
    customer: int = Field(..., validation_alias="customer_id")
    kind: str
    channel: str
    received_on: date
    answer_by: date = Field(
        ...,
        description="The last day to answer: one month after the day received (art. 12(3)).",
    )
    days_left: int | None = Field(
        ...,
        description="Days from the business's today to answer_by while open: 0 on the last day, "
        "negative once late; null once handled.",
    )
    note: str
    recorded_by: Username
    recorded_at: datetime
    handled_at: datetime | None
    handled_how: str = Field(
        ...,
        description="copy_given, erased, consent_withdrawn or by_hand; empty while open.",
    )
    handled_by: Username
    handled_note: str


class PrivacyRequestPage(Out):
    items: list[PrivacyRequestOut]
    count: int


class PrivacyRequestCreate(Input):
    customer: StrictInt
    kind: KindName
    channel: ChannelName
    received_on: date | None = Field(None, description="The day it came in; today when left out.")
    note: str = Field("", max_length=NOTE_LENGTH)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        today = business_of(request).today()
        return refusals_of_new_record(
            request,
            fields,
            lambda customer, received_on, **values: privacy_request_refusals(
                today=today, received_on=received_on or today, **values
            ),
            kind=PrivacyRequestKind.OTHER,
            channel=PrivacyRequestChannel.COUNTER,
            received_on=today,
            note="",
        )


class PrivacyRequestHandle(Input):
    note: str = Field("", max_length=NOTE_LENGTH, description="How it was answered.")


def _answer(privacy_request: PrivacyRequest, today: date) -> PrivacyRequest:
    """The request with its deadline, as the answer reads it."""
    deadline = privacy_request_deadline(received_on=privacy_request.received_on, today=today)
    privacy_request.answer_by = deadline.due
    privacy_request.days_left = deadline.days_left if privacy_request.handled_at is None else None
    return privacy_request


@router.get(
    "",
    response={200: PrivacyRequestPage, **OWNER_ERRORS},
    summary="List privacy requests: the open ones first, the soonest due on top",
)
def list_privacy_requests(
    request: HttpRequest,
    page: Query[Pagination],
    customer: ObjectId | None = None,
    state: Literal["open", "handled"] | None = None,
):
    business = business_of(request)
    require_owner(request)
    rows = PrivacyRequest.objects.filter(business=business)
    if customer is not None:
        rows = rows.filter(customer_id=customer)
    if state is not None:
        rows = rows.filter(handled_at__isnull=state == "open")
    # Open (no handled_at) first, by the day received, so by the day due; then the handled,
    # the latest first.
    ordered = rows.select_related("recorded_by", "handled_by").order_by(
        F("handled_at").desc(nulls_first=True), "received_on", "id"
    )
    today = business.today()
    return {
        "items": [_answer(row, today) for row in ordered[page.offset : page.offset + page.limit]],
        "count": rows.count(),
    }


@router.post(
    "",
    response={201: PrivacyRequestOut, **WRITE_ERRORS},
    summary="Record a privacy request the day it came in",
)
def create_privacy_request(
    request: HttpRequest, payload: PrivacyRequestCreate, response: HttpResponse
):
    # Staff record one too: a request made at the counter starts the law's month that day,
    # owner there or not. Listing and handling them are the owner's.
    business = business_of(request)
    customer = customer_for_write(request, payload.customer)
    recorded = privacy_request_record(
        customer=customer,
        actor=actor_of(request),
        kind=payload.kind,
        channel=payload.channel,
        received_on=payload.received_on or business.today(),
        note=payload.note,
    )
    with_location(response, "get_privacy_request", recorded)
    return Status(201, _answer(recorded, business.today()))


@router.get(
    "/{privacy_request_id}",
    response={200: PrivacyRequestOut, **OWNER_ERRORS},
    summary="Get a privacy request",
)
def get_privacy_request(request: HttpRequest, privacy_request_id: int):
    business = business_of(request)
    privacy_request = privacy_request_get(business=business, privacy_request_id=privacy_request_id)
    require_owner(request)
    return _answer(privacy_request, business.today())


@router.post(
    "/{privacy_request_id}/handle",
    response={200: PrivacyRequestOut, **OWNER_WRITE_ERRORS},
    summary="Mark a privacy request handled, with a note of how it was answered",
)
def handle_privacy_request(
    request: HttpRequest, privacy_request_id: int, payload: PrivacyRequestHandle
):
    business = business_of(request)
    privacy_request = privacy_request_get(business=business, privacy_request_id=privacy_request_id)
    require_owner(request)
    handled = privacy_request_handle(
        privacy_request=privacy_request, actor=actor_of(request), note=payload.note
    )
    return _answer(handled, business.today())
