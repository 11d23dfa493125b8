"""A copy of the site that works from disk: links end in index.html, search runs from script files.

Browsers refuse fetch() and WebAssembly on file:// pages, so Pagefind cannot run there. This
copy carries its own index as plain <script> files instead: a small file of filter values,
postings split by the first two letters of each word, and documents split into fixed
blocks, so a search loads only the shards its words and results need.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import os
import re
import sys
import tempfile
import unicodedata
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .files import make_folder_of
from .model import Archive
from .parallel import parallel_map
from .search import search_records
from .zipping import Deflated, deflate, write_zip

DOCS_PER_BLOCK = 200
CONTEXT_CHARS = 1200  # text kept per document for result snippets, chosen around the words found
WORD = re.compile(r"\w+", re.UNICODE)
ZIP_FOLDER = "incident-archive"  # the one folder the zip holds, for it to unzip into


@dataclass
class SearchDocument:
    url: str  # relative to the site root, ending in index.html
    title: str
    kind: str  # incident | region | page
    date: str  # ISO date, "" for undated pages
    text: str  # what is searched besides the title
    context: str  # readable text the result snippet is cut from
    filters: dict[str, list[str]] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)  # shown with the result: date, regions, readings ("" when none)


DETAILS = ("date", "regions", "readings")  # the search records' metadata a result shows, in this order


def search_documents(archive: Archive) -> list[SearchDocument]:
    """What the offline search indexes: the records Pagefind indexes online (archive/search.py), so both
    find the same words and show the same details. The details (date, regions, readings) are searched
    as Pagefind searches metadata, so "Kyiv 2022" finds the same incidents offline."""
    documents = []
    for record in search_records(archive):
        details = [record.meta.get(name, "") for name in DETAILS]
        documents.append(SearchDocument(
            url=record.url + "index.html", title=record.title, kind=record.kind, date=record.date,
            text=" ".join([record.content, *details]), context=_context([record.content]),
            filters=record.filters, details=details,
        ))
    return documents


def _context(parts: list[str]) -> str:
    text = " ".join(parts)
    return text if len(text) <= CONTEXT_CHARS else text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"


def words_of(text: str) -> list[str]:
    """Lower-case words without accents: the same rule as static/offline-search.js."""
    if text.isascii():  # nothing to take off (most text of a synthetic archive, little of a real one)
        return WORD.findall(text.lower())
    return WORD.findall(unicodedata.normalize("NFKD", text.lower()).translate(_marks()))


@functools.cache
def _marks() -> dict[int, None]:
    """A str.translate table that deletes every mark, as offline-search.js's \\p{M} does: the accents NFKD takes off
    letters, and the vowel signs of scripts such as Devanagari, which would otherwise cut a word in parts."""
    return dict.fromkeys(code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)).startswith("M"))


def shard_of(word: str) -> str:
    return word[:2]


def build_index(documents: list[SearchDocument]) -> dict[str, str]:
    """The offline index as JavaScript files, by path below search-index/.

    No word, filter name or filter value is ever a key of a JavaScript object: a literal `{"__proto__": ...}`
    sets the object's prototype instead of adding a key, and `obj["constructor"]` finds Object's own. So the
    terms of a shard and the values of the filters are lists of [key, value] pairs, which offline-search.js
    turns into Maps; the only object keys in the files are the fixed names of the filters file's parts."""
    postings: dict[str, array[int]] = collections.defaultdict(lambda: array("l"))  # word: document, weight, document, weight...
    for number, document in enumerate(documents):
        weights: dict[str, int] = {}
        for word in words_of(document.title):
            weights[word] = weights.get(word, 0) + 5
        for word in words_of(document.text):
            weights[word] = weights.get(word, 0) + 1
        for word, weight in weights.items():
            posting = postings[word]
            posting.append(number)
            posting.append(weight)
    by_shard: dict[str, list[str]] = {}
    for word in sorted(postings):
        by_shard.setdefault(shard_of(word), []).append(word)
    files = {}
    for shard, words in by_shard.items():
        pairs = [[word, postings[word].tolist()] for word in words]
        files[f"terms/{_file_name(shard)}.js"] = _script("terms", _file_name(shard), pairs)  # the key the page asks for
    for start in range(0, len(documents), DOCS_PER_BLOCK):
        block = [[d.url, d.title, d.kind, d.date, d.context, *d.details] for d in documents[start:start + DOCS_PER_BLOCK]]
        files[f"docs/{start // DOCS_PER_BLOCK}.js"] = _script("docs", str(start // DOCS_PER_BLOCK), block)
    filters: dict[str, dict[str, list[int]]] = {}
    for number, document in enumerate(documents):
        for name, values in document.filters.items():
            for value in values:
                filters.setdefault(name, {}).setdefault(value, []).append(number)
    files["filters.js"] = _script("filters", "all", {
        "blockSize": DOCS_PER_BLOCK, "count": len(documents),
        "dates": [d.date for d in documents],
        "filters": [[name, [list(item) for item in sorted(values.items())]] for name, values in sorted(filters.items())],
        "shards": sorted(_file_name(shard) for shard in by_shard),
    })
    return files


def _file_name(shard: str) -> str:
    """A file name for any two characters, as offline-search.js's shardFile names it: lower-case ASCII letters and digits
    as they are, anything else by its code point in six digits. (In fewer, "дa" and "䍊" would both be u434a; and NFKD
    leaves capitals in some words, "№" giving "No", whose file would be no.js's on a disk that ignores case.)"""
    return "".join(char if char in _PLAIN else f"u{ord(char):06x}" for char in shard)


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _script(kind: str, key: str, data: object) -> str:
    """A call of ArchiveSearch.receive with JSON for arguments, safe in any script context: JSON is ASCII only
    (ensure_ascii escapes U+2028 and U+2029, line ends to JavaScript before ES2019, and lone surrogates),
    and every "<" is written \\u003c, so no text can close a <script> element or open an HTML comment in one."""
    arguments = ",".join(json.dumps(part, ensure_ascii=True, separators=(",", ":")) for part in (kind, key, data))
    return "ArchiveSearch.receive(" + arguments.replace("<", "\\u003c") + ");\n"


# A relative link to a folder (`regions/ua-30/`, `../`, `..`, `../search/?q=Kyiv`) gets `index.html`, for a
# browser opens no folder's index from disk; an absolute path (`/`), a fragment (`#`) or an address with a
# scheme (`https:`) stays as it is. The links are the values of href, src and action attributes, found from
# their `="` (a literal start is what lets the regular expression skip ahead: five times faster than starting
# with the names; the space before the name keeps the end of a value such as `?src=` from passing for the
# start of one), and a redirect page's refresh. A folder's path is taken without its last `/`, `..` as it is.
_RELATIVE_FOLDER = r'(?![a-zA-Z][a-zA-Z0-9+.-]*:|[#/])(?:([^"?#]*)/|(\.\.?))(?=["?#])'
_ATTRIBUTE_LINK = re.compile(r'="(?:(?<=\shref=")|(?<=\ssrc=")|(?<=\saction="))' + _RELATIVE_FOLDER)
_REFRESH_LINK = re.compile(r'(content="0; url=)' + _RELATIVE_FOLDER)


def rewrite_links(html: str) -> str:
    """`html` with every relative link to a folder ending in index.html: a link that works from disk."""
    return _REFRESH_LINK.sub(r"\1\2\3/index.html", _ATTRIBUTE_LINK.sub(r'="\1\2/index.html', html))


def write_offline(site_dir: Path, offline_dir: Path, archive: Archive, search_page: str, zip_path: Path,
                  progress: Callable[[int, int], None] = lambda done, total: None) -> None:
    """Write `offline_dir`, the built site for use from disk with its own search, and its zip at `zip_path`
    (under one top folder, sorted, with fixed times: the same site gives the same zip). Every file is written
    and deflated by the page writers, on every core; this process lays out the zip from what they deflated."""
    made_here = {"search/index.html": search_page,
                 **{f"search-index/{name}": content for name, content in build_index(search_documents(archive)).items()}}
    names = sorted({*_site_files(site_dir), *made_here}, key=lambda name: name.split("/"))  # a folder's files before its sibling 2022-01-01-x/'s
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=zip_path.parent, prefix=".offline-zip-") as parts:
        written = parallel_map(functools.partial(_write_member, site_dir, made_here, offline_dir, Path(parts)), names, progress=progress)
        with open(zip_path, "wb") as target:
            write_zip(target, zip([f"{ZIP_FOLDER}/{name}" for name in names], _read_deflated(written), strict=True))


LEFT_OUT = ("pagefind", "downloads", "404.html", "sitemap.xml", "sitemaps", "robots.txt", "sw.js")  # by name, at any depth


def _site_files(site_dir: Path) -> list[str]:
    """The site's regular files the offline copy keeps, by path relative to `site_dir` (with `/`, in no order)."""
    found, folders = [], [""]
    while folders:
        folder = folders.pop()
        with os.scandir(site_dir / folder) as entries:
            for entry in entries:
                if entry.name in LEFT_OUT:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    folders.append(f"{folder}{entry.name}/")
                elif entry.is_file(follow_symlinks=False):
                    found.append(folder + entry.name)
    return found


@dataclass(frozen=True)
class DeflatedMember:
    """Where a member's deflated content waits: in the parts file of the process that deflated it."""

    path: Path
    offset: int
    deflated_size: int
    crc: int
    size: int

    def read(self, part: BinaryIO) -> Deflated:
        """Its deflated content, from its parts file opened as `part`."""
        part.seek(self.offset)
        return Deflated(part.read(self.deflated_size), self.crc, self.size)


def _read_deflated(written: list[DeflatedMember]) -> Iterator[Deflated]:
    """Each member's deflated content, in the order of `written`, from the parts files."""
    with contextlib.ExitStack() as closing:
        parts: dict[Path, BinaryIO] = {}
        for member in written:
            if member.path not in parts:
                parts[member.path] = closing.enter_context(open(member.path, "rb"))
            yield member.read(parts[member.path])


def _write_member(site_dir: Path, made_here: dict[str, str], offline_dir: Path, parts: Path, name: str) -> DeflatedMember:
    """Write one file of the offline copy (the site's file, or one of `made_here`, a page with its links rewritten)
    and append it, deflated, to this process's parts file: what goes back to the process that writes the zip is
    where it is, not the content."""
    text = made_here.get(name)
    if name.endswith(".html"):
        content = rewrite_links(text if text is not None else (site_dir / name).read_text(encoding="utf-8")).encode("utf-8")
    else:
        content = text.encode("utf-8") if text is not None else (site_dir / name).read_bytes()
    target = offline_dir / name
    make_folder_of(target)
    target.write_bytes(content)
    member = deflate(content)
    path = parts / str(os.getpid())
    with open(path, "ab") as part:
        offset = part.tell()
        part.write(member.data)
    return DeflatedMember(path, offset, len(member.data), member.crc, member.size)
