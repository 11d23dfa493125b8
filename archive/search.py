"""Index the built site for search with Pagefind, run from the pagefind-bin package's binary.

Two builds of the same site give the same index, byte for byte. Pagefind 1.5.2 alone does not:

- It collects each filter's values, and the filters, in hash maps whose order is seeded at
  random in every run, and writes them in that order: the filter files, the metadata file that
  lists them and `pagefind-entry.json` that names the metadata file differed on every run.
  `make_reproducible` sorts them afterwards (later Pagefind releases sort them too) and renames
  the files with Pagefind's own content hashing.
- It numbers pages in the order its walk of the folder meets them, which is the order the file
  system lists each folder: by a hash of the name (ext4, seeded when the file system was made),
  or by creation (tmpfs, btrfs), which our parallel page writing varies.
  Page numbers are in the word index, the filters, the page list and the sort order, so every
  index file changes with them. Pagefind is therefore run on a copy of the site's HTML files
  (hard links) made afresh in path order: the same names made in the same order list the same
  way on any one file system. Another file system (or another ext4 seed) can list them in
  another order, so indexes built on different machines may still differ.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pagefind_bin

SIGNATURE = b"pagefind_dcd"  # the first bytes of every gzip'd index file, once decompressed


class SearchIndexError(RuntimeError):
    pass


def index_site(site_dir: Path, output_dir: Path | None = None) -> None:
    """Write Pagefind's index and UI into `site_dir/pagefind/` (or `output_dir`). Only pages marked
    data-pagefind-body are indexed."""
    output_dir = Path(output_dir or site_dir / "pagefind").resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    pages = html_files(site_dir)
    # Beside the output (inside the build's staging folder, or serve's scratch folder), so that
    # hard links work and a killed build leaves nothing behind that its clean-up misses.
    copy = Path(tempfile.mkdtemp(prefix=".pagefind-pages-", dir=output_dir.parent))
    try:
        for page in pages:
            _link_or_copy(site_dir / page, copy / page)
        result = subprocess.run(
            [str(pagefind_bin.get_executable()), "--site", str(copy), "--silent", "--output-path", str(output_dir)],
            capture_output=True, text=True, check=False,
        )
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise SearchIndexError(f"Pagefind failed (exit {result.returncode}): {message}")
    make_reproducible(output_dir)


def html_files(site_dir: Path) -> list[str]:
    """The site's HTML files (what `pagefind --site` reads: `**/*.html`), relative, in path order."""
    found = []
    for folder, folders, files in os.walk(site_dir):
        folders[:] = [name for name in folders if not name.startswith(".pagefind-pages-")]  # a killed run's copy
        relative = Path(folder).relative_to(site_dir)
        found += [relative / name for name in files if name.endswith(".html")]
    return [path.as_posix() for path in sorted(found, key=lambda path: path.parts)]


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)


def make_reproducible(bundle: Path) -> None:
    """Put the filter values of a Pagefind bundle in order, and the filters too, whatever order
    Pagefind wrote them in; rename the files whose bytes that changes, and the references to them.

    Only the order of entries changes; the entries themselves are Pagefind's bytes, so the index
    means what Pagefind wrote. Fragment and word-index files are left as they are. Raises
    SearchIndexError, leaving the bundle unusable, when its layout is not the one expected.
    """
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry_text = entry_path.read_text(encoding="utf-8")
        entry = json.loads(entry_text)
        if _entry_json(entry) != entry_text:
            raise _Unexpected("pagefind-entry.json is not in Pagefind's compact JSON")
        for language, details in sorted(entry["languages"].items()):
            details["hash"] = _sort_language(bundle, language, details["hash"])
        entry_path.write_text(_entry_json(entry), encoding="utf-8")
    except (_Unexpected, OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zlib.error) as problem:
        raise SearchIndexError(f"cannot put Pagefind's index in {bundle} in a stable order "
                               f"(has Pagefind's index format changed?): {problem}") from problem


class _Unexpected(ValueError):
    pass


def _entry_json(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _sort_language(bundle: Path, language: str, meta_hash: str) -> str:
    """Sort one language's filters and their values; return the new name of its metadata file."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = read_index_file(meta_path)
    # The metadata is a CBOR array: version, pages, word-index chunks, filters, sorts, meta fields.
    # Filters are [name, file hash] pairs.
    major, fields, pos = _head(meta, 0)
    if major != 4 or fields < 4:
        raise _Unexpected(f"{meta_path.name}: not an array of at least 4 fields")
    for _ in range(3):
        pos = _skip(meta, pos)
    filters_start = pos
    filters = []
    major, count, pos = _head(meta, pos)
    if major != 4:
        raise _Unexpected(f"{meta_path.name}: the filter list is not an array")
    for _ in range(count):
        major, length, pos = _head(meta, pos)
        if (major, length) != (4, 2):
            raise _Unexpected(f"{meta_path.name}: a filter is not a [name, hash] pair")
        name, pos = _text(meta, pos)
        file_hash, pos = _text(meta, pos)
        filters.append((name, file_hash.decode("utf-8")))
    filters_end = pos
    _skip_rest(meta, pos, fields - 4, meta_path.name)
    if _filter_list(filters) != meta[filters_start:filters_end]:  # written back the same way
        raise _Unexpected(f"{meta_path.name}: the filter list is not encoded as expected")

    sorted_filters = {name: _sorted_filter(bundle / "filter" / f"{file_hash}.pf_filter", name)
                      for name, file_hash in filters}
    if len(sorted_filters) != len(filters):
        raise _Unexpected(f"{meta_path.name}: a filter is listed twice")
    for _, file_hash in filters:
        (bundle / "filter" / f"{file_hash}.pf_filter").unlink()
    new_filters, used = [], set()
    for name in sorted(sorted_filters):  # by their UTF-8 bytes: Rust's order for strings
        body = sorted_filters[name]
        file_hash = _short_hash(f"{language}_{pagefind_hash(body)}", len(language) + 8, used)
        write_index_file(bundle / "filter" / f"{file_hash}.pf_filter", body)
        new_filters.append((name, file_hash))

    new_meta = meta[:filters_start] + _filter_list(new_filters) + meta[filters_end:]
    new_hash = f"{language}_{pagefind_hash(new_meta)[:len(language) + 8]}"
    meta_path.unlink()
    write_index_file(bundle / f"pagefind.{new_hash}.pf_meta", new_meta)
    return new_hash


def _filter_list(filters: list[tuple[bytes, str]]) -> bytes:
    """The metadata's list of [filter name, file hash] pairs, encoded."""
    return _array([_array([_cbor_text(name), _cbor_text(file_hash.encode("utf-8"))]) for name, file_hash in filters])


def _sorted_filter(path: Path, name: bytes) -> bytes:
    """A filter file's body with its values in order. The file is a CBOR array: the filter's
    name, then its values as [value, page numbers] pairs."""
    body = read_index_file(path)
    major, length, pos = _head(body, 0)
    if (major, length) != (4, 2):
        raise _Unexpected(f"{path.name}: not a [name, values] pair")
    own_name, pos = _text(body, pos)
    if own_name != name:
        raise _Unexpected(f"{path.name}: holds filter {own_name!r}, listed as {name!r}")
    major, count, pos = _head(body, pos)
    if major != 4:
        raise _Unexpected(f"{path.name}: the values are not an array")
    values_start = pos
    values = []
    for _ in range(count):
        start = pos
        major, length, pos = _head(body, pos)
        if (major, length) != (4, 2):
            raise _Unexpected(f"{path.name}: a value is not a [value, pages] pair")
        value, pos = _text(body, pos)
        pos = _skip(body, pos)
        values.append((value, body[start:pos]))
    if pos != len(body):
        raise _Unexpected(f"{path.name}: bytes after the values")
    values.sort()  # by the value's UTF-8 bytes (unique), as Pagefind now sorts them itself
    return body[:values_start] + b"".join(raw for _, raw in values)


def _short_hash(full: str, length: int, used: set[str]) -> str:
    """The first `length` characters of `full`, longer if another file already has them (as Pagefind does)."""
    short = full[:length]
    while short in used:
        if len(short) == len(full):
            raise _Unexpected(f"two filter files have the same hash {full}")
        short = full[:len(short) + 1]
    used.add(short)
    return short


# --- Pagefind's files ---------------------------------------------------------------------

def pagefind_hash(data: bytes) -> str:
    """Pagefind's content hash: SHA-1 written as hex without zero padding (each byte `{:x}`)."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(data).digest())


def read_index_file(path: Path) -> bytes:
    """The CBOR body of a gzip'd Pagefind index file (a .pf_meta, .pf_filter or .pf_index)."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise _Unexpected(f"{path.name}: no {SIGNATURE.decode()} signature")
    return data[len(SIGNATURE):]


def write_index_file(path: Path, body: bytes) -> None:
    """Gzip as Pagefind does (best compression), with no time stamp in the header."""
    path.write_bytes(gzip.compress(SIGNATURE + body, compresslevel=9, mtime=0))


# --- the little of CBOR (RFC 8949) that Pagefind's index uses -----------------------------

def _head(data: bytes, pos: int) -> tuple[int, int, int]:
    """(major type, argument, position after the head) of the item at `pos`."""
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    if info < 24:
        return major, info, pos + 1
    if info > 27:
        raise _Unexpected("indefinite-length or reserved CBOR item")
    size = 1 << (info - 24)
    if pos + 1 + size > len(data):
        raise _Unexpected("truncated CBOR item")
    return major, int.from_bytes(data[pos + 1:pos + 1 + size], "big"), pos + 1 + size


def _skip(data: bytes, pos: int) -> int:
    """The position after the item at `pos`."""
    pending = 1
    while pending:
        pending -= 1
        major, argument, pos = _head(data, pos)
        if major in (2, 3):
            pos += argument
            if pos > len(data):
                raise _Unexpected("truncated CBOR string")
        elif major == 4:
            pending += argument
        elif major == 5:
            pending += 2 * argument
        elif major == 6:
            pending += 1
    return pos


def _skip_rest(data: bytes, pos: int, items: int, name: str) -> None:
    for _ in range(items):
        pos = _skip(data, pos)
    if pos != len(data):
        raise _Unexpected(f"{name}: bytes after the metadata")


def _text(data: bytes, pos: int) -> tuple[bytes, int]:
    """A CBOR text string's UTF-8 bytes, and the position after it."""
    major, length, pos = _head(data, pos)
    if major != 3 or pos + length > len(data):
        raise _Unexpected("expected a CBOR text string")
    text = data[pos:pos + length]
    text.decode("utf-8")  # valid, or ValueError
    return text, pos + length


def _encode_head(major: int, argument: int) -> bytes:
    """The shortest head, as Pagefind's encoder (minicbor) writes it."""
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise _Unexpected(f"CBOR argument too large: {argument}")


def _cbor_text(text: bytes) -> bytes:
    return _encode_head(3, len(text)) + text


def _array(items: list[bytes]) -> bytes:
    return _encode_head(4, len(items)) + b"".join(items)
