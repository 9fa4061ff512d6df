"""What each scorecard figure is made of: the rows of the last 90 days, newest first (at most
ROW_LIMIT), each linked to its customer. One query per table."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import formats
from django.utils.translation import gettext as _

from klantvriend.aftercare.selectors import follow_up_coverage_events
from klantvriend.complaints.models import Complaint
from klantvriend.core.models import Business
from klantvriend.customers.models import Customer, Purchase
from klantvriend.insights.scorecard import new_customers_between
from klantvriend.promises.selectors import promise_views, promises_judged
from klantvriend.surveys.models import SurveyResponse
from klantvriend.surveys.selectors import RESULTS_DAYS

ROW_LIMIT = 200
WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class RowTable:
    title: str
    headers: list[str]
    rows: list[tuple[int | None, str, list[str]]]  # (customer id, customer name, cells)


def _moment(business: Business, value) -> str:
    if value is None:
        return "—"
    return formats.date_format(business.local(value), "SHORT_DATETIME_FORMAT")


def _promises(business, now):
    # The promises the figure judged, each with the status it was judged by.
    promises = (
        promises_judged(business=business, since=now - WINDOW, now=now)
        .select_related("customer")
        .order_by("-due_at", "-id")[:ROW_LIMIT]
    )
    return RowTable(
        _("Promises judged in the last 90 days"),
        [_("promise"), _("due"), _("done"), _("outcome")],
        [
            (
                view.promise.customer_id,
                view.promise.customer.name,
                [
                    view.promise.description,
                    _moment(business, view.promise.due_at),
                    _moment(business, view.promise.done_at),
                    str(view.status.label),
                ],
            )
            for view in promise_views(business=business, promises=promises, now=now)
        ],
    )


def _complaints(business, now):
    complaints = (
        Complaint.objects.filter(business=business, received_at__gte=now - WINDOW)
        .select_related("customer")
        .order_by("-received_at", "-id")[:ROW_LIMIT]
    )
    return RowTable(
        _("Complaints received in the last 90 days"),
        [_("complaint"), _("received"), _("first response"), _("resolved")],
        [
            (
                c.customer_id,
                c.customer.name,
                [
                    c.description[:80],
                    _moment(business, c.received_at),
                    _("on the spot")
                    if c.answered_on_the_spot
                    else _moment(business, c.first_response_at),
                    _moment(business, c.resolved_at),
                ],
            )
            for c in complaints
        ],
    )


def _aftercare(business, now):
    events = follow_up_coverage_events(business=business, today=business.local(now).date())
    return RowTable(
        _("Deliveries, repairs and complaints of the last 90 days and their follow-up"),
        [_("reason"), _("planned for"), _("done"), _("in time")],
        [
            (
                event.customer_id,
                event.customer_name,
                [
                    str(event.reason.label),
                    formats.date_format(event.due_on, "SHORT_DATE_FORMAT"),
                    _moment(business, event.done_at),
                    _("yes") if event.covered else _("no"),
                ],
            )
            for event in events[:ROW_LIMIT]
        ],
    )


def _answers(business, since, title):
    responses = (
        SurveyResponse.objects.filter(business=business, answered_at__gte=since)
        .select_related("customer")
        .order_by("-answered_at", "-id")[:ROW_LIMIT]
    )
    return RowTable(
        title,
        [_("answered"), _("recommendation (0-10)"), _("comment")],
        [
            (
                r.customer_id,
                r.customer.name if r.customer_id else _("anonymous"),
                [_moment(business, r.answered_at), str(r.nps), r.comment[:80]],
            )
            for r in responses
        ],
    )


def _surveys(business, now):
    return _answers(business, now - WINDOW, _("Survey answers of the last 90 days"))


def _driver_answers(business, now):
    # The drivers are averaged over a year of answers (surveys.selectors.RESULTS_DAYS).
    return _answers(
        business, now - timedelta(days=RESULTS_DAYS), _("Survey answers of the last 12 months")
    )


def _repeat(business, now):
    start = now - WINDOW
    customers = (
        Customer.objects.filter(business=business)
        .filter(Exists(Purchase.objects.filter(customer=OuterRef("pk"), at__gte=start, at__lt=now)))
        .annotate(returning=Exists(Purchase.objects.filter(customer=OuterRef("pk"), at__lt=start)))
        .order_by("name", "id")[:ROW_LIMIT]
    )
    return RowTable(
        _("Customers who bought in the last 90 days"),
        [_("had bought before")],
        [(c.pk, c.name, [_("yes") if c.returning else _("no, new")]) for c in customers],
    )


def _referrals(business, now):
    customers = (
        new_customers_between(business, now - WINDOW, now)
        .select_related("referred_by")
        .order_by("-customer_since", "-id")[:ROW_LIMIT]
    )
    return RowTable(
        _("New customers of the last 90 days"),
        [_("customer since"), _("came to us through"), _("referred by")],
        [
            (
                c.pk,
                c.name,
                [
                    formats.date_format(c.customer_since, "SHORT_DATE_FORMAT"),
                    c.get_acquisition_channel_display(),
                    c.referred_by.name if c.referred_by else "—",
                ],
            )
            for c in customers
        ],
    )


SCORECARD_ROWS = {
    "promises": _promises,
    "complaint_response": _complaints,
    "complaint_resolution": _complaints,
    "aftercare": _aftercare,
    "nps": _surveys,
    "drivers": _driver_answers,
    "repeat_rate": _repeat,
    "referrals": _referrals,
}


def scorecard_rows(*, business: Business, figure: str, now: datetime) -> RowTable:
    return SCORECARD_ROWS[figure](business, now)
