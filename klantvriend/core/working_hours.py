"""Deadlines counted in working hours ("respond within 4 working hours"): a complaint that
arrives on Saturday evening is due on the next working morning, not in the middle of the night.

A business's hours are a week of them, Monday first: each day closed (None) or open from one
time to another. A hair salon opens late on Thursday and short on Saturday; one pair of times
for every working day put its deadlines wrong on exactly those days. A day may close for a
break (a shop's lunch hour, a restaurant between lunch and dinner), and a closing time at or
before the opening time is the next morning's (a restaurant open Friday from 17:00 to 01:00):
its hours are counted as Friday's, and Saturday shortly after midnight is open. Besides its
week, a business is closed on the days it names (`closed`: Christmas, King's Day, its summer
holiday; core.care_settings.ClosedPeriod), which count as closed days of the week do; a closed
day's night past midnight is closed too."""

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple

# The latest a day's hours may run on into the next morning (core.care_settings refuses a
# later one): 18:00 to 09:00 is the times typed the wrong way round, not a night shift.
LATEST_PAST_MIDNIGHT = time(6, 0)


class DayHours(NamedTuple):
    opens: time
    closes: time  # at or before `opens`: the next morning
    break_starts: time | None = None  # closed from then until break_ends, inside the hours
    break_ends: time | None = None

    @property
    def past_midnight(self) -> bool:
        return self.closes <= self.opens


# Seven entries, Monday (weekday 0) first; None is a closed day.
WeekHours = tuple[DayHours | None, ...]


def same_hours(working_days: Iterable[int], opens: time, closes: time) -> WeekHours:
    """The same hours on each of `working_days` and closed on the others: how the hours were
    kept before each day had its own."""
    days = set(working_days)
    return tuple(DayHours(opens, closes) if day in days else None for day in range(7))


def _open(hours: DayHours | None) -> bool:
    # A day that closes when it opens counts as closed: the settings refuse one, and the
    # counting below must not loop on it either.
    return hours is not None and hours.opens != hours.closes


def open_days(week: Sequence[DayHours | None]) -> tuple[int, ...]:
    """The weekday numbers the business opens on."""
    return tuple(day for day, hours in enumerate(week) if _open(hours))


def _on(day: date, clock: time, opens: time) -> datetime:
    """`clock` of the day's hours that open at `opens`: on `day`, or, when not after the
    opening, the next morning (naive, local)."""
    return datetime.combine(day + timedelta(days=1) if clock <= opens else day, clock)


@lru_cache(maxsize=4096)
def _spans_in_utc(day: date, hours: DayHours, tz: tzinfo) -> tuple[tuple[datetime, datetime], ...]:
    """The day's open spans, from opening to closing with its break left out, as UTC moments.
    Kept for the days asked last: a change of the settings works out the deadlines of 2,000
    complaints again (complaints.services.deadlines_refresh), most of them on the same few
    hundred days, and converting the moments was a third of that work."""
    local = [datetime.combine(day, hours.opens), _on(day, hours.closes, hours.opens)]
    if hours.break_starts is not None and hours.break_ends is not None:
        local[1:1] = [
            _on(day, hours.break_starts, hours.opens),
            _on(day, hours.break_ends, hours.opens),
        ]
    moments = [moment.replace(tzinfo=tz).astimezone(UTC) for moment in local]
    return tuple(zip(moments[::2], moments[1::2], strict=True))


def _working_days(
    day: date,
    step: int,
    *,
    tz: tzinfo,
    week: WeekHours,
    closed: Collection[date],
    weeks: int = 53,
) -> Iterator[tuple[tuple[datetime, datetime], ...]]:
    """The open spans of each working day from `day` on, day by day (`step` 1) or back
    (`step` -1), as far as any target needs: a year of days (and the closed ones), or `weeks`;
    the bound only guards a bad setting."""
    for _ in range(7 * weeks + len(closed)):
        hours = week[day.weekday()]
        if _open(hours) and day not in closed:
            yield _spans_in_utc(day, hours, tz)
        day += timedelta(days=step)


def _spans(
    day: date, step: int, *, tz: tzinfo, week: WeekHours, closed: Collection[date]
) -> Iterator[tuple[datetime, datetime]]:
    """The open spans from `day` on, one by one, forward (`step` 1) or back from its last
    (`step` -1)."""
    for spans in _working_days(day, step, tz=tz, week=week, closed=closed):
        yield from spans if step > 0 else reversed(spans)


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
    # Days and opening times are local, but the hours are counted in UTC: Python adds to and
    # subtracts aware datetimes of one zone on the wall clock, so on the night the clocks
    # change a local working hour would last none or two. From the day before: its hours may
    # run on past midnight.
    cursor = start.astimezone(UTC)
    day = start.astimezone(tz).date() - timedelta(days=1)
    for open_at, close_at in _spans(day, 1, tz=tz, week=week, closed=closed):
        begin = max(cursor, open_at)
        if begin < close_at:
            available = close_at - begin
            if remaining <= available:
                return (begin + remaining).astimezone(tz)
            remaining -= available
            cursor = close_at
    return start + timedelta(hours=hours)


def add_working_days(
    start: datetime,
    days: int,
    *,
    tz: tzinfo,
    week: WeekHours,
    closed: Collection[date] = frozenset(),
) -> datetime:
    """The closing of the `days`-th working day after `start`: "resolved within 3 working
    days". The day `start` falls in does not count once it has opened (a complaint on Tuesday
    morning is due at Friday's closing), a day not yet open does (one on Saturday evening, with
    Sunday and Monday closed, is due at Thursday's). Calendar days put such a deadline after
    closing time and over the closed days. A business without any working time counts
    calendar days."""
    if not open_days(week):
        return start.astimezone(tz) + timedelta(days=days)
    counted = 0
    # From the day before: its hours may run on past midnight.
    day = start.astimezone(tz).date() - timedelta(days=1)
    # A week has at least one working day: as many weeks as days reach the last.
    weeks = days + 1
    for spans in _working_days(day, 1, tz=tz, week=week, closed=closed, weeks=weeks):
        if spans[0][0] < start:
            continue  # opened before `start`: over, or the day `start` falls in
        counted += 1
        if counted == days:
            return spans[-1][1].astimezone(tz)
    return start.astimezone(tz) + timedelta(days=days)  # not reached: see `weeks`


def next_working_moment(
    moment: datetime, *, tz: tzinfo, week: WeekHours, closed: Collection[date] = frozenset()
) -> datetime:
    """`moment` itself when the business is open then (closing time included: "ready by
    closing"), else the next opening, past a break and the `closed` days. A business without
    any working time keeps the moment."""
    if not open_days(week):
        return moment
    day = moment.astimezone(tz).date() - timedelta(days=1)  # its hours may run past midnight
    for open_at, close_at in _spans(day, 1, tz=tz, week=week, closed=closed):
        if moment <= close_at:
            return moment if open_at <= moment else open_at.astimezone(tz)
    return moment  # not reached: some day of the week is open, and the closed days end


def last_working_moment(
    moment: datetime, *, tz: tzinfo, week: WeekHours, closed: Collection[date] = frozenset()
) -> datetime:
    """`moment` itself when the business is open then, else the closing before it (of the day,
    or its break), past the `closed` days: next_working_moment looking back ("ready by Friday's
    closing" for a moment in the night before Saturday). A business without any working time
    keeps the moment."""
    if not open_days(week):
        return moment
    day = moment.astimezone(tz).date()
    for open_at, close_at in _spans(day, -1, tz=tz, week=week, closed=closed):
        if open_at <= moment:
            return moment if moment <= close_at else close_at.astimezone(tz)
    return moment  # not reached, as above


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


# Clock time that stands still on closed days -------------------------------------------------
#
# A promise's grace (promises.status.Grace) is clock hours, as the owner sets them, but not on
# the days the business is closed: a Saturday's order not marked kept by closing time was
# broken on Sunday afternoon, before anyone was in to say it had been collected, and Christmas
# Eve's orders on Christmas Day. A day counts whole, from midnight to midnight: a closed
# weekday or a day of `closed`.


def _closed_on(day: date, week: WeekHours, closed: Collection[date]) -> bool:
    return not _open(week[day.weekday()]) or day in closed


def _midnight(day: date, tz: tzinfo) -> datetime:
    """The local day's first moment, in UTC: the counting below is in UTC, as above."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _days_bound(span: timedelta, closed: Collection[date]) -> int:
    """How many days the counting may step over: at least one day a week is open, so `span`'s
    days of open days lie within that many weeks, past the `closed` days; the bound only
    guards a bad setting."""
    return 7 * (span.days + 2) + len(closed)


def add_open_days_time(
    start: datetime,
    span: timedelta,
    *,
    tz: tzinfo,
    week: WeekHours,
    closed: Collection[date] = frozenset(),
) -> datetime:
    """The moment `span` of clock time after `start`, the closed days not counted: from a
    Saturday 17:00, 24 hours end on Monday 17:00 when Sunday is closed. A business without any
    working day counts every day."""
    if not span or not open_days(week):
        return start + span
    remaining, cursor = span, start.astimezone(UTC)
    day = start.astimezone(tz).date()
    for _ in range(_days_bound(span, closed)):
        day_ends = _midnight(day + timedelta(days=1), tz)
        if not _closed_on(day, week, closed):
            # Strictly within the day: a span ending at its midnight ends at the next open
            # day's first moment, after the closed days between (the same moment of the
            # counting), so that a later start never ends earlier.
            if remaining < day_ends - cursor:
                return (cursor + remaining).astimezone(tz)
            remaining -= day_ends - cursor
        cursor, day = day_ends, day + timedelta(days=1)
    return start + span  # not reached: see _days_bound


def open_days_time_reaches(
    end: datetime,
    span: timedelta,
    *,
    tz: tzinfo,
    week: WeekHours,
    closed: Collection[date] = frozenset(),
) -> datetime:
    """The first moment from which add_open_days_time's `span` reaches `end` or later: exactly
    the moments before it end their `span` before `end`. What a query compares a column with
    ("due before it: past its grace at `end`"), one moment for every row. A business without
    any working day counts every day."""
    if not span or not open_days(week):
        return end - span
    remaining, cursor = span, end.astimezone(UTC)
    day = end.astimezone(tz).date()
    for _ in range(_days_bound(span, closed)):
        day_begins = _midnight(day, tz)
        if not _closed_on(day, week, closed):
            if remaining < cursor - day_begins:
                return (cursor - remaining).astimezone(tz)
            remaining -= cursor - day_begins
            if not remaining:
                break
        cursor, day = day_begins, day - timedelta(days=1)
    else:
        return end - span  # not reached: see _days_bound
    # The span began exactly at this day's midnight: a moment on the closed days just before
    # it counts from the same midnight, so it reaches `end` too.
    while _closed_on(day - timedelta(days=1), week, closed):
        day -= timedelta(days=1)
    return _midnight(day, tz).astimezone(tz)
