"""/insights/scorecard and /insights/advice: the customer-centricity scorecard and the attention
advisor, the same figures as the web pages (registered under /insights beside /insights/nps)."""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import Field

from klantvriend.core.money import whole_cents
from klantvriend.insights.scorecard import customer_scorecard_recent
from klantvriend.insights.selectors import insight_run_latest

from .common import OWNER_ERRORS, Out, business_of, require_amounts

router = Router(tags=["insights"])


class FigureOut(Out):
    key: str
    label: str
    value: float | None = Field(..., description="Null when not measured yet.")
    kind: str = Field(..., description="share (0-1), points (NPS) or score (1-5).")
    light: str = Field(
        ...,
        description="green, amber, red, or grey when not measured or when its few cases cannot "
        "tell: it reads red while the upper end of its 95% interval reaches the target.",
    )
    target: float
    last_90_days: float | None
    previous_90_days: float | None
    change: float | None
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
    detail: str


class ScorecardOut(Out):
    figures: list[FigureOut]
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
    next_action: str


class SegmentWorthOut(Out):
    segment: str
    customers: int
    mean_value_cents: int
    attention_worth_per_year_cents: int
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
    repeat_customer_share: float | None
    repeat_revenue_share: float | None
    top_fifth_revenue_share: float | None
    margin: float | None
    uplift: float | None
    expected_purchases_per_customer: float | None
    attention_worth_per_customer_cents: int | None = Field(
        ..., description="Whole cents, rounded half to even, as every amount of the advice."
    )
    by_segment: list[SegmentWorthOut]
    based_on_model: bool
    not_enough_data: str = Field(
        ..., description="Why there is no prediction yet; empty if there is."
    )
    caveat: str = Field(
        ...,
        description="On fewer than 100 customers or less than a year of purchases, what the "
        "advice rests on and what would make it surer, as the advice page says it; empty when "
        "it stands firm or is not given (below 20 customers or 90 days: verdict null).",
    )
    computed_at: datetime | None


class CustomerInsightOut(Out):
    as_of: date
    purchase_days: int
    days_since_last: int
    usual_interval_days: float | None
    spend_cents: int
    probability_alive: float | None = Field(
        None,
        description="The model's probability that the customer still buys here (0-1). With "
        "purchase_days 1 it says little: no model sees a one-off customer leave, so it stays "
        "high; the web interface shows 'one-off so far' instead.",
    )
    expected_purchases_90: float | None
    expected_purchases_365: float | None
    value_cents: int | None
    segment: str
    stage: str


@router.get("/scorecard", response={200: ScorecardOut, **OWNER_ERRORS}, summary="Scorecard")
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


@router.get("/advice", response={200: AdviceOut, **OWNER_ERRORS}, summary="Attention advice")
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
