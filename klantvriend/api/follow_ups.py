from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.aftercare import selectors, services
from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.aftercare.selectors import FollowUpStatus, follow_up_status
from klantvriend.core.models import WRITTEN_MAX_LENGTH

from .common import (
    CHANGE_ERRORS,
    COUNT_SAID,
    CREATED_AT_SAID,
    CUSTOMER_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
    UPDATED_AT_SAID,
    WRITE_ERRORS,
    Input,
    ObjectId,
    Out,
    Pagination,
    Patch,
    actor_of,
    business_of,
    record_of_path,
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record
from .versions import IfMatch, expected_versions_of, with_etag

router = Router(tags=["follow-ups"])

StatusName = Literal[tuple(FollowUpStatus.values)]  # type: ignore[valid-type]
OutcomeName = Literal[services.OUTCOMES]  # type: ignore[valid-type]

NOTE_SAID = "What to ask or do, at most 300 characters."
DUE_ON_SAID = (
    "The day to call (ISO date, the business's calendar). Planned by hand or moved, it is not "
    "in the past (type past), nor more than a hundred years ahead (too_far)."
)
ASSIGNED_TO_SAID = (
    "User id of the member who is to make the call (GET /api/v1/members lists them); null for "
    "anyone. Anyone who does not work in the business is refused (422, type not_member)."
)


class FollowUpOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., description=CUSTOMER_SAID)
    reason: str = Field(
        ...,
        description=f"Why it was planned: {', '.join(Reason.values)}. manual and win_back are "
        "planned by a person, the others by Klantvriend's rules.",
    )
    note: str = Field(
        description="What to ask, as stored: a rule's question in the business's language."
    )
    asks: str = Field(
        description="What to ask in the request's language: a rule's question translated, "
        "else the note as written."
    )
    due_on: date = Field(..., description=DUE_ON_SAID)
    assigned_to: int | None = Field(..., description=ASSIGNED_TO_SAID)
    promise: int | None = Field(
        ..., description="The kept promise it follows up (a delivery, repair or quote); else null."
    )
    complaint: int | None = Field(..., description="The complaint it follows up; else null.")
    purchase: int | None = Field(..., description="The purchase it follows up; else null.")
    attempts: int = Field(
        ..., description="How many times the customer was not reached (each re-plans it)."
    )
    done_at: datetime | None = Field(
        ..., description="When its outcome was recorded, in UTC; null while it is open."
    )
    outcome: str = Field(
        ..., description="How it ended (see PATCH /follow-ups/{id}); empty while it is open."
    )
    outcome_note: str = Field(
        ..., description="What the customer said, at most 5,000 characters; may be empty."
    )
    raised_complaint: int | None = Field(
        ..., description="The complaint the outcome not_content opened; else null."
    )
    status: StatusName = Field(
        ...,
        description="planned (due on a later day), due (due today or earlier, still open) or "
        "done; derived from due_on and done_at.",
    )
    created_at: datetime = Field(..., description=CREATED_AT_SAID)
    updated_at: datetime = Field(..., description=UPDATED_AT_SAID)


def follow_up_out(follow_up, *, today: date) -> dict:
    return {
        "id": follow_up.pk,
        "customer": follow_up.customer_id,
        "reason": follow_up.reason,
        "note": follow_up.note,
        "asks": follow_up.asks,
        "due_on": follow_up.due_on,
        "assigned_to": follow_up.assigned_to_id,
        "promise": follow_up.promise_id,
        "complaint": follow_up.complaint_id,
        "purchase": follow_up.purchase_id,
        "attempts": follow_up.attempts,
        "done_at": follow_up.done_at,
        "outcome": follow_up.outcome,
        "outcome_note": follow_up.outcome_note,
        "raised_complaint": follow_up.raised_complaint_id,
        "status": follow_up_status(follow_up, today=today).value,
        "created_at": follow_up.created_at,
        "updated_at": follow_up.updated_at,
    }


class FollowUpCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    note: str = Field(..., max_length=300, description=NOTE_SAID)
    due_on: date = Field(..., description=DUE_ON_SAID)
    assigned_to: StrictInt | None = Field(None, description=ASSIGNED_TO_SAID)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        business = business_of(request)
        return refusals_of_new_record(
            request,
            fields,
            services.follow_up_create_refusals,
            business=business,
            note="",
            due_on=business.today(),
        )


class FollowUpUpdate(Patch):
    edits = FollowUp

    note: str | None = Field(None, max_length=300, description=NOTE_SAID)
    due_on: date | None = Field(
        None,
        description=f"{DUE_ON_SAID} A follow-up after a delivery, repair or complaint keeps "
        "its day once done (409 finished) or once that day has passed (409 overdue).",
    )
    assigned_to: StrictInt | None = Field(None, description=ASSIGNED_TO_SAID)
    outcome: OutcomeName | None = Field(
        None,
        description=(
            "content, not_content (opens a complaint), not_reached (re-plans) or not_needed "
            "(closes it without asking, left out of the aftercare figure); for a "
            "follow-up with reason quote instead accepted, declined, still_deciding (re-plans "
            "without counting a try), not_reached or not_needed; for one with reason referral (a "
            "referrer to thank) thanked, not_reached or not_needed, and a gesture with occasion "
            "referral_thanks logged for the referrer closes it as thanked. null takes "
            "back the outcome of a done follow-up, for 24 hours after it was recorded and only "
            "by whoever did or an owner (409 otherwise); the complaint not_content opened goes "
            "with it while nobody has handled it."
        ),
    )
    outcome_note: str | None = Field(
        None, max_length=WRITTEN_MAX_LENGTH, description="Sent with the outcome."
    )

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        follow_up = record_of_path(request, selectors.follow_up_get, "follow_up_id")
        if follow_up is None:
            return {}
        return services.follow_up_change_refusals(follow_up=follow_up, **_change_of(fields))


class FollowUpPage(Out):
    items: list[FollowUpOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "",
    response={200: FollowUpPage, **ERRORS},
    summary="List follow-ups",
    description="The calls to make after a delivery, a repair, a complaint, a purchase or a "
    "quote, and those planned by hand, of every customer or of one (`customer`), or of one "
    "`status`.",
)
def list_follow_ups(
    request: HttpRequest,
    page: Query[Pagination],
    customer: ObjectId | None = None,
    status: StatusName | None = None,
):
    business = business_of(request)
    follow_ups = selectors.follow_up_list(business=business, customer_id=customer, status=status)
    today = business.today()
    return {
        "items": [
            follow_up_out(item, today=today)
            for item in follow_ups[page.offset : page.offset + page.limit]
        ],
        "count": follow_ups.count(),
    }


def _out(request: HttpRequest, response: HttpResponse, follow_up: FollowUp) -> dict:
    """The follow-up with its status, and its version as the ETag."""
    with_etag(response, follow_up)
    return follow_up_out(follow_up, today=business_of(request).today())


@router.post(
    "",
    response={201: FollowUpOut, **WRITE_ERRORS},
    summary="Plan a follow-up",
    description="A call planned by hand (reason `manual`), for a day not in the past. An "
    "anonymised customer is refused (409 `anonymised`). Send an `Idempotency-Key`: nothing "
    "else keeps a retry from planning it twice.",
)
def create_follow_up(request: HttpRequest, payload: FollowUpCreate, response: HttpResponse):
    follow_up = services.follow_up_create(
        business=business_of(request),
        customer=customer_for_write(request, payload.customer),
        note=payload.note,
        due_on=payload.due_on,
        assigned_to=payload.assigned_to,
        created_by=actor_of(request),
    )
    return Status(201, _out(request, response, with_location(response, "get_follow_up", follow_up)))


@router.get(
    "/{follow_up_id}",
    response={200: FollowUpOut, **ERRORS},
    summary="Get a follow-up",
    description="With its status and its version as the `ETag`, for the `If-Match` of a change.",
)
def get_follow_up(request: HttpRequest, follow_up_id: int, response: HttpResponse):
    follow_up = selectors.follow_up_get(business=business_of(request), follow_up_id=follow_up_id)
    return _out(request, response, follow_up)


@router.patch(
    "/{follow_up_id}",
    response={200: FollowUpOut, **CHANGE_ERRORS},
    summary="Change a follow-up or record its outcome",
    description="Only the fields sent change; `outcome` (with `outcome_note`) records how the "
    "call went, and `outcome: null` takes it back within 24 hours, by whoever recorded it or an "
    "owner (409 otherwise). With `If-Match`, 412 when it changed since it was read.",
)
def update_follow_up(
    request: HttpRequest,
    follow_up_id: int,
    payload: FollowUpUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    follow_up = selectors.follow_up_get(business=business_of(request), follow_up_id=follow_up_id)
    versions = expected_versions_of(follow_up, if_match)
    follow_up = services.follow_up_change(
        follow_up=follow_up,
        actor=actor_of(request),
        expected_versions=versions,
        **_change_of(payload.dict(exclude_unset=True)),
    )
    return _out(request, response, follow_up)


def _change_of(changes: dict) -> dict:
    """A PATCH's fields as follow_up_change takes them."""
    changes = dict(changes)
    return {
        # outcome: null (read as "", the column may be blank: api.common.Patch) takes back the
        # outcome by the rule of the web's Undo (core/undo.py).
        "undo_outcome": "outcome" in changes and not changes["outcome"],
        "outcome": changes.pop("outcome", None) or "",
        "note": changes.pop("outcome_note", None),
        "fields": changes,
    }
