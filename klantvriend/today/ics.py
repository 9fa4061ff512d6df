"""A minimal iCalendar (RFC 5545) writer: enough for a read-only feed of events, without a
dependency. Text is escaped (section 3.3.11) and lines are folded at 75 octets (3.1)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from .selectors import CalendarItem


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


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
            lines += [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            ]
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
