from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from pydantic import Field, StrictInt

from klantvriend.core.models import AuditEvent
from klantvriend.core.money import MAX_CENTS
from klantvriend.customers import selectors, services
from klantvriend.customers.models import Purchase

from .common import (
    CENTS_SAID,
    CHANGE_ERRORS,
    COUNT_SAID,
    CREATED_AT_SAID,
    CUSTOMER_SAID,
    ERRORS,
    ID_SAID,
    ITEMS_SAID,
    OWNER_CHANGE_ERRORS,
    OWNER_ERRORS,
    PAST_MOMENT_SAID,
    WRITE_ERRORS,
    ChangesSince,
    ExactMoment,
    Input,
    Moment,
    ObjectId,
    Out,
    Pagination,
    Patch,
    RemovedOut,
    RemovedSince,
    actor_of,
    business_of,
    changes_page,
    feed_page,
    record_of_path,
    refuse_mixed_sync,
    require_owner,
    require_owner_unless_looked_up,
    with_location,
)
from .contact_moments import customer_for_write, refusals_of_new_record
from .versions import IfMatch, expected_versions, with_etag

router = Router(tags=["purchases"])

MEMBER_HELP = (
    "User id of the member who served the customer (GET /api/v1/members lists them); left out "
    "or null, no one is named. Anyone who does not work in the business is refused (422, type "
    "not_member)."
)
AT_SAID = f"When the customer bought. {PAST_MOMENT_SAID}"
AMOUNT_SAID = (
    f"What the customer paid, never negative (a return or refund is refused). {CENTS_SAID}"
)
DESCRIPTION_SAID = "What was bought, at most 300 characters; empty for nothing said."
EXTERNAL_REF_SAID = (
    "The receipt number, at most 100 characters; empty for none. Unique in the business: "
    "a number another purchase has is refused (422, type unique, with that purchase's "
    "existing_id)."
)


class PurchaseOut(Out):
    id: int = Field(..., description=ID_SAID)
    customer: int = Field(..., validation_alias="customer_id", description=CUSTOMER_SAID)
    at: datetime = Field(..., description=AT_SAID)
    time_known: bool = Field(
        ...,
        description="False for a purchase imported from a file that gave its date alone: `at` "
        "is then noon of that day in the business's time zone, no time anyone saw. A purchase "
        "recorded here or through the API has its time (`at` needs one), and correcting `at` "
        "makes it known.",
    )
    amount_cents: int = Field(..., description=AMOUNT_SAID)
    currency: str = Field(
        ..., description="The currency of amount_cents (ISO 4217): the business's, such as EUR."
    )
    description: str = Field(..., description=DESCRIPTION_SAID)
    external_ref: str = Field(..., description=EXTERNAL_REF_SAID)
    member: int | None = Field(
        ..., validation_alias="member_id", description="User id of the member who served it."
    )
    created_at: datetime = Field(..., description=CREATED_AT_SAID)
    updated_at: ExactMoment = Field(
        ...,
        description="When anything shown here last changed (recorded, corrected, moved to the "
        "kept customer of a merge, its description scrubbed when the customer was "
        'anonymised). The `changed_since` of a sync ("Syncing" in the API\'s description).',
    )


class PurchaseCreate(Input):
    customer: StrictInt = Field(..., description=CUSTOMER_SAID)
    amount_cents: StrictInt = Field(..., ge=0, le=MAX_CENTS, description=AMOUNT_SAID)
    at: Moment | None = Field(
        None, description=f"{AT_SAID} A date alone is refused; left out, now."
    )
    currency: str = Field(
        "",
        max_length=3,
        description="The business's currency (ISO 4217, in any capitals: eur is EUR); left "
        "out, the business's. Another is refused (422, type other_currency).",
    )
    description: str = Field("", max_length=300, description=DESCRIPTION_SAID)
    external_ref: str = Field(
        "",
        max_length=100,
        description=f"{EXTERNAL_REF_SAID} Send one to make a retry safe: the sale is counted once.",
    )
    member: StrictInt | None = Field(None, description=MEMBER_HELP)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        return refusals_of_new_record(
            request, fields, services.purchase_create_refusals, amount_cents=0
        )


class PurchasePage(Out):
    items: list[PurchaseOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


class PurchaseFilters(ChangesSince):
    customer: ObjectId | None = Field(None, description="Only the purchases of this customer.")
    external_ref: str = Field(
        "",
        max_length=100,
        description="A receipt number, as sent: the sale that has it, or none. The way a till "
        "checks that a sale arrived.",
    )


@router.get(
    "",
    response={200: PurchasePage, **OWNER_ERRORS},
    summary="List purchases, or those changed since a moment",
    description="Newest first, of every customer or of one (`customer`), or the sale of a "
    "receipt number (`external_ref`); with `changed_since`, "
    "the purchases changed since that moment, in the order they changed "
    '("Syncing" in the API\'s description). A staff token looks purchases up with '
    "`customer` or `external_ref`; the whole list and its changes are an export, an owner's "
    "(403).",
)
def list_purchases(request: HttpRequest, page: Query[Pagination], filters: Query[PurchaseFilters]):
    require_owner_unless_looked_up(
        request,
        # A blank receipt number would list the purchases recorded without one.
        looked_up=filters.changed_since is None
        and (filters.customer is not None or bool(filters.external_ref.strip())),
        lookups="customer, external_ref",
    )
    refuse_mixed_sync(
        page,
        filters,
        customer=filters.customer is not None,
        external_ref=bool(filters.external_ref),
    )
    if filters.changed_since is not None:
        return changes_page(request, page, filters, selectors.purchases_changed)
    purchases = selectors.purchase_list(
        business=business_of(request),
        customer_id=filters.customer,
        receipt=filters.external_ref,
    )
    return feed_page(purchases, page)


class RemovedPurchasePage(Out):
    items: list[RemovedOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


def _removed_purchases(events: list[AuditEvent]) -> list[dict]:
    return [{"id": event.object_id, "removed_at": event.at} for event in events]


@router.get(
    "/removed",
    response={200: RemovedPurchasePage, **OWNER_ERRORS},
    summary="Purchases deleted since a moment (owners)",
    description="For a copy kept elsewhere: these ids are gone, deleted as recorded by mistake. "
    "A purchase of a customer merged into another moves to that customer, and one of an "
    "anonymised customer stays: both are changes (`GET /purchases?changed_since=`). "
    '"Syncing" in the API\'s description.',
)
def list_removed_purchases(
    request: HttpRequest, page: Query[Pagination], since: Query[RemovedSince]
):
    require_owner(request)
    events = selectors.purchases_removed(business=business_of(request), since=since.since)
    return feed_page(events, page, read=_removed_purchases)


@router.post(
    "",
    response={201: PurchaseOut, **WRITE_ERRORS},
    summary="Record a purchase",
    description="A sale of the till or web shop to a customer, in whole cents. Send its "
    "receipt number (`external_ref`): a retry of a sale that did arrive is refused with 422 "
    "`unique` and the purchase's `existing_id`, so that it is counted once (compare its "
    "`customer` and `amount_cents` before carrying on with it). An anonymised customer is "
    "refused (409 `anonymised`).",
)
def create_purchase(request: HttpRequest, payload: PurchaseCreate, response: HttpResponse):
    customer = customer_for_write(request, payload.customer)
    purchase = services.purchase_create(
        customer=customer,
        amount_cents=payload.amount_cents,
        at=payload.at,
        currency=payload.currency,
        description=payload.description,
        external_ref=payload.external_ref,
        member=payload.member,
    )
    return Status(201, with_etag(response, with_location(response, "get_purchase", purchase)))


@router.get(
    "/{purchase_id}",
    response={200: PurchaseOut, **ERRORS},
    summary="Get a purchase",
    description="With its version as the `ETag`, for the `If-Match` of a correction.",
)
def get_purchase(request: HttpRequest, purchase_id: int, response: HttpResponse):
    purchase = selectors.purchase_get(business=business_of(request), purchase_id=purchase_id)
    return with_etag(response, purchase)


class PurchaseUpdate(Patch):
    edits = Purchase

    amount_cents: StrictInt | None = Field(None, ge=0, le=MAX_CENTS, description=AMOUNT_SAID)
    at: Moment | None = Field(
        None, description=f"{AT_SAID} Moving it makes the time known (`time_known`)."
    )
    description: str | None = Field(None, max_length=300, description=DESCRIPTION_SAID)
    external_ref: str | None = Field(None, max_length=100, description=EXTERNAL_REF_SAID)
    member: StrictInt | None = Field(None, description=MEMBER_HELP)

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        purchase = record_of_path(request, selectors.purchase_get, "purchase_id")
        return (
            {}
            if purchase is None
            else services.purchase_update_refusals(purchase=purchase, **fields)
        )


@router.patch(
    "/{purchase_id}",
    response={200: PurchaseOut, **CHANGE_ERRORS},
    summary="Correct a purchase",
    description="Only the fields sent change, and the correction is kept in the audit trail "
    "with who made it; a sale taken back in part is a lower `amount_cents`. With `If-Match`, "
    "412 when the purchase changed since it was read.",
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
    description="Also a sale taken back whole. The audit trail keeps what the purchase was and "
    "who deleted it, and its id is listed by `GET /purchases/removed`. Owners only (403 for "
    "staff); with `If-Match`, 412 when it changed since it was read.",
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
