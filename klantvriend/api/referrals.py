"""Referrals: who was referred by whom, and what the referred customers bought. The referrer
itself is set on the customer (`referred_by` in /customers), where self-referral, circles and
other businesses' customers are refused."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router

from klantvriend.referrals.selectors import referred_customer_list

from .common import ERRORS, ObjectId, Out, Pagination, business_of

router = Router(tags=["referrals"])


class ReferralOut(Out):
    customer: int
    customer_name: str
    referred_by: int
    referred_by_name: str
    customer_since: date
    spend_cents: int


class ReferralPage(Out):
    items: list[ReferralOut]
    count: int


@router.get("", response={200: ReferralPage, **ERRORS}, summary="List referrals")
def list_referrals(
    request: HttpRequest, page: Query[Pagination], referred_by: ObjectId | None = None
):
    referred = referred_customer_list(business=business_of(request), referrer_id=referred_by)
    return {
        "items": [
            {
                "customer": customer.pk,
                "customer_name": customer.name,
                "referred_by": customer.referred_by_id,
                "referred_by_name": customer.referred_by.name,
                "customer_since": customer.customer_since,
                "spend_cents": customer.spend_cents,
            }
            for customer in referred[page.offset : page.offset + page.limit]
        ],
        "count": referred.count(),
    }
