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
    ERRORS,
    OWNER_CHANGE_ERRORS,
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


def _as_stored(fields: dict) -> dict:
    """The body's fields by the names complaints.services takes: `promise` is an id."""
    if "promise" in fields:
        fields = {**fields}
        fields["promise_id"] = fields.pop("promise")
    return fields


class ComplaintOut(Out):
    id: int
    customer: int
    received_at: datetime
    received_by: str
    channel: str
    public: bool
    severity: str
    description: str
    driver: str
    promise: int | None = Field(..., description=PROMISE_HELP)
    first_response_at: datetime | None
    resolved_at: datetime | None
    resolution: str
    recovery_gesture: str
    satisfaction_after: int | None
    status: StatusName
    response_deadline: datetime
    resolution_deadline: datetime
    seconds_left: int | None = Field(
        ..., description="Of the running clock; negative when its target is missed."
    )
    breached: bool
    created_at: datetime
    updated_at: datetime


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
    customer: StrictInt
    description: str = Field(..., max_length=WRITTEN_MAX_LENGTH)
    channel: ChannelName = Channel.COUNTER.value
    public: StrictBool | None = Field(
        None, description="Defaults to true for social media and review sites."
    )
    severity: SeverityName = Severity.MEDIUM.value
    driver: DriverName = Driver.OTHER.value
    received_at: Moment | None = None
    answered_on_the_spot: StrictBool = Field(
        False,
        description=(
            "The customer was answered there and then, in person or by phone: the first "
            "response is recorded at `received_at` in the same request, audited as a `PATCH` "
            "with `first_response_at` is. Refused (422, type `not_in_person`) with the channels "
            "email, message, social_media and review_site."
        ),
    )
    recovery_gesture: str = Field(
        "",
        max_length=300,
        description=(
            "What was offered to make up for it; logged among the customer's gestures when "
            "the complaint is resolved."
        ),
    )
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

    description: str | None = Field(None, max_length=WRITTEN_MAX_LENGTH)
    channel: ChannelName | None = None
    public: StrictBool | None = None
    severity: SeverityName | None = None
    driver: DriverName | None = None
    received_at: Moment | None = None
    recovery_gesture: str | None = Field(None, max_length=300)
    promise: StrictInt | None = Field(None, description=PROMISE_HELP)
    satisfaction_after: StrictInt | None = Field(None, ge=1, le=5)
    resolution: str | None = Field(None, max_length=WRITTEN_MAX_LENGTH)
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
    items: list[ComplaintOut]
    count: int


@router.get("", response={200: ComplaintPage, **ERRORS}, summary="List complaints")
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


@router.post("", response={201: ComplaintOut, **WRITE_ERRORS}, summary="Log a complaint")
def create_complaint(request: HttpRequest, payload: ComplaintCreate, response: HttpResponse):
    customer = customer_for_write(request, payload.customer)
    complaint = services.complaint_create(
        customer=customer,
        received_by=actor_of(request),
        **_as_stored(payload.dict(exclude={"customer"})),
    )
    return Status(201, _out(request, response, with_location(response, "get_complaint", complaint)))


@router.get("/{complaint_id}", response={200: ComplaintOut, **ERRORS}, summary="Get a complaint")
def get_complaint(request: HttpRequest, complaint_id: int, response: HttpResponse):
    complaint = selectors.complaint_get(business=business_of(request), complaint_id=complaint_id)
    return _out(request, response, complaint)


@router.patch(
    "/{complaint_id}",
    response={200: ComplaintOut, **CHANGE_ERRORS},
    summary="Change a complaint, record its first response or resolve it",
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
