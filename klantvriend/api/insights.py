"""/insights/scorecard and /insights/advice: the customer-centricity scorecard and the attention
advisor, the same figures as the web pages (registered under /insights beside /insights/nps)."""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import Field

from klantvriend.core.money import whole_cents
from klantvriend.insights.models import Segment, Stage
from klantvriend.insights.scorecard import customer_scorecard_recent
from klantvriend.insights.selectors import insight_run_latest

from .common import CENTS_SAID, OWNER_ERRORS, Out, business_of, require_amounts

router = Router(tags=["insights"])

SHARE_SAID = "A share from 0 to 1"
ADVICE_ROUNDING_SAID = "rounded half to even, as every amount of the advice"


class FigureOut(Out):
    key: str = Field(
        ...,
        description="Which figure, a stable code: promises, complaint_response, "
        "complaint_resolution, aftercare, nps, drivers, …",
    )
    label: str = Field(..., description="Its name in the request's language.")
    value: float | None = Field(..., description="Null when not measured yet.")
    kind: str = Field(..., description="share (0-1), points (NPS) or score (1-5).")
    light: str = Field(
        ...,
        description="green, amber, red, or grey when not measured or when its few cases cannot "
        "tell: it reads red while the upper end of its 95% interval reaches the target.",
    )
    target: float = Field(..., description="The value it is green from, in its own unit.")
    last_90_days: float | None = Field(
        ..., description="Its value over the last 90 days; null when not measured."
    )
    previous_90_days: float | None = Field(
        ..., description="Its value over the 90 days before those; null when not measured."
    )
    change: float | None = Field(
        ...,
        description="last_90_days minus previous_90_days, in its own unit; null without both.",
    )
    change_margin: float | None = Field(
        ...,
        description="95% margin of error of the change where the figure is a sample's, in the "
        "figure's own unit (the NPS: 1.96 * sqrt(SE^2 + SE_before^2), in points; the shares of "
        "returning and referred customers: Agresti and Caffo's interval of a difference of "
        "proportions, as a share); null where not known.",
    )
    change_within_margin: bool = Field(
        ..., description="The change is smaller than its margin: it may be chance alone."
    )
    detail: str = Field(
        ..., description="What the figure is made of, in the request's language; may be empty."
    )


class ScorecardOut(Out):
    figures: list[FigureOut] = Field(..., description="Every figure, in the scorecard's order.")
    weakest: str | None = Field(
        ...,
        description="Key of the figure surely furthest below its target, the one next_action is "
        "for: by the upper end of its 95% interval where it is a sample's (Wilson's for a "
        "share; the NPS plus its margin, any score below 30 answers), in widths of its amber "
        "band; null when no figure is surely below its target.",
    )
    passed_over: str | None = Field(
        ...,
        description="Key of a figure further below its target by its value than weakest (or "
        "below it at all when weakest is null), passed over because its few cases leave it "
        "unsure; null where there is none.",
    )
    next_action: str = Field(
        ..., description="What to do first, in the request's language, as the scorecard page says."
    )


class SegmentWorthOut(Out):
    segment: str = Field(
        ..., description="The customers' segment, as a customer's insight names it."
    )
    customers: int = Field(..., description="How many customers it holds.")
    mean_value_cents: int = Field(
        ...,
        description="Their mean predicted 12-month value (without a model, the last 12 months' "
        f"spend), {ADVICE_ROUNDING_SAID}. {CENTS_SAID}",
    )
    attention_worth_per_year_cents: int = Field(
        ...,
        description="What personal attention is worth a year per customer at most: uplift x "
        f"margin x mean_value_cents, {ADVICE_ROUNDING_SAID}.",
    )
    won_back_worth_per_year_cents: int | None = Field(
        ...,
        description="Margin on the segment's mean 12-month value if still a customer (value / "
        "P(alive)): what winning one back is worth a year; null without a "
        "model or from a refresh of before it was kept.",
    )


class AdviceOut(Out):
    verdict: str | None = Field(
        ..., description="relationship, mixed or stream; null without data."
    )
    repeat_customer_share: float | None = Field(
        ...,
        description=f"{SHARE_SAID}: the customers who came back (bought on two days or more); "
        "null without data.",
    )
    repeat_revenue_share: float | None = Field(
        ...,
        description=f"{SHARE_SAID}: the revenue of return visits (every purchase day but a "
        "customer's first); null without data.",
    )
    top_fifth_revenue_share: float | None = Field(
        ...,
        description=f"{SHARE_SAID}: the revenue brought by the fifth of customers who spend "
        "most; null without data.",
    )
    margin: float | None = Field(
        ...,
        description=f"{SHARE_SAID}: the gross margin on revenue the advice reckons with (the "
        "business's insight settings); null without data.",
    )
    uplift: float | None = Field(
        ...,
        description=f"{SHARE_SAID}: the assumed rise of a customer's next-year value by "
        "personal attention; null without data.",
    )
    expected_purchases_per_customer: float | None = Field(
        ...,
        description="Purchases a customer is expected to make in the next 365 days, on "
        "average; null without a model.",
    )
    attention_worth_per_customer_cents: int | None = Field(
        ..., description="Whole cents, rounded half to even, as every amount of the advice."
    )
    by_segment: list[SegmentWorthOut] = Field(
        ...,
        description="What attention is worth per segment, the most worth first; empty without "
        "data.",
    )
    based_on_model: bool = Field(
        ...,
        description="Whether the values are a fitted model's predictions; false: the last 12 "
        "months' spend stands in for them.",
    )
    not_enough_data: str = Field(
        ..., description="Why there is no prediction yet; empty if there is."
    )
    caveat: str = Field(
        ...,
        description="On fewer than 100 customers or less than a year of purchases, what the "
        "advice rests on and what would make it surer, as the advice page says it; empty when "
        "it stands firm or is not given (below 20 customers or 90 days: verdict null).",
    )
    computed_at: datetime | None = Field(
        ...,
        description="When the insights were last refreshed (nightly and after every import), in "
        "UTC; null when they never were.",
    )


class CustomerInsightOut(Out):
    as_of: date = Field(..., description="The day the insight was computed (ISO date).")
    purchase_days: int = Field(..., description="On how many days the customer bought.")
    days_since_last: int = Field(..., description="Days from the last purchase to as_of.")
    usual_interval_days: float | None = Field(
        ..., description="The median number of days between purchase days; null with one."
    )
    spend_cents: int = Field(..., description=f"Every purchase up to as_of. {CENTS_SAID}")
    probability_alive: float | None = Field(
        None,
        description="The model's probability that the customer still buys here (0-1). With "
        "purchase_days 1 it says little: no model sees a one-off customer leave, so it stays "
        "high; the web interface shows 'one-off so far' instead.",
    )
    expected_purchases_90: float | None = Field(
        ...,
        description="Purchases the model expects in the next 90 days; null without a model "
        "(too little data).",
    )
    expected_purchases_365: float | None = Field(
        ...,
        description="Purchases the model expects in the next 365 days; null without a model.",
    )
    value_cents: int | None = Field(
        ...,
        description=f"Predicted value of the next 12 months; null without a model. {CENTS_SAID}",
    )
    segment: str = Field(
        ...,
        description=f"RFM segment, best first: {', '.join(Segment.values)}.",
    )
    stage: str = Field(..., description=f"Stage of the relationship: {', '.join(Stage.values)}.")


@router.get(
    "/scorecard",
    response={200: ScorecardOut, **OWNER_ERRORS},
    summary="Scorecard",
    description="The customer-centricity scorecard as its web page shows it: each figure with "
    "its target, its light and its change over 90 days, the weakest figure and what to do "
    "next. Staff get 403 while the owner keeps customers' amounts from them.",
)
def scorecard(request: HttpRequest):
    require_amounts(request)
    card = customer_scorecard_recent(business=business_of(request))
    return {
        "figures": [
            {
                "key": f.key,
                "label": f.label,
                "value": f.value,
                "kind": f.kind,
                "light": f.light,
                "target": f.target,
                "last_90_days": f.last_90_days,
                "previous_90_days": f.previous_90_days,
                "change": f.change,
                "change_margin": f.change_margin,
                "change_within_margin": f.change_within_margin,
                "detail": f.detail,
            }
            for f in card.figures
        ],
        "weakest": card.weakest.key if card.weakest else None,
        "passed_over": card.passed_over.key if card.passed_over else None,
        "next_action": card.next_action,
    }


def _whole_cents(cents: float | None) -> int | None:
    return None if cents is None else whole_cents(cents)


@router.get(
    "/advice",
    response={200: AdviceOut, **OWNER_ERRORS},
    summary="Attention advice",
    description="Whether personal attention pays for this business and on whom, from the "
    "latest refresh of the insights (nightly and after every import), as the advice page "
    "shows it; `not_enough_data` says why the figures are null. Staff get 403 while the "
    "owner keeps customers' amounts from them.",
)
def advice(request: HttpRequest):
    require_amounts(request)
    run = insight_run_latest(business=business_of(request))
    figures = (run.figures or {}).get("advice") if run else None
    figures = figures or {}
    return {
        "verdict": figures.get("verdict"),
        "repeat_customer_share": figures.get("repeat_customer_share"),
        "repeat_revenue_share": figures.get("repeat_revenue_share"),
        "top_fifth_revenue_share": figures.get("top_fifth_revenue_share"),
        "margin": figures.get("margin"),
        "uplift": figures.get("uplift"),
        "expected_purchases_per_customer": figures.get("expected_purchases_per_customer"),
        "attention_worth_per_customer_cents": _whole_cents(
            figures.get("attention_worth_per_customer")
        ),
        "by_segment": [
            {
                "segment": row["segment"],
                "customers": row["customers"],
                "mean_value_cents": whole_cents(row["mean_value"]),
                "attention_worth_per_year_cents": whole_cents(row["attention_worth_per_year"]),
                "won_back_worth_per_year_cents": _whole_cents(row.get("won_back_worth_per_year")),
            }
            for row in figures.get("by_segment", [])
        ],
        "based_on_model": bool(figures.get("based_on_model")),
        # In the language asked for, as the advice page says it (not the stored shop language).
        "not_enough_data": run.not_enough_data_text()
        if run
        else _(
            "Not enough data yet: the insights have not been computed. They are refreshed "
            "every night and after every import."
        ),
        "caveat": run.advice_caveat_text() if run else "",
        "computed_at": run.computed_at if run else None,
    }
