"""Referrals: who was referred by whom, and what the referred customers bought. The referrer
itself is set on the customer (`referred_by` in /customers), where self-referral, circles and
other businesses' customers are refused."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router
from pydantic import Field

from klantvriend.referrals.selectors import referred_customer_list

from .common import (
    CENTS_SAID,
    COUNT_SAID,
    ERRORS,
    ITEMS_SAID,
    ObjectId,
    Out,
    Pagination,
    business_of,
    sees_amounts,
)

router = Router(tags=["referrals"])


class ReferralOut(Out):
    customer: int = Field(..., description="The id of the customer who was referred.")
    customer_name: str = Field(..., description="Their name.")
    referred_by: int = Field(..., description="The id of the customer who referred them.")
    referred_by_name: str = Field(..., description="The referrer's name.")
    customer_since: date = Field(
        ..., description="The day the referred customer became a customer (ISO date)."
    )
    spend_cents: int | None = Field(
        ...,
        description=f"Every purchase of the referred customer so far. {CENTS_SAID} Null to "
        "staff while the owner keeps amounts from them (care settings' staff_see_amounts), as "
        "a customer's total_spend_cents.",
    )


class ReferralPage(Out):
    items: list[ReferralOut] = Field(..., description=ITEMS_SAID)
    count: int = Field(..., description=COUNT_SAID)


@router.get(
    "",
    response={200: ReferralPage, **ERRORS},
    summary="List referrals",
    description="The customers who were referred by another, the newest customer first, of "
    "every referrer or of one (`referred_by`). A referrer is set with a customer's "
    "`referred_by`.",
)
def list_referrals(
    request: HttpRequest, page: Query[Pagination], referred_by: ObjectId | None = None
):
    referred = referred_customer_list(business=business_of(request), referrer_id=referred_by)
    amounts = sees_amounts(request)
    return {
        "items": [
            {
                "customer": customer.pk,
                "customer_name": customer.name,
                "referred_by": customer.referred_by_id,
                "referred_by_name": customer.referred_by.name,
                "customer_since": customer.customer_since,
                "spend_cents": customer.spend_cents if amounts else None,
            }
            for customer in referred[page.offset : page.offset + page.limit]
        ],
        "count": referred.count(),
    }
