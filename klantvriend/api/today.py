from datetime import date

from django.http import HttpRequest
from ninja import Field, Router

from klantvriend.today.selectors import LISTS, today_list

from .common import CUSTOMER_SAID, ERRORS, Out, business_of
from .complaints import ComplaintOut, complaint_out
from .follow_ups import FollowUpOut, follow_up_out
from .promises import PromiseOut, promise_out

router = Router(tags=["today"])


class OccasionOut(Out):
    customer: int = Field(..., description=CUSTOMER_SAID)
    customer_name: str = Field(..., description="The customer's name.")
    occasion: str = Field(
        ...,
        description="birthday, or anniversary (of the day they became a customer, when known).",
    )
    years: int | None = Field(
        ..., description="How many years: their age, or how long they have been a customer."
    )
    congratulated: bool = Field(
        ..., description="Whether a birthday or anniversary gesture was given to them today."
    )


class TodayTotalsOut(Out):
    """How long each list is; the lists themselves hold at most 50 items."""

    overdue: int = Field(..., description="How many promises are in `overdue` in all.")
    due_today: int = Field(..., description="How many promises are in `due_today` in all.")
    follow_ups: int = Field(..., description="How many follow-ups are in `follow_ups` in all.")
    complaints: int = Field(..., description="How many complaints are in `complaints` in all.")
    occasions: int = Field(..., description="How many occasions are in `occasions` in all.")


class TodayOut(Out):
    day: date = Field(..., description="Today in the business's time zone (ISO date).")
    totals: TodayTotalsOut = Field(
        ..., description="How long each list is in all; each list gives its first 50."
    )
    overdue: list[PromiseOut] = Field(
        description="Open promises due on an earlier day of the last 7 days, oldest first."
    )
    due_today: list[PromiseOut] = Field(
        description="Every open promise due on `day` (the business's local date) in time "
        "order, those whose moment has passed among them (status `overdue` or `broken`); a "
        "promise for the day is due at the day's end."
    )
    follow_ups: list[FollowUpOut] = Field(
        description="Open follow-ups planned for today or the two weeks before, the longest "
        "waiting first: the calls to make."
    )
    complaints: list[ComplaintOut] = Field(
        description="Unresolved complaints, the one whose running clock ends first on top."
    )
    occasions: list[OccasionOut] = Field(
        description="Birthdays and customer anniversaries of today, of the customers who agreed "
        "to hear from the business (marketing consent), by name."
    )


@router.get(
    "",
    response={200: TodayOut, **ERRORS},
    summary="What needs doing today: the lists of the Today page",
    description="The promises overdue or due today, the follow-ups due, the complaints waiting "
    "and today's birthdays and anniversaries, as the web's Today page shows them for the "
    "whole shop. Read only; each list holds at most 50, `totals` says how many there are.",
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
