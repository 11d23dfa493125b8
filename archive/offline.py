"""A copy of the site that works from disk: links end in index.html, search runs from script files.

Its search is the site's: the index (archive/search_index.py) is plain <script> files, which
browsers load from disk as they do from a server (they refuse fetch() on file:// pages).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .files import make_folder_of
from .model import Archive
from .parallel import parallel_map
from .search import entries_of, index_files
from .search_index import INDEX_DIR, INDEX_PATH
from .zipping import Deflated, deflate, write_zip

ZIP_FOLDER = "incident-archive"  # the one folder the zip holds, for it to unzip into


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
    made_here = {"search/index.html": search_page}
    if not (site_dir / INDEX_PATH).is_file():  # a site built without the index: the offline copy has one all the same
        made_here.update((f"{INDEX_DIR}/{path}", text) for files in index_files(entries_of(archive, None)) for path, text in files.items())
    names = sorted({*_site_files(site_dir), *made_here}, key=lambda name: name.split("/"))  # a folder's files before its sibling 2022-01-01-x/'s
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=zip_path.parent, prefix=".offline-zip-") as parts:
        written = parallel_map(functools.partial(_write_member, site_dir, made_here, offline_dir, Path(parts)), names, progress=progress)
        with open(zip_path, "wb") as target:
            write_zip(target, zip([f"{ZIP_FOLDER}/{name}" for name in names], _read_deflated(written), strict=True))


LEFT_OUT = ("downloads", "404.html", "sitemap.xml", "sitemaps", "robots.txt", "sw.js")  # by name, at any depth


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
