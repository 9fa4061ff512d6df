"""The privacy duties through the API: an access request (everything about one person), erasure,
and the consent history. Export and erasure are for owners only."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from klantvriend.core.audit import AuditAction, audit_record
from klantvriend.customers import selectors
from klantvriend.customers.models import ConsentRecord
from klantvriend.importers.privacy import customer_erase, customer_personal_data

from .common import (
    COUNT_SAID,
    ERRORS,
    ID_SAID,
    OWNER_ERRORS,
    OWNER_WRITE_ERRORS,
    Out,
    actor_of,
    business_of,
    require_owner,
)

router = Router(tags=["privacy"])


class ErasedOut(Out):
    id: int = Field(..., description=ID_SAID)
    name: str = Field(
        ...,
        description='The name the record has now: "Anonymised customer" and its id, in the '
        "business's language.",
    )
    erased_at: datetime = Field(..., description="When the person's data was erased, in UTC.")


class ConsentOut(Out):
    kind: str = Field(
        ...,
        description="What the consent is for: marketing (news and offers) or special_category "
        "(health, diet or allergy notes).",
    )
    given: bool = Field(..., description="true: given; false: withdrawn.")
    basis: str = Field(
        ...,
        description="The legal basis it was given on: consent, soft_opt_in or "
        "legitimate_interest; empty on a withdrawal.",
    )
    at: datetime = Field(..., description="When it was given or withdrawn, in UTC.")
    source: str = Field(
        ...,
        description="Where it was recorded: web (the customer form), api, import or erasure; "
        "empty on records the customer form made before it named itself.",
    )


class ConsentPage(Out):
    items: list[ConsentOut] = Field(..., description="Every change, the latest first.")
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "/{customer_id}/export",
    response={200: dict[str, Any], **OWNER_ERRORS},
    summary="Everything stored about one customer (access request, AVG art. 15/20)",
    description="One JSON document with the customer and every record of theirs, the legal "
    "answer to an access request; the export is kept in the customer's audit trail. Owners "
    "only (403 for staff).",
)
def export_customer(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(business=business_of(request), customer_id=customer_id)
    require_owner(request)
    document = customer_personal_data(customer=customer)
    audit_record(
        business=customer.business,
        actor=actor_of(request),
        action=AuditAction.EXPORTED,
        obj=customer,
        customer=customer,
        changes={"format": "api"},
    )
    return document


@router.post(
    "/{customer_id}/erase",
    response={200: ErasedOut, **OWNER_WRITE_ERRORS},
    summary="Anonymise a customer everywhere (erasure, AVG art. 17); purchases keep date and amount",
    description="Removes every personal detail and text of the customer and their records; "
    "open promises are cancelled, planned follow-ups withdrawn and their open privacy requests "
    "handled. Cannot be undone; a customer anonymised before is refused (409 "
    "`already_erased`). Owners only; a copy of the data kept elsewhere must be erased too.",
)
def erase_customer(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(business=business_of(request), customer_id=customer_id)
    require_owner(request)
    return customer_erase(customer=customer, actor=actor_of(request))


@router.get(
    "/{customer_id}/consents",
    response={200: ConsentPage, **ERRORS},
    summary="History of a customer's consent, with legal basis and moments",
    description="Every time consent for news and offers, or for health, diet or allergy notes, "
    "was given or withdrawn, the latest first, with where it was recorded.",
)
def list_consents(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(business=business_of(request), customer_id=customer_id)
    records = list(ConsentRecord.objects.filter(customer=customer).order_by("-at", "-id"))
    return {"items": records, "count": len(records)}
