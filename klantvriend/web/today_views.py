"""The Today page: everything that needs doing today, each actionable in one click."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klantvriend.insights.selectors import slipping_away
from klantvriend.today.selectors import today_list

from .care_forms import ResolveForm
from .care_responses import today_figures
from .views import member_required


@member_required
def today(request: HttpRequest) -> HttpResponse:
    """A fixed number of queries whatever the size of the business: each list is one query with
    its customers joined, and each figure one or two."""
    business = request.business
    context = {
        "today": today_list(business=business),
        "resolve_form": ResolveForm(),
        **today_figures(business),
        "slipping_away": slipping_away(business=business),
    }
    context["day"] = context["today"].day
    return render(request, "web/today.html", context)
