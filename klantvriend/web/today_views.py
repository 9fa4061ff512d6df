"""The Today page: everything that needs doing today, each actionable in one click."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klantvriend.customers.selectors import customer_count
from klantvriend.insights.selectors import slipping_away
from klantvriend.today.selectors import LISTS, SHOWN, today_list

from .care_responses import today_figures
from .views import member_required


@member_required
def today(request: HttpRequest) -> HttpResponse:
    """A fixed number of queries whatever the size of the business: each list is one query with
    its customers joined, and each figure one or two."""
    business = request.business
    # ?show=overdue shows that list whole (up to its limit) instead of its first rows.
    whole = request.GET.get("show", "")
    whole = whole if whole in LISTS else ""
    context = {
        "today": today_list(business=business, rows=SHOWN, whole=whole),
        "whole": whole,
        **today_figures(business),
        "slipping_away": slipping_away(business=business),
        # A brand-new shop sees only empty cards: say where to begin instead.
        "getting_started": customer_count(business=business) == 0,
    }
    context["day"] = context["today"].day
    return render(request, "web/today.html", context)
