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
    ERRORS,
    OWNER_ERRORS,
    OWNER_WRITE_ERRORS,
    Out,
    actor_of,
    business_of,
    require_owner,
)

router = Router(tags=["privacy"])


class ErasedOut(Out):
    id: int
    name: str
    erased_at: datetime


class ConsentOut(Out):
    kind: str
    given: bool
    basis: str
    at: datetime
    source: str = Field(
        ...,
        description="Where it was recorded: web (the customer form), api, import or erasure; "
        "empty on records the customer form made before it named itself.",
    )


class ConsentPage(Out):
    items: list[ConsentOut]
    count: int


@router.get(
    "/{customer_id}/export",
    response={200: dict[str, Any], **OWNER_ERRORS},
    summary="Everything stored about one customer (access request, AVG art. 15/20)",
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
)
def erase_customer(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(business=business_of(request), customer_id=customer_id)
    require_owner(request)
    return customer_erase(customer=customer, actor=actor_of(request))


@router.get(
    "/{customer_id}/consents",
    response={200: ConsentPage, **ERRORS},
    summary="History of a customer's consent, with legal basis and moments",
)
def list_consents(request: HttpRequest, customer_id: int):
    customer = selectors.customer_get(business=business_of(request), customer_id=customer_id)
    records = list(ConsentRecord.objects.filter(customer=customer).order_by("-at", "-id"))
    return {"items": records, "count": len(records)}
