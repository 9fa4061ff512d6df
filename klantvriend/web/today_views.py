"""The Today page: everything that needs doing today, each actionable in one click."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from klantvriend.customers.selectors import customer_count
from klantvriend.gestures.selectors import occasion_customer_count
from klantvriend.insights.selectors import slipping_away
from klantvriend.today.selectors import LIMIT, LISTS, SHOWN, today_list

from .care_responses import today_figures
from .views import CountedPaginator, member_required


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
    occasions_page = None
    if whole == "occasions":
        customers = occasion_customer_count(business=business, day=business.local(now).date())
        occasions_page = CountedPaginator(range(customers), LIMIT, count=customers).get_page(
            request.GET.get("page")
        )
    context = {
        "today": today_list(
            business=business,
            now=now,
            rows=SHOWN,
            whole=whole,
            occasions_from=(occasions_page.number - 1) * LIMIT if occasions_page else 0,
        ),
        "whole": whole,
        "page": occasions_page,
        **today_figures(business),
        "slipping_away": slipping_away(business=business),
        # A brand-new shop sees only empty cards: say where to begin instead.
        "getting_started": customer_count(business=business) == 0,
    }
    context["day"] = context["today"].day
    return render(request, "web/today.html", context)
