"""Deadlines counted in working hours ("respond within 4 working hours"): a complaint that
arrives on Saturday evening is due on the next working morning, not in the middle of the night.

A business's hours are a week of them, Monday first: each day closed (None) or open from one
time to a later one. A hair salon opens late on Thursday and short on Saturday; one pair of
times for every working day put its deadlines wrong on exactly those days. Besides its week, a
business is closed on the days it names (`closed`: Christmas, King's Day, its summer holiday;
core.care_settings.ClosedPeriod), which count as closed days of the week do."""

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple


class DayHours(NamedTuple):
    opens: time
    closes: time


# Seven entries, Monday (weekday 0) first; None is a closed day.
WeekHours = tuple[DayHours | None, ...]


def same_hours(working_days: Iterable[int], opens: time, closes: time) -> WeekHours:
    """The same hours on each of `working_days` and closed on the others: how the hours were
    kept before each day had its own."""
    days = set(working_days)
    return tuple(DayHours(opens, closes) if day in days else None for day in range(7))


def _open(hours: DayHours | None) -> bool:
    # A day whose closing is not after its opening counts as closed: the settings refuse one,
    # and the counting below must not loop on it either.
    return hours is not None and hours.opens < hours.closes


def open_days(week: Sequence[DayHours | None]) -> tuple[int, ...]:
    """The weekday numbers the business opens on."""
    return tuple(day for day, hours in enumerate(week) if _open(hours))


@lru_cache(maxsize=4096)
def _day_in_utc(day: date, opening: time, closing: time, tz: tzinfo) -> tuple[datetime, ...]:
    """The day's opening and closing as UTC moments. Kept for the days asked last: the
    complaint figures work out a deadline for each of 2,000 complaints, most of them on the
    same few hundred days, and converting the moments was a third of that work."""
    return tuple(
        datetime.combine(day, moment, tzinfo=tz).astimezone(UTC) for moment in (opening, closing)
    )


def add_working_hours(
    start: datetime,
    hours: float,
    *,
    tz: tzinfo,
    week: WeekHours,
    closed: Collection[date] = frozenset(),
) -> datetime:
    """The moment `hours` working hours after `start`, counted in each day's own opening
    hours and not on the `closed` days; a business without any working time falls back to
    clock hours."""
    if not open_days(week):
        return start + timedelta(hours=hours)
    remaining = timedelta(hours=hours)
    day = start.astimezone(tz).date()
    # Days and opening times are local, but the hours are counted in UTC: Python adds to and
    # subtracts aware datetimes of one zone on the wall clock, so on the night the clocks
    # change a local working hour would last none or two.
    cursor = start.astimezone(UTC)
    # A year of days (and the closed ones) is far more than any target needs; the bound only
    # guards a bad setting.
    for _ in range(370 + len(closed)):
        today = week[day.weekday()]
        if today is not None and _open(today) and day not in closed:
            open_at, close_at = _day_in_utc(day, today.opens, today.closes, tz)
            begin = max(cursor, open_at)
            if begin < close_at:
                available = close_at - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(tz)
                remaining -= available
        day += timedelta(days=1)
        # Any moment before the next day's opening will do: its opening is where counting
        # starts again.
        cursor = datetime.min.replace(tzinfo=UTC)
    return start + timedelta(hours=hours)


def next_working_moment(
    moment: datetime, *, tz: tzinfo, week: WeekHours, closed: Collection[date] = frozenset()
) -> datetime:
    """`moment` itself when the business is open then (closing time included: "ready by
    closing"), else the next opening, past the `closed` days. A business without any working
    time keeps the moment."""
    return _open_moment(moment, tz=tz, week=week, closed=closed, forward=True)


def last_working_moment(
    moment: datetime, *, tz: tzinfo, week: WeekHours, closed: Collection[date] = frozenset()
) -> datetime:
    """`moment` itself when the business is open then, else the closing before it, past the
    `closed` days: next_working_moment looking back ("ready by Friday's closing" for a moment
    in the night before Saturday). A business without any working time keeps the moment."""
    return _open_moment(moment, tz=tz, week=week, closed=closed, forward=False)


def _open_moment(
    moment: datetime, *, tz: tzinfo, week: WeekHours, closed: Collection[date], forward: bool
) -> datetime:
    if not open_days(week):
        return moment
    local = moment.astimezone(tz)
    day = local.date()
    hours = week[day.weekday()]
    if _open(hours) and day not in closed:
        if hours.opens <= local.time() <= hours.closes:
            return moment
        if forward and local.time() < hours.opens:
            return datetime.combine(day, hours.opens, tzinfo=tz)
        if not forward and local.time() > hours.closes:
            return datetime.combine(day, hours.closes, tzinfo=tz)
    step = timedelta(days=1 if forward else -1)
    for _ in range(7 + len(closed)):
        day += step
        hours = week[day.weekday()]
        if _open(hours) and day not in closed:
            return datetime.combine(day, hours.opens if forward else hours.closes, tzinfo=tz)
    return moment  # not reached: some day of the week is open, and the closed days end


def last_working_day(
    day: date, *, working_days: Iterable[int], closed: Collection[date] = frozenset()
) -> date:
    """`day` itself when the business works that weekday and is not closed that day, else the
    working day before it; a business without working days keeps the day."""
    days = set(working_days)
    if not days:
        return day
    while day.weekday() not in days or day in closed:
        day -= timedelta(days=1)
    return day


def next_working_day(
    day: date, *, working_days: Iterable[int], closed: Collection[date] = frozenset()
) -> date:
    """`day` itself when the business works that weekday and is not closed that day, else its
    next working day; a business without working days keeps the day."""
    days = set(working_days)
    if not days:
        return day
    while day.weekday() not in days or day in closed:
        day += timedelta(days=1)
    return day
