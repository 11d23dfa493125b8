"""Parse the dates and times incident files use: `2025-06-06`, `2025-06-06T08:30+03:00`."""

from __future__ import annotations

import datetime as dt


def parse_date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(str(text)) if text else None


def parse_timestamp(text: str | None) -> dt.datetime | None:
    """A date or date-time as a naive UTC datetime; a date alone means the start of that day."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(str(text))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment
