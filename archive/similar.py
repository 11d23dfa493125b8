"""Find incidents that may be one incident recorded twice: the same date, a region or place in common, and titles alike.

Titles are alike when most of their words are the same (stop words aside, plural `s` aside),
or when every word of the shorter one (three at least) is in the longer one:
"Missile strike on Kharkiv" and "Missile strikes on Kharkiv kill three" are alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import regex

from .load import Document
from .memo import LastBuilds
from .problems import Problem

ALIKE = 0.7  # shared words / all words of the two titles
CONTAINED = 3  # the fewest words a title shares when all of them are in the other title
STOP_WORDS = frozenset(["a", "an", "and", "the", "of", "on", "in", "at", "to", "by", "for", "from", "with", "into", "over", "near", "after", "as"])
WORD = regex.compile(r"[\p{L}\p{N}]+")


@dataclass(frozen=True)
class Entry:
    """What the rule compares of an incident; `handle` is the caller's way back to it."""

    handle: object
    date: str
    regions: frozenset[str]
    places: frozenset[str]  # names (compared without regard to case)
    title: str

    @cached_property
    def words(self) -> frozenset[str]:
        """The title's words (title_words), worked out only when the entry is compared: half the entries of an archive share no date and place with another."""
        return title_words(self.title)


@LastBuilds  # check compares most titles at every build, and serve builds at every edit: kept for the next build
def title_words(title: str) -> frozenset[str]:
    return frozenset([word[:-1] if len(word) > 3 and word[-1] == "s" and word[-2] != "s" else word  # a plural `s`, not `ss`
                      for word in WORD.findall(title.casefold()) if word not in STOP_WORDS])


def titles_alike(first: frozenset[str], second: frozenset[str]) -> bool:
    if not first or not second:
        return False
    shared = len(first & second)
    return shared / len(first | second) >= ALIKE or (shared >= CONTAINED and shared == min(len(first), len(second)))


def entry(handle: object, data: object) -> Entry | None:
    """The entry for an incident's data, or None when it has no date or title to compare."""
    if not isinstance(data, dict) or not isinstance(data.get("date"), str) or not isinstance(data.get("title"), str):
        return None
    regions = value if isinstance(value := data.get("regions"), list) else []
    places = value if isinstance(value := data.get("places"), list) else []
    return Entry(handle, data["date"], frozenset(code for code in regions if isinstance(code, str)),
                 frozenset(place["name"] for place in places if isinstance(place, dict) and isinstance(place.get("name"), str)),
                 data["title"])


def possible_duplicates(entries: Iterable[Entry]) -> list[tuple[Entry, Entry, str]]:
    """Each pair of entries that may be one incident, with what they share (`region UA-30`, `place Lutsk`).

    Only entries of one date that share a region or place are compared, so the work grows with
    the incidents of a day in a place, not with the square of the archive.
    """
    together: dict[tuple[str, int, str], list[Entry]] = defaultdict(list)
    shown: dict[tuple[str, int, str], str] = {}
    for item in entries:
        for kind, names in ((0, item.regions), (1, item.places)):
            for name in names:
                key = (item.date, kind, name.casefold())
                together[key].append(item)
                shown.setdefault(key, f"{('region', 'place')[kind]} {name}")
    found: dict[tuple[int, int], tuple[Entry, Entry, str]] = {}
    for key, group in sorted(item for item in together.items() if len(item[1]) > 1):  # (an entry alone in its group pairs with none)
        for first, second in combinations(group, 2):
            pair = (id(first), id(second))
            if pair not in found and titles_alike(first.words, second.words):
                found[pair] = (first, second, shown[key])
    return list(found.values())


def duplicate_message(other: str, shared: str) -> str:
    return (f"possible duplicate of {other}: the same date, {shared} and titles alike; if they are one incident, "
            "keep one file (with every figure and source of both), and if not, make the titles tell them apart")


def duplicate_problems(documents: list[Document]) -> list[Problem]:
    """Check's warning across the archive: each file of a possible pair is told of the other."""
    entries = [found for document in documents if (found := entry(document, document.data)) is not None]
    problems = []
    for first, second, shared in possible_duplicates(entries):
        for this, other in ((first.handle, second.handle), (second.handle, first.handle)):
            if isinstance(this, Document) and isinstance(other, Document):
                problems.append(this.problem(("title",), duplicate_message(other.display_path, shared), severity="warning"))
    return problems
