from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.core.errors import NotFound, ValidationError
from klantvriend.core.models import WRITTEN_MAX_LENGTH
from klantvriend.customers import selectors, services
from klantvriend.customers.models import ContactKind, ContactMoment

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
from .versions import IfMatch, expected_versions, with_etag

router = Router(tags=["contact moments"])

Kind = Literal[tuple(ContactKind.values)]  # type: ignore[valid-type]

KIND_SAID = f"What kind of contact: {', '.join(ContactKind.values)}."
AT_SAID = f"When the contact was. {PAST_MOMENT_SAID}"
SUMMARY_SAID = f"What was said or done, at most {WRITTEN_MAX_LENGTH:,} characters."


def customer_for_write(request: HttpRequest, customer_id: int):
    """The customer a new record refers to; another business's customer is "does not exist"."""
    try:
        return selectors.customer_get(business=business_of(request), customer_id=customer_id)
    except NotFound:
        raise ValidationError(
            {"customer": ValidationError(_("This customer does not exist."), code="not_found")}
        ) from None


def refusals_of_new_record(
    request: HttpRequest, fields: dict, refusals: Callable[..., dict], **stand_ins: Any
) -> dict:
    """The domain's refusals of a new record of a customer (common.Input.refusals): the
    customer not found, or what `refusals` (the service's) refuses of the fields with that
    customer. A required field the schema refused is given its stand-in, whose refusal is
    not answered: the schema's is."""
    if "customer" not in fields:
        return {}  # refused by the schema: nothing to check the record against
    try:
        customer = customer_for_write(request, fields.pop("customer"))
    except ValidationError as refused:
        return refused.error_dict
    return refusals(customer=customer, **{**stand_ins, **fields})


class ContactMomentOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., validation_alias="customer_id", description=CUSTOMER_SAID)
    kind: str = Field(..., description=KIND_SAID)
    at: datetime = Field(..., description=AT_SAID)
    summary: str = Field(..., description=SUMMARY_SAID)
    member: Username = Field(..., description=RECORDED_BY_SAID)
    created_at: datetime = Field(..., description=CREATED_AT_SAID)


class ContactMomentCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    kind: Kind = Field(..., description=KIND_SAID)
    summary: str = Field(..., max_length=WRITTEN_MAX_LENGTH, description=SUMMARY_SAID)
    at: Moment | None = Field(None, description=f"{AT_SAID} Left out, now.")

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        return refusals_of_new_record(
            request,
            fields,
            services.contact_moment_create_refusals,
            kind=ContactKind.NOTE,
            summary="",
        )


class ContactMomentPage(Out):
    items: list[ContactMomentOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "",
    response={200: ContactMomentPage, **ERRORS},
    summary="List contact moments",
    description="Visits, calls, e-mails, messages and notes, the latest first, of every "
    "customer or of one (`customer`).",
)
def list_contact_moments(
    request: HttpRequest, page: Query[Pagination], customer: ObjectId | None = None
):
    moments = selectors.contact_moment_list(business=business_of(request), customer_id=customer)
    return {
        "items": list(moments[page.offset : page.offset + page.limit]),
        "count": moments.count(),
    }


@router.post(
    "",
    response={201: ContactMomentOut, **WRITE_ERRORS},
    summary="Record a contact moment",
    description="On the customer's timeline, recorded as the token's member. An anonymised "
    "customer is refused (409 `anonymised`). Send an `Idempotency-Key`: nothing else keeps a "
    "retry from recording the moment twice.",
)
def create_contact_moment(
    request: HttpRequest, payload: ContactMomentCreate, response: HttpResponse
):
    customer = customer_for_write(request, payload.customer)
    moment = services.contact_moment_create(
        customer=customer,
        kind=payload.kind,
        summary=payload.summary,
        at=payload.at,
        member=actor_of(request),
    )
    return Status(201, with_etag(response, with_location(response, "get_contact_moment", moment)))


@router.get(
    "/{contact_moment_id}",
    response={200: ContactMomentOut, **ERRORS},
    summary="Get a contact moment",
    description="With its version as the `ETag`, for the `If-Match` of a change.",
)
def get_contact_moment(request: HttpRequest, contact_moment_id: int, response: HttpResponse):
    moment = selectors.contact_moment_get(
        business=business_of(request), contact_moment_id=contact_moment_id
    )
    return with_etag(response, moment)


class ContactMomentUpdate(Patch):
    edits = ContactMoment

    kind: Kind | None = Field(None, description=KIND_SAID)
    summary: str | None = Field(None, max_length=WRITTEN_MAX_LENGTH, description=SUMMARY_SAID)
    at: Moment | None = Field(None, description=AT_SAID)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        moment = record_of_path(request, selectors.contact_moment_get, "contact_moment_id")
        return (
            {}
            if moment is None
            else services.contact_moment_update_refusals(moment=moment, **fields)
        )


@router.patch(
    "/{contact_moment_id}",
    response={200: ContactMomentOut, **CHANGE_ERRORS},
    summary="Change a contact moment",
    description="Any member corrects one; only the fields sent change, and the correction is "
    "in the customer's audit trail with who made it. With `If-Match`, 412 when it changed "
    "since it was read.",
)
def update_contact_moment(
    request: HttpRequest,
    contact_moment_id: int,
    payload: ContactMomentUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    moment = selectors.contact_moment_get(
        business=business_of(request), contact_moment_id=contact_moment_id
    )
    moment = services.contact_moment_update(
        moment=moment,
        actor=actor_of(request),
        expected_versions=expected_versions(if_match),
        **payload.dict(exclude_unset=True),
    )
    return with_etag(response, moment)


@router.delete(
    "/{contact_moment_id}",
    response={204: None, **CHANGE_ERRORS},
    summary="Delete a contact moment",
    description="Any member removes one recorded by mistake; the customer's audit trail keeps "
    "what it said and who removed it. With `If-Match`, 412 when it changed since it was read.",
)
def delete_contact_moment(request: HttpRequest, contact_moment_id: int, if_match: IfMatch = None):
    moment = selectors.contact_moment_get(
        business=business_of(request), contact_moment_id=contact_moment_id
    )
    services.contact_moment_delete(
        moment=moment, actor=actor_of(request), expected_versions=expected_versions(if_match)
    )
    return Status(204, None)
