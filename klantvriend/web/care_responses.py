"""How the care actions answer: the same buttons live on the customer profile and on the Today
page. On the profile an action re-renders the live part of the profile (briefing card, open
items, lists, timeline); on Today it re-renders only its own row plus the figures (as an htmx
out-of-band swap), so the list does not jump while someone works through it."""

from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from klantvriend.aftercare.selectors import follow_up_coverage
from klantvriend.complaints.selectors import complaint_figures
from klantvriend.insights.scorecard import FIGURES_CACHE_SECONDS, customer_scorecard_forget
from klantvriend.promises.selectors import promise_trend

from .views import _profile_context


def from_today(request: HttpRequest) -> bool:
    return request.POST.get("from") == "today"


def profile_response(
    request: HttpRequest, customer, *, status: int = 200, saved: tuple[str, str] = ("", ""), **forms
) -> HttpResponse:
    """The profile after a care action. `saved` is (kind, message) after a new promise,
    complaint, follow-up or gesture: the message shows in that kind's card, where its form just
    closed (the new row may be out of sight on a phone), or at the top after a redirect."""
    kind, message = saved
    if request.method == "POST" and status < 300:
        # A promise kept or a complaint answered on the card: Today's figures and the
        # scorecard count it at once, as after a step taken on Today (today_figures).
        figures_forget(request.business)
    if not request.htmx and status == 200:
        if message:
            messages.success(request, message)
        return redirect("web:customer_detail", customer_id=customer.pk)
    if message:
        forms["care_saved"] = {kind: message}
    context = _profile_context(request, customer, **forms)
    template = (
        "web/customer_detail.html#profile-live" if request.htmx else "web/customer_detail.html"
    )
    return render(request, template, context, status=status)


# Today's figures, each computed by its own read; and which of them a step taken in a row of
# Today can change. Keeping a promise changes the reliability, answering or resolving a
# complaint the complaint figures (the follow-up a resolve plans is not judged before its day),
# a follow-up's outcome the aftercare coverage; a congratulation none of them. Only that figure
# is computed afresh after the step: all three took 100 to 250 ms at 100,000 customers.
TODAY_FIGURES = {
    "promise_trend": lambda business, now: promise_trend(business=business, now=now),
    "complaint_figures": lambda business, now: complaint_figures(business=business, now=now),
    "coverage": lambda business, now: follow_up_coverage(
        business=business, today=business.local(now).date()
    ),
}
ROW_FIGURES = {
    "promise-row": {"promise_trend"},
    "complaint-row": {"complaint_figures"},
    "follow-up-row": {"coverage"},
    "occasion-row": set(),
}


def _today_figures_key(business) -> str:
    return f"today-figures:{business.pk}"


def figures_forget(business) -> None:
    """Drops Today's figures and the scorecard computed before a step taken elsewhere (the
    card): a promise kept there left Today's "100% kept on time" for up to a minute beside
    the reliability page's 50%."""
    cache.delete(_today_figures_key(business))
    customer_scorecard_forget(business=business)


def today_figures(business, *, fresh: frozenset[str] | set[str] = frozenset()) -> dict:
    """Today's figures, each as computed at most a minute ago (FIGURES_CACHE_SECONDS). Those
    named in `fresh`, which a step just taken changes, are computed afresh, and the scorecard's
    forgotten, so whoever just kept a promise sees it counted at once on both pages. Each figure
    keeps the moment it was computed: one refreshed by a step does not keep the others longer."""
    key = _today_figures_key(business)
    now = timezone.now()
    if fresh:
        customer_scorecard_forget(business=business)
    kept = cache.get(key) or {}
    oldest = now - timedelta(seconds=FIGURES_CACHE_SECONDS)
    stale = [
        name
        for name in TODAY_FIGURES
        if name in fresh or name not in kept or kept[name][0] < oldest
    ]
    if stale:
        kept = {**kept, **{name: (now, TODAY_FIGURES[name](business, now)) for name in stale}}
        cache.set(key, kept, FIGURES_CACHE_SECONDS)
    return {name: figure for name, (_computed, figure) in kept.items()}


def today_row_response(
    request: HttpRequest, row: str, context: dict, *, status: int = 200
) -> HttpResponse:
    if not request.htmx:
        return redirect("web:today")
    context = {
        **context,
        **today_figures(request.business, fresh=ROW_FIGURES[row]),
        "day": request.business.today(),
        "oob": True,
    }
    html = render_to_string(f"web/today.html#{row}", context, request=request)
    html += render_to_string("web/today.html#figures", context, request=request)
    return HttpResponse(html, status=status)


def first_error(error) -> str:
    messages = getattr(error, "messages", None) or [str(error)]
    return str(messages[0])
