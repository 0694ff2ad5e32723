"""A campaign's public events as an iCalendar feed (RFC 5545).

Times are written in UTC (``Z``), so no VTIMEZONE is needed; text is escaped (backslash,
semicolon, comma, newline) and every content line is folded at 75 octets without splitting a
UTF-8 character; lines end in CRLF. ``UID`` is the event's own UUID, so a calendar that
subscribed keeps one entry per event across edits; ``SEQUENCE`` counts the edits and
``DTSTAMP``/``LAST-MODIFIED`` say when it last changed. No attendee is ever in the feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

FOLD_AT = 75


@dataclass(frozen=True)
class CalendarEvent:
    """What the feed says about one event."""

    uid: str
    title: str
    description: str
    location: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    updated_at: dt.datetime
    sequence: int
    url: str
    category: str


def text_escape(value: str) -> str:
    """Escape a TEXT value (RFC 5545, 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def line_fold(line: str) -> str:
    """Fold one content line into pieces of at most 75 octets joined by CRLF and a space."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = FOLD_AT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
            limit = FOLD_AT - 1  # continuation lines start with one space
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def utc_stamp(moment: dt.datetime) -> str:
    """Write an aware datetime as a UTC DATE-TIME: ``19980119T070000Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_render(*, name: str, events: Iterable[CalendarEvent], product: str = "omov") -> str:
    """Return the VCALENDAR text of ``events``."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{text_escape(product)}//Campaign events//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{text_escape(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc_stamp(event.updated_at)}",
            f"LAST-MODIFIED:{utc_stamp(event.updated_at)}",
            f"SEQUENCE:{event.sequence}",
            f"DTSTART:{utc_stamp(event.starts_at)}",
            f"DTEND:{utc_stamp(event.ends_at)}",
            f"SUMMARY:{text_escape(event.title)}",
            f"LOCATION:{text_escape(event.location)}",
            f"CATEGORIES:{text_escape(event.category)}",
            f"URL:{event.url}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{text_escape(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(line_fold(line) + "\r\n" for line in lines)
