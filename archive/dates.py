"""Read the dates and times incident files use (`2025-06-06`, `2025-06-06T08:30+03:00`), and write them for readers."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


def parse_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(str(text)) if text else None


def parse_timestamp(text: str | None) -> dt.datetime | None:
    """A date or date-time as a naive UTC datetime; a date alone means the start of that day."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(str(text))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


@lru_cache(maxsize=4096)  # pages show the same few thousand days over and over; strftime is slow
def long_date(day: dt.date) -> str:
    """`6 June 2025`, as pages and search results write a date."""
    return f"{day.day} {day:%B %Y}"
