from datetime import date, datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.aftercare import selectors, services
from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.selectors import FollowUpStatus, follow_up_status
from klantvriend.core.errors import Conflict, ValidationError

from .common import (
    CHANGE_ERRORS,
    ERRORS,
    WRITE_ERRORS,
    Input,
    ObjectId,
    Out,
    Pagination,
    Patch,
    actor_of,
    business_of,
)
from .contact_moments import customer_for_write
from .versions import IfMatch, expected_versions_of, with_etag

router = Router(tags=["follow-ups"])

StatusName = Literal[tuple(FollowUpStatus.values)]  # type: ignore[valid-type]
OutcomeName = Literal[services.OUTCOMES]  # type: ignore[valid-type]


class FollowUpOut(Out):
    id: int
    customer: int
    reason: str
    note: str
    due_on: date
    assigned_to: int | None
    promise: int | None
    complaint: int | None
    purchase: int | None
    attempts: int
    done_at: datetime | None
    outcome: str
    outcome_note: str
    raised_complaint: int | None
    status: StatusName
    created_at: datetime
    updated_at: datetime


def follow_up_out(follow_up, *, today: date) -> dict:
    return {
        "id": follow_up.pk,
        "customer": follow_up.customer_id,
        "reason": follow_up.reason,
        "note": follow_up.note,
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
    customer: StrictInt
    note: str = Field(..., max_length=300)
    due_on: date
    assigned_to: StrictInt | None = Field(None, description="User id of a member.")


class FollowUpUpdate(Patch):
    edits = FollowUp

    note: str | None = Field(None, max_length=300)
    due_on: date | None = None
    assigned_to: StrictInt | None = None
    outcome: OutcomeName | None = Field(
        None,
        description=(
            "content, not_content (opens a complaint) or not_reached (re-plans). null takes "
            "back the outcome of a done follow-up, for 24 hours after it was recorded and only "
            "by whoever did or an owner (409 otherwise); the complaint not_content opened goes "
            "with it while nobody has handled it."
        ),
    )
    outcome_note: str | None = Field(None, max_length=5000, description="Sent with the outcome.")


class FollowUpPage(Out):
    items: list[FollowUpOut]
    count: int


def _member(request: HttpRequest, user_id: int | None):
    if user_id is None:
        return None
    user = (
        get_user_model()
        .objects.filter(pk=user_id, memberships__business=business_of(request))
        .first()
    )
    if user is None:
        raise ValidationError(
            {
                "assigned_to": ValidationError(
                    _("This person does not work here."), code="not_member"
                )
            }
        )
    return user


def _refuse_note_without_outcome(follow_up) -> None:
    """An outcome's note is written with the outcome; there is no changing it on its own."""
    if follow_up.done_at is not None:
        raise Conflict(
            {"outcome_note": ValidationError(_("This follow-up is already done."), code="finished")}
        )
    raise ValidationError(
        {"outcome": ValidationError(_("Give the outcome this note belongs to."), code="required")}
    )


@router.get("", response={200: FollowUpPage, **ERRORS}, summary="List follow-ups")
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


@router.post("", response={201: FollowUpOut, **WRITE_ERRORS}, summary="Plan a follow-up")
def create_follow_up(request: HttpRequest, payload: FollowUpCreate, response: HttpResponse):
    business = business_of(request)
    follow_up = services.follow_up_create(
        business=business,
        customer=customer_for_write(request, payload.customer),
        note=payload.note,
        due_on=payload.due_on,
        assigned_to=_member(request, payload.assigned_to),
        created_by=actor_of(request),
    )
    return Status(201, _out(request, response, follow_up))


@router.get("/{follow_up_id}", response={200: FollowUpOut, **ERRORS}, summary="Get a follow-up")
def get_follow_up(request: HttpRequest, follow_up_id: int, response: HttpResponse):
    follow_up = selectors.follow_up_get(business=business_of(request), follow_up_id=follow_up_id)
    return _out(request, response, follow_up)


@router.patch(
    "/{follow_up_id}",
    response={200: FollowUpOut, **CHANGE_ERRORS},
    summary="Change a follow-up or record its outcome",
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
    changes = payload.dict(exclude_unset=True)
    # outcome: null (read as "", the column may be blank: api.common.Patch) takes back the
    # outcome by the rule of the web's Undo (core/undo.py).
    undo_outcome = "outcome" in changes and not changes["outcome"]
    outcome = changes.pop("outcome", None) or ""
    note = changes.pop("outcome_note", follow_up.outcome_note if not outcome else "")
    if not outcome and note != follow_up.outcome_note:
        _refuse_note_without_outcome(follow_up)
    if "assigned_to" in changes:
        changes["assigned_to"] = _member(request, changes["assigned_to"])
    follow_up = services.follow_up_change(
        follow_up=follow_up,
        actor=actor_of(request),
        fields=changes,
        outcome=outcome,
        note=note,
        undo_outcome=undo_outcome,
        expected_versions=versions,
    )
    return _out(request, response, follow_up)
