"""Deadlines counted in working hours ("respond within 4 working hours"): a complaint that
arrives on Saturday evening is due on the next working morning, not in the middle of the night."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache


@lru_cache(maxsize=4096)
def _day_in_utc(day: date, opening: time, closing: time, tz: tzinfo) -> tuple[datetime, ...]:
    """The day's local midnight, opening and closing as UTC moments. Kept for the days asked
    last: the complaint figures work out a deadline for each of 2,000 complaints, most of them
    on the same few hundred days, and converting the moments was a third of that work."""
    return tuple(
        datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)
        for moment in (time.min, opening, closing)
    )


def add_working_hours(
    start: datetime,
    hours: float,
    *,
    tz: tzinfo,
    working_days: Iterable[int],
    opening: time,
    closing: time,
) -> datetime:
    """The moment `hours` working hours after `start`. Working days are weekday numbers
    (Monday is 0); a business without any working time falls back to clock hours."""
    days = set(working_days)
    if not days or opening >= closing:
        return start + timedelta(hours=hours)
    remaining = timedelta(hours=hours)
    day = start.astimezone(tz).date()
    # Days and opening times are local, but the hours are counted in UTC: Python adds to and
    # subtracts aware datetimes of one zone on the wall clock, so on the night the clocks
    # change a local working hour would last none or two.
    cursor = start.astimezone(UTC)
    # A year of days is far more than any target needs; the bound only guards a bad setting.
    for _ in range(370):
        if day.weekday() in days:
            _midnight, open_at, close_at = _day_in_utc(day, opening, closing, tz)
            begin = max(cursor, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(tz)
                remaining -= available
        day += timedelta(days=1)
        cursor = _day_in_utc(day, opening, closing, tz)[0]
    return start + timedelta(hours=hours)


def next_working_moment(
    moment: datetime,
    *,
    tz: tzinfo,
    working_days: Iterable[int],
    opening: time,
    closing: time,
) -> datetime:
    """`moment` itself when the business is open then (closing time included: "ready by
    closing"), else the next opening. A business without any working time keeps the moment."""
    days = set(working_days)
    if not days or opening >= closing:
        return moment
    local = moment.astimezone(tz)
    if local.weekday() in days and opening <= local.time() <= closing:
        return moment
    day = local.date() if local.time() < opening else local.date() + timedelta(days=1)
    return datetime.combine(next_working_day(day, working_days=days), opening, tzinfo=tz)


def next_working_day(day: date, *, working_days: Iterable[int]) -> date:
    """`day` itself when the business works that weekday, else its next working day; a
    business without working days keeps the day."""
    days = set(working_days)
    if not days:
        return day
    while day.weekday() not in days:
        day += timedelta(days=1)
    return day
