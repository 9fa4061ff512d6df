"""Referral pages: the ambassadors, the acquisition report, the customer pickers, and "Brought
someone in" on the profile."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clv import charts
from klantvriend.core.errors import NotFound, ValidationError
from klantvriend.core.numbers import share_shown
from klantvriend.customers.models import AcquisitionChannel
from klantvriend.customers.selectors import customer_get, customer_search
from klantvriend.customers.services import customer_update
from klantvriend.insights.charts import month_axis, month_label
from klantvriend.referrals.selectors import (
    acquisition_report,
    ambassador_rows,
    ambassadors_in_order,
)

from .care_responses import profile_response
from .forms import REFERRER_PLACEHOLDER, ReferralForm, ReferrerPicker
from .views import member_required

PICKER_RESULTS = 8
# The customer pickers' fields (element id: the name the form posts): the customer form's
# referrer, the walk-in panel's, and the profile's "Brought someone in" (whom this customer
# referred). A page may hold several. The field a picker's requests name, if it is one of these;
# else the customer form's.
PICKER_FIELDS = {
    "id_referred_by": "referred_by",
    "quick-add-referred_by": "referred_by",
    "referral-referred": "referred",
}


def _picker_field(request: HttpRequest) -> str:
    field = request.GET.get("field", "")
    return field if field in PICKER_FIELDS else "id_referred_by"


CHANNEL_COLOURS = {
    AcquisitionChannel.REFERRAL: "referral",
    AcquisitionChannel.WALK_IN: "walk-in",
    AcquisitionChannel.ONLINE: "online",
    AcquisitionChannel.ADVERTISEMENT: "advertisement",
    AcquisitionChannel.OTHER: "other",
    AcquisitionChannel.UNKNOWN: "unknown",
}


AMBASSADORS_PER_PAGE = 50


@member_required
def ambassadors(request: HttpRequest) -> HttpResponse:
    """Every ambassador, a page at a time: the page stopped at the first fifty, so that the
    promoters it says follow, and a referrer just recorded, were never seen."""
    page = Paginator(
        ambassadors_in_order(business=request.business), AMBASSADORS_PER_PAGE
    ).get_page(request.GET.get("page"))
    ranking = ambassador_rows(business=request.business, customers=list(page.object_list))
    return render(request, "web/ambassadors.html", {"page": page, "ranking": ranking})


def acquisition_chart(months) -> str:
    """Stacked bars of the channel shares per month, referral at the bottom so that its share
    reads straight off the axis."""
    labels = [month_label(month.month) for month in months]
    order = [AcquisitionChannel.REFERRAL] + [
        channel for channel in months[0].counts if channel != AcquisitionChannel.REFERRAL
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
            "channels": [
                (channel, AcquisitionChannel(channel).label) for channel in months[0].counts
            ],
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
    query = request.GET.get(ReferrerPicker.query_name, request.GET.get("q", "")).strip()
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
            "name": PICKER_FIELDS[_picker_field(request)],
            "field_id": _picker_field(request),
            "placeholder": REFERRER_PLACEHOLDER,
        },
    )


@member_required
@require_POST
def referral_add(request: HttpRequest, customer_id: int) -> HttpResponse:
    """ "Brought someone in" on the profile of `customer_id`: the customer chosen gets them as
    referrer and came through a referral, by the customer service's rules (not oneself, no
    circle, not anonymised; a first purchase already made plans the thank-you). Refused, the
    form says why on its field and nothing is stored."""
    referrer = customer_get(business=request.business, customer_id=customer_id)
    form = ReferralForm(request.POST, business=request.business, referrer=referrer)
    if form.is_valid():
        referred = form.cleaned_data["referred"]
        try:
            customer_update(
                customer=referred,
                referred_by=referrer,
                acquisition_channel=AcquisitionChannel.REFERRAL,
                actor=request.user,
            )
        except ValidationError as refused:
            for errors in refused.message_dict.values():
                for message in errors:
                    form.add_error("referred", message)
        else:
            saved = _("%(name)s recorded as brought in by %(referrer)s.") % {
                "name": referred.name,
                "referrer": referrer.name,
            }
            return profile_response(request, referrer, saved=("referral", saved))
    return profile_response(request, referrer, status=422, referral_form=form)
