"""The search index's files: what static/search-engine.js loads, a file at a time, as a search needs it.

Each file below search-index/ is one call of ArchiveSearch.receive(kind, key, data), which
search-engine.js defines; a <script> element loads it, from a server or from disk alike.

- index.js, what every search needs and nothing that grows with the archive's text: the shards,
  newest first, each with how many documents it holds and the first word of each of its words
  files; and each filter's name with the key of its file.
- shards/<shard>/words/<n>.js: a run of the shard's words in sorted order, each with its postings,
  [gap, weight, gap, weight, ...]: the document's number in the shard less the one before (the
  first, less 0), and how often the word is in it (a word of the title counting TITLE_WEIGHT
  times). A search loads, from every shard, the file that may hold each word it has.
- shards/<shard>/docs/<n>.js: one document, what its result shows. A search loads those it shows.
- filters/<key>.js: one filter's values, each with its documents (numbered across the archive) as
  gaps; loaded when a filter is used.

A document's number across the archive is its number in its shard after the documents of the
shards before. Shards come newest first and each numbers its documents newest first, so the date
orders are the numbers' order. A shard's files depend on its documents alone: a build writes the
shards whose documents changed and takes the others from the last build (see search.write_index).
Files are named by keys the build makes, never by a word, value or title, and none of those is
ever the key of a JavaScript object (see _script): a literal {"__proto__": ...} sets the object's
prototype instead of adding a key.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

TITLE_WEIGHT = 5  # a word of the title counts as this many of the text
WORDS_PER_FILE = 4000  # postings a words file holds about; a word with more has a file of its own
WORD = re.compile(r"\w+", re.UNICODE)
INDEX_DIR = "search-index"  # the index's folder in the site
INDEX = "index.js"
INDEX_PATH = f"{INDEX_DIR}/{INDEX}"  # in the site
SHARDS_DIR = "shards"


@dataclass
class SearchDocument:
    url: str  # relative to the site root, ending in "/"
    title: str
    kind: str  # incident | region | page
    date: str  # ISO date, "" for undated pages
    text: str  # what is searched besides the title
    context: str  # readable text the result snippet is cut from
    details: list[str] = field(default_factory=list)  # shown with the result: date, regions, readings ("" when none)


def words_of(text: str) -> list[str]:
    """The terms of `text`, as the index holds them and static/search-engine.js's wordsOf makes them of what is
    typed: lower-case words without marks, plurals made singular (see singular)."""
    # (ASCII has no marks to take off: most text of a synthetic archive, little of a real one)
    words = WORD.findall(text.lower() if text.isascii() else unicodedata.normalize("NFKD", text.lower()).translate(_MARKS))
    return [singular(word) if word[-1] == "s" else word for word in words]


def singular(word: str) -> str:
    """A word less a plural's "s", after Harman's S stemmer ("ies" is "y", "us" and "ss" stay), for words of four
    characters or more. "Missiles" finds "missile" and "strike" finds "strikes"; "killed" is not "kill" (a full
    stemmer such as Snowball's would have to be the same here and in the browser, to the letter)."""
    if len(word) < 4 or not word.endswith("s") or word.endswith(("us", "ss")):
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    return word[:-1]


class _Marks(dict[int, int | None]):
    """A str.translate table that deletes every mark, as search-engine.js's \\p{M} does: the accents NFKD takes off
    letters, and the vowel signs of scripts such as Devanagari, which would otherwise cut a word in parts. Each
    character is looked up the first time it is met (a table of every code point took 0.4 s to make)."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)).startswith("M") else code
        self[code] = kept
        return kept


_MARKS = _Marks()


def javascript_order(word: str) -> bytes:
    """The sort key that orders words as JavaScript compares strings, by UTF-16 code units (Python compares code
    points: a word with a character above U+FFFF would sort after one with U+FFFD here and before it there)."""
    return word.encode("utf-16-be", "surrogatepass")


def shard_files(name: str, documents: Sequence[SearchDocument]) -> tuple[dict[str, str], list[str]]:
    """The files of shard `name`, by path below search-index/, for `documents` in their order (newest first);
    and the first word of each of its words files, which index.js lists."""
    postings = _postings(documents)
    words = sorted(postings, key=javascript_order)
    files: dict[str, str] = {}
    first_words = []
    for number, run in enumerate(_runs(words, postings)):
        first_words.append(run[0])
        files[_shard_file(name, "words", number)] = _script("words", f"{name}/{number}", [[word, postings[word].tolist()] for word in run])
    for number, document in enumerate(documents):
        files[_shard_file(name, "docs", number)] = _script("docs", f"{name}/{number}", [
            document.url, document.title, document.kind, document.date, document.context, *document.details])
    return files, first_words


def shard_file_names(name: str, documents: int, words_files: int) -> list[str]:
    """The paths below search-index/ of the files shard_files writes for shard `name`, of so many documents and words files."""
    return [_shard_file(name, "docs", number) for number in range(documents)] + [_shard_file(name, "words", number) for number in range(words_files)]


def _shard_file(name: str, kind: str, number: int) -> str:
    return f"{SHARDS_DIR}/{name}/{kind}/{number}.js"


def _postings(documents: Sequence[SearchDocument]) -> dict[str, array[int]]:
    """Each word's postings, [gap, weight, gap, weight, ...], for documents numbered in the order given."""
    postings: dict[str, array[int]] = {}
    last: dict[str, int] = {}  # the number of the last document that has the word
    for number, document in enumerate(documents):
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
    """The sorted words cut into the runs that share a file, of at most about WORDS_PER_FILE postings: a word
    that would take a run over starts the next, so a frequent word's file holds little besides."""
    run: list[str] = []
    size = 0
    for word in words:
        count = len(postings[word]) // 2 + 1
        if run and size + count > WORDS_PER_FILE:
            yield run
            run, size = [], 0
        run.append(word)
        size += count
    if run:
        yield run


def filter_files(filters: list[dict[str, list[str]]]) -> tuple[dict[str, str], list[list[str]]]:
    """The filters' files, for the documents' filters in the order of their numbers across the archive; and each
    filter's [name, key], which index.js lists. A key is a digest of the file: a changed file has a new address,
    so no browser keeps a stale copy."""
    documents_of: dict[str, dict[str, list[int]]] = {}
    for number, values_of in enumerate(filters):
        for name, values in values_of.items():
            for value in values:
                documents_of.setdefault(name, {}).setdefault(value, []).append(number)
    files, keys = {}, []
    for name, numbers_of in sorted(documents_of.items()):
        data = _json([[value, _gaps(numbers)] for value, numbers in sorted(numbers_of.items())])
        key = hashlib.sha256(f"{name}\0{data}".encode()).hexdigest()[:12]  # (ASCII: any text, lone surrogates too)
        files[f"filters/{key}.js"] = _script("filters", key, data_json=data)
        keys.append([name, key])
    return files, keys


def _gaps(numbers: list[int]) -> list[int]:
    return [number - before for before, number in zip([0, *numbers], numbers, strict=False)]  # (the first list is one longer)


def index_file(shards: list[tuple[str, int, list[str]]], filters: list[list[str]]) -> str:
    """index.js: each shard, newest first, as [name, number of documents, first word of each words file], and each
    filter as [name, key]."""
    return _script("index", "", {"shards": [list(shard) for shard in shards], "filters": filters})


def script_data(script: str) -> tuple[str, str, object]:
    """The arguments of an index file's ArchiveSearch.receive(...) call: its kind, key and data (ValueError if it is
    no such call)."""
    if not (script.startswith(_CALL) and script.endswith(_END)):
        raise ValueError("not a file of the search index")
    kind, key, data = json.loads("[" + script[len(_CALL):-len(_END)] + "]")
    return kind, key, data


_CALL, _END = "ArchiveSearch.receive(", ");\n"


def _script(kind: str, key: str, data: object = None, data_json: str | None = None) -> str:
    """A call of ArchiveSearch.receive with JSON for arguments (`data_json`: _json(data), when made already), safe in
    any script context: JSON is ASCII only (ensure_ascii escapes U+2028 and U+2029, line ends to JavaScript before
    ES2019, and lone surrogates), and every "<" is written \\u003c, so no text can close a <script> element or open an
    HTML comment in one."""
    arguments = ",".join([_json(kind), _json(key), _json(data) if data_json is None else data_json])
    return _CALL + arguments.replace("<", "\\u003c") + _END


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))
