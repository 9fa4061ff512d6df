"""Insights pages: the attention advisor, the customer-centricity scorecard (with the rows behind
each figure), the charts, what gestures do, and the one-click action on a valuable customer
slipping away."""

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klantvriend.aftercare.services import follow_up_create
from klantvriend.core.language import shop_language
from klantvriend.customers.selectors import customer_get
from klantvriend.gestures.models import Occasion
from klantvriend.gestures.selectors import gesture_list
from klantvriend.insights import rows as figure_rows
from klantvriend.insights.charts import insight_charts
from klantvriend.insights.models import Segment
from klantvriend.insights.rows import SCORECARD_ROWS, TRENDS, scorecard_rows
from klantvriend.insights.scorecard import customer_scorecard_recent
from klantvriend.insights.selectors import (
    customer_insight_get,
    insight_run_latest,
    not_seen_for,
)
from klantvriend.insights.services import insight_settings, insight_settings_update

from .views import add_service_errors, day_or_none, member_required, owner_required


class MarginForm(forms.Form):
    margin_percent = forms.IntegerField(
        label=gettext_lazy("Gross margin (%)"),
        min_value=0,
        max_value=100,
        help_text=gettext_lazy(
            "What is left of a euro of revenue after the cost of the goods sold."
        ),
    )


def _advice_context(request: HttpRequest) -> dict:
    run = insight_run_latest(business=request.business)
    advice = (run.figures or {}).get("advice") if run else None
    labels = dict(Segment.choices)
    by_segment = [
        {**row, "label": labels.get(row["segment"], row["segment"])}
        for row in (advice or {}).get("by_segment", [])
    ]
    return {"run": run, "advice": advice, "by_segment": by_segment}


@member_required
def insights_advice(request: HttpRequest) -> HttpResponse:
    form = MarginForm(initial={"margin_percent": insight_settings(request.business).margin_percent})
    return render(
        request, "web/insights_advice.html", {**_advice_context(request), "margin_form": form}
    )


@owner_required
@require_POST
def insights_margin(request: HttpRequest) -> HttpResponse:
    """The owner's margin: saved, then the advice is recomputed with it straight away."""
    from klantvriend.insights.services import insights_refresh

    form = MarginForm(request.POST)
    if form.is_valid():
        try:
            insight_settings_update(
                business=request.business, margin_percent=form.cleaned_data["margin_percent"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            insights_refresh(business=request.business)
            messages.success(request, _("Margin saved; the advice is recomputed."))
            return redirect("web:insights_advice")
    context = {**_advice_context(request), "margin_form": form}
    return render(request, "web/insights_advice.html", context, status=422)


@member_required
def insights_advice_why(request: HttpRequest) -> HttpResponse:
    from clv import advice

    percent = {
        name: f"{getattr(advice, name):.0%}"
        for name in (
            "RELATIONSHIP_REVENUE_SHARE",
            "RELATIONSHIP_CUSTOMER_SHARE",
            "STREAM_REVENUE_SHARE",
            "DEFAULT_UPLIFT",
        )
    }
    return render(request, "web/insights_advice_why.html", {"thresholds": percent})


@member_required
def insights_scorecard(request: HttpRequest) -> HttpResponse:
    scorecard = customer_scorecard_recent(business=request.business)
    return render(request, "web/insights_scorecard.html", {"scorecard": scorecard})


# The pages besides the scorecard whose figures open to these rows, for the link back: the
# address names the page (`from`), and only these are taken.
ROWS_OPENED_FROM = {
    "surveys": ("web:survey_results", gettext_lazy("Survey results")),
    "today": ("web:today", gettext_lazy("Today")),
}


@member_required
def insights_scorecard_rows(request: HttpRequest) -> HttpResponse:
    figure = request.GET.get("figure", "promises")
    if figure not in SCORECARD_ROWS:
        raise Http404
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    # A page far past the end is simply empty; bounded so that its offset stays a number
    # every database takes.
    page = min(max(page, 1), 1_000_000)
    # The 90 days before the last 90, the other side of the figure's trend (`period=before`);
    # a figure without a trend shows its rows.
    # One month of the NPS (`month`, its first day), a point of the survey results' trend.
    month = day_or_none(request.GET.get("month")) if figure == "nps" else None
    before = request.GET.get("period") == "before" and figure in TRENDS and month is None
    table = scorecard_rows(
        business=request.business,
        figure=figure,
        now=timezone.now(),
        page=page,
        before=before,
        month=month,
    )
    # The pager counts the rows the figure is made of, which the table already knows.
    pages = Paginator(range(table.total), figure_rows.ROW_LIMIT).get_page(page)
    back_to, back_label = ROWS_OPENED_FROM.get(
        request.GET.get("from", ""),
        ("web:insights_scorecard", gettext_lazy("Customer-centricity scorecard")),
    )
    return render(
        request,
        "web/insights_rows.html",
        {
            "table": table,
            "figure": figure,
            "has_trend": figure in TRENDS and month is None,
            "before": before,
            "page": pages,
            "back_to": back_to,
            "back_label": back_label,
        },
    )


@member_required
def insights_charts(request: HttpRequest) -> HttpResponse:
    run = insight_run_latest(business=request.business)
    charts = insight_charts(business=request.business, run=run)
    return render(request, "web/insights_charts.html", {"run": run, "charts": charts})


GESTURES_PER_PAGE = 50


@member_required
def insights_gestures(request: HttpRequest) -> HttpResponse:
    """The gestures given, and per occasion what their customers bought in the quarter before
    and after (computed by the nightly insights refresh). Each occasion opens the gestures it
    counts: the log filtered by occasion and by the days the figures cover."""
    business = request.business
    run = insight_run_latest(business=business)
    effects = (run.figures or {}).get("gesture_effects") if run else None
    labels = dict(Occasion.choices)
    occasion = request.GET.get("occasion", "")
    if occasion not in labels:
        occasion = ""
    since, until = day_or_none(request.GET.get("since")), day_or_none(request.GET.get("until"))
    gestures = gesture_list(
        business=business,
        occasion=occasion or None,
        since=business.start_of(since) if since else None,
        until=business.start_of(until) if until else None,
    )
    return render(
        request,
        "web/insights_gestures.html",
        {
            "run": run,
            "effects": effects,
            "effect_rows": [
                {**row, "label": labels.get(row["occasion"], row["occasion"])}
                for row in (effects or {}).get("occasions", [])
            ],
            "effects_since": date.fromisoformat(effects["since"]) if effects else None,
            "effects_until": date.fromisoformat(effects["until"]) if effects else None,
            "occasions": Occasion.choices,
            "occasion": occasion,
            "since": since,
            "until": until,
            "page": Paginator(gestures, GESTURES_PER_PAGE).get_page(request.GET.get("page")),
        },
    )


@member_required
@require_POST
def slipping_away_plan_call(request: HttpRequest, customer_id: int) -> HttpResponse:
    """One click on Today: plan a call for today with the reason written out."""
    customer = customer_get(business=request.business, customer_id=customer_id)
    insight = customer_insight_get(customer=customer)
    # Stored for everyone in the shop to read: in the shop's language (core/language.py).
    with shop_language(request.business):
        note = (
            _("Call: valuable customer, %(seen)s. Ask how they are.")
            % {"seen": not_seen_for(insight)}
            if insight
            else _("Call: valuable customer slipping away. Ask how they are.")
        )
    follow_up_create(
        business=request.business,
        customer=customer,
        note=note[:300],
        due_on=request.business.today(),
        assigned_to=request.user,
        created_by=request.user,
    )
    if request.htmx:
        return render(
            request,
            "web/today.html#slipping-row",
            {"insight": insight, "customer": customer, "planned": True},
        )
    messages.success(request, _("Call planned for today."))
    return redirect("web:today")
