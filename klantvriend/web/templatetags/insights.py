"""Template helpers of the insight pages: the profile's insight card and server-drawn charts."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clv import charts
from klantvriend.core.care_settings import care_settings
from klantvriend.core.money import amount_shown, whole_cents
from klantvriend.core.numbers import count_shown, number_rounded, share_shown
from klantvriend.insights.selectors import (
    alive_figure,
    customer_insight_get,
    insight_card,
    not_seen_for,
)
from klantvriend.insights.services import insight_settings
from klantvriend.surveys.models import DRIVER_MAX
from klantvriend.surveys.selectors import nps_rounded, nps_shown

from .care import points_change, shares_change

register = template.Library()

register.filter("not_seen_for", not_seen_for)


@register.inclusion_tag("web/partials/insight_card.html", takes_context=True)
def customer_insight_card(context, customer, referral_count=0, spend_cents=None, purchase_count=0):
    """Value, probability alive, segment and stage of the profile's customer, and what winning
    them back is worth where they have probably left (one query). Without an insight yet,
    `purchase_count` (the profile's, no query) tells a customer who has not bought from one
    whose purchase the next computation has still to see."""
    insight = customer_insight_get(customer=customer, ranked_among=True)
    business = context.get("business")
    card = None
    if insight:
        card = insight_card(
            insight=insight,
            referral_count=referral_count,
            spend_cents=spend_cents,
            today=business.today() if business else None,
            # Read from the business already loaded: no query.
            margin_percent=insight_settings(business).margin_percent if business else None,
            currency=business.currency if business else "EUR",
            working_days=care_settings(business).working_days if business else (),
            closed=care_settings(business).closed_dates if business else frozenset(),
        )
    return {
        "card": card,
        "business": business,
        "customer": customer,
        "purchase_count": purchase_count,
        # The page's answer (context_processors): an inclusion tag's template sees only this.
        "sees_amounts": context.get("sees_amounts", False),
    }


def _formatter(chart, currency):
    if chart.value_kind == "money":
        return lambda cents: amount_shown(whole_cents(cents), currency, whole=True)
    if chart.value_kind == "share":
        return share_shown
    # Counts, whole on their axis: 2.000 in Dutch, 2,000 in English.
    return lambda value: count_shown(round(value))


@register.simple_tag
def svg_chart(chart, currency="EUR"):
    """The chart drawn as inline SVG at a page's and a phone's width (escaped in clv.charts;
    styled by classes)."""

    def draw(width: int) -> str:
        if chart.kind == "heatmap":
            return charts.heatmap(
                row_labels=[name for name, _values, _css in chart.series],
                column_labels=chart.labels,
                values=[values for _name, values, _css in chart.series],
                title=chart.title,
                value_format=share_shown,
                width=width,
            )
        return charts.bar_chart(
            labels=chart.labels,
            series=chart.series,
            title=chart.title,
            value_format=_formatter(chart, currency),
            whole_numbers=chart.value_kind == "count",
            axis_labels=chart.axis_labels,
            description=chart.description,
            width=width,
        )

    # Built from escaped parts in clv.charts.
    return mark_safe(charts.responsive(draw))


register.filter("alive_figure", alive_figure)


def _shown(kind: str, value: float) -> str:
    if kind == "share":
        return share_shown(value)
    if kind == "points":
        return nps_shown(value)
    return number_rounded(value, 1)


@register.filter
def figure_target(figure) -> str:
    """The figure's target as the figure is written: the light's green needs it ("target 90%"),
    and without it a lower figure in green beside a higher one in amber looked wrong."""
    return _("target %(target)s") % {"target": _shown(figure.kind, figure.target)}


@register.filter
def figure_value(figure):
    if figure.value is None:
        return _("not measured yet")
    if figure.kind == "score":
        # A bare "3.6" did not say on what scale: the drivers are scored from 1 to 5.
        return _("%(score)s out of %(top)s") % {
            "score": _shown(figure.kind, figure.value),
            "top": DRIVER_MAX,
        }
    return _shown(figure.kind, figure.value)


@register.filter
def figure_change(figure):
    """The trend with the figure of the 90 days before: "+13 points vs. the 90 days before
    (74%)", the change being the difference of the two figures as shown, so that it adds up on
    the page and against the rows of either period; a change within its margin of error (an
    NPS's, of two samples of answers; a share of customers') says so instead of showing a rise
    or a fall."""
    if figure.change is None:
        return ""
    before = _shown(figure.kind, figure.previous_90_days)
    if _shown(figure.kind, figure.last_90_days) == before:
        # "May be chance: the difference is within its margin" of 100% against 100% spoke of
        # a difference there was not.
        return _("the same as the 90 days before (%(before)s)") % {"before": before}
    if figure.change_within_margin:
        # In points either way: a share's margin is a share (0.52 is 52 points).
        margin = (
            round(figure.change_margin * 100)
            if figure.kind == "share"
            else nps_rounded(figure.change_margin)
        )
        # The change's margin, of two samples, is wider than the score's own (the rows say
        # "± 8" beside the card's "± 12"): the sentence says which one it is.
        # "No clear change" beside 7% then and 27% now read as a mistake: it may be chance.
        return ngettext(
            "may be chance vs. the 90 days before (%(before)s): the difference is within its "
            "margin of error (± %(margin)s point)",
            "may be chance vs. the 90 days before (%(before)s): the difference is within its "
            "margin of error (± %(margin)s points)",
            margin,
        ) % {"margin": margin, "before": before}
    if figure.kind == "share":
        points = shares_change(figure.last_90_days, figure.previous_90_days)
    else:
        points = nps_rounded(figure.last_90_days) - nps_rounded(figure.previous_90_days)
    return points_change(points, before)
