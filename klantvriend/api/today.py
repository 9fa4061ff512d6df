from datetime import date

from django.http import HttpRequest
from ninja import Field, Router

from klantvriend.today.selectors import LISTS, today_list

from .common import ERRORS, Out, business_of
from .complaints import ComplaintOut, complaint_out
from .follow_ups import FollowUpOut, follow_up_out
from .promises import PromiseOut, promise_out

router = Router(tags=["today"])


class OccasionOut(Out):
    customer: int
    customer_name: str
    occasion: str
    years: int | None
    congratulated: bool


class TodayTotalsOut(Out):
    """How long each list is; the lists themselves hold at most 50 items."""

    overdue: int
    due_today: int
    follow_ups: int
    complaints: int
    occasions: int


class TodayOut(Out):
    day: date
    totals: TodayTotalsOut
    overdue: list[PromiseOut] = Field(
        description="Open promises due on an earlier day of the last 7 days, oldest first."
    )
    due_today: list[PromiseOut] = Field(
        description="Every open promise due on `day` (the business's local date) in time "
        "order, those whose moment has passed among them (status `overdue` or `broken`); a "
        "promise for the day is due at the day's end."
    )
    follow_ups: list[FollowUpOut]
    complaints: list[ComplaintOut]
    occasions: list[OccasionOut]


@router.get(
    "",
    response={200: TodayOut, **ERRORS},
    summary="What needs doing today: the lists of the Today page",
)
def today(request: HttpRequest):
    listing = today_list(business=business_of(request))
    return {
        "day": listing.day,
        "totals": {name: getattr(listing, name).total for name in LISTS},
        "overdue": [promise_out(view) for view in listing.overdue.items],
        "due_today": [promise_out(view) for view in listing.due_today.items],
        "follow_ups": [follow_up_out(item, today=listing.day) for item in listing.follow_ups.items],
        "complaints": [complaint_out(view) for view in listing.complaints.items],
        "occasions": [
            {
                "customer": item.customer.pk,
                "customer_name": item.customer.name,
                "occasion": str(item.occasion),
                "years": item.years,
                "congratulated": item.congratulated,
            }
            for item in listing.occasions.items
        ],
    }
