from datetime import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field, StrictBool, StrictInt

from klantvriend.complaints import selectors, services
from klantvriend.complaints.models import Channel, Complaint, Driver, Severity
from klantvriend.complaints.selectors import ComplaintStatus, ComplaintView
from klantvriend.core.models import WRITTEN_MAX_LENGTH

from .common import (
    CHANGE_ERRORS,
    COUNT_SAID,
    CREATED_AT_SAID,
    CUSTOMER_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
    OWNER_CHANGE_ERRORS,
    PAST_MOMENT_SAID,
    RECORDED_BY_SAID,
    UPDATED_AT_SAID,
    WRITE_ERRORS,
    Input,
    Moment,
    ObjectId,
    Out,
    Pagination,
    Patch,
    actor_of,
    business_of,
    record_of_path,
    refuse_undoing,
    require_owner,
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record
from .versions import IfMatch, expected_versions, expected_versions_of, with_etag

router = Router(tags=["complaints"])

ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
SeverityName = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
DriverName = Literal[tuple(Driver.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(ComplaintStatus.values)]  # type: ignore[valid-type]


PROMISE_HELP = (
    "The id of the customer's promise the complaint is about (an order not ready at the hour "
    "promised), or null. A promise of another customer is refused (422, type "
    "not_this_customers); a promise deleted later leaves the complaint, with null here."
)
RECEIVED_AT_SAID = (
    "When the complaint came in, from which its response and resolution deadlines run. "
    f"{PAST_MOMENT_SAID}"
)
CHANNEL_SAID = f"How it came in: {', '.join(Channel.values)} (message: WhatsApp, a text)."
PUBLIC_SAID = (
    "Whether it was posted where others can read it: its first response is then due within "
    "the care settings' clock hours (complaint_public_response_hours), not working hours."
)
SEVERITY_SAID = f"How serious it is: {', '.join(Severity.values)}."
DESCRIPTION_SAID = "What the customer complains about, at most 5,000 characters."
DRIVER_SAID = f"The satisfaction driver it concerns: {', '.join(Driver.values)}."
RESOLUTION_SAID = "How it was resolved, at most 5,000 characters; empty while it is not."
RECOVERY_GESTURE_SAID = (
    "What was offered to make up for it (a free dessert next time), at most 300 characters; "
    "logged among the customer's gestures once, when the complaint is resolved."
)
SATISFACTION_AFTER_SAID = (
    "How satisfied the customer was after the recovery, 1 to 5; null when not asked."
)


def _as_stored(fields: dict) -> dict:
    """The body's fields by the names complaints.services takes: `promise` is an id."""
    if "promise" in fields:
        fields = {**fields}
        fields["promise_id"] = fields.pop("promise")
    return fields


class ComplaintOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., description=CUSTOMER_SAID)
    received_at: datetime = Field(..., description=RECEIVED_AT_SAID)
    received_by: str = Field(..., description=RECORDED_BY_SAID)
    channel: str = Field(..., description=CHANNEL_SAID)
    public: bool = Field(..., description=PUBLIC_SAID)
    severity: str = Field(..., description=SEVERITY_SAID)
    description: str = Field(..., description=DESCRIPTION_SAID)
    driver: str = Field(..., description=DRIVER_SAID)
    promise: int | None = Field(..., description=PROMISE_HELP)
    first_response_at: datetime | None = Field(
        ..., description="When the customer first got an answer, in UTC; null while not."
    )
    resolved_at: datetime | None = Field(
        ..., description="When it was resolved, in UTC; null while it is not."
    )
    resolution: str = Field(..., description=RESOLUTION_SAID)
    recovery_gesture: str = Field(..., description=RECOVERY_GESTURE_SAID)
    satisfaction_after: int | None = Field(..., description=SATISFACTION_AFTER_SAID)
    status: StatusName = Field(
        ...,
        description="open (awaiting a first response), responded (answered, not resolved) or "
        "resolved; derived from the moments.",
    )
    response_deadline: datetime = Field(
        ...,
        description="When the first response is due by the care settings, in UTC: working "
        "hours after received_at, or clock hours for a public complaint.",
    )
    resolution_deadline: datetime = Field(
        ...,
        description="When it is to be resolved by the care settings (the closing of the last "
        "of its working days), in UTC.",
    )
    seconds_left: int | None = Field(
        ..., description="Of the running clock; negative when its target is missed."
    )
    breached: bool = Field(
        ..., description="Whether the running clock's deadline has passed; false once resolved."
    )
    created_at: datetime = Field(..., description=CREATED_AT_SAID)
    updated_at: datetime = Field(..., description=UPDATED_AT_SAID)


def complaint_out(view: ComplaintView) -> dict:
    complaint, clock = view.complaint, view.clock
    return {
        "id": complaint.pk,
        "customer": complaint.customer_id,
        "received_at": complaint.received_at,
        "received_by": complaint.received_by.get_username() if complaint.received_by else "",
        "channel": complaint.channel,
        "public": complaint.public,
        "severity": complaint.severity,
        "description": complaint.description,
        "driver": complaint.driver,
        "promise": complaint.promise_id,
        "first_response_at": complaint.first_response_at,
        "resolved_at": complaint.resolved_at,
        "resolution": complaint.resolution,
        "recovery_gesture": complaint.recovery_gesture,
        "satisfaction_after": complaint.satisfaction_after,
        "status": view.status.value,
        "response_deadline": clock.response_deadline,
        "resolution_deadline": clock.resolution_deadline,
        "seconds_left": int(clock.time_left.total_seconds())
        if clock.time_left is not None
        else None,
        "breached": clock.breached,
        "created_at": complaint.created_at,
        "updated_at": complaint.updated_at,
    }


def _out(request: HttpRequest, response: HttpResponse, complaint: Complaint) -> dict:
    """The complaint with its status and clock, and its version as the ETag."""
    with_etag(response, complaint)
    return complaint_out(
        selectors.complaint_views(business=business_of(request), complaints=[complaint])[0]
    )


class ComplaintCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    description: str = Field(..., max_length=WRITTEN_MAX_LENGTH, description=DESCRIPTION_SAID)
    channel: ChannelName = Field(Channel.COUNTER.value, description=CHANNEL_SAID)
    public: StrictBool | None = Field(
        None, description=f"{PUBLIC_SAID} Defaults to true for social media and review sites."
    )
    severity: SeverityName = Field(Severity.MEDIUM.value, description=SEVERITY_SAID)
    driver: DriverName = Field(Driver.OTHER.value, description=DRIVER_SAID)
    received_at: Moment | None = Field(None, description=f"{RECEIVED_AT_SAID} Left out, now.")
    answered_on_the_spot: StrictBool = Field(
        False,
        description=(
            "The customer was answered there and then, in person or by phone: the first "
            "response is recorded at `received_at` in the same request, audited as a `PATCH` "
            "with `first_response_at` is. Refused (422, type `not_in_person`) with the channels "
            "email, message, social_media and review_site."
        ),
    )
    recovery_gesture: str = Field("", max_length=300, description=RECOVERY_GESTURE_SAID)
    promise: StrictInt | None = Field(None, description=PROMISE_HELP)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        return refusals_of_new_record(
            request,
            _as_stored(fields),
            services.complaint_create_refusals,
            description="",
            received_by=actor_of(request),
        )


class ComplaintUpdate(Patch):
    edits = Complaint

    description: str | None = Field(
        None, max_length=WRITTEN_MAX_LENGTH, description=DESCRIPTION_SAID
    )
    channel: ChannelName | None = Field(None, description=CHANNEL_SAID)
    public: StrictBool | None = Field(
        None,
        description=f"{PUBLIC_SAID} Stays once the complaint is judged by its deadlines "
        "(409 judged).",
    )
    severity: SeverityName | None = Field(None, description=SEVERITY_SAID)
    driver: DriverName | None = Field(None, description=DRIVER_SAID)
    received_at: Moment | None = Field(
        None,
        description=f"{RECEIVED_AT_SAID} Stays once the complaint is judged by its deadlines "
        "(answered, resolved or past one: 409 judged).",
    )
    recovery_gesture: str | None = Field(None, max_length=300, description=RECOVERY_GESTURE_SAID)
    promise: StrictInt | None = Field(None, description=PROMISE_HELP)
    satisfaction_after: StrictInt | None = Field(
        None, ge=1, le=5, description=SATISFACTION_AFTER_SAID
    )
    resolution: str | None = Field(
        None,
        max_length=WRITTEN_MAX_LENGTH,
        description=f"{RESOLUTION_SAID} Sent with resolved_at to resolve it.",
    )
    first_response_at: Moment | None = Field(
        None,
        description=(
            "Set to record the first response; null takes it back, for 24 hours after it was "
            "recorded, only by whoever did or an owner, and not once resolved (409 otherwise)."
        ),
    )
    resolved_at: Moment | None = Field(None, description="Set (with a resolution) to resolve.")

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        complaint = record_of_path(request, selectors.complaint_get, "complaint_id")
        if complaint is None:
            return {}
        return services.complaint_change_refusals(complaint=complaint, **_change_of(fields))


class ComplaintPage(Out):
    items: list[ComplaintOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "",
    response={200: ComplaintPage, **ERRORS},
    summary="List complaints",
    description="The latest received first, of every customer or of one (`customer`), or of "
    "one `status`; each with its deadlines and the time left on its running clock.",
)
def list_complaints(
    request: HttpRequest,
    page: Query[Pagination],
    customer: ObjectId | None = None,
    status: StatusName | None = None,
):
    business = business_of(request)
    complaints = selectors.complaint_list(business=business, customer_id=customer, status=status)
    views = selectors.complaint_views(
        business=business, complaints=complaints[page.offset : page.offset + page.limit]
    )
    return {"items": [complaint_out(view) for view in views], "count": complaints.count()}


@router.post(
    "",
    response={201: ComplaintOut, **WRITE_ERRORS},
    summary="Log a complaint",
    description="Its response and resolution clocks start at `received_at`, by the care "
    "settings; `answered_on_the_spot` records the first response in the same request. An "
    "anonymised customer is refused (409 `anonymised`). Send an `Idempotency-Key`: nothing "
    "else keeps a retry from logging the complaint twice.",
)
def create_complaint(request: HttpRequest, payload: ComplaintCreate, response: HttpResponse):
    customer = customer_for_write(request, payload.customer)
    complaint = services.complaint_create(
        customer=customer,
        received_by=actor_of(request),
        **_as_stored(payload.dict(exclude={"customer"})),
    )
    return Status(201, _out(request, response, with_location(response, "get_complaint", complaint)))


@router.get(
    "/{complaint_id}",
    response={200: ComplaintOut, **ERRORS},
    summary="Get a complaint",
    description="With its status, its clocks and its version as the `ETag`, for the "
    "`If-Match` of a change.",
)
def get_complaint(request: HttpRequest, complaint_id: int, response: HttpResponse):
    complaint = selectors.complaint_get(business=business_of(request), complaint_id=complaint_id)
    return _out(request, response, complaint)


@router.patch(
    "/{complaint_id}",
    response={200: ComplaintOut, **CHANGE_ERRORS},
    summary="Change a complaint, record its first response or resolve it",
    description="Only the fields sent change. `first_response_at` records the answer, "
    "`resolved_at` with a `resolution` resolves it (a recovery gesture is then logged). "
    "A resolution is not undone (409 `reopen`), and once judged by its deadlines its "
    "`received_at` and `public` stay (409 `judged`). With `If-Match`, 412 when it changed since "
    "it was read.",
)
def update_complaint(
    request: HttpRequest,
    complaint_id: int,
    payload: ComplaintUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    complaint = selectors.complaint_get(business=business_of(request), complaint_id=complaint_id)
    versions = expected_versions_of(complaint, if_match)
    fields = payload.dict(exclude_unset=True)
    refuse_undoing(
        complaint, fields, ("resolved_at",), _("A complaint's resolution cannot be undone.")
    )
    complaint = services.complaint_change(
        complaint=complaint,
        actor=actor_of(request),
        expected_versions=versions,
        **_change_of(fields),
    )
    return _out(request, response, complaint)


@router.delete(
    "/{complaint_id}",
    response={204: None, **OWNER_CHANGE_ERRORS},
    summary="Delete a complaint recorded by mistake (owners)",
    description="It no longer counts in the complaint figures, and a follow-up still planned "
    "after it is deleted with it; one done stays, without `complaint`. The audit trail keeps "
    "what it was. With `If-Match`, 412 when the complaint changed since it was read.",
)
def delete_complaint(request: HttpRequest, complaint_id: int, if_match: IfMatch = None):
    complaint = selectors.complaint_get(business=business_of(request), complaint_id=complaint_id)
    require_owner(request)
    services.complaint_delete(
        complaint=complaint, actor=actor_of(request), expected_versions=expected_versions(if_match)
    )
    return Status(204, None)


def _change_of(changes: dict) -> dict:
    """A PATCH's fields as complaint_change takes them."""
    changes = dict(changes)
    return {
        # first_response_at: null takes back "answered" by the rule of the web's Undo
        # (core/undo.py).
        "undo_response": "first_response_at" in changes and changes["first_response_at"] is None,
        "responded_at": changes.pop("first_response_at", None),
        "resolved_at": changes.pop("resolved_at", None),
        "resolution": changes.pop("resolution", None),
        "fields": _as_stored(changes),
    }
