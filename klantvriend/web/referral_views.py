"""Referral pages: the ambassadors, the acquisition report, the referrer picker of the customer
form, and what the profile shows of referrals and surveys."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from klantvriend.core.errors import NotFound
from klantvriend.customers.models import AcquisitionChannel
from klantvriend.customers.selectors import customer_get, customer_list
from klantvriend.insights.charts import month_axis, month_label
from klantvriend.referrals.selectors import acquisition_report, ambassador_ranking

from .views import member_required

PICKER_RESULTS = 8
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


def acquisition_chart(months, width: int = 640, height: int = 220) -> dict:
    """Stacked bars of the channel shares per month, referral at the bottom so that its share
    reads straight off the axis. Coordinates for an inline SVG; no script."""
    left, right, top, bottom = 40, 10, 10, 42
    inner_w, inner_h = width - left - right, height - top - bottom
    slot = inner_w / max(1, len(months))
    bar = slot * 0.7
    axis = month_axis([month_label(month.month) for month in months])
    order = [AcquisitionChannel.REFERRAL] + [
        channel for channel in AcquisitionChannel.values if channel != AcquisitionChannel.REFERRAL
    ]
    bars = []
    for index, month in enumerate(months):
        x = round(left + index * slot + (slot - bar) / 2, 1)
        base = top + inner_h
        rects = []
        for channel in order:
            share = month.share(channel) or 0
            if not share:
                continue
            h = round(inner_h * share, 1)
            base -= h
            rects.append(
                {
                    "y": round(base, 1),
                    "height": h,
                    "css": CHANNEL_COLOURS[channel],
                    "title": f"{AcquisitionChannel(channel).label}: {round(100 * share)}%",
                }
            )
        bars.append(
            {
                "x": x,
                "width": round(bar, 1),
                "rects": rects,
                "month": month.month,
                "label_x": round(x + bar / 2, 1),
                "axis_lines": axis[index].split("\n"),
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "gridlines": [
            {"y": round(top + inner_h * (1 - share / 100), 1), "label": share}
            for share in (0, 25, 50, 75, 100)
        ],
        "left": left,
        "right": width - right,
        "label_y": height - bottom + 16,
    }


@member_required
def acquisition(request: HttpRequest) -> HttpResponse:
    months = acquisition_report(business=request.business)
    channels = [
        (value, label, CHANNEL_COLOURS[value]) for value, label in AcquisitionChannel.choices
    ]
    return render(
        request,
        "web/acquisition.html",
        {"months": months, "channels": channels, "chart": acquisition_chart(months)},
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
        found = customer_list(business=request.business, query=query)
        if exclude is not None:
            found = found.exclude(pk=exclude)
        results = list(found.filter(erased_at__isnull=True)[:PICKER_RESULTS])
    return render(
        request,
        "web/partials/referrer_results.html",
        {"results": results, "query": query, "exclude": exclude, "field_id": "id_referred_by"},
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
            "field_id": "id_referred_by",
            "placeholder": _("Type a name, phone or e-mail"),
        },
    )
