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
    COUNT_SAID,
    CREATED_AT_SAID,
    CUSTOMER_SAID,
    ID_SAID,
    ITEMS_SAID,
    OWNER_ERRORS,
    OWNER_WRITE_ERRORS,
    RECORDED_BY_SAID,
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

KIND_SAID = (
    "What the customer asks: access (a copy of their data, art. 15), correction (art. 16), "
    "erasure (art. 17), objection (to marketing, art. 21) or other."
)
CHANNEL_SAID = "How it came in: counter, phone, email or letter."
RECEIVED_ON_SAID = (
    "The day it came in (ISO date), from which the month to answer runs; not after the "
    "business's today (type future), nor before 1900."
)
NOTE_SAID = f"What was asked, in the shop's words: at most {NOTE_LENGTH:,} characters."


class PrivacyRequestOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., validation_alias="customer_id", description=CUSTOMER_SAID)
    kind: str = Field(..., description=KIND_SAID)
    channel: str = Field(..., description=CHANNEL_SAID)
    received_on: date = Field(..., description=RECEIVED_ON_SAID)
    answer_by: date = Field(
        ...,
        description="The last day to answer: one month after the day received (art. 12(3)).",
    )
    days_left: int | None = Field(
        ...,
        description="Days from the business's today to answer_by while open: 0 on the last day, "
        "negative once late; null once handled.",
    )
    note: str = Field(..., description=NOTE_SAID)
    recorded_by: Username = Field(..., description=RECORDED_BY_SAID)
    recorded_at: datetime = Field(..., description=CREATED_AT_SAID)
    handled_at: datetime | None = Field(
        ..., description="When it was handled, in UTC; null while it is open."
    )
    handled_how: str = Field(
        ...,
        description="copy_given, erased, consent_withdrawn or by_hand; empty while open.",
    )
    handled_by: Username = Field(
        ..., description="The login name of the member who handled it; empty while open."
    )
    handled_note: str = Field(..., description="How it was answered; may be empty.")


class PrivacyRequestPage(Out):
    items: list[PrivacyRequestOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


class PrivacyRequestCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    kind: KindName = Field(..., description=KIND_SAID)
    channel: ChannelName = Field(..., description=CHANNEL_SAID)
    received_on: date | None = Field(
        None, description=f"{RECEIVED_ON_SAID} Left out, the business's today."
    )
    note: str = Field("", max_length=NOTE_LENGTH, description=NOTE_SAID)

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
    description="Of every customer or of one (`customer`), open or handled (`state`). Owners "
    "only (403 for staff), as on the web's privacy requests page.",
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
    description="Staff record one too, so that the law's month to answer starts the day it "
    "came in. An objection to marketing is answered at once: the customer's marketing consent "
    "is withdrawn and the request handled. An anonymised customer is refused (409 `erased`).",
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
    description="With the last day to answer and the days left. Owners only (403 for staff).",
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
    description="For a request answered otherwise than by the steps that handle it themselves "
    "(a copy given, an erasure, the marketing consent withdrawn). A request handled already "
    "is refused (409 `handled`). Owners only.",
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
