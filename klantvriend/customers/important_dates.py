"""The rules of a customer's dates: which day a yearly date falls on in the coming days (Today's
coming up, the briefing; the birthdays' and anniversaries' 29 February too), and the important
dates recorded twice, from before the database refused it (constraint important_date_unique),
merged by the upgrade (migration customers 0029) and by the restore of an export made before
it, in one way."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta


def celebrated_on(day: date) -> set[tuple[int, int]]:
    """(month, day) pairs remembered on `day`: a date of 29 February is remembered on
    28 February in other years, in its own month and before its day rather than after it (a
    check due "by 29 February" is due by the 28th). Birthdays, anniversaries and the important
    dates alike; also what the customer's card marks as today."""
    pairs = {(day.month, day.day)}
    if (day.month, day.day) == (2, 28):
        try:
            date(day.year, 2, 29)
        except ValueError:
            pairs.add((2, 29))
    return pairs


def coming_month_days(*, day: date, days: int) -> dict[int, date]:
    """The days from `day` to `days` later, each under the month and day it remembers as one
    number (29 November is 1129, as core.db.MonthDay): what a yearly date falls on in them,
    across the year's end (late December looking into January)."""
    found: dict[int, date] = {}
    for ahead in range(days + 1):
        current = day + timedelta(days=ahead)
        for month, day_of_month in celebrated_on(current):
            found[month * 100 + day_of_month] = current
    return found


def falls_on(*, when: date, yearly: bool, day: date, days: int) -> date | None:
    """The day from `day` to `days` later that an important date of `when` falls on, or None:
    a one-off date on its own day only, a yearly one by its month and day from its own date on
    (a yearly date recorded ahead is not remembered in the years before it)."""
    until = day + timedelta(days=days)
    if not yearly:
        return when if day <= when <= until else None
    found = coming_month_days(day=day, days=days).get(when.month * 100 + when.day)
    return found if found is not None and found >= when else None


@dataclass
class Doubles:
    dropped: list[int] = field(default_factory=list)  # ids of the later rows of a double
    made_yearly: list[int] = field(default_factory=list)  # ids of kept rows that become yearly


def important_date_doubles(rows: Iterable[tuple[int, Hashable, bool]]) -> Doubles:
    """For rows (id, key, yearly) in the order recorded, the key being the customer, "what" and
    date: the first of each key stays and the later ones go. It is remembered every year if
    any of them was, so that merging never silences a date someone asked to be reminded of."""
    doubles = Doubles()
    kept: dict[Hashable, tuple[int, bool]] = {}
    for pk, key, yearly in rows:
        if key not in kept:
            kept[key] = (pk, yearly)
            continue
        doubles.dropped.append(pk)
        first, first_yearly = kept[key]
        if yearly and not first_yearly:
            doubles.made_yearly.append(first)
            kept[key] = (first, True)
    return doubles
