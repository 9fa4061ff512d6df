"""Deadlines counted in working hours ("respond within 4 working hours"): a complaint that
arrives on Saturday evening is due on the next working morning, not in the middle of the night."""

from collections.abc import Iterable
from datetime import datetime, time, timedelta, tzinfo


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
    cursor = start.astimezone(tz)
    day = cursor.date()
    # A year of days is far more than any target needs; the bound only guards a bad setting.
    for _ in range(370):
        if day.weekday() in days:
            open_at = datetime.combine(day, opening, tzinfo=tz)
            close_at = datetime.combine(day, closing, tzinfo=tz)
            begin = max(cursor, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
        cursor = datetime.combine(day, time.min, tzinfo=tz)
    return start + timedelta(hours=hours)
