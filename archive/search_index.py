"""The archive's own search index: script files a search page loads only as a search needs them.

Each file below search-index/ is one call of ArchiveSearch.receive(kind, key, data), which
static/search-engine.js defines; a <script> element loads it, from a server or from disk alike.

- index.js, what every search needs and nothing that grows with the archive's text: how many
  documents each month holds, the first word of each words file, and the names of the filters.
- words/<n>.js: a run of words in sorted order, each with its postings, [gap, weight, gap, weight, ...]:
  the document's number less the one before (the first, less 0), and how often the word is in it
  (a word of the title counting TITLE_WEIGHT times). A search loads the file of each word it has.
- docs/<month>/<n>.js: one document, what its result shows. A search loads those it shows.
- filters/<n>.js: one filter's values, each with its documents as gaps; loaded when a filter is used.

Documents are numbered newest first, in the archive's order within a day, the undated pages last:
the date orders are the numbers' order. Files are
named by ASCII keys only, and no word, value or title is ever a key of a JavaScript object (see
_script): a literal {"__proto__": ...} would set the object's prototype, not add a key.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

TITLE_WEIGHT = 5  # a word of the title counts as this many of the text
WORDS_PER_FILE = 12_000  # postings (and words) a words file holds about; a word more frequent than that has a file of its own
UNDATED = "pages"  # the month key of documents without a date: regions and content pages
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class SearchDocument:
    url: str  # relative to the site root
    title: str
    kind: str  # incident | region | page
    date: str  # ISO date, "" for undated pages
    text: str  # what is searched besides the title
    context: str  # readable text the result snippet is cut from
    filters: dict[str, list[str]] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)  # shown with the result: date, regions, readings ("" when none)


def words_of(text: str) -> list[str]:
    """Lower-case words without marks: the same rule as static/search-engine.js's wordsOf."""
    if text.isascii():  # nothing to take off (most text of a synthetic archive, little of a real one)
        return WORD.findall(text.lower())
    return WORD.findall(unicodedata.normalize("NFKD", text.lower()).translate(_marks()))


@functools.cache
def _marks() -> dict[int, None]:
    """A str.translate table that deletes every mark, as search-engine.js's \\p{M} does: the accents NFKD takes off
    letters, and the vowel signs of scripts such as Devanagari, which would otherwise cut a word in parts."""
    return dict.fromkeys(code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)).startswith("M"))


def javascript_order(word: str) -> bytes:
    """The sort key that orders words as JavaScript compares strings, by UTF-16 code units (Python compares code
    points: a word with a character above U+FFFF would sort after one with U+FFFD here and before it there)."""
    return word.encode("utf-16-be", "surrogatepass")


def build_index(documents: list[SearchDocument]) -> dict[str, str]:
    """The index of `documents` as JavaScript files, by path below search-index/."""
    ordered = newest_first(documents)
    postings = _postings(ordered)
    words = sorted(postings, key=javascript_order)
    files: dict[str, str] = {}
    first_words = []
    for number, run in enumerate(_runs(words, postings)):
        first_words.append(run[0])
        files[f"words/{number}.js"] = _script("words", str(number), [[word, postings[word].tolist()] for word in run])
    months = _months(ordered)
    start = 0
    for month, count in months:
        for local, document in enumerate(ordered[start:start + count]):
            files[f"docs/{month}/{local}.js"] = _script("docs", f"{month}/{local}", [
                document.url, document.title, document.kind, document.date, document.context, *document.details])
        start += count
    filters = _filters(ordered)
    for number, (_name, values) in enumerate(filters):
        files[f"filters/{number}.js"] = _script("filters", str(number), values)
    files["index.js"] = _script("index", "", {
        "count": len(ordered), "months": months, "words": first_words,
        "filters": [name for name, _values in filters],
    })
    return files


def newest_first(documents: list[SearchDocument]) -> list[SearchDocument]:
    """The documents in the order of their numbers: newest first, undated last, the given order within a day."""
    return sorted(documents, key=lambda document: document.date or "", reverse=True)  # (sorted is stable, also reversed)


def _postings(ordered: list[SearchDocument]) -> dict[str, array[int]]:
    """Each word's postings, [gap, weight, gap, weight, ...], for documents numbered in the order given."""
    postings: dict[str, array[int]] = {}
    last: dict[str, int] = {}  # the number of the last document that has the word
    for number, document in enumerate(ordered):
        weights: dict[str, int] = {}
        for word in words_of(document.title):
            weights[word] = weights.get(word, 0) + TITLE_WEIGHT
        for word in words_of(document.text):
            weights[word] = weights.get(word, 0) + 1
        for word, weight in weights.items():
            posting = postings.get(word)
            if posting is None:
                posting = postings[word] = array("l")
            posting.append(number - last.get(word, 0))
            posting.append(weight)
            last[word] = number
    return postings


def _runs(words: list[str], postings: dict[str, array[int]]) -> Iterable[list[str]]:
    """The sorted words cut into the runs that share a file, of about WORDS_PER_FILE postings each."""
    run: list[str] = []
    size = 0
    for word in words:
        run.append(word)
        size += len(postings[word]) // 2 + 1
        if size >= WORDS_PER_FILE:
            yield run
            run, size = [], 0
    if run:
        yield run


def _months(ordered: list[SearchDocument]) -> list[list]:
    """[month, number of documents] for each month in the order of the documents, UNDATED for those without a date."""
    months: list[list] = []
    for document in ordered:
        month = _month_of(document.date)
        if months and months[-1][0] == month:
            months[-1][1] += 1
        else:
            months.append([month, 1])
    return months


def _month_of(date: str) -> str:
    """The key of a date's month: a file name, so a date is taken only as the model writes one (ISO)."""
    if not date:
        return UNDATED
    if not _ISO_DATE.fullmatch(date):
        raise ValueError(f"not an ISO date: {date!r}")
    return date[:7]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _filters(ordered: list[SearchDocument]) -> list[tuple[str, list]]:
    """Each filter, by name: its values in sorted order, each with its documents as gaps."""
    documents_of: dict[str, dict[str, list[int]]] = {}
    for number, document in enumerate(ordered):
        for name, values in document.filters.items():
            for value in values:
                documents_of.setdefault(name, {}).setdefault(value, []).append(number)
    return [(name, [[value, _gaps(numbers)] for value, numbers in sorted(values.items())])
            for name, values in sorted(documents_of.items())]


def _gaps(numbers: list[int]) -> list[int]:
    return [number - before for before, number in zip([0, *numbers], numbers, strict=False)]  # (the first list is one longer)


def _script(kind: str, key: str, data: object) -> str:
    """A call of ArchiveSearch.receive with JSON for arguments, safe in any script context: JSON is ASCII only
    (ensure_ascii escapes U+2028 and U+2029, line ends to JavaScript before ES2019, and lone surrogates),
    and every "<" is written \\u003c, so no text can close a <script> element or open an HTML comment in one."""
    arguments = ",".join(json.dumps(part, ensure_ascii=True, separators=(",", ":")) for part in (kind, key, data))
    return "ArchiveSearch.receive(" + arguments.replace("<", "\\u003c") + ");\n"
