from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.core.money import MAX_CENTS
from klantvriend.gestures import selectors, services
from klantvriend.gestures.models import Gesture, Occasion

from .common import (
    CENTS_SAID,
    CHANGE_ERRORS,
    COUNT_SAID,
    CREATED_AT_SAID,
    CUSTOMER_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
    PAST_MOMENT_SAID,
    RECORDED_BY_SAID,
    WRITE_ERRORS,
    Input,
    Moment,
    ObjectId,
    Out,
    Pagination,
    Patch,
    Username,
    actor_of,
    business_of,
    record_of_path,
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record
from .versions import IfMatch, expected_versions, with_etag

router = Router(tags=["gestures"])

OccasionName = Literal[tuple(Occasion.values)]  # type: ignore[valid-type]

WHAT_SAID = (
    "What was given: something on the house, an extra service, a card; at most 300 characters."
)
VALUE_SAID = f"What it was worth, never negative; null when not said. {CENTS_SAID}"
OCCASION_SAID = f"Why it was given: {', '.join(Occasion.values)}."
GIVEN_AT_SAID = f"When it was given. {PAST_MOMENT_SAID}"


class GestureOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., validation_alias="customer_id", description=CUSTOMER_SAID)
    what: str = Field(..., description=WHAT_SAID)
    value_cents: int | None = Field(..., description=VALUE_SAID)
    occasion: str = Field(..., description=OCCASION_SAID)
    given_at: datetime = Field(..., description=GIVEN_AT_SAID)
    given_by: Username = Field(..., description=RECORDED_BY_SAID)
    repeated_recently: bool = Field(
        False, description="On create: the same gesture went to this customer in the last 180 days."
    )
    created_at: datetime = Field(..., description=CREATED_AT_SAID)


class GestureCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    what: str = Field(..., max_length=300, description=WHAT_SAID)
    value_cents: StrictInt | None = Field(None, ge=0, le=MAX_CENTS, description=VALUE_SAID)
    occasion: OccasionName = Field(Occasion.JUST_BECAUSE.value, description=OCCASION_SAID)
    given_at: Moment | None = Field(None, description=f"{GIVEN_AT_SAID} Left out, now.")

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        return refusals_of_new_record(
            request, fields, services.gesture_create_refusals, what="", given_by=actor_of(request)
        )


class GestureUpdate(Patch):
    edits = Gesture

    what: str | None = Field(None, max_length=300, description=WHAT_SAID)
    value_cents: StrictInt | None = Field(None, ge=0, le=MAX_CENTS, description=VALUE_SAID)
    occasion: OccasionName | None = Field(None, description=OCCASION_SAID)
    given_at: Moment | None = Field(None, description=GIVEN_AT_SAID)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        gesture = record_of_path(request, selectors.gesture_get, "gesture_id")
        return (
            {} if gesture is None else services.gesture_update_refusals(gesture=gesture, **fields)
        )


class GesturePage(Out):
    items: list[GestureOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "",
    response={200: GesturePage, **ERRORS},
    summary="List gestures",
    description="The small extras given to customers, the latest first, of every customer or "
    "of one (`customer`), or of one `occasion`.",
)
def list_gestures(
    request: HttpRequest,
    page: Query[Pagination],
    customer: ObjectId | None = None,
    occasion: OccasionName | None = None,
):
    gestures = selectors.gesture_list(
        business=business_of(request), customer_id=customer, occasion=occasion
    )
    return {
        "items": list(gestures[page.offset : page.offset + page.limit]),
        "count": gestures.count(),
    }


@router.post(
    "",
    response={201: GestureOut, **WRITE_ERRORS},
    summary="Record a gesture",
    description="Recorded as given by the token's member. The same gesture again within 180 "
    "days is recorded too, and the answer says so (`repeated_recently`). An anonymised "
    "customer is refused (409 `anonymised`). Send an `Idempotency-Key`: nothing else keeps a "
    "retry from recording it twice.",
)
def create_gesture(request: HttpRequest, payload: GestureCreate, response: HttpResponse):
    customer = customer_for_write(request, payload.customer)
    # The API records a repeat (an integration may have good reason) but says so.
    repeated = bool(selectors.gesture_recent_repeats(customer=customer, what=payload.what))
    gesture = services.gesture_create(
        customer=customer,
        what=payload.what,
        value_cents=payload.value_cents,
        occasion=payload.occasion,
        given_at=payload.given_at,
        given_by=actor_of(request),
    )
    gesture.repeated_recently = repeated
    return Status(201, with_etag(response, with_location(response, "get_gesture", gesture)))


@router.get(
    "/{gesture_id}",
    response={200: GestureOut, **ERRORS},
    summary="Get a gesture",
    description="With its version as the `ETag`, for the `If-Match` of a change.",
)
def get_gesture(request: HttpRequest, gesture_id: int, response: HttpResponse):
    gesture = selectors.gesture_get(business=business_of(request), gesture_id=gesture_id)
    return with_etag(response, gesture)


@router.patch(
    "/{gesture_id}",
    response={200: GestureOut, **CHANGE_ERRORS},
    summary="Change a gesture",
    description="Only the fields sent change; the correction is in the customer's audit trail. "
    "With `If-Match`, 412 when it changed since it was read.",
)
def update_gesture(
    request: HttpRequest,
    gesture_id: int,
    payload: GestureUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    gesture = selectors.gesture_get(business=business_of(request), gesture_id=gesture_id)
    gesture = services.gesture_update(
        gesture=gesture,
        actor=actor_of(request),
        expected_versions=expected_versions(if_match),
        **payload.dict(exclude_unset=True),
    )
    return with_etag(response, gesture)


@router.delete(
    "/{gesture_id}",
    response={204: None, **CHANGE_ERRORS},
    summary="Take back a gesture logged by mistake",
    description='By the rule of the web\'s Undo ("Taking back a step recorded by mistake"): '
    "within 24 hours of logging, by whoever logged it or an owner, while it still says what "
    "was logged; the gesture goes from the log, and a thank-you for a referral it closed opens "
    "again. Refused with 409: `not_yours`, `too_late`, `changed`, `unrecorded`, and "
    "`recovery` for a complaint's recovery gesture (changed on its complaint). With `If-Match`, "
    "412 when the gesture changed since it was read.",
)
def undo_gesture(request: HttpRequest, gesture_id: int, if_match: IfMatch = None):
    gesture = selectors.gesture_get(business=business_of(request), gesture_id=gesture_id)
    services.gesture_undo(
        gesture=gesture, actor=actor_of(request), expected_versions=expected_versions(if_match)
    )
    return Status(204, None)
