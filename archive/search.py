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

import cbor2
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

    Only the order of entries changes: a file is rewritten only if cbor2 encodes what it read from
    it back to Pagefind's very bytes, so the index means what Pagefind wrote. Fragment and word-index files are left as they are. Raises
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
    except (_Unexpected, OSError, ValueError, KeyError, TypeError, IndexError, EOFError, zlib.error, cbor2.CBORError) as problem:
        raise SearchIndexError(f"cannot put Pagefind's index in {bundle} in a stable order "
                               f"(has Pagefind's index format changed?): {problem}") from problem


class _Unexpected(ValueError):
    pass


def _entry_json(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def _sort_language(bundle: Path, language: str, meta_hash: str) -> str:
    """Sort one language's filters and their values; return the new name of its metadata file."""
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    # The metadata: version, pages, word-index chunks, filters ([name, file hash] pairs), sorts, meta fields.
    meta = _decode(meta_path)
    if not (isinstance(meta, list) and len(meta) >= 4 and all(isinstance(pair, list) and len(pair) == 2 for pair in meta[3])):
        raise _Unexpected(f"{meta_path.name}: no list of [filter, file hash] pairs in fourth place")
    filters = {name: _sorted_filter(bundle / "filter" / f"{file_hash}.pf_filter", name) for name, file_hash in meta[3]}
    if len(filters) != len(meta[3]):
        raise _Unexpected(f"{meta_path.name}: a filter is listed twice")
    for _, file_hash in meta[3]:
        (bundle / "filter" / f"{file_hash}.pf_filter").unlink()
    meta[3], used = [], set()
    for name in sorted(filters, key=str.encode):  # by their UTF-8 bytes: Rust's order for strings
        body = cbor2.dumps(filters[name])
        file_hash = _short_hash(f"{language}_{pagefind_hash(body)}", len(language) + 8, used)
        write_index_file(bundle / "filter" / f"{file_hash}.pf_filter", body)
        meta[3].append([name, file_hash])
    new_meta = cbor2.dumps(meta)
    new_hash = f"{language}_{pagefind_hash(new_meta)[:len(language) + 8]}"
    meta_path.unlink()
    write_index_file(bundle / f"pagefind.{new_hash}.pf_meta", new_meta)
    return new_hash


def _sorted_filter(path: Path, name: str) -> list:
    """A filter file's content, [name, [[value, page numbers], ...]], with its values in order."""
    content = _decode(path)
    if not (isinstance(content, list) and len(content) == 2 and isinstance(content[1], list)):
        raise _Unexpected(f"{path.name}: not a [name, values] pair")
    if content[0] != name:
        raise _Unexpected(f"{path.name}: holds filter {content[0]!r}, listed as {name!r}")
    content[1].sort(key=lambda pair: pair[0].encode())  # by the value's UTF-8 bytes (unique), as Pagefind now sorts them itself
    return content


def _decode(path: Path):
    """The content of a Pagefind index file, provided that encoding it again gives Pagefind's very bytes
    (so that what is written back differs only in the order of its entries)."""
    body = read_index_file(path)
    content = cbor2.loads(body)
    if cbor2.dumps(content) != body:
        raise _Unexpected(f"{path.name}: not encoded as expected")
    return content


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
