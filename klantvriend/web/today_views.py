"""The Today page: everything that needs doing today, each actionable in one click."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from klantvriend.core.accounts import account_today_only_mine_set
from klantvriend.core.members import member_users
from klantvriend.core.services import business_getting_started_close
from klantvriend.customers.models import ImportantDate
from klantvriend.customers.privacy_requests import privacy_requests_due
from klantvriend.customers.selectors import (
    coming_date,
    coming_dates,
    coming_dates_called,
    coming_up_days,
    customer_get,
    important_date_get,
    important_dates_coming,
)
from klantvriend.customers.services import important_date_called, important_date_called_undo
from klantvriend.gestures.selectors import occasion_customer_count
from klantvriend.insights.selectors import predicts_leaving, slipping_away
from klantvriend.promises.selectors import agenda_counts
from klantvriend.today.selectors import (
    LIMIT,
    LISTS,
    SHOWN,
    GettingStarted,
    birthdays_coming_up,
    closures_coming,
    coming_up,
    getting_started,
    today_list,
)

from .care_responses import first_error, profile_response, today_figures
from .views import CountedPaginator, member_required, owner_required

# The open privacy requests Today names, the soonest due first; the rest are a link away.
PRIVACY_REQUESTS_SHOWN = 3
# The birthdays coming up Today names under the important dates; the rest are on their page.
BIRTHDAYS_SHOWN = 5


@member_required
def today(request: HttpRequest) -> HttpResponse:
    """A fixed number of queries whatever the size of the business: each list is one query with
    its customers joined, and each figure one or two."""
    business = request.business
    # ?show=overdue shows that list whole (up to its limit) instead of its first rows.
    whole = request.GET.get("show", "")
    whole = whole if whole in LISTS else ""
    # Today's occasions whole are paged by customer (one may celebrate twice): some 270
    # birthdays fall on one day at 100,000 customers.
    now = timezone.now()
    # "Only mine": the promises this member made and the follow-ups assigned to them, for a
    # shop of several where each keeps their own word; as they chose it last (today_whose).
    mine = request.membership.today_only_mine
    member_id = request.user.pk if mine else None
    occasions_page = None
    if whole == "occasions":
        customers = occasion_customer_count(business=business, day=business.local(now).date())
        occasions_page = CountedPaginator(range(customers), LIMIT, count=customers).get_page(
            request.GET.get("page")
        )
    slipping = slipping_away(business=business)
    context = {
        "today": today_list(
            business=business,
            now=now,
            rows=SHOWN,
            whole=whole,
            occasions_from=(occasions_page.number - 1) * LIMIT if occasions_page else 0,
            member_id=member_id,
        ),
        "mine": mine,
        # The lists Today's rows open to, of the same member.
        "member_query": f"&member={member_id}" if mine else "",
        # The choice is offered where there is someone else's to leave out.
        "several_members": mine or member_users(business=business).count() > 1,
        "whole": whole,
        "page": occasions_page,
        **today_figures(business),
        "slipping_away": slipping,
        # Asked only when none is listed (one query more).
        "slipping_predicted": bool(slipping.items) or predicts_leaving(business=business),
        "promise_counts": agenda_counts(business=business, now=now, made_by_id=member_id),
        "coming_up": coming_up(business=business, day=business.local(now).date()),
        "closures": closures_coming(business=business, day=business.local(now).date()),
        "birthdays_coming": birthdays_coming_up(
            business=business, day=business.local(now).date(), rows=BIRTHDAYS_SHOWN
        ),
        "coming_up_days": coming_up_days(business),
        # A new shop sees only empty cards: say where to begin, until it has begun everywhere.
        "getting_started": _getting_started(request),
        # The month the law gives to answer a customer's privacy request is the owner's to keep;
        # staff never see the requests.
        "privacy_requests": privacy_requests_due(business=business, limit=PRIVACY_REQUESTS_SHOWN)
        if request.membership.is_owner
        else None,
    }
    context["day"] = context["today"].day
    return render(request, "web/today.html", context)


@member_required
def coming_up_list(request: HttpRequest) -> HttpResponse:
    """Every important date coming up, Today's section whole: fifty a page, counted once, and
    once more for those called about."""
    business = request.business
    day = business.today()
    days = coming_up_days(business)
    dates = important_dates_coming(business=business, day=day)
    page = Paginator(dates, LIMIT).get_page(request.GET.get("page"))
    total = page.paginator.count
    called = coming_dates_called(dates, business=business, day=day) if total else 0
    context = {
        "day": day,
        "until": day + timedelta(days=days),
        "coming_up_days": days,
        "page": page,
        "dates": coming_dates(page.object_list, business=business, day=day),
        "called": called,
        "to_call": total - called,
        "birthdays_coming": birthdays_coming_up(business=business, day=day, rows=LIMIT),
    }
    return render(request, "web/coming_up.html", context)


@member_required
@require_POST
def coming_date_called(request: HttpRequest, important_date_id: int) -> HttpResponse:
    """ "Called" on a date coming up: recorded as a call on the customer's timeline, and the
    row then says so, so that nobody calls twice."""
    important = important_date_get(business=request.business, important_date_id=important_date_id)
    try:
        important_date_called(important_date=important, member=request.user)
    except ValidationError as refused:
        return _coming_row(request, important, error=first_error(refused))
    return _coming_row(request, important, called_now=True)


@member_required
@require_POST
def coming_date_called_undo(request: HttpRequest, important_date_id: int) -> HttpResponse:
    """ "Called" tapped by mistake, taken back: the call leaves the customer's timeline and
    the row offers "Called" again."""
    important = important_date_get(business=request.business, important_date_id=important_date_id)
    try:
        important_date_called_undo(important_date=important, actor=request.user)
    except ValidationError as refused:
        return _coming_row(request, important, error=first_error(refused))
    return _coming_row(request, important, undone=True)


def _coming_row(
    request: HttpRequest,
    important: ImportantDate,
    *,
    error: str = "",
    called_now: bool = False,
    undone: bool = False,
) -> HttpResponse:
    """The row of a date coming up after "Called" or its undo (htmx), or the list it came
    from, saying there what was refused; or the customer's profile, where the date is listed
    with the customer's others."""
    if request.POST.get("from") == "profile":
        customer = customer_get(business=request.business, customer_id=important.customer_id)
        return profile_response(
            request,
            customer,
            status=422 if error else 200,
            important_date_refused={important.pk: error} if error else None,
        )
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("web:coming_up" if request.POST.get("from") == "coming-up" else "web:today")
    business = request.business
    day = business.today()
    coming = coming_date(important_date=important, business=business, day=day)
    if coming is None:  # a page left open past the day: the date no longer comes up
        return HttpResponse("")
    return render(
        request,
        "web/partials/coming_date_row.html",
        {
            "coming": coming,
            "day": day,
            "error": error,
            "called_now": called_now,
            "undone": undone,
            "from_list": request.POST.get("from") == "coming-up",
        },
        status=422 if error else 200,
    )


def _getting_started(request: HttpRequest) -> GettingStarted | None:
    card = getting_started(business=request.business, membership=request.membership)
    if card is not None and card.finished:
        # Done is done: a member who leaves later does not bring the card back.
        business_getting_started_close(business=request.business)
        return None
    return card


@member_required
@require_POST
def today_whose(request: HttpRequest) -> HttpResponse:
    """The member's choice between their own promises and follow-ups and the whole shop's,
    kept for the days after."""
    account_today_only_mine_set(membership=request.membership, on=request.POST.get("mine") == "1")
    return redirect("web:today")


@owner_required
@require_POST
def getting_started_hide(request: HttpRequest) -> HttpResponse:
    """The owner needs no checklist (a shop alone, its hours as they come): it goes for good,
    for every member."""
    business_getting_started_close(business=request.business)
    return redirect("web:today")
