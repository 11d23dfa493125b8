"""A copy of the site that works from disk: links end in index.html, search runs from script files.

Browsers refuse fetch() and WebAssembly on file:// pages, so Pagefind cannot run there. This
copy carries its own index as plain <script> files instead: a small file of filter values,
postings split by the first two letters of each word, and documents split into fixed
blocks, so a search loads only the shards its words and results need.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .model import Archive
from .search import search_records

DOCS_PER_BLOCK = 200
CONTEXT_CHARS = 1200  # text kept per document for result snippets, chosen around the words found
WORD = re.compile(r"\w+", re.UNICODE)
LINK_ATTRIBUTE = re.compile(r'((?:href|src|action)="|content="0; url=)([^"]*)(")')
ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # fixed, so the same archive gives the same zip


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
    folded = unicodedata.normalize("NFKD", text.lower())
    return WORD.findall("".join(char for char in folded if not unicodedata.combining(char)))


def shard_of(word: str) -> str:
    return word[:2]


def build_index(documents: list[SearchDocument]) -> dict[str, str]:
    """The offline index as JavaScript files, by path below search-index/.

    No word, filter name or filter value is ever a key of a JavaScript object: a literal `{"__proto__": ...}`
    sets the object's prototype instead of adding a key, and `obj["constructor"]` finds Object's own. So the
    terms of a shard and the values of the filters are lists of [key, value] pairs, which offline-search.js
    turns into Maps; the only object keys in the files are the fixed names of the filters file's parts."""
    postings: dict[str, dict[str, dict[int, int]]] = {}
    for number, document in enumerate(documents):
        weights: dict[str, int] = {}
        for word in words_of(document.title):
            weights[word] = weights.get(word, 0) + 5
        for word in words_of(document.text):
            weights[word] = weights.get(word, 0) + 1
        for word, weight in weights.items():
            postings.setdefault(shard_of(word), {}).setdefault(word, {})[number] = weight
    files = {}
    for shard, words in sorted(postings.items()):
        pairs = [[word, [number for item in sorted(docs.items()) for number in item]] for word, docs in sorted(words.items())]
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
        "shards": sorted(_file_name(shard) for shard in postings),
    })
    return files


def _file_name(shard: str) -> str:
    """A file name for any two characters: letters and digits as they are, anything else by code point."""
    return "".join(char if char.isascii() and char.isalnum() else f"u{ord(char):x}" for char in shard)


def _script(kind: str, key: str, data: object) -> str:
    """A call of ArchiveSearch.receive with JSON for arguments, safe in any script context: JSON is ASCII only
    (ensure_ascii escapes U+2028 and U+2029, line ends to JavaScript before ES2019, and lone surrogates),
    and every "<" is written \\u003c, so no text can close a <script> element or open an HTML comment in one."""
    arguments = ",".join(json.dumps(part, ensure_ascii=True, separators=(",", ":")) for part in (kind, key, data))
    return "ArchiveSearch.receive(" + arguments.replace("<", "\\u003c") + ");\n"


def offline_link(value: str) -> str:
    """A link that works from disk: `regions/ua-30/` -> `regions/ua-30/index.html`; others unchanged."""
    if value.startswith(("#", "/")) or re.match(r"[a-z][a-z0-9+.-]*:", value, re.IGNORECASE):
        return value
    cut = min((at for at in (value.find("?"), value.find("#")) if at >= 0), default=len(value))
    path, tail = value[:cut], value[cut:]  # the path, and its query and fragment
    if path.endswith("/"):
        path += "index.html"
    elif path in (".", ".."):
        path += "/index.html"
    return path + tail


def rewrite_links(html: str) -> str:
    return LINK_ATTRIBUTE.sub(lambda m: m.group(1) + offline_link(m.group(2)) + m.group(3), html)


def write_offline(site_dir: Path, offline_dir: Path, archive: Archive, search_page: str) -> None:
    """Copy the built site into `offline_dir` for use from disk, with its own search."""
    shutil.copytree(site_dir, offline_dir, ignore=shutil.ignore_patterns("pagefind", "downloads", "404.html", "sitemap.xml", "sitemaps", "robots.txt", "sw.js"))
    (offline_dir / "search" / "index.html").write_text(search_page, encoding="utf-8")
    for page in offline_dir.rglob("*.html"):
        page.write_text(rewrite_links(page.read_text(encoding="utf-8")), encoding="utf-8")
    for relative, content in build_index(search_documents(archive)).items():
        target = offline_dir / "search-index" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def write_zip(tree: Path, target: Path, folder_name: str = "incident-archive") -> None:
    """A zip of `tree` under one top folder, with fixed times and sorted entries (the same tree, the same bytes)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive_file:
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder_name}/{path.relative_to(tree).as_posix()}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive_file.writestr(info, path.read_bytes())
