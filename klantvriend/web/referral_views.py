"""Referral pages: the ambassadors, the acquisition report, the referrer picker of the customer
form, and what the profile shows of referrals and surveys."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from clv import charts
from klantvriend.core.errors import NotFound
from klantvriend.core.numbers import share_shown
from klantvriend.customers.models import AcquisitionChannel
from klantvriend.customers.selectors import customer_get, customer_search
from klantvriend.insights.charts import month_axis, month_label
from klantvriend.referrals.selectors import acquisition_report, ambassador_ranking

from .forms import REFERRER_PLACEHOLDER
from .views import member_required

PICKER_RESULTS = 8
# The referrer pickers' fields: the customer form's and the walk-in panel's (a page may hold
# both). The field a picker's requests name, if it is one of these; else the customer form's.
PICKER_FIELDS = ("id_referred_by", "quick-add-referred_by")


def _picker_field(request: HttpRequest) -> str:
    field = request.GET.get("field", "")
    return field if field in PICKER_FIELDS else PICKER_FIELDS[0]


CHANNEL_COLOURS = {
    AcquisitionChannel.REFERRAL: "referral",
    AcquisitionChannel.WALK_IN: "walk-in",
    AcquisitionChannel.ONLINE: "online",
    AcquisitionChannel.ADVERTISEMENT: "advertisement",
    AcquisitionChannel.OTHER: "other",
}


@member_required
def ambassadors(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/ambassadors.html", {"ranking": ambassador_ranking(business=request.business)}
    )


def acquisition_chart(months) -> str:
    """Stacked bars of the channel shares per month, referral at the bottom so that its share
    reads straight off the axis."""
    labels = [month_label(month.month) for month in months]
    order = [AcquisitionChannel.REFERRAL] + [
        channel for channel in AcquisitionChannel.values if channel != AcquisitionChannel.REFERRAL
    ]
    return mark_safe(  # built from escaped parts in clv.charts
        charts.responsive(
            lambda width: charts.bar_chart(
                width=width,
                labels=labels,
                series=[
                    (
                        capfirst(AcquisitionChannel(channel).label),
                        [month.share(channel) or 0 for month in months],
                        CHANNEL_COLOURS[channel],
                    )
                    for channel in order
                ],
                title=_(
                    "Share of new customers per channel per month; the table below gives the figures."
                ),
                y_max=1.0,
                value_format=share_shown,
                axis_labels=month_axis(labels),
            )
        )
    )


@member_required
def acquisition(request: HttpRequest) -> HttpResponse:
    months = acquisition_report(business=request.business)
    return render(
        request,
        "web/acquisition.html",
        {
            "months": months,
            "channels": AcquisitionChannel.choices,
            "chart": acquisition_chart(months),
            # A new shop's year of empty months says what fills it, not twelve rows of zeros.
            "any_new": any(month.total for month in months),
        },
    )


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@member_required
def referrer_search(request: HttpRequest) -> HttpResponse:
    """htmx: the customers matching what is typed in the referrer picker."""
    query = request.GET.get("referred_by_query", request.GET.get("q", "")).strip()
    exclude = _int_or_none(request.GET.get("exclude"))
    results = []
    if query:
        results = customer_search(
            business=request.business, query=query, limit=PICKER_RESULTS, exclude=exclude
        )
    return render(
        request,
        "web/partials/referrer_results.html",
        {
            "results": results,
            "query": query,
            "exclude": exclude,
            "field_id": _picker_field(request),
        },
    )


@member_required
def referrer_pick(request: HttpRequest) -> HttpResponse:
    """htmx: the picker with a referrer chosen (or emptied again)."""
    exclude = _int_or_none(request.GET.get("exclude"))
    chosen = None
    customer_id = _int_or_none(request.GET.get("customer"))
    if customer_id is not None:
        try:
            chosen = customer_get(business=request.business, customer_id=customer_id)
        except NotFound:
            chosen = None
    return render(
        request,
        "web/partials/referrer_picker.html",
        {
            "chosen": chosen,
            "exclude": exclude,
            "name": "referred_by",
            "field_id": _picker_field(request),
            "placeholder": REFERRER_PLACEHOLDER,
        },
    )
