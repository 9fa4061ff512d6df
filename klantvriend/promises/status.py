"""The derived status of a promise, in Python for one promise and in SQL for lists.

cancelled   cancelled before it was due (by agreement: not held against the business)
broken      cancelled after it was due, or still open at the end of its grace (Grace)
kept_early  done on an earlier day than the day it was due
kept        done on the due day, by the due moment
kept_late   done after the due moment
overdue     open, past the due moment, within the grace
due_today   open, due later today (business-local)
open        open, due on a later day
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from klantvriend.core.working_hours import WeekHours, add_open_days_time, open_days_time_reaches


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


@dataclass(frozen=True)
class Grace:
    """How long an open promise past its moment is overdue before it counts as broken: `span`
    of clock time (the owner's promise_grace_hours), standing still on the days the business
    is closed (core.working_hours.add_open_days_time). A butcher's Christmas Eve orders not
    marked kept that evening were broken on Christmas Day, while the shop was shut."""

    span: timedelta
    tz: tzinfo
    week: WeekHours
    closed: Collection[date] = frozenset()

    def ends(self, due_at: datetime) -> datetime:
        """When a promise due at `due_at` and still open counts as broken."""
        return add_open_days_time(due_at, self.span, tz=self.tz, week=self.week, closed=self.closed)

    def broken_before(self, moment: datetime) -> datetime:
        """The due moment before which an open promise is past its grace at `moment`: the one
        comparison a query makes of every promise's due_at."""
        return open_days_time_reaches(
            moment, self.span, tz=self.tz, week=self.week, closed=self.closed
        )


def promise_status(promise, *, now: datetime, today, grace: Grace) -> PromiseStatus:
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
    if now > grace.ends(promise.due_at):
        return PromiseStatus.BROKEN
    if now > promise.due_at:
        return PromiseStatus.OVERDUE
    if promise.due_on == today:
        return PromiseStatus.DUE_TODAY
    return PromiseStatus.OPEN


def may_be_set_on_time(promise, *, grace: Grace) -> bool:
    """Whether a promise marked kept after its moment may be set right to its moment ("It was
    on time", services.promise_kept_on_time): only when "Done" came within `grace` of it, while
    the promise was not broken yet. Later, whoever marks it kept cannot say it was on time: an
    accountant's quote marked eight days late, then "on time", made the figure what anyone
    wished."""
    done = promise.done_at
    return done is not None and promise.due_at < done <= grace.ends(promise.due_at)


def api_status(status: PromiseStatus) -> str:
    return PromiseStatus.OPEN.value if status == PromiseStatus.DUE_TODAY else status.value


def status_condition(status: str, *, now: datetime, today, grace: Grace) -> Q:
    """The same rules as promise_status, as a filter."""
    is_open = Q(done_at__isnull=True, cancelled_at__isnull=True)
    broken_before = grace.broken_before(now)
    conditions = {
        PromiseStatus.CANCELLED: Q(
            cancelled_at__isnull=False, cancelled_at__lte=models.F("due_at")
        ),
        PromiseStatus.BROKEN: Q(cancelled_at__gt=models.F("due_at"))
        | (is_open & Q(due_at__lt=broken_before)),
        PromiseStatus.KEPT_LATE: Q(done_at__gt=models.F("due_at")),
        PromiseStatus.KEPT_EARLY: Q(
            done_at__lte=models.F("due_at"), done_on__lt=models.F("due_on")
        ),
        PromiseStatus.KEPT: Q(done_at__lte=models.F("due_at"), done_on__gte=models.F("due_on")),
        PromiseStatus.OVERDUE: is_open & Q(due_at__lt=now, due_at__gte=broken_before),
        PromiseStatus.DUE_TODAY: is_open & Q(due_at__gte=now, due_on=today),
        # "open" as a filter includes "due today", which is only a finer view of an open promise.
        PromiseStatus.OPEN: is_open & Q(due_at__gte=now),
    }
    return conditions[PromiseStatus(status)]
