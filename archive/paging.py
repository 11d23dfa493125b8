"""Split long lists into numbered pages of the site, so that no page grows with the archive.

A list of any length becomes pages of at most `PAGE_ROWS` rows: `base/`, `base/page/2/`,
`base/page/3/` ... Each page knows its neighbours (for `rel="prev"`/`"next"`) and the few
page numbers worth linking, so its navigation stays short however many pages there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

Row = TypeVar("Row")

# Rows per page. A row of an incident list is about 0.5 KB of HTML, so 100 rows make about 50 KB.
PAGE_ROWS = 100
# Characters of contributors' text (as escaped HTML) a page may show in its rows: rows with long
# titles and names, or text full of & and <, end a page sooner, so no page passes 100 KB.
PAGE_TEXT = 40_000
PAGER_REACH = 2  # pages linked on each side of the current one, besides the first and the last


@dataclass(frozen=True)
class ListPage(Generic[Row]):
    """One page of a long list: its rows and where it stands among the list's pages."""

    base: str  # the list's first page, relative to the site root, ending in "/" (e.g. "totals/")
    number: int  # 1 for the first page
    count: int  # pages in all
    rows: Sequence[Row]
    first_row: int  # 1-based position of this page's first row in the whole list
    total_rows: int

    @property
    def path(self) -> str:
        """This page's folder, relative to the site root."""
        return page_folder(self.base, self.number)

    def link(self, number: int) -> str:
        return page_folder(self.base, number)

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1

    @property
    def pager(self) -> list[int | None]:
        """Page numbers to link: the first, the last, and those near this one; None marks a gap."""
        near = set(range(self.number - PAGER_REACH, self.number + PAGER_REACH + 1))
        shown = sorted({1, self.count} | {n for n in near if 1 <= n <= self.count})
        numbers: list[int | None] = []
        for previous, number in zip([None, *shown], shown, strict=False):
            if previous is not None and number - previous > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def page_folder(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def paginate(base: str, rows: Sequence[Row], weight: Callable[[Row], int] = lambda row: 0,
             per_page: int = PAGE_ROWS, text: int = PAGE_TEXT) -> list[ListPage[Row]]:
    """The pages of `rows` under `base`: at most `per_page` rows and `text` characters (by `weight`) each.

    An empty list still has its first page.
    """
    chunks: list[list[Row]] = []
    chunk: list[Row] = []
    used = 0
    for row in rows:
        size = weight(row)
        if chunk and (len(chunk) == per_page or used + size > text):
            chunks.append(chunk)
            chunk, used = [], 0
        chunk.append(row)
        used += size
    chunks.append(chunk)
    starts = [1]
    for chunk in chunks[:-1]:
        starts.append(starts[-1] + len(chunk))
    return [ListPage(base, number, len(chunks), chunk, start, len(rows))
            for number, (chunk, start) in enumerate(zip(chunks, starts, strict=True), start=1)]


@dataclass(frozen=True)
class MonthGroup(Generic[Row]):
    """The rows of one month on one page, under a heading that the month jump list links to."""

    month: dt.date
    rows: list[Row]

    @property
    def anchor(self) -> str:
        return f"m{self.month:%Y-%m}"


def by_month(rows: Sequence[Row], date_of: Callable[[Row], dt.date]) -> list[MonthGroup[Row]]:
    """Rows (newest first) under their months, in the order given."""
    groups: list[MonthGroup[Row]] = []
    for row in rows:
        month = date_of(row).replace(day=1)
        if not groups or groups[-1].month != month:
            groups.append(MonthGroup(month, []))
        groups[-1].rows.append(row)
    return groups
