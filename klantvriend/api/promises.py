from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field, StrictBool, StrictInt, WithJsonSchema, field_validator

from klantvriend.promises import selectors, services
from klantvriend.promises.models import REPEAT_MONTHS, REPEAT_WEEKS, Promise, PromiseKind
from klantvriend.promises.selectors import PromiseView
from klantvriend.promises.status import API_STATUSES, api_status

from .common import (
    CHANGE_ERRORS,
    COUNT_SAID,
    CREATED_AT_SAID,
    CUSTOMER_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
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
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record
from .versions import IfMatch, expected_versions_of, with_etag

router = Router(tags=["promises"])


Kind = Literal[tuple(PromiseKind.values)]  # type: ignore[valid-type]
# A whole number, not true or 1.0 (as a Literal of numbers would take them); one of those
# offered is the service's to say (promises.services.refuse_unoffered_repeat).
RepeatWeeks = Annotated[StrictInt, WithJsonSchema({"type": "integer", "enum": list(REPEAT_WEEKS)})]
RepeatMonths = Annotated[
    StrictInt, WithJsonSchema({"type": "integer", "enum": list(REPEAT_MONTHS)})
]
REPEAT_WEEKS_SAID = (
    "How often the promise comes back, in weeks: 0 once; 1, 2, 3, 4, 6, 8 or 13 for a "
    "standing arrangement (a weekly order). Once it is kept, cancelled or moved, the next time "
    "is made for the same weekday and time that many weeks on (`repeated_as`), without the "
    "aftercare call; to end the arrangement, set it to 0 on the open one (with cancelled_at to "
    "cancel it too). Only an open promise's can be changed (409 otherwise)."
)
REPEAT_MONTHS_SAID = (
    "Or in months: 1, 3, 6 or 12 (a monthly subscription, a quarterly return, a yearly "
    "inspection), the next time on the same day of the month and time that many months on, "
    "or on the month's last day when it has fewer days (31 January: 30 April, then 31 July). "
    "Never both: one of repeat_weeks and repeat_months is 0."
)
StatusName = Literal[API_STATUSES]  # type: ignore[valid-type]

DESCRIPTION_SAID = "What was promised, at most 300 characters."
KIND_SAID = (
    f"What kind of promise: {', '.join(PromiseKind.values)}. A kept delivery, repair or quote "
    "plans the aftercare call of the care settings."
)
MADE_AT_SAID = f"When the promise was made. {PAST_MOMENT_SAID}"
DUE_AT_SAID = (
    "The moment it is due (ISO 8601 with its time zone); give this or due_date, not both "
    "(type ambiguous)."
)
DUE_DATE_SAID = (
    "The day it is due (ISO date), due by the end of that day in the business's time zone; "
    "give this or due_at."
)
DONE_AT_SAID = "When it was kept, in UTC; null while it is not."
CANCELLED_AT_SAID = "When it was cancelled, in UTC; null while it is not."
SURVEY_AFTER_DELIVERY_SAID = (
    "Whether keeping this delivery invites the customer to the survey by e-mail, where "
    "the business invites after deliveries (its survey settings) and the customer may "
    "be e-mailed; false for flowers for a funeral or wherever a question would be out "
    "of place. Only deliveries invite."
)
AFTERCARE_AFTER_KEPT_SAID = (
    "Whether keeping it plans the aftercare call that the business's care settings "
    "plan after a kept delivery, repair or quote; false where the customer said all is "
    "well or a call would intrude. Changed to false once kept, the call planned is "
    "withdrawn while nobody has worked on it; to true, it is planned."
)


class PromiseOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., description=CUSTOMER_SAID)
    description: str = Field(..., description=DESCRIPTION_SAID)
    kind: str = Field(..., description=KIND_SAID)
    made_by: str = Field(..., description=RECORDED_BY_SAID)
    made_at: datetime = Field(..., description=MADE_AT_SAID)
    due_at: datetime = Field(
        ...,
        description="When it is due, in UTC: the moment given, or the end of the day given "
        "(due_all_day).",
    )
    due_all_day: bool = Field(
        ...,
        description="true when it was given as a day (due_date): due by the end of that day, "
        "so show the day alone.",
    )
    done_at: datetime | None = Field(..., description=DONE_AT_SAID)
    cancelled_at: datetime | None = Field(..., description=CANCELLED_AT_SAID)
    survey_after_delivery: bool = Field(..., description=SURVEY_AFTER_DELIVERY_SAID)
    aftercare_after_kept: bool = Field(..., description=AFTERCARE_AFTER_KEPT_SAID)
    status: StatusName = Field(
        ...,
        description="Derived from the moments, never stored. open: not due yet; overdue: open "
        "and past its due moment, within the business's grace (promise_grace_hours, not "
        "counting its closed days); broken: "
        "still open after the grace (it can still be kept), or cancelled after it was due; "
        "kept_early: done on an earlier day than due; kept: done on the due day by its moment; "
        "kept_late: done after its moment; cancelled: cancelled before it was due. A list's "
        "`status` filter takes one of them: the promises still to keep are open, overdue and "
        "broken ones without done_at or cancelled_at.",
    )
    repeat_weeks: int = Field(..., description=REPEAT_WEEKS_SAID)
    repeat_months: int = Field(..., description=REPEAT_MONTHS_SAID)
    repeated_as: int | None = Field(
        ...,
        description="The next time of this repeating promise, made when this one was kept, "
        "cancelled or moved.",
    )
    rescheduled_to: int | None = Field(
        ...,
        description="The promise made for the new moment the customer agreed to after this one "
        "passed unkept (POST /promises/{id}/reschedule); this one counts as broken.",
    )
    rescheduled_from: int | None = Field(
        ...,
        description="The promise this one replaced at a new moment, which counts as broken; "
        "this one is judged on its own due moment.",
    )
    created_at: datetime = Field(..., description=CREATED_AT_SAID)
    updated_at: datetime = Field(..., description=UPDATED_AT_SAID)


def promise_out(view: PromiseView) -> dict:
    promise = view.promise
    return {
        "id": promise.pk,
        "customer": promise.customer_id,
        "description": promise.description,
        "kind": promise.kind,
        "made_by": promise.made_by.get_username() if promise.made_by else "",
        "made_at": promise.made_at,
        "due_at": promise.due_at,
        "due_all_day": promise.due_all_day,
        "done_at": promise.done_at,
        "cancelled_at": promise.cancelled_at,
        "survey_after_delivery": promise.survey_after_delivery,
        "aftercare_after_kept": promise.aftercare_after_kept,
        "status": api_status(view.status),
        "repeat_weeks": promise.repeat_weeks,
        "repeat_months": promise.repeat_months,
        "repeated_as": promise.repeated_as_id,
        "rescheduled_to": promise.rescheduled_to_id,
        "rescheduled_from": predecessor.pk if (predecessor := promise.predecessor) else None,
        "created_at": promise.created_at,
        "updated_at": promise.updated_at,
    }


class PromiseCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    description: str = Field(..., max_length=300, description=DESCRIPTION_SAID)
    kind: Kind = Field(PromiseKind.OTHER.value, description=KIND_SAID)
    due_at: Moment | None = Field(None, description=DUE_AT_SAID)
    due_date: date | None = Field(None, description=DUE_DATE_SAID)
    made_at: Moment | None = Field(
        None, description=f"{MADE_AT_SAID} Left out, now; may lie in the past."
    )
    survey_after_delivery: StrictBool = Field(True, description=SURVEY_AFTER_DELIVERY_SAID)
    aftercare_after_kept: StrictBool = Field(True, description=AFTERCARE_AFTER_KEPT_SAID)
    repeat_weeks: RepeatWeeks = Field(0, description=REPEAT_WEEKS_SAID)
    repeat_months: RepeatMonths = Field(0, description=REPEAT_MONTHS_SAID)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        return refusals_of_new_record(
            request,
            fields,
            services.promise_create_refusals,
            description="",
            made_by=actor_of(request),
        )


class PromiseUpdate(Patch):
    edits = Promise

    description: str | None = Field(None, max_length=300, description=DESCRIPTION_SAID)
    kind: Kind | None = Field(None, description=KIND_SAID)
    due_at: Moment | None = Field(
        None,
        description=f"{DUE_AT_SAID} Moved only while the promise is open and not yet due (409 "
        "finished or overdue otherwise; reschedule instead).",
    )
    due_date: date | None = Field(None, description=f"{DUE_DATE_SAID} Moved as due_at is.")
    made_at: Moment | None = Field(None, description=MADE_AT_SAID)
    survey_after_delivery: StrictBool | None = Field(None, description=SURVEY_AFTER_DELIVERY_SAID)
    aftercare_after_kept: StrictBool | None = Field(None, description=AFTERCARE_AFTER_KEPT_SAID)
    repeat_weeks: RepeatWeeks | None = Field(None, description=REPEAT_WEEKS_SAID)
    repeat_months: RepeatMonths | None = Field(None, description=REPEAT_MONTHS_SAID)
    done_at: Moment | None = Field(
        None,
        description=(
            "Set to mark the promise kept; null reopens a kept promise, for 24 hours after it "
            "was marked kept and only by whoever did or an owner (409 otherwise)."
        ),
    )
    cancelled_at: Moment | None = Field(None, description="Set to cancel the promise.")

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        promise = record_of_path(request, selectors.promise_get, "promise_id")
        if promise is None:
            return {}
        return services.promise_change_refusals(promise=promise, **_change_of(fields))


class PromiseReschedule(Input):
    due_at: Moment | None = Field(None, description="The new due moment; or give due_date.")
    due_date: date | None = Field(
        None, description="The new due day (due by its end); or give due_at."
    )

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        promise = record_of_path(request, selectors.promise_get, "promise_id")
        if promise is None:
            return {}
        return services.promise_reschedule_refusals(promise=promise, **fields)


class PromisePage(Out):
    items: list[PromiseOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


class FiguresOut(Out):
    judged: int = Field(
        ...,
        description="Promises whose outcome became known in the year up to now (kept, or "
        "broken); those cancelled before they were due are left out.",
    )
    kept_on_time: int = Field(..., description="Of them, kept by their due moment.")
    kept_late: int = Field(..., description="Of them, kept after their due moment.")
    broken: int = Field(
        ...,
        description="Of them, not kept: still open after the grace, or cancelled after they "
        "were due.",
    )
    kept_on_time_share: float | None = Field(
        ..., description="kept_on_time / judged, 0 to 1; null when none was judged."
    )
    # Said on the pages as "half of the promises kept were on time or at most … late" and "9 in
    # 10 at most … late" (web.templatetags.care.lateness_summary); the values stay hours.
    median_lateness_hours: float | None = Field(
        ...,
        description=(
            "Of the promises kept (on time or late), half were at most this many hours late "
            "(the median; 0 when at least half were on time), to 0.1 hour; null when none was "
            "kept."
        ),
    )
    p90_lateness_hours: float | None = Field(
        ...,
        description=(
            "Of the promises kept, 9 in 10 were at most this many hours late (the 90th "
            "percentile, nearest rank; 0 when at least 9 in 10 were on time), to 0.1 hour; null "
            "when none was kept."
        ),
    )

    @field_validator("median_lateness_hours", "p90_lateness_hours", mode="after")
    @classmethod
    def _to_a_tenth(cls, hours: float | None) -> float | None:
        return None if hours is None else round(hours, 1)


class NamedFigures(FiguresOut):
    name: str = Field(
        ...,
        description="In by_kind the promise kind; in by_member the member's name as the pages "
        "show it (or, in the request's language, that nobody was recorded or a former member).",
    )


class ReliabilityOut(FiguresOut):
    since: datetime = Field(..., description="The start of the year the figures count, in UTC.")
    trend_last_90_days: float | None = Field(
        ...,
        description="The share kept on time of the promises judged in the last 90 days, 0 to "
        "1; null when none was.",
    )
    trend_previous_90_days: float | None = Field(
        ..., description="The same share of the 90 days before those; null when none was judged."
    )
    by_kind: list[NamedFigures] = Field(
        ..., description="The figures per kind of promise, of the kinds with promises judged."
    )
    by_member: list[NamedFigures] = Field(
        ..., description="The figures per member who made the promises, by name."
    )


@router.get(
    "",
    response={200: PromisePage, **ERRORS},
    summary="List promises",
    description="Of every customer or of one (`customer`), or those of one `status` (the "
    "promises still to keep: open, overdue or broken). Each promise's `status` is worked out "
    "from its moments as it is read.",
)
def list_promises(
    request: HttpRequest,
    page: Query[Pagination],
    customer: ObjectId | None = None,
    status: StatusName | None = None,
):
    business = business_of(request)
    promises = selectors.promise_list(business=business, customer_id=customer, status=status)
    views = selectors.promise_views(
        business=business, promises=promises[page.offset : page.offset + page.limit]
    )
    return {"items": [promise_out(view) for view in views], "count": promises.count()}


@router.get(
    "/reliability",
    response={200: ReliabilityOut, **ERRORS},
    summary="Reliability figures: share kept on time, lateness, trend",
    description="How reliably the business keeps its promises over the last year, in all, per "
    "kind and per member, and the share kept on time of the last 90 days against the 90 "
    "before, as the reliability page shows it. Read only.",
)
def reliability(request: HttpRequest):
    figures = selectors.promise_reliability(business=business_of(request))
    return {
        **vars(figures.overall),
        "since": figures.since,
        "trend_last_90_days": figures.trend.last_90_days,
        "trend_previous_90_days": figures.trend.previous_90_days,
        "by_kind": [{"name": kind, **vars(item)} for kind, _label, item in figures.by_kind],
        "by_member": [{"name": name, **vars(item)} for _member, name, item in figures.by_member],
    }


def _out(response: HttpResponse, promise: Promise) -> dict:
    """The promise with its status, and its version as the ETag."""
    with_etag(response, promise)
    return promise_out(selectors.promise_with_status(promise=promise))


@router.post(
    "",
    response={201: PromiseOut, **WRITE_ERRORS},
    summary="Record a promise",
    description="A promise made to a customer (an order ready at 16:00, a call back tomorrow), "
    "due at a moment (`due_at`) or by the end of a day (`due_date`), recorded as made by the "
    "token's member. An anonymised customer is refused (409 `anonymised`). Send an "
    "`Idempotency-Key`: nothing else keeps a retry from recording the promise twice.",
)
def create_promise(request: HttpRequest, payload: PromiseCreate, response: HttpResponse):
    customer = customer_for_write(request, payload.customer)
    promise = services.promise_create(
        customer=customer,
        description=payload.description,
        kind=payload.kind,
        due_at=payload.due_at,
        due_date=payload.due_date,
        made_at=payload.made_at,
        survey_after_delivery=payload.survey_after_delivery,
        aftercare_after_kept=payload.aftercare_after_kept,
        repeat_weeks=payload.repeat_weeks,
        repeat_months=payload.repeat_months,
        made_by=actor_of(request),
    )
    return Status(201, _out(response, with_location(response, "get_promise", promise)))


@router.get(
    "/{promise_id}",
    response={200: PromiseOut, **ERRORS},
    summary="Get a promise",
    description="With its status and its version as the `ETag`, for the `If-Match` of a change.",
)
def get_promise(request: HttpRequest, promise_id: int, response: HttpResponse):
    promise = selectors.promise_get(business=business_of(request), promise_id=promise_id)
    return _out(response, promise)


@router.patch(
    "/{promise_id}",
    response={200: PromiseOut, **CHANGE_ERRORS},
    summary="Change a promise, mark it kept (done_at) or cancel it (cancelled_at), or reopen it",
    description="Only the fields sent change. Keeping, cancelling or moving a promise kept or "
    "cancelled already is refused (409 `finished`), a new due moment of an overdue one too "
    "(409 `overdue`: reschedule it), and reopening a cancelled one (409 `reopen`); "
    "`done_at: null` takes back "
    '"kept" within 24 hours, by whoever marked it or an owner. With `If-Match`, 412 when the '
    "promise changed since it was read.",
)
def update_promise(
    request: HttpRequest,
    promise_id: int,
    payload: PromiseUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    actor = actor_of(request)
    promise = selectors.promise_get(business=business_of(request), promise_id=promise_id)
    versions = expected_versions_of(promise, if_match)
    changes = payload.dict(exclude_unset=True)
    refuse_undoing(
        promise, changes, ("cancelled_at",), _("A cancelled promise cannot be opened again.")
    )
    promise = services.promise_change(
        promise=promise, actor=actor, expected_versions=versions, **_change_of(changes)
    )
    return _out(response, promise)


def _change_of(changes: dict) -> dict:
    """A PATCH's fields as promise_change takes them."""
    changes = dict(changes)
    return {
        # done_at: null takes back "kept" by the rule of the web's Undo (core/undo.py).
        "reopen": "done_at" in changes and changes["done_at"] is None,
        "done_at": changes.pop("done_at", None),
        "cancelled_at": changes.pop("cancelled_at", None),
        "fields": changes,
    }


@router.post(
    "/{promise_id}/reschedule",
    response={200: PromiseOut, 201: PromiseOut, **CHANGE_ERRORS},
    summary="Move a promise to the moment the customer agreed to",
    description=(
        "While the promise is not due yet, its due moment is moved (200, the same promise). "
        "Once its due moment has passed unkept that moment stays, so that the figures show it "
        "was not kept in time: the promise is cancelled, counting as broken, and a new one is "
        "made for the new moment (201, the new promise; PATCH refuses such a move with 409 "
        "`overdue`)."
    ),
)
def reschedule_promise(
    request: HttpRequest,
    promise_id: int,
    payload: PromiseReschedule,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    actor = actor_of(request)
    promise = selectors.promise_get(business=business_of(request), promise_id=promise_id)
    versions = expected_versions_of(promise, if_match)
    # One new moment, as a day or as a moment: refused as a new promise's would be
    services.resolve_due(promise.business, payload.due_at, payload.due_date)
    moved = services.promise_change(
        promise=promise,
        actor=actor,
        fields=payload.dict(exclude_unset=True),
        reschedule=True,
        expected_versions=versions,
    )
    if moved.pk == promise.pk:
        return Status(200, _out(response, moved))
    return Status(201, _out(response, with_location(response, "get_promise", moved)))
