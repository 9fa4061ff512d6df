from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.core.money import MAX_CENTS
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Purchase

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
    require_owner,
)
from .contact_moments import customer_for_write
from .versions import IfMatch, expected_versions, with_etag

router = Router(tags=["purchases"])


class PurchaseOut(Out):
    id: int
    customer: int = Field(..., validation_alias="customer_id")
    at: datetime
    amount_cents: int
    currency: str
    description: str
    external_ref: str
    created_at: datetime


class PurchaseCreate(Input):
    customer: StrictInt
    amount_cents: StrictInt = Field(
        ..., ge=0, le=MAX_CENTS, description="Amount in cents: 1250 is 12.50"
    )
    at: Moment | None = None
    currency: str = Field(
        "",
        max_length=3,
        description="The business's currency (ISO 4217, in any capitals: eur is EUR); left "
        "out, the business's. Another is refused (422, type other_currency).",
    )
    description: str = Field("", max_length=300)
    external_ref: str = Field(
        "",
        max_length=100,
        description="Receipt number. Send one to make a retry safe: a second purchase with the "
        "same number is refused (422, type unique, on external_ref), so a sale is counted once.",
    )


class PurchasePage(Out):
    items: list[PurchaseOut]
    count: int


@router.get("", response={200: PurchasePage, **ERRORS}, summary="List purchases")
def list_purchases(request: HttpRequest, page: Query[Pagination], customer: ObjectId | None = None):
    purchases = selectors.purchase_list(business=business_of(request), customer_id=customer)
    return {
        "items": list(purchases[page.offset : page.offset + page.limit]),
        "count": purchases.count(),
    }


@router.post("", response={201: PurchaseOut, **WRITE_ERRORS}, summary="Record a purchase")
def create_purchase(request: HttpRequest, payload: PurchaseCreate, response: HttpResponse):
    customer = customer_for_write(request, payload.customer)
    purchase = services.purchase_create(
        customer=customer,
        amount_cents=payload.amount_cents,
        at=payload.at,
        currency=payload.currency,
        description=payload.description,
        external_ref=payload.external_ref,
    )
    return Status(201, with_etag(response, purchase))


@router.get("/{purchase_id}", response={200: PurchaseOut, **ERRORS}, summary="Get a purchase")
def get_purchase(request: HttpRequest, purchase_id: int, response: HttpResponse):
    purchase = selectors.purchase_get(business=business_of(request), purchase_id=purchase_id)
    return with_etag(response, purchase)


class PurchaseUpdate(Patch):
    edits = Purchase

    amount_cents: StrictInt | None = Field(None, ge=0, le=MAX_CENTS)
    at: Moment | None = None
    description: str | None = Field(None, max_length=300)
    external_ref: str | None = Field(None, max_length=100)


@router.patch(
    "/{purchase_id}", response={200: PurchaseOut, **CHANGE_ERRORS}, summary="Correct a purchase"
)
def update_purchase(
    request: HttpRequest,
    purchase_id: int,
    payload: PurchaseUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    purchase = selectors.purchase_get(business=business_of(request), purchase_id=purchase_id)
    purchase = services.purchase_update(
        purchase=purchase,
        actor=actor_of(request),
        expected_versions=expected_versions(if_match),
        **payload.dict(exclude_unset=True),
    )
    return with_etag(response, purchase)


@router.delete(
    "/{purchase_id}",
    response={204: None, **OWNER_CHANGE_ERRORS},
    summary="Delete a purchase recorded by mistake (owners)",
)
def delete_purchase(request: HttpRequest, purchase_id: int, if_match: IfMatch = None):
    purchase = selectors.purchase_get(business=business_of(request), purchase_id=purchase_id)
    require_owner(request)
    services.purchase_delete(
        purchase=purchase,
        actor=actor_of(request),
        expected_versions=expected_versions(if_match),
    )
    return Status(204, None)
