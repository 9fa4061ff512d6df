"""How the pages write a length of time ("4 uur 42 min", "1 dag 3 uur") and a moment ("zo 29 nov
17:00") in the reader's language, each kept on one line: its words are joined by no-break
spaces, as amounts are (money.amount_shown), so that a phone never ends a line in "4 uur" or "zo
29 nov" with the rest on the next. Only for pages: exports and the API write moments in ISO 8601
and lengths as numbers, and e-mails' plain text uses the `date` filter; they stay as they were."""

import math
from datetime import date, datetime, timedelta, tzinfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .numbers import count_shown

NO_BREAK_SPACE = "\u00a0"

# Up to a day a length is said to the minute ("4 uur 42 min"), up to a week to the hour ("1 dag
# 3 uur"), beyond that in days: a complaint waiting three days does not need its minutes.
HOURS_FROM = timedelta(hours=1)
DAYS_FROM = timedelta(days=1)
WHOLE_DAYS_FROM = timedelta(days=7)


def one_line(text: str) -> str:
    """`text` with its spaces made no-break spaces: a browser keeps it on one line."""
    return text.replace(" ", NO_BREAK_SPACE)


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def _minutes(count: int) -> str:
    # "min" is how Dutch and English both shorten minutes; hours and days are written out.
    return _("%(count)d min") % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}


def days_shown(count: int) -> str:
    """A number of days in words ("12 days"), grouped from a thousand on."""
    return ngettext("%(count)s day", "%(count)s days", count) % {"count": count_shown(count)}


def duration_shown(delta: timedelta, *, down: bool = False) -> str:
    """A length of time (its size: a time left or a time overdue alike) as a shopkeeper reads
    it at a glance, rounded half up to the minute under a day, to the hour under a week, to the
    day beyond: "40 min", "4 hours 42 min", "1 day 3 hours", "12 days". A part that rounds to
    nought is left out ("2 hours", "3 days"), and a length that rounds up to the next step is
    said in it: 23 hours 59 min 40 s is "1 day", not "24 hours". Any length at all is at least
    "1 min": a promise 20 seconds past its moment read "0 min te laat". `down` rounds down
    instead, for a time left to a deadline, which must not be said longer than it is."""
    whole = math.floor if down else _half_up
    seconds = abs(delta).total_seconds()
    minutes = whole(seconds / 60)
    if seconds and not down:
        minutes = max(minutes, 1)
    if minutes < HOURS_FROM / timedelta(minutes=1):
        return one_line(_minutes(minutes))
    if minutes < DAYS_FROM / timedelta(minutes=1):
        hours, minutes = divmod(minutes, 60)
        parts = [_hours(hours), _minutes(minutes) if minutes else ""]
    else:
        hours = whole(seconds / 3600)
        if hours < WHOLE_DAYS_FROM / timedelta(hours=1):
            days, hours = divmod(hours, 24)
            parts = [days_shown(days), _hours(hours) if hours else ""]
        else:
            parts = [days_shown(whole(seconds / 86400))]
    return one_line(" ".join(part for part in parts if part))


def range_end_shown(delta: timedelta, *, up: bool) -> str:
    """One end of a range of lengths ("made 50 min to 21 hours ahead") in its largest unit
    alone: minutes under an hour, whole hours under a day, whole days from a day on. Each end of
    a range said to the minute ("51 min to 20 hours 6 min") was more to read than it told. The
    shorter end is rounded down and the longer `up`, so that the range still holds every length
    in it; an end that rounds up into the next unit is said in it (59 min 20 s up is "1 hour",
    23 hours 10 min up is "1 day")."""
    whole = math.ceil if up else math.floor
    seconds = abs(delta).total_seconds()
    minutes = whole(seconds / 60)
    if minutes < HOURS_FROM / timedelta(minutes=1):
        return one_line(_minutes(minutes))
    hours = whole(seconds / 3600)
    if hours < DAYS_FROM / timedelta(hours=1):
        return one_line(_hours(hours))
    return one_line(days_shown(whole(seconds / 86400)))


# Up to this many days a last visit is said in days; after it in whole months, and from two
# years in whole years: "688 days ago" had to be worked out to mean "22 months".
DAYS_AGO_IN_DAYS = 60
MONTHS_AGO_IN_MONTHS = 24


def ago_shown(then: date, today: date) -> str:
    """How long ago a day was as staff say it: "today", "yesterday", "12 days ago", "3 months
    ago", "2 years ago" (the customer list's last purchase, the briefing card's history)."""
    days = (today - then).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    if days <= DAYS_AGO_IN_DAYS:
        return ngettext("%(count)s day ago", "%(count)s days ago", days) % {
            "count": count_shown(days)
        }
    # Whole calendar months: 14 March to 13 May is one month, to 14 May two.
    months = (today.year - then.year) * 12 + today.month - then.month - (today.day < then.day)
    if months < MONTHS_AGO_IN_MONTHS:
        return ngettext("%(count)s month ago", "%(count)s months ago", months) % {
            "count": count_shown(months)
        }
    years = months // 12
    return ngettext("%(count)s year ago", "%(count)s years ago", years) % {
        "count": count_shown(years)
    }


def moment_shown(
    value: datetime | date, style: str = "SHORT", *, zone: tzinfo | None = None
) -> str:
    """A moment as the pages write it, on one line: `style` "SHORT" ("28 mrt 2025 14:30") or
    "WEEKDAY" ("di 24 nov 14:30"), in `zone` (the active time zone without one, as the `date`
    filter writes a moment in a template); a date alone without its time ("di 24 nov")."""
    if isinstance(value, datetime):
        local = timezone.localtime(value, zone) if timezone.is_aware(value) else value
        return one_line(date_format(local, f"{style}_DATETIME_FORMAT"))
    return one_line(date_format(value, f"{style}_DATE_FORMAT"))


# A moment "near" is said with its weekday within half a year of now, and with its year further
# off: on a customer's card a complaint of last winter read as this one's, and a yearly
# inspection's "6 nov", seen in December, as last month's.
NEAR = timedelta(days=183)


def day_near_shown(day: date, *, today: date) -> str:
    """A day as the pages write one near or far from `today`: "di 24 nov" within half a year,
    "24 nov 2027" further off (NEAR)."""
    return moment_shown(day, "WEEKDAY" if abs(day - today) < NEAR else "SHORT")


def day_span_shown(first: date, last: date) -> str:
    """Days from `first` to `last` (both included) with their year, each day on one line: "vr
    25 dec – za 26 dec 2026", "ma 27 apr 2026", "do 31 dec 2026 – vr 1 jan 2027" across the new
    year (the shop's closed days)."""
    first_day, last_day = (moment_shown(day, "WEEKDAY") for day in (first, last))
    if first == last:
        return one_line(f"{first_day} {first.year}")
    if first.year == last.year:
        return f"{first_day} – {one_line(f'{last_day} {last.year}')}"
    return f"{one_line(f'{first_day} {first.year}')} – {one_line(f'{last_day} {last.year}')}"


def moment_known(
    value: datetime, time_known: bool = True, *, zone: tzinfo | None = None
) -> datetime | date:
    """A record's moment as far as it is known: the moment itself, or, when its time of day is
    not (a purchase imported from a file with its date alone: Purchase.time_known), its day in
    `zone` (the active time zone without one). The noon such a purchase is stored at keeps it
    on its day and in order, but in a salon "12:00" reads as an appointment nobody made. Every
    place that writes a purchase's moment (the pages, the export) writes what this gives."""
    if time_known:
        return value
    return timezone.localtime(value, zone).date()
