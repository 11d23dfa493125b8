"""Pagefind's index files: read and write them, take a bundle apart into its pages, and put pages together as Pagefind would.

Pagefind indexes each page on its own: a page's words with their positions (and those of their
spellings with accents, Pagefind's variants of a word), its fragment (the
text a result shows), its word count and its filter values do not depend on the other pages of
its bundle. What does (the pages' numbers, the word index cut in chunks, the filter files, the
list of metadata fields) `write_pages` works out as Pagefind 1.5.2 does
(pagefind/src/index/mod.rs: build_indexes, chunk_index, chunk_meta), then puts in order as
`put_in_order` puts a bundle Pagefind wrote (Pagefind 1.5.2 writes filters in a random order). So a shard put together from the pages of the last build's shard
and the changed records, indexed alone, holds the index Pagefind would have written for the
whole shard: the same files under the same names, each with the same bytes once decompressed
(tests/test_pagefind_files.py compares them). Only the gzip around them differs: Python's, not
Pagefind's. Whatever differs from this layout raises UnexpectedIndex, and the caller indexes
the whole shard instead.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate, pairwise
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import cbor2

from .files import UnsafeFile, link_regular_file, read_regular_file

SIGNATURE = b"pagefind_dcd"  # the first bytes of every gzip'd index file, once decompressed
CHUNK_LOCATIONS = 20_000  # Pagefind cuts the word index after the word that brings a chunk to this many locations and postings
# The word-index chunks a shard indexed in part rewrites are much of its time: best compression (9) takes
# eight times as long as 3 (0.87 s against 0.11 s for a shard of 2,800 records) for 9% fewer bytes.
# Only builds after an edit write them; a clean build, as a deploy's is, keeps Pagefind's own files.
CHUNK_COMPRESSION = 3
FILE_NAME = re.compile(r"[a-z]+_[0-9a-z_]+")  # en_4561ca3e30, en_202401_9c4: never a path


class UnexpectedIndex(ValueError):
    """A Pagefind file is not laid out as this module expects (another Pagefind version?)."""


@dataclass
class Bundle:
    """A Pagefind bundle as read: its entry file, metadata, word index and filters."""

    path: Path
    entry: dict  # pagefind-entry.json
    language: str
    version: str
    pages: list[list]  # [fragment name, word count] for each page, by number
    chunks: list[list[str]]  # [from, to, file hash] for each chunk of the word index
    chunk_words: list[list[str]]  # the words of each chunk
    words: dict[str, list[list]]  # each word's postings: [step from the last page number, locations, metadata locations]
    encoded: dict[str, bytes]  # each word's entry in its chunk, [word, postings, variants], as Pagefind encoded it
    variants: dict[str, dict[str, list[list]]]  # the words that have spellings with accents ("frontières" of "frontier"): their postings
    filters: dict[str, dict[str, list[int]]]  # each filter's values, with their page numbers
    fields: list[str]  # the metadata fields, whose numbers the metadata locations' markers give

    def fragment(self, number: int) -> Path:
        return self.path / "fragment" / f"{self.pages[number][0]}.pf_fragment"

    def page_fields(self, number: int) -> set[str]:
        """The metadata fields of one page, from its fragment."""
        meta = json.loads(read_index_file(self.fragment(number))).get("meta")
        if not isinstance(meta, dict):
            raise UnexpectedIndex(f"the fragment of page {number} has no metadata")
        return set(meta)


def read_bundle(path: Path) -> Bundle:
    """Read the bundle's entry, metadata, word index and filters (not its fragments)."""
    try:
        entry = json.loads(read_regular_file(path / "pagefind-entry.json", "pagefind-entry.json").decode("utf-8"))
        [(language, details)] = entry["languages"].items()
        version, pages, chunks, filter_files, _, fields = decode(path / f"pagefind.{details['hash']}.pf_meta")
        names = [details["hash"], *(name for name, _ in pages), *(name for _, _, name in chunks), *(name for _, name in filter_files)]
        if not all(isinstance(name, str) and FILE_NAME.fullmatch(name) for name in names):
            raise UnexpectedIndex("a file of the bundle has a name Pagefind does not give")
        chunk_words: list[list[str]] = []
        words: dict[str, list[list]] = {}
        encoded: dict[str, bytes] = {}
        variants: dict[str, dict[str, list[list]]] = {}
        for _, _, chunk_hash in chunks:
            chunk_words.append([])
            for word, postings, spellings, raw in _chunk_entries(read_index_file(path / "index" / f"{chunk_hash}.pf_index")):
                chunk_words[-1].append(word)
                words[word], encoded[word] = postings, raw
                if spellings:
                    variants[word] = dict(spellings)
        filters = {}
        for name, filter_hash in filter_files:
            filter_name, by_value = decode(path / "filter" / f"{filter_hash}.pf_filter")
            if filter_name != name:
                raise UnexpectedIndex(f"filter file {filter_hash} holds {filter_name!r}, listed as {name!r}")
            filters[name] = dict(by_value)
        return Bundle(path, entry, language, version, pages, chunks, chunk_words, words, encoded, variants, filters, fields)
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zlib.error, cbor2.CBORError, UnsafeFile) as problem:
        raise UnexpectedIndex(f"cannot read the Pagefind index in {path}: {problem}") from problem


def _chunk_entries(body: bytes) -> Iterator[tuple[str, list[list], list[list], bytes]]:
    """The entries of a word-index chunk (an array holding the array of its words), each with its own bytes."""
    stream = io.BytesIO(body)
    if stream.read(1) != b"\x81":
        raise UnexpectedIndex("a word-index chunk is not an array of one array")
    decoder = cbor2.CBORDecoder(stream)
    for _ in range(_array_length(stream)):
        start = stream.tell()
        word, postings, variants = decoder.decode()  # variants: [spelling, postings] pairs
        yield word, postings, variants, body[start:stream.tell()]
    if stream.tell() != len(body):
        raise UnexpectedIndex("a word-index chunk holds more than its words")


def _array_length(stream: IO[bytes]) -> int:
    """Read the head of a CBOR array: its length."""
    [head] = stream.read(1) or b"\0"
    if head >> 5 != 4 or head & 31 > 27:
        raise UnexpectedIndex("a word-index chunk does not hold an array of words")
    extra = head & 31
    return extra if extra < 24 else int.from_bytes(stream.read(1 << (extra - 24)), "big")


def _array_head(length: int) -> bytes:
    """The shortest CBOR head of an array of `length` items, as minicbor writes it."""
    if length < 24:
        return bytes([0x80 + length])
    size = next(size for size in (1, 2, 4, 8) if length < 1 << (8 * size))
    return bytes([0x98 + size.bit_length() - 1]) + length.to_bytes(size, "big")


# --- writing --------------------------------------------------------------------------------

def write_pages(output: Path, pages: list[tuple[Bundle, int]], fragment_prefix: str) -> None:
    """Write a bundle of Pagefind's index whose pages are `pages` (each a page of another bundle), numbered
    in this order, without sorts (a shard's: see search.split_in_shards). The pages of each bundle
    must keep their order. Fragments are named as _compact_fragment_names does.

    The bundle with the most pages comes first: its word-index chunks are linked, and its words'
    bytes copied, where they stay the same."""
    try:
        _write_pages(output, pages, fragment_prefix)
    except (OSError, EOFError, zlib.error, KeyError, IndexError, TypeError, ValueError) as problem:  # an earlier bundle not as expected
        raise UnexpectedIndex(f"cannot put the pages together: {problem!r}") from problem


def _write_pages(output: Path, pages: list[tuple[Bundle, int]], fragment_prefix: str) -> None:
    counts = Counter(id(bundle) for bundle, _ in pages)
    bundles = sorted({id(bundle): bundle for bundle, _ in pages}.values(), key=lambda bundle: -counts[id(bundle)])
    numbers = _new_numbers(bundles, pages)
    first = bundles[0]
    fields = _fields(bundles, numbers)
    markers = [_marker_map(bundle.fields, fields) for bundle in bundles]
    fragment_names = [f"{first.language}_{fragment_prefix}_{number:x}" for number in range(len(pages))]
    for name, (bundle, number) in zip(fragment_names, pages, strict=True):
        _link_or_copy(bundle.fragment(number), output / "fragment" / f"{name}.pf_fragment")
    meta = [first.version, [[name, bundle.pages[number][1]] for name, (bundle, number) in zip(fragment_names, pages, strict=True)],
            _write_word_index(output, bundles, numbers, markers),
            _write_filters(output, first.language, bundles, numbers), [], fields]
    meta_hash = write_meta(output, first.language, meta)
    details = {**first.entry["languages"][first.language], "hash": meta_hash, "page_count": len(pages)}
    (output / "pagefind-entry.json").write_text(entry_json({**first.entry, "languages": {first.language: details}}), encoding="utf-8")


def _new_numbers(bundles: list[Bundle], pages: list[tuple[Bundle, int]]) -> list[list[int]]:
    """For each bundle, each of its pages' new number, -1 for a page left out."""
    numbers = [[-1] * len(bundle.pages) for bundle in bundles]
    position = {id(bundle): index for index, bundle in enumerate(bundles)}
    last = [-1] * len(bundles)
    for new, (bundle, number) in enumerate(pages):
        index = position[id(bundle)]
        if number <= last[index] or bundle.language != bundles[0].language:
            raise UnexpectedIndex("the pages of a bundle are not in their order, or the languages differ")
        last[index] = number
        numbers[index][number] = new
    return numbers


def _fields(bundles: list[Bundle], numbers: list[list[int]]) -> list[str]:
    """The metadata fields of the pages kept, in order: a bundle's field whose pages are not all kept
    is looked for in the fragments of those that are (the first that has it ends the search)."""
    fields = set()
    for bundle, new_numbers in zip(bundles, numbers, strict=True):
        kept = [number for number, new in enumerate(new_numbers) if new >= 0]
        page_fields = functools.cache(bundle.page_fields)  # (each fragment read once, however many fields are looked for)
        for field in bundle.fields:
            if field not in fields and (len(kept) == len(new_numbers) or any(field in page_fields(number) for number in kept)):
                fields.add(field)
    return sorted(fields)  # code point order: Rust's order of UTF-8 strings


def _marker_map(old: list[str], new: list[str]) -> dict[int, int] | None:
    """How a bundle's metadata markers (field numbers) change; None when they do not."""
    markers = {-number - 1: -new.index(field) - 1 for number, field in enumerate(old) if field in new}
    return None if all(before == after for before, after in markers.items()) and len(markers) == len(old) else markers


def _write_word_index(output: Path, bundles: list[Bundle], numbers: list[list[int]], markers: list[dict[int, int] | None]) -> list[list[str]]:
    """Write the word index in chunks as Pagefind cuts it; their [from, to, file hash] for the metadata.
    A word whose postings are those of the first bundle keeps its bytes; a chunk all of whose words
    are the first bundle's chunk's is that chunk's file, linked."""
    words, variants = _merged_words(bundles, numbers, markers)
    first = bundles[0]
    kept_bytes = {word: first.encoded[word] for word, postings in words.items()
                  if postings is first.words.get(word) and not any(word in bundle.variants for bundle in bundles)}
    chunks = _chunked(words)
    described = _chunk_ranges(chunks)
    earlier_chunks = {tuple(chunk_words): chunk_hash for chunk_words, (_, _, chunk_hash) in zip(first.chunk_words, first.chunks, strict=True)}
    used: set[str] = set()
    for chunk, description in zip(chunks, described, strict=True):
        earlier_hash = earlier_chunks.get(tuple(chunk))
        if earlier_hash and earlier_hash not in used and all(word in kept_bytes for word in chunk):
            description[2] = earlier_hash
            used.add(earlier_hash)
            _link_or_copy(first.path / "index" / f"{earlier_hash}.pf_index", output / "index" / f"{earlier_hash}.pf_index")
            continue
        body = b"\x81" + _array_head(len(chunk)) + b"".join(
            kept_bytes.get(word) or cbor2.dumps([word, words[word], [[spelling, postings] for spelling, postings in sorted(variants.get(word, {}).items())]])
            for word in chunk)
        description[2] = _chunk_name(f"{first.language}_{pagefind_hash(body)}", len(first.language) + 8, used)
        write_index_file(output / "index" / f"{description[2]}.pf_index", body, CHUNK_COMPRESSION)
    return described


def _merged_words(bundles: list[Bundle], numbers: list[list[int]],
                  markers: list[dict[int, int] | None]) -> tuple[dict[str, list[list]], dict[str, dict[str, list[list]]]]:
    """The postings of every word of the pages kept, and of its accented spellings, with the pages' new numbers."""
    words: dict[str, list[list]] = {}
    variants: dict[str, dict[str, list[list]]] = {}  # of the words that have any (see Bundle)
    for bundle, new_numbers, marker_map in zip(bundles, numbers, markers, strict=True):
        for word, postings in bundle.words.items():
            moved = _moved_postings(postings, new_numbers, marker_map)
            words[word] = _merged(words[word], moved) if word in words else moved
        for word, spellings in bundle.variants.items():
            for spelling, postings in spellings.items():
                moved = _moved_postings(postings, new_numbers, marker_map)
                if moved:
                    into = variants.setdefault(word, {})
                    into[spelling] = _merged(into[spelling], moved) if spelling in into else moved
    return {word: postings for word, postings in words.items() if postings or word in variants}, variants


def _chunked(words: dict[str, list[list]]) -> list[list[str]]:
    """The words in order, cut after each word that brings a chunk to CHUNK_LOCATIONS (its variants do not count)."""
    chunks: list[list[str]] = [[]]
    size = 0
    for word in sorted(words):  # code point order: Rust's order of UTF-8 strings
        chunks[-1].append(word)
        postings = words[word]
        size += len(postings) + sum(map(len, map(itemgetter(1), postings))) + sum(map(len, map(itemgetter(2), postings)))
        if size >= CHUNK_LOCATIONS:
            chunks.append([])
            size = 0
    return [chunk for chunk in chunks if chunk]


def _chunk_ranges(chunks: list[list[str]]) -> list[list[str]]:
    """Each chunk's [from, to, ""] as Pagefind's chunk_meta gives them (the file hash comes later)."""
    described = [[chunk[0], chunk[-1], ""] for chunk in chunks]
    for earlier, later in pairwise(described):
        to, later[0] = _prefixes(earlier[1], later[0])
        if to >= earlier[0]:  # else the chunk's range would end before it starts: Pagefind keeps the whole word
            earlier[1] = to
    return described


def _moved_postings(postings: list[list], new_numbers: list[int], marker_map: dict[int, int] | None) -> list[list]:
    """A word's postings with the pages' new numbers, without the pages left out: the very list
    given when that changes nothing. Only the postings whose step changes are new lists."""
    old = list(accumulate(posting[0] for posting in postings))
    new = [new_numbers[number] for number in old]
    if marker_map is None and new == old:
        return postings
    kept = [(posting, number) for posting, number in zip(postings, new, strict=True) if number >= 0]
    steps = [number - previous for (_, number), previous in zip(kept, [0, *(number for _, number in kept)], strict=False)]
    return [posting if step == posting[0] and marker_map is None else
            [step, posting[1], posting[2] if marker_map is None else [marker_map[mark] if mark < 0 else mark for mark in posting[2]]]
            for (posting, _), step in zip(kept, steps, strict=True)]


def _merged(first: list[list], second: list[list]) -> list[list]:
    """Two postings lists of a word (steps between page numbers) as one, in page order."""
    absolute = sorted([(number, posting) for postings in (first, second)
                       for number, posting in zip(accumulate(posting[0] for posting in postings), postings, strict=True)],
                      key=lambda pair: pair[0])
    previous = [0, *(number for number, _ in absolute)]
    return [[number - before, posting[1], posting[2]] for (number, posting), before in zip(absolute, previous, strict=False)]


def _prefixes(last: str, first: str) -> tuple[str, str]:
    """The shortest prefixes that tell a chunk's last word from the next chunk's first (Pagefind's get_prefixes)."""
    common = 0
    while common < min(len(last), len(first)) and last[common] == first[common]:
        common += 1
    return last[:common + 1], first[:common + 1]


def _chunk_name(full: str, length: int, used: set[str]) -> str:
    """Pagefind's name for a word-index chunk: `length` characters of its hash, two more at each clash with an earlier chunk's."""
    short = full[:length]
    while short in used and len(short) < len(full):
        short = full[:len(short) + 2]
    used.add(short)
    return short


def _write_filters(output: Path, language: str, bundles: list[Bundle], numbers: list[list[int]]) -> list[list[str]]:
    """Write one file a filter, its values in order; their [name, file hash] for the metadata."""
    by_name: dict[str, dict[str, list[int]]] = {}
    for bundle, new_numbers in zip(bundles, numbers, strict=True):
        for name, values in bundle.filters.items():
            for value, pages in values.items():
                kept = [new_numbers[number] for number in pages if new_numbers[number] >= 0]
                if kept:
                    by_name.setdefault(name, {}).setdefault(value, []).extend(kept)
    return write_filter_files(output, language, {name: [name, [[value, sorted(values[value])] for value in sorted(values, key=str.encode)]]
                                                 for name, values in by_name.items()})


def write_filter_files(bundle: Path, language: str, filters: dict[str, list]) -> list[list[str]]:
    """Write each filter's file ([name, [[value, page numbers], ...]], its values in order), in the order of
    their names and named by their content as Pagefind names them; the metadata's [name, file hash] pairs."""
    listed: list[list[str]] = []
    used: set[str] = set()
    for name in sorted(filters, key=str.encode):  # by their UTF-8 bytes: Rust's order for strings
        body = cbor2.dumps(filters[name])
        file_hash = short_hash(f"{language}_{pagefind_hash(body)}", len(language) + 8, used)
        write_index_file(bundle / "filter" / f"{file_hash}.pf_filter", body)
        listed.append([name, file_hash])
    return listed


def write_meta(bundle: Path, language: str, meta: list) -> str:
    """Write the bundle's metadata file, named by its content; that name."""
    body = cbor2.dumps(meta)
    meta_hash = f"{language}_{pagefind_hash(body)[:len(language) + 8]}"
    write_index_file(bundle / f"pagefind.{meta_hash}.pf_meta", body)
    return meta_hash


def _link_or_copy(source: Path, target: Path) -> None:
    if not link_regular_file(source, target):
        raise UnexpectedIndex(f"{source.name} is not a regular file")


# --- a bundle as Pagefind wrote it, in a stable order ------------------------------------------

def put_in_order(bundle: Path, fragment_prefix: str | None = None) -> None:
    """Put the filter values of a Pagefind bundle in order, and the filters too, whatever order
    Pagefind wrote them in; rename the files whose bytes that changes, and the references to them.

    Only the order of entries changes: a file is rewritten only if cbor2 encodes what it read from
    it back to Pagefind's very bytes, so the index means what Pagefind wrote. Fragment and word-index
    files keep their bytes. Raises UnexpectedIndex, leaving the bundle unusable, when its layout is
    not the one expected.

    With `fragment_prefix` (a bundle's), the fragments (one a record) are named by the prefix and
    their page's number instead of their content's hash: see _compact_fragment_names.
    """
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry_text = entry_path.read_text(encoding="utf-8")
        entry = json.loads(entry_text)
        if entry_json(entry) != entry_text:
            raise UnexpectedIndex("pagefind-entry.json is not in Pagefind's compact JSON")
        for language, details in sorted(entry["languages"].items()):
            details["hash"] = _sort_language(bundle, language, details["hash"], fragment_prefix)
        entry_path.write_text(entry_json(entry), encoding="utf-8")
    except UnexpectedIndex:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zlib.error, cbor2.CBORError) as problem:
        raise UnexpectedIndex(str(problem)) from problem


def _sort_language(bundle: Path, language: str, meta_hash: str, fragment_prefix: str | None) -> str:
    """Sort one language's filters and their values; return the new name of its metadata file."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    # The metadata: version, pages, word-index chunks, filters ([name, file hash] pairs), sorts, meta fields.
    meta = decode(meta_path)
    if not (isinstance(meta, list) and len(meta) >= 4 and all(isinstance(pair, list) and len(pair) == 2 for pair in meta[3])):
        raise UnexpectedIndex(f"{meta_path.name}: no list of [filter, file hash] pairs in fourth place")
    if fragment_prefix is not None:
        _compact_fragment_names(bundle, meta, f"{language}_{fragment_prefix}")
    filters = {name: _sorted_filter(bundle / "filter" / f"{file_hash}.pf_filter", name) for name, file_hash in meta[3]}
    if len(filters) != len(meta[3]):
        raise UnexpectedIndex(f"{meta_path.name}: a filter is listed twice")
    for _, file_hash in meta[3]:
        (bundle / "filter" / f"{file_hash}.pf_filter").unlink()
    meta[3] = write_filter_files(bundle, language, filters)
    meta_path.unlink()
    return write_meta(bundle, language, meta)


def _compact_fragment_names(bundle: Path, meta: list, prefix: str) -> None:
    """Name each page's fragment `prefix`, _ and the page's number in hex (en_202401_9c4), in the
    metadata's page list and on disk, instead of Pagefind's hash of its content.

    The page list, with a fragment name for each of a shard's records, is most of what the first
    search loads of a shard, and hashes do not compress: numbers after a prefix shared by every
    name take a third less. Content hashes are not needed for caching in a shard: any change to
    its records gives the whole shard a new folder (see search.split_in_shards). The prefix (a
    shard's first month; see search._fragment_prefix) keeps names apart between bundles, and the
    names give each result's place in date order: search.js orders results by them. The _
    keeps them apart from Pagefind's names (hex), which are renamed one by one.
    """
    if not isinstance(meta[1], list) or not all(isinstance(page, list) and len(page) == 2 for page in meta[1]):
        raise UnexpectedIndex("no list of [fragment hash, word count] pages in second place")
    fragments = bundle / "fragment"
    for number, page in enumerate(meta[1]):
        name = f"{prefix}_{number:x}"
        (fragments / f"{page[0]}.pf_fragment").rename(fragments / f"{name}.pf_fragment")
        page[0] = name


def _sorted_filter(path: Path, name: str) -> list:
    """A filter file's content, [name, [[value, page numbers], ...]], with its values in order."""
    content = decode(path)
    if not (isinstance(content, list) and len(content) == 2 and isinstance(content[1], list)):
        raise UnexpectedIndex(f"{path.name}: not a [name, values] pair")
    if content[0] != name:
        raise UnexpectedIndex(f"{path.name}: holds filter {content[0]!r}, listed as {name!r}")
    content[1].sort(key=lambda pair: pair[0].encode())  # by the value's UTF-8 bytes (unique), as Pagefind now sorts them itself
    return content


# --- Pagefind's files -------------------------------------------------------------------------

def entry_json(entry: dict) -> str:
    """pagefind-entry.json as Pagefind writes it: compact, non-ASCII as is."""
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def pagefind_hash(data: bytes) -> str:
    """Pagefind's content hash: SHA-1 written as hex without zero padding (each byte `{:x}`)."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(data).digest())


def short_hash(full: str, length: int, used: set[str]) -> str:
    """The first `length` characters of `full`, longer if another file already has them (as Pagefind names filter files)."""
    short = full[:length]
    while short in used:
        if len(short) == len(full):
            raise UnexpectedIndex(f"two files have the same hash {full}")
        short = full[:len(short) + 1]
    used.add(short)
    return short


def decode(path: Path) -> Any:  # CBOR: whatever the file holds; the callers check its shape
    """The content of a Pagefind index file, provided that encoding it again gives Pagefind's very bytes
    (so that what is written back differs only where it is meant to)."""
    body = read_index_file(path)
    content = cbor2.loads(body)
    if cbor2.dumps(content) != body:
        raise UnexpectedIndex(f"{path.name}: not encoded as expected")
    return content


def read_index_file(path: Path) -> bytes:
    """The body of a gzip'd Pagefind file (a .pf_meta, .pf_filter, .pf_index or .pf_fragment), after its signature."""
    try:
        data = gzip.decompress(read_regular_file(path, path.name))
    except UnsafeFile as unsafe:
        raise UnexpectedIndex(f"{path.name} {unsafe.problem.message}") from None
    if not data.startswith(SIGNATURE):
        raise UnexpectedIndex(f"{path.name}: no {SIGNATURE.decode()} signature")
    return data[len(SIGNATURE):]


def write_index_file(path: Path, body: bytes, level: int = 9) -> None:
    """Gzip as Pagefind does (best compression, unless told otherwise), with no time stamp in the header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(SIGNATURE + body, compresslevel=level, mtime=0))
