"""The derived status of a promise, in Python for one promise and in SQL for lists.

cancelled   cancelled before it was due (by agreement: not held against the business)
broken      cancelled after it was due, or still open `grace` after it was due
kept_early  done on an earlier day than the day it was due
kept        done on the due day, by the due moment
kept_late   done after the due moment
overdue     open, past the due moment, within the grace
due_today   open, due later today (business-local)
open        open, due on a later day
"""

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PromiseStatus(models.TextChoices):
    OPEN = "open", _("open")
    DUE_TODAY = "due_today", _("due today")
    OVERDUE = "overdue", _("overdue")
    KEPT = "kept", _("kept on time")
    KEPT_EARLY = "kept_early", _("kept early")
    KEPT_LATE = "kept_late", _("kept late")
    BROKEN = "broken", _("broken")
    CANCELLED = "cancelled", _("cancelled")


KEPT_ON_TIME = frozenset({PromiseStatus.KEPT, PromiseStatus.KEPT_EARLY})
# The statuses of the API: "due today" is a view of the Today page, to a client it is open.
API_STATUSES = (
    "open",
    "overdue",
    "kept",
    "kept_early",
    "kept_late",
    "broken",
    "cancelled",
)


def promise_status(promise, *, now: datetime, today, grace: timedelta) -> PromiseStatus:
    if promise.cancelled_at is not None:
        if promise.cancelled_at > promise.due_at:
            return PromiseStatus.BROKEN
        return PromiseStatus.CANCELLED
    if promise.done_at is not None:
        if promise.done_at > promise.due_at:
            return PromiseStatus.KEPT_LATE
        if promise.done_on < promise.due_on:
            return PromiseStatus.KEPT_EARLY
        return PromiseStatus.KEPT
    if now > promise.due_at + grace:
        return PromiseStatus.BROKEN
    if now > promise.due_at:
        return PromiseStatus.OVERDUE
    if promise.due_on == today:
        return PromiseStatus.DUE_TODAY
    return PromiseStatus.OPEN


def may_be_set_on_time(promise, *, grace: timedelta) -> bool:
    """Whether a promise marked kept after its moment may be set right to its moment ("It was
    on time", services.promise_kept_on_time): only when "Done" came within `grace` of it, while
    the promise was not broken yet. Later, whoever marks it kept cannot say it was on time: an
    accountant's quote marked eight days late, then "on time", made the figure what anyone
    wished."""
    done = promise.done_at
    return done is not None and promise.due_at < done <= promise.due_at + grace


def api_status(status: PromiseStatus) -> str:
    return PromiseStatus.OPEN.value if status == PromiseStatus.DUE_TODAY else status.value


def status_condition(status: str, *, now: datetime, today, grace: timedelta) -> Q:
    """The same rules as promise_status, as a filter."""
    is_open = Q(done_at__isnull=True, cancelled_at__isnull=True)
    conditions = {
        PromiseStatus.CANCELLED: Q(
            cancelled_at__isnull=False, cancelled_at__lte=models.F("due_at")
        ),
        PromiseStatus.BROKEN: Q(cancelled_at__gt=models.F("due_at"))
        | (is_open & Q(due_at__lt=now - grace)),
        PromiseStatus.KEPT_LATE: Q(done_at__gt=models.F("due_at")),
        PromiseStatus.KEPT_EARLY: Q(
            done_at__lte=models.F("due_at"), done_on__lt=models.F("due_on")
        ),
        PromiseStatus.KEPT: Q(done_at__lte=models.F("due_at"), done_on__gte=models.F("due_on")),
        PromiseStatus.OVERDUE: is_open & Q(due_at__lt=now, due_at__gte=now - grace),
        PromiseStatus.DUE_TODAY: is_open & Q(due_at__gte=now, due_on=today),
        # "open" as a filter includes "due today", which is only a finer view of an open promise.
        PromiseStatus.OPEN: is_open & Q(due_at__gte=now),
    }
    return conditions[PromiseStatus(status)]
