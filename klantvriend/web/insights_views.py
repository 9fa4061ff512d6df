"""Insights pages: the attention advisor, the customer-centricity scorecard (with the rows behind
each figure), the charts, what gestures do, and the one-click action on a valuable customer
slipping away."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.models import Reason as FollowUpReason
from klantvriend.aftercare.services import follow_up_create
from klantvriend.core.care_settings import member_sees_amounts
from klantvriend.core.errors import OwnerOnly
from klantvriend.core.language import shop_language
from klantvriend.core.numbers import share_shown
from klantvriend.customers.selectors import customer_get
from klantvriend.gestures.models import Occasion
from klantvriend.gestures.selectors import gesture_list
from klantvriend.insights import rows as figure_rows
from klantvriend.insights.charts import COMPLAINT_PERIOD, insight_charts
from klantvriend.insights.effects import RECOVERY_MIN_COMPLAINTS, recovery_comparison
from klantvriend.insights.models import STAYED_AWAY, Segment
from klantvriend.insights.rows import (
    MONTHLY_ROWS,
    PART_ROWS,
    ROWS_WITH_AMOUNTS,
    SCORECARD_ROWS,
    TRENDS,
    rows_parts,
    scorecard_rows,
)
from klantvriend.insights.scorecard import customer_scorecard_recent
from klantvriend.insights.selectors import (
    customer_insight_get,
    insight_run_latest,
    not_seen_for,
    purchases_changed_since,
)
from klantvriend.insights.services import (
    insight_settings,
    insight_settings_update,
    insights_refresh,
)
from klantvriend.promises.selectors import Outcome

from .links import safe_next
from .views import (
    add_service_errors,
    amounts_required,
    day_or_none,
    member_required,
    month_or_none,
    owner_required,
)


class WholePercentField(forms.IntegerField):
    """A whole percentage typed as text: "30", "30 %" and "30%" are 30. A number field read
    "32,5" as 325 in a browser set to English, and the refusal spoke of a maximum of 100; a
    fraction is refused as one, in the reader's language."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
    default_error_messages = {"invalid": gettext_lazy("Enter a whole percentage, such as 30.")}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
        return super().to_python(value)


class MarginForm(forms.Form):
    margin_percent = WholePercentField(
        label=gettext_lazy("Gross margin (%)"),
        min_value=0,
        max_value=100,
        help_text=gettext_lazy(
            "What is left of a euro of revenue after the cost of the goods sold."
        ),
    )


def _run_context(business) -> dict:
    """The latest refresh, and whether purchases were recorded or changed after it: its
    figures are then said to be of before them (web/insights_run.html)."""
    run = insight_run_latest(business=business)
    return {"run": run, "run_stale": purchases_changed_since(business=business, run=run)}


def _advice_context(request: HttpRequest) -> dict:
    run_context = _run_context(request.business)
    run = run_context["run"]
    advice = (run.figures or {}).get("advice") if run else None
    labels = dict(Segment.choices)
    by_segment = [
        {
            **row,
            "label": labels.get(row["segment"], row["segment"]),
            # Those who stayed away are listed biggest spenders first, whom a call is most
            # worth: by name, a regular of 13 visits came below a guest of two.
            "order": "-spend" if row["segment"] in STAYED_AWAY else "",
        }
        for row in (advice or {}).get("by_segment", [])
    ]
    # What winning a customer back is worth, kept by refreshes since it was added (with a model).
    won_back = bool(by_segment) and all(
        row.get("won_back_worth_per_year") is not None for row in by_segment
    )
    # A refresh from before it was kept, with a model that would give it: its figures cannot
    # be filled in without the fitted model's per-customer sums, so the page says what adds it.
    won_back_missing = (
        bool(by_segment) and not won_back and bool(advice and advice.get("based_on_model"))
    )
    # Whom to win back first, in one sentence: of the segments that stayed away (R at most 2:
    # insights.segments), the one whose customer is worth most a year if won back. Its row read
    # "€ 0,00 · € 0,00 · € 316,99", which said "don't bother" to an owner who did not read the
    # last column's note.
    # Only a segment most of whose customers have probably left, as the sentence says: their
    # value now under half what it would be if they were all still customers. A segment the
    # model mostly keeps alive (an office's clients between their yearly invoices) is no one
    # to win back.
    away = [
        row
        for row in by_segment
        if row["segment"] in STAYED_AWAY and row["customers"] and _mostly_left(row)
    ]
    win_back_first = (
        max(away, key=lambda row: row["won_back_worth_per_year"]) if won_back and away else None
    )
    return {
        **run_context,
        "advice": advice,
        "by_segment": by_segment,
        "won_back": won_back,
        "won_back_missing": won_back_missing,
        "win_back_first": win_back_first
        if win_back_first and win_back_first["won_back_worth_per_year"] > 0
        else None,
    }


def _mostly_left(row: dict) -> bool:
    """Whether a segment's value now is under half its value if all were still customers
    (the mean probability alive, weighted by value, below one half); true for a refresh that
    kept no value if still a customer, of which it cannot be told."""
    if_active = row.get("mean_value_if_active")
    return if_active is None or row["mean_value"] < if_active / 2


@amounts_required
def insights_advice(request: HttpRequest) -> HttpResponse:
    form = MarginForm(initial={"margin_percent": insight_settings(request.business).margin_percent})
    return render(
        request, "web/insights_advice.html", {**_advice_context(request), "margin_form": form}
    )


@owner_required
@require_POST
def insights_recompute(request: HttpRequest) -> HttpResponse:
    """The insights computed again now, for an owner who need not wait for the night after
    recording purchases by hand; back to the page asked from."""
    insights_refresh(business=request.business)
    messages.success(request, _("The insights are computed again."))
    return redirect(safe_next(request, default=reverse("web:insights_advice")))


@owner_required
@require_POST
def insights_margin(request: HttpRequest) -> HttpResponse:
    """The owner's margin: saved, then the advice is recomputed with it straight away."""
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


@amounts_required
def insights_advice_why(request: HttpRequest) -> HttpResponse:
    from clv import advice

    percent = {
        name: share_shown(getattr(advice, name))
        for name in (
            "RELATIONSHIP_REVENUE_SHARE",
            "RELATIONSHIP_CUSTOMER_SHARE",
            "STREAM_REVENUE_SHARE",
            "DEFAULT_UPLIFT",
        )
    }
    footing = {
        name: getattr(advice, name)
        for name in ("ADVICE_MIN_CUSTOMERS", "ADVICE_MIN_HISTORY_DAYS", "FIRM_MIN_CUSTOMERS")
    }
    return render(
        request, "web/insights_advice_why.html", {"thresholds": percent, "footing": footing}
    )


@amounts_required
def insights_scorecard(request: HttpRequest) -> HttpResponse:
    scorecard = customer_scorecard_recent(business=request.business)
    places = [
        DRIVER_PLACES[name] for name in scorecard.drivers_to_start_with if name in DRIVER_PLACES
    ]
    if scorecard.weakest and scorecard.weakest.key in NEXT_ACTION_PLACES:
        places.append(NEXT_ACTION_PLACES[scorecard.weakest.key])
    return render(
        request,
        "web/insights_scorecard.html",
        {
            "scorecard": scorecard,
            "next_action_places": [(reverse(name), label) for name, label in places],
        },
    )


# Where the owner does what the next action asks, by the weakest figure: the action said "see
# the survey results" or "they are on Today" and left the owner to find the page.
NEXT_ACTION_PLACES = {
    "promises": ("web:promise_reliability", gettext_lazy("To the promises kept")),
    "complaint_response": ("web:complaint_list", gettext_lazy("To the complaints")),
    "complaint_resolution": ("web:complaint_list", gettext_lazy("To the complaints")),
    "aftercare": ("web:aftercare_list", gettext_lazy("To the aftercare")),
    "nps": ("web:survey_results", gettext_lazy("To the survey results")),
    "drivers": ("web:survey_results", gettext_lazy("To the survey results")),
    "repeat_rate": ("web:today", gettext_lazy("To Today")),
    "referrals": ("web:ambassadors", gettext_lazy("To the ambassadors")),
}


# Where a driver the next action names is worked on, before the survey results its advice
# comes from: reliability is the promises kept, complaint handling the complaints. The survey
# results alone left "work first on reliability" with nothing to do but read the advice again.
DRIVER_PLACES = {
    "reliability": NEXT_ACTION_PLACES["promises"],
    "complaint_handling": NEXT_ACTION_PLACES["complaint_response"],
}


# The pages besides the scorecard whose figures open to these rows, for the link back: the
# address names the page (`from`), and only these are taken.
ROWS_OPENED_FROM = {
    "surveys": ("web:survey_results", gettext_lazy("Survey results")),
    "today": ("web:today", gettext_lazy("Today")),
    "charts": ("web:insights_charts", gettext_lazy("Charts")),
    "gestures": ("web:insights_gestures", gettext_lazy("Gestures")),
}


@member_required
def insights_scorecard_rows(request: HttpRequest) -> HttpResponse:
    figure = request.GET.get("figure", "promises")
    # A part of a figure of the charts or the gestures page: an occasion, a range of values,
    # new or returning customers (insights.rows.rows_parts).
    part = request.GET.get("part", "")
    if figure in PART_ROWS:
        if part not in rows_parts(figure):
            raise Http404
    elif figure not in SCORECARD_ROWS:
        raise Http404
    if figure in ROWS_WITH_AMOUNTS and not member_sees_amounts(
        business=request.business, membership=request.membership
    ):
        raise OwnerOnly
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
    month = month_or_none(request.GET.get("month")) if figure in MONTHLY_ROWS else None
    before = request.GET.get("period") == "before" and figure in TRENDS and month is None
    table = scorecard_rows(
        business=request.business,
        figure=figure,
        now=timezone.now(),
        page=page,
        before=before,
        month=month,
        part=part,
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
            # Each row with how its customer is reached, where the page offers the call.
            "rows": [
                (customer_id, name, cells, (table.reach or {}).get(customer_id))
                for customer_id, name, cells in table.rows
            ],
            "figure": figure,
            "has_trend": figure in TRENDS and month is None,
            "before": before,
            "page": pages,
            "back_to": back_to,
            "back_label": back_label,
        },
    )


def _promise_month_link(month: str, column: int) -> str:
    """A month's promises on the promise list, kept on time, late, broken, or all judged (the
    share's): counted there by the conditions the chart counts by."""
    outcome = [None, Outcome.ON_TIME, Outcome.LATE, Outcome.BROKEN, Outcome.JUDGED][column]
    if outcome is None:
        return ""
    return f"{reverse('web:promise_list')}?{urlencode({'month': month, 'outcome': outcome})}"


def _response_time_link(key: str, column: int) -> str:
    """The complaints of the chart's 12 months first answered within the range."""
    if column == 0:
        return ""
    query = urlencode({"period": COMPLAINT_PERIOD, "response": key})
    return f"{reverse('web:complaint_list')}?{query}"


def _figure_rows(figure: str, **query: str) -> str:
    """The address of a figure's rows (insights.rows), opened from the charts."""
    query = {"figure": figure, **query, "from": "charts"}
    return f"{reverse('web:insights_scorecard_rows')}?{urlencode(query)}"


def _revenue_link(month: str, column: int) -> str:
    """A month's customers with revenue from returning or new customers, or all of them (the
    share's)."""
    if column == 0:
        return ""
    return _figure_rows("revenue", month=month, part=["", "returning", "new", ""][column])


def _cohort_link(month: str, column: int) -> str:
    """The cohort's customers, with the months they bought again in: the size and each share."""
    return "" if column == 0 else _figure_rows("cohort", month=month)


def _value_link(index: str, column: int) -> str:
    return "" if column == 0 else _figure_rows("value", part=index)


# Per chart, the address of the rows a cell of its table is made of: from the row's key
# (ChartData.row_keys) and the column's number; "" for a cell that is no figure.
CHART_LINKS = {
    "revenue": _revenue_link,
    "cohorts": _cohort_link,
    "value": _value_link,
    "promises": _promise_month_link,
    "complaints": _response_time_link,
}


def _chart_table(chart) -> list[list[tuple[str, str]]]:
    """The chart's table, each cell with the address of its rows ("" for none)."""
    link = CHART_LINKS.get(chart.key)
    if link is None or chart.row_keys is None:
        return [[(cell, "") for cell in row] for row in chart.table_rows]
    return [
        # An empty cell (a month not over yet) opens nothing.
        [(cell, link(key, column) if cell else "") for column, cell in enumerate(row)]
        for key, row in zip(chart.row_keys, chart.table_rows, strict=True)
    ]


@amounts_required
def insights_charts(request: HttpRequest) -> HttpResponse:
    run_context = _run_context(request.business)
    charts = [
        (chart, _chart_table(chart))
        for chart in insight_charts(business=request.business, run=run_context["run"])
    ]
    return render(request, "web/insights_charts.html", {**run_context, "charts": charts})


GESTURES_PER_PAGE = 50


@amounts_required
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
            # Whether making up for a complaint with a gesture shows in the buying after it.
            "recovery": recovery_comparison(effects),
            "recovery_min": RECOVERY_MIN_COMPLAINTS,
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
    """One click on Today, or on the page of all who slip away: plan a call for today with the
    reason written out, or an email to a customer whose phone number is not known."""

    def reason(insight, day) -> str:
        if insight is None:
            return _("valuable customer slipping away")
        return _("valuable customer, %(seen)s") % {"seen": not_seen_for(insight, day)}

    return _plan_call(
        request, customer_id, reason=reason, back=reverse("web:today"), today_row=True
    )


@member_required
@require_POST
def win_back_plan_call(request: HttpRequest, customer_id: int) -> HttpResponse:
    """From the customer list of a segment that stayed away (the advice's "win back first"):
    a call planned for today, as Today plans one for a customer slipping away, with the segment
    and how long they have been away as its reason."""

    def reason(insight, day) -> str:
        if insight is None:
            return _("customer who stayed away")
        return _("“%(segment)s”, %(seen)s") % {
            "segment": capfirst(insight.get_segment_display()),
            "seen": not_seen_for(insight, day),
        }

    return _plan_call(request, customer_id, reason=reason, back=reverse("web:customer_list"))


def _plan_call(request: HttpRequest, customer_id: int, *, reason, back: str, today_row=False):
    """Plans the call for today (`_call_planned`) with `reason(insight, day)`, written in the
    shop's language. htmx gets back what it asked for: the table's cell (the call cell's id as
    its target) or Today's row (`today_row`), saying so; a plain post returns to the page it
    came from (its `next`, else `back`). Refused, and nothing planned, for a customer without a
    phone number or email address (a page shown before they were removed): the cell or row as
    it is now, with the way to add one."""
    customer = customer_get(business=request.business, customer_id=customer_id)
    insight = customer_insight_get(customer=customer)
    day = request.business.today()
    back = safe_next(request, default=back)

    def answer(*, planned: FollowUp | None, status: int = 200) -> HttpResponse:
        # `planned`: the follow-up just planned, which the confirmation links to on the
        # profile: on Today it may be behind "show all", below follow-ups waiting longer.
        if request.htmx and request.htmx.target == f"call-{customer.pk}":
            cell = {"pk": customer.pk, "way": customer.contact_way, "list_path": back}
            return render(
                request,
                "web/partials/call_cell.html",
                {**cell, "action": request.path, "planned": planned},
                status=status,
            )
        if request.htmx and today_row:
            return render(
                request,
                "web/today.html#slipping-row",
                {"insight": insight, "customer": customer, "planned": planned, "day": day},
                status=status,
            )
        return redirect(back)

    if not customer.contact_way:
        if not request.htmx:
            messages.error(
                request,
                _("No phone number or email address is known for %(name)s: add one first.")
                % {"name": customer.name},
            )
        return answer(planned=None, status=422)
    # Stored for everyone in the shop to read: in the shop's language (core/language.py).
    with shop_language(request.business):
        written = reason(insight, day)
    return answer(planned=_call_planned(request, customer, written))


def _call_planned(request: HttpRequest, customer, reason: str) -> FollowUp:
    """A call (an email where no phone number is known) planned for today for the user who
    asked, with `reason` written out (in the shop's language) and what to ask; said on the
    next page for a plain post."""
    # What to do first: Today shows two lines of a note, and "ask how they are" at its end was
    # cut off behind a long reason on a phone.
    with shop_language(request.business):
        note = (
            _("Email and ask how they are: %(reason)s.")
            if customer.contact_way == "email"
            else _("Call and ask how they are: %(reason)s.")
        ) % {"reason": reason}
    follow_up = follow_up_create(
        business=request.business,
        customer=customer,
        note=note[:300],
        reason=FollowUpReason.WIN_BACK,
        due_on=request.business.today(),
        assigned_to=request.user,
        created_by=request.user,
    )
    if not request.htmx:
        messages.success(
            request,
            _("Email planned for today.")
            if customer.contact_way == "email"
            else _("Call planned for today."),
        )
    return follow_up
