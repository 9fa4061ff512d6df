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
    ERRORS,
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
    id: int
    customer: int = Field(..., validation_alias="customer_id")
    kind: str
    at: datetime
    summary: str
    member: Username
    created_at: datetime


class ContactMomentCreate(Input):
    customer: StrictInt
    kind: Kind
    summary: str = Field(..., max_length=WRITTEN_MAX_LENGTH)
    at: Moment | None = None

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
    items: list[ContactMomentOut]
    count: int


@router.get("", response={200: ContactMomentPage, **ERRORS}, summary="List contact moments")
def list_contact_moments(
    request: HttpRequest, page: Query[Pagination], customer: ObjectId | None = None
):
    moments = selectors.contact_moment_list(business=business_of(request), customer_id=customer)
    return {
        "items": list(moments[page.offset : page.offset + page.limit]),
        "count": moments.count(),
    }


@router.post(
    "", response={201: ContactMomentOut, **WRITE_ERRORS}, summary="Record a contact moment"
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
)
def get_contact_moment(request: HttpRequest, contact_moment_id: int, response: HttpResponse):
    moment = selectors.contact_moment_get(
        business=business_of(request), contact_moment_id=contact_moment_id
    )
    return with_etag(response, moment)


class ContactMomentUpdate(Patch):
    edits = ContactMoment

    kind: Kind | None = None
    summary: str | None = Field(None, max_length=WRITTEN_MAX_LENGTH)
    at: Moment | None = None

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
)
def delete_contact_moment(request: HttpRequest, contact_moment_id: int, if_match: IfMatch = None):
    moment = selectors.contact_moment_get(
        business=business_of(request), contact_moment_id=contact_moment_id
    )
    services.contact_moment_delete(
        moment=moment, actor=actor_of(request), expected_versions=expected_versions(if_match)
    )
    return Status(204, None)
