"""Reads of complaints: lists, the queue by remaining time, figures, timeline and open items."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from klantvriend.core.care_settings import care_settings
from klantvriend.core.db import SecondsBetween
from klantvriend.core.members import staff_name
from klantvriend.core.models import Business
from klantvriend.core.rows import ByOffset, IdsFirst, Rows, first_rows
from klantvriend.core.selectors import owned_get
from klantvriend.core.timeline import OpenItem, TimelineEntry, known_none
from klantvriend.promises.selectors import promise_grace
from klantvriend.promises.status import PromiseStatus, promise_status

from .clocks import Clock, complaint_clock
from .models import QUEUE_ORDER, Complaint

FIGURES_PERIOD = timedelta(days=90)
# How many rows of the queue complaint_queue lists unless told (a customer's open complaints).
QUEUE_LIMIT = 100


class ComplaintStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("awaiting first response")
    RESPONDED = "responded", gettext_lazy("answered, not resolved")
    RESOLVED = "resolved", gettext_lazy("resolved")


def complaint_status(complaint: Complaint) -> ComplaintStatus:
    if complaint.resolved_at is not None:
        return ComplaintStatus.RESOLVED
    if complaint.first_response_at is not None:
        return ComplaintStatus.RESPONDED
    return ComplaintStatus.OPEN


_STATUS_CONDITIONS = {
    ComplaintStatus.OPEN: Q(first_response_at__isnull=True, resolved_at__isnull=True),
    ComplaintStatus.RESPONDED: Q(first_response_at__isnull=False, resolved_at__isnull=True),
    ComplaintStatus.RESOLVED: Q(resolved_at__isnull=False),
}


# How long complaints waited for their first response, as the charts count them: those answered
# on the spot (at the counter, on the phone; Complaint.answered_on_the_spot) apart, then ranges
# of hours, the last open-ended. A key of the address, and its hours from and until.
# Not answered yet: a range of its own after the others, so that the first-response chart shows
# the complaints still waiting (Today's "late" ones among them) rather than leave them out.
NOT_ANSWERED = "waiting"
RESPONSE_TIMES = {
    "on_the_spot": None,
    "0-1": (0, 1),
    "1-4": (1, 4),
    "4-8": (4, 8),
    "8-24": (8, 24),
    "24-72": (24, 72),
    "72-": (72, None),
    NOT_ANSWERED: None,
}
_ON_THE_SPOT = Q(first_response_at=models.F("received_at"))


def response_time_condition(key: str) -> Q:
    """The complaints whose first response came within the range `key` of RESPONSE_TIMES: what
    the charts count in its bar and the complaint list shows under it."""
    if key == NOT_ANSWERED:
        return Q(first_response_at__isnull=True)
    hours = RESPONSE_TIMES[key]
    if hours is None:
        return _ON_THE_SPOT
    low, high = hours
    # From the first moment after receiving: at that moment itself it was on the spot. The
    # hours are compared in seconds the database computes (an interval added to a moment is
    # a call back into Python for every row on SQLite), to the millisecond: the seconds come
    # from fractional days there, a few microseconds off.
    condition = Q(first_response_at__gt=models.F("received_at"))
    seconds = SecondsBetween("first_response_at", "received_at")
    if low:
        condition &= Q(GreaterThanOrEqual(seconds, low * 3600 - 0.001))
    if high is not None:
        condition &= Q(LessThan(seconds, high * 3600 - 0.001))
    return condition


def response_time_choices() -> list[tuple[str, str]]:
    """Each range of RESPONSE_TIMES as the charts and the complaint list name it, as the
    scorecard's sentences write hours ("1–4 uur"), in the language of the request."""
    choices = []
    for key, hours in RESPONSE_TIMES.items():
        if key == NOT_ANSWERED:
            label = pgettext("response time", "not answered yet")
        elif hours is None:
            label = _("on the spot")
        elif hours[1] is None:
            label = _("%(low)d hours or more") % {"low": hours[0]}
        else:
            label = _("%(low)d–%(high)d hours") % {"low": hours[0], "high": hours[1]}
        choices.append((key, label))
    return choices


def complaint_list(
    *, business: Business, customer_id: int | None = None, status: str | None = None
) -> QuerySet[Complaint]:
    complaints = Complaint.objects.filter(business=business)
    if customer_id is not None:
        complaints = complaints.filter(customer_id=customer_id)
    if status:
        complaints = complaints.filter(_STATUS_CONDITIONS[ComplaintStatus(status)])
    return complaints.select_related("customer", "received_by", "promise").order_by(
        "-received_at", "-id"
    )


def complaint_get(*, business: Business, complaint_id: int) -> Complaint:
    return owned_get(
        Complaint.objects.select_related("business", "customer", "received_by", "promise"),
        business=business,
        pk=complaint_id,
    )


def complaint_clocks_judged(complaint: Complaint, *, now: datetime | None = None) -> bool:
    """Whether `complaint` has been judged by its deadlines: answered, resolved, or a deadline
    passed. When it came in and whether it is public then stay (services.complaint_update), so
    that its figures do not change afterwards."""
    business = complaint.business
    clock = complaint_clock(
        complaint,
        settings=care_settings(business),
        tz=business.tzinfo,
        now=now or timezone.now(),
    )
    return clock.response_in_time is not None or clock.resolution_in_time is not None


@dataclass(frozen=True)
class PromiseComplaints:
    """The complaints received since `since` about a promise (Complaint.promise): how many,
    how many of those about a promise not kept on time (kept late, broken, or open past its
    moment), and the latest, each with the status of its promise."""

    since: datetime
    total: int
    not_kept_on_time: int
    latest: list[tuple[Complaint, PromiseStatus]]


def promise_complaints(
    *, business: Business, since: datetime, now: datetime | None = None, shown: int = 10
) -> PromiseComplaints:
    """One count query and one for the latest rows, whatever the number of complaints."""
    now = now or timezone.now()
    about_promises = Complaint.objects.filter(
        business=business, promise__isnull=False, received_at__gte=since
    )
    due = models.F("promise__due_at")
    not_kept_on_time = (
        Q(promise__done_at__gt=due)
        | Q(promise__cancelled_at__gt=due)
        | Q(
            promise__done_at__isnull=True,
            promise__cancelled_at__isnull=True,
            promise__due_at__lt=now,
        )
    )
    counts = about_promises.aggregate(
        total=Count("pk"), not_kept_on_time=Count("pk", filter=not_kept_on_time)
    )
    latest = about_promises.select_related("customer", "promise").order_by("-received_at", "-id")
    grace = promise_grace(business)
    today = business.local(now).date()
    return PromiseComplaints(
        since=since,
        total=counts["total"],
        not_kept_on_time=counts["not_kept_on_time"],
        latest=[
            (complaint, promise_status(complaint.promise, now=now, today=today, grace=grace))
            for complaint in latest[:shown]
        ],
    )


@dataclass(frozen=True)
class ComplaintView:
    complaint: Complaint
    clock: Clock

    @property
    def status(self) -> ComplaintStatus:
        return complaint_status(self.complaint)

    @property
    def response_time(self) -> timedelta | None:
        """How long the customer waited for the first answer; None while they wait."""
        answered = self.complaint.first_response_at
        return None if answered is None else answered - self.complaint.received_at


def complaint_views(
    *, business: Business, complaints, now: datetime | None = None
) -> list[ComplaintView]:
    now = now or timezone.now()
    settings = care_settings(business)
    return [
        ComplaintView(
            complaint, complaint_clock(complaint, settings=settings, tz=business.tzinfo, now=now)
        )
        for complaint in complaints
    ]


def complaint_queue(
    *,
    business: Business,
    now: datetime | None = None,
    customer_id: int | None = None,
    limit: int = QUEUE_LIMIT,
) -> Rows[ComplaintView]:
    """The first `limit` unresolved complaints in QUEUE_ORDER (breached first, longest breached
    on top, then by time left), with how many there are: ordered in SQL by their stored
    deadlines through the index complaint_queue, so Today's rows are exactly the complaints
    list's first ones however many are open. One query, two when there are more than `limit`."""
    complaints = Complaint.objects.filter(business=business, resolved_at__isnull=True)
    if customer_id is not None:
        complaints = complaints.filter(customer_id=customer_id)
    queue = first_rows(complaints.select_related("customer").order_by(*QUEUE_ORDER), limit)
    return Rows(complaint_views(business=business, complaints=queue.items, now=now), queue.total)


@dataclass(frozen=True)
class ComplaintFigures:
    received: int
    # Of those received: answered at once (`Complaint.answered_on_the_spot`), and answered
    # after a while, whose median wait is `median_response` (`median_response_hours` to the
    # tenth of an hour, as the API gives it); the rest await an answer.
    answered_on_the_spot: int
    answered_later: int
    responded_in_time_share: float | None
    resolved_in_time_share: float | None
    # The complaints whose response is judged (answered, or past their time) and of those the
    # ones answered in time: what the response share is the quotient of.
    responses_judged: int
    responded_in_time: int
    # The complaints whose resolution is judged (resolved, or past their time) and of those
    # the ones resolved in time: what the resolution share is the quotient of.
    resolutions_judged: int
    resolved_in_time: int
    median_response: timedelta | None
    median_response_hours: float | None
    open_breached: int


def complaints_received(*, business: Business, now: datetime) -> QuerySet[Complaint]:
    """The complaints the figures of the 90 days before `now` are made of: counted by
    complaint_figures and listed under them on the scorecard."""
    return Complaint.objects.filter(
        business=business, received_at__gte=now - FIGURES_PERIOD, received_at__lt=now
    )


class _Moments(NamedTuple):
    """What the figures read of a complaint: what its clocks need (complaint_clock) and when
    it was answered. Read as plain rows: building the models took a fifth of the figures."""

    received_at: datetime
    public: bool
    first_response_at: datetime | None
    resolved_at: datetime | None
    respond_by: datetime | None
    resolve_by: datetime | None

    @property
    def answered_on_the_spot(self) -> bool:
        return self.first_response_at is not None and self.first_response_at == self.received_at


def _figures(judged: list[tuple[_Moments, Clock]], *, since: datetime) -> ComplaintFigures:
    """The figures of the complaints received since `since`, over those and the unresolved
    ones received earlier, each with its clock at the figures' moment."""
    breached = sum(1 for _complaint, clock in judged if clock.breached)
    judged = [(complaint, clock) for complaint, clock in judged if complaint.received_at >= since]
    responses = [c.response_in_time for _m, c in judged if c.response_in_time is not None]
    resolutions = [c.resolution_in_time for _m, c in judged if c.resolution_in_time is not None]
    on_the_spot = sum(1 for complaint, _clock in judged if complaint.answered_on_the_spot)
    waits = [
        complaint.first_response_at - complaint.received_at
        for complaint, _clock in judged
        if complaint.first_response_at is not None and not complaint.answered_on_the_spot
    ]
    median_wait = statistics.median(waits) if waits else None
    return ComplaintFigures(
        received=len(judged),
        answered_on_the_spot=on_the_spot,
        answered_later=len(waits),
        responded_in_time_share=sum(responses) / len(responses) if responses else None,
        resolved_in_time_share=sum(resolutions) / len(resolutions) if resolutions else None,
        responses_judged=len(responses),
        responded_in_time=sum(responses),
        resolutions_judged=len(resolutions),
        resolved_in_time=sum(resolutions),
        median_response=median_wait,
        median_response_hours=round(median_wait / timedelta(hours=1), 1) if waits else None,
        open_breached=breached,
    )


def complaint_figures_at(
    *, business: Business, moments: Sequence[datetime]
) -> list[ComplaintFigures]:
    """The figures at each of `moments` (complaint_figures), from one read of the complaints:
    the scorecard's trend asks for now and for 90 days before. Each complaint is judged by its
    stored deadlines (those it was judged by when answered or resolved, clocks.stored_deadlines)
    at every moment whose figures it is in."""
    latest, earliest = max(moments), min(moments)
    settings, tz = care_settings(business), business.tzinfo
    rows = (
        Complaint.objects.filter(business=business, received_at__lt=latest)
        .filter(Q(received_at__gte=earliest - FIGURES_PERIOD) | Q(resolved_at__isnull=True))
        .order_by()
        .values_list(
            "received_at", "public", "first_response_at", "resolved_at", "respond_by", "resolve_by"
        )
    )
    complaints = [_Moments(*row) for row in rows]
    figures = []
    for now in moments:
        # The complaints received in the 90 days before `now`, and the unresolved ones
        # received before it, as complaints_received and complaint_figures read them.
        since = now - FIGURES_PERIOD
        figures.append(
            _figures(
                [
                    (complaint, complaint_clock(complaint, settings=settings, tz=tz, now=now))
                    for complaint in complaints
                    if complaint.received_at < now
                    and (complaint.received_at >= since or complaint.resolved_at is None)
                ],
                since=since,
            )
        )
    return figures


def complaint_figures(*, business: Business, now: datetime | None = None) -> ComplaintFigures:
    """The shares and the median over the complaints received in the 90 days before `now`, and
    how many unresolved complaints are past their target, however long ago they came in (the
    complaints list shows every one of them as late). One query. The end of the period is
    bounded too: the scorecard asks for the 90 days before an earlier moment to show the
    trend, and those must not include the complaints received since.

    A complaint answered on the spot counts as answered in time, as it was, but not in the
    median: that says how long the customers wait whose complaint was not answered at once,
    which a median of mostly zeros would hide."""
    [figures] = complaint_figures_at(business=business, moments=[now or timezone.now()])
    return figures


# The states the complaints list filters by: each stage of ComplaintStatus, and every complaint
# not yet resolved (awaiting a first answer or answered), as Today lists and counts them.
UNRESOLVED = "unresolved"
STATES = (UNRESOLVED, *ComplaintStatus.values)
_STATE_CONDITIONS = {
    UNRESOLVED: Q(resolved_at__isnull=True),
    **{status.value: condition for status, condition in _STATUS_CONDITIONS.items()},
}


@dataclass(frozen=True)
class ComplaintTally:
    """How many complaints of a list's period and publicity are at each stage."""

    open: int
    responded: int
    resolved: int

    @property
    def unresolved(self) -> int:
        return self.open + self.responded

    @property
    def total(self) -> int:
        return self.unresolved + self.resolved

    def count(self, state: str = "") -> int:
        """How many the list holds with `state` (one of STATES, or every complaint)."""
        counts = {
            UNRESOLVED: self.unresolved,
            ComplaintStatus.OPEN: self.open,
            ComplaintStatus.RESPONDED: self.responded,
            ComplaintStatus.RESOLVED: self.resolved,
        }
        return counts[state] if state else self.total


class _Unresolved(ByOffset):
    """The unresolved complaints of a list in QUEUE_ORDER, through the index complaint_queue. A
    page past them reads nothing: the list's tally tells how many there are."""

    def ids(self, start: int, stop: int, *, of: int | None = None, size: int | None = None) -> list:
        return [] if start >= self.count() else super().ids(start, stop, of=of, size=size)


@dataclass(frozen=True)
class ComplaintRegister:
    complaints: IdsFirst
    tally: ComplaintTally


def complaint_register(
    *,
    business: Business,
    state: str = "",
    public: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    response: str = "",
) -> ComplaintRegister:
    """Every complaint of the business received from `since` until `until` (either open), with
    `state` (one of STATES, or every one), with a first response within `response` (a key of
    RESPONSE_TIMES) and, when `public` is given, public or not: the unresolved ones first in
    QUEUE_ORDER, as Today lists them (complaint_queue), then the resolved ones, the latest
    received first, each part through its index. The tally counts each stage of the same
    complaints in one query; a page reads the complaints' ids in order, then builds its own
    fifty."""
    complaints = Complaint.objects.filter(business=business)
    if public is not None:
        complaints = complaints.filter(public=public)
    if since is not None:
        complaints = complaints.filter(received_at__gte=since)
    if until is not None:
        complaints = complaints.filter(received_at__lt=until)
    if response:
        # A bar of the charts' first-response times (RESPONSE_TIMES).
        complaints = complaints.filter(response_time_condition(response))
    counts = complaints.aggregate(
        **{
            status.value: Count("pk", filter=condition)
            for status, condition in _STATUS_CONDITIONS.items()
        }
    )
    tally = ComplaintTally(
        open=counts[ComplaintStatus.OPEN],
        responded=counts[ComplaintStatus.RESPONDED],
        resolved=counts[ComplaintStatus.RESOLVED],
    )
    if state:
        complaints = complaints.filter(_STATE_CONDITIONS[state])
    # How many of each part the list holds, told to the parts so that neither is counted again.
    unresolved = 0 if state == ComplaintStatus.RESOLVED else tally.count(state or UNRESOLVED)
    resolved = tally.count(state) - unresolved
    listed = IdsFirst(
        complaints.select_related("customer", "received_by", "logged_gesture", "promise"),
        parts=[
            _Unresolved(
                complaints.filter(resolved_at__isnull=True).order_by(*QUEUE_ORDER),
                told=lambda: unresolved,
            ),
            ByOffset(
                complaints.filter(resolved_at__isnull=False).order_by("-received_at", "-id"),
                told=lambda: resolved,
            ),
        ],
        count=tally.count(state),
    )
    return ComplaintRegister(listed, tally)


def complaint_timeline(*, customer, limit: int) -> list[TimelineEntry]:
    if known_none(customer, "complaints"):
        return []
    entries = []
    for complaint in customer.complaints.select_related("received_by").order_by(
        "-received_at", "-id"
    )[:limit]:
        status = complaint_status(complaint)
        entries.append(
            TimelineEntry(
                at=complaint.resolved_at or complaint.received_at,
                kind="complaint",
                label=_("complaint"),
                summary=_("%(what)s (%(status)s)")
                % {"what": complaint.description, "status": status.label}
                + (f" · {complaint.resolution}" if complaint.resolution else ""),
                actor=staff_name(complaint.received_by) if complaint.received_by else "",
                extra={"status": status.value, "complaint_id": complaint.pk},
            )
        )
    return entries


def complaint_open_items(*, customer) -> list[OpenItem]:
    if known_none(customer, "complaints"):
        return []
    views = complaint_queue(business=customer.business, customer_id=customer.pk).items
    return [
        OpenItem(
            kind="complaint",
            label=_("public complaint") if view.complaint.public else _("complaint"),
            summary=view.complaint.description[:120],
            due=view.clock.deadline,
            overdue=view.clock.breached,
            pk=view.complaint.pk,
        )
        for view in views
    ]
