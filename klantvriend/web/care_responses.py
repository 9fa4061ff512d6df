"""How the care actions answer: the same buttons live on the customer profile and on the Today
page. On the profile an action re-renders the live part of the profile (briefing card, open
items, lists, timeline); on Today it re-renders only its own row plus the figures (as an htmx
out-of-band swap), so the list does not jump while someone works through it."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from klantvriend.aftercare.selectors import follow_up_coverage
from klantvriend.complaints.selectors import complaint_figures
from klantvriend.insights.scorecard import FIGURES_CACHE_SECONDS, customer_scorecard_forget
from klantvriend.promises.selectors import promise_reliability

from .views import _profile_context


def from_today(request: HttpRequest) -> bool:
    return request.POST.get("from") == "today"


def profile_response(request: HttpRequest, customer, *, status: int = 200, **forms) -> HttpResponse:
    if not request.htmx and status == 200:
        return redirect("web:customer_detail", customer_id=customer.pk)
    context = _profile_context(request, customer, **forms)
    template = (
        "web/customer_detail.html#profile-live" if request.htmx else "web/customer_detail.html"
    )
    return render(request, template, context, status=status)


def today_figures(business, *, fresh: bool = False) -> dict:
    """Today's figures as computed at most a minute ago (FIGURES_CACHE_SECONDS). After an action
    they are computed afresh, and the scorecard's forgotten, so whoever just kept a promise sees
    it counted at once on both pages."""
    key = f"today-figures:{business.pk}"
    if fresh:
        customer_scorecard_forget(business=business)
    else:
        cached = cache.get(key)
        if cached is not None:
            return cached
    now = timezone.now()
    figures = {
        "reliability": promise_reliability(business=business, now=now, detail=False),
        "complaint_figures": complaint_figures(business=business, now=now),
        "coverage": follow_up_coverage(business=business),
    }
    cache.set(key, figures, FIGURES_CACHE_SECONDS)
    return figures


def today_row_response(
    request: HttpRequest, row: str, context: dict, *, status: int = 200
) -> HttpResponse:
    if not request.htmx:
        return redirect("web:today")
    context = {
        **context,
        **today_figures(request.business, fresh=True),
        "day": request.business.today(),
        "oob": True,
    }
    html = render_to_string(f"web/today.html#{row}", context, request=request)
    html += render_to_string("web/today.html#figures", context, request=request)
    return HttpResponse(html, status=status)


def first_error(error) -> str:
    messages = getattr(error, "messages", None) or [str(error)]
    return str(messages[0])
