"""The moments people give for what happened (a purchase, a complaint received, a promise made),
checked alike everywhere: not in the future, and not in a year no shop recorded anything."""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ValidationError

# A clock a few minutes fast (a phone, a till) is not someone typing a moment in the future.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Nothing a shop records happened before 1900: an earlier year is a typing error ("0025" for
# "2025"), and would stretch every chart and customer's history back to it.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def moment_problem(at: datetime, *, now: datetime | None = None) -> tuple[str, str] | None:
    """Why `at` cannot be when something happened, as (message, code); None when it can."""
    if at > (now or timezone.now()) + FUTURE_TOLERANCE:
        return _("This moment lies in the future."), "future"
    if at < EARLIEST:
        return _("Check the year: this moment lies before 1900."), "too_early"
    return None


def refuse_unlikely_moment(
    at: datetime, *, field: str, now: datetime | None = None, future: str | None = None
) -> None:
    """Raises a ValidationError on `field` when `at` cannot be when something happened;
    `future` words the refusal of a moment in the future for the kind of record."""
    problem = moment_problem(at, now=now)
    if problem is None:
        return
    message, code = problem
    if code == "future" and future:
        message = future
    raise ValidationError({field: ValidationError(message, code=code)})


def skipped_by_the_clocks(day: date, at: time, tz: tzinfo) -> bool:
    """Whether no clock in `tz` shows `at` on `day`: the night summer time starts, 02:30 does
    not exist in Amsterdam. Python would read it with the offset before the change, as 03:30,
    without a word. (A time shown twice, the night summer time ends, is read as the first.)"""
    moment = datetime.combine(day, at, tzinfo=tz)
    return moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != moment.replace(tzinfo=None)
