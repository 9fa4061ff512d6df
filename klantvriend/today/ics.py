"""A minimal iCalendar (RFC 5545) writer: enough for a read-only feed of events, without a
dependency. Text is escaped (section 3.3.11) and lines are folded at 75 octets (3.1)."""

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from .selectors import CalendarItem

# Every character that some reader takes for the end of a line (a calendar app may end one at
# a bare CR, Python's splitlines at any of these): each becomes an escaped line break, so that
# text typed by a person can never start a line, and so a property or an event, of its own.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Other control characters are not allowed in text at all (3.3.11); the tab is.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _LINE_BREAK.sub("\\\\n", _CONTROL.sub("", text))


def _fold(line: str) -> str:
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        limit = 75 if not parts else 74  # continuation lines start with a space
        if len(current) + len(piece) > limit:
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_text(*, name: str, items: Iterable[CalendarItem], stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Klantvriend//Promises and follow-ups//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for item in items:
        lines += ["BEGIN:VEVENT", f"UID:{item.uid}", f"DTSTAMP:{_utc(stamp)}"]
        if item.all_day:
            day = (
                item.start
                if isinstance(item.start, date) and not isinstance(item.start, datetime)
                else item.start.date()
            )
            lines.append(f"DTSTART;VALUE=DATE:{day:%Y%m%d}")
            # The calendar's last day has no day after it; without DTEND an event on a date
            # lasts that day (RFC 5545, 3.6.1).
            if day < date.max:
                lines.append(f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}")
        else:
            lines += [
                f"DTSTART:{_utc(item.start)}",
                f"DTEND:{_utc(item.start + timedelta(minutes=15))}",
            ]
        lines += [
            f"SUMMARY:{_escape(item.summary)}",
            f"DESCRIPTION:{_escape(item.description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
