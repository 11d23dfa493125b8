"""Read, link and copy only regular files inside the repository: the one gate every input file passes.

A pull request can add a symbolic link to /etc/passwd, a FIFO that blocks whoever reads it,
or a file name that is not text. Every folder the build reads (incidents/, content/,
templates/, static/, data/ and site.yaml) is scanned first: such entries are reported as
problems, and never opened, so no content of theirs can be printed or published.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


class UnsafeFile(Exception):
    """An input that is not a regular file inside the repository; `problem` says which and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Repository:
    """The folders inputs may come from: the archive's root and the program's own folder (templates, static, data)."""

    roots: tuple[Path, ...]
    # Each folder's real path, while folders_resolved_once is in force (else None).
    _real_folders: dict[str, str] | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roots", tuple(Path(os.path.realpath(root)) for root in self.roots))

    @contextlib.contextmanager
    def folders_resolved_once(self) -> Iterator[None]:
        """Meanwhile, the links on the way to a folder are resolved once, not again for each file in it.

        Resolving a path looks at each folder above it, and a check reads 10,000 files from a few
        dozen folders: that was most of the time the gate took to look at a file before reading it.
        For one check or build only, so that `serve`, which lives on, sees a folder later replaced by a link.
        """
        if self._real_folders is not None:  # a check within a build: the build's span holds
            yield
            return
        object.__setattr__(self, "_real_folders", {})
        try:
            yield
        finally:
            object.__setattr__(self, "_real_folders", None)

    def name(self, path: Path) -> str:
        """`path` as shown to people: relative to the root holding it, and printable whatever its bytes."""
        text = os.path.abspath(path)
        for root in self.roots:
            if text.startswith(str(root) + os.sep):
                text = text[len(str(root)) + 1:]
                break
        return printable_name(text.replace(os.sep, "/"))

    def inside(self, target: str, hidden: bool = True) -> bool:
        """Whether a resolved path lies in one of the roots; with `hidden` False, not in or at a hidden
        name such as .git or .env (where links may not lead)."""
        for root in self.roots:
            if target.startswith(str(root) + os.sep):
                return hidden or not any(part.startswith(".") for part in target[len(str(root)) + 1:].split(os.sep))
        return False

    def problem(self, path: Path, display: str | None = None) -> Problem | None:
        """Why `path` may not be read, or None for a regular file inside the repository (a link to one included)."""
        return self._examine(path, display)[0]

    def _examine(self, path: Path, display: str | None) -> tuple[Problem | None, str]:
        """problem(path), and the real path `path` leads to (read_bytes opens that one, without resolving it again)."""

        def where() -> str:  # only when there is a problem: naming a path printably is slow
            return display or self.name(path)

        try:
            status = os.lstat(path)
        except OSError as exc:
            return Problem(where(), 1, 1, f"cannot be read: {exc.strerror}"), ""
        is_link = stat.S_ISLNK(status.st_mode)
        link = f"is a symbolic link to `{printable_name(os.readlink(path))}`" if is_link else ""
        target = self._real_path(path, is_link)  # for a link, or for a path through a linked folder
        if not self.inside(target, hidden=not is_link):
            return Problem(where(), 1, 1, f"{link or 'lies in a linked folder'}, outside the repository (or in a hidden folder of it); "
                                          "only files inside the repository are read: put the file itself there"), target
        if is_link:
            try:
                status = os.stat(target)
            except OSError:
                return Problem(where(), 1, 1, f"{link}, which does not exist; remove the link"), target
        if not stat.S_ISREG(status.st_mode):
            return Problem(where(), 1, 1, f"is {KINDS.get(stat.S_IFMT(status.st_mode), 'not a regular file')}, not a file; "
                                          "remove it or move it out of the way"), target
        return None, target

    def _real_path(self, path: Path, is_link: bool) -> str:
        """os.path.realpath(path); its folder's from the ones resolved already, if the file itself is no link."""
        folder, name = os.path.split(os.fspath(path))
        if self._real_folders is None or is_link or not folder or name in ("", ".", ".."):
            return os.path.realpath(path)
        return os.path.join(self._real_folder(folder), name)

    def _real_folder(self, folder: str) -> str:
        """os.path.realpath(folder), resolved once while folders_resolved_once is in force (the scan's serves the reads)."""
        folders = self._real_folders
        if folders is None:
            return os.path.realpath(folder)
        if folder not in folders:
            folders[folder] = os.path.realpath(folder)
        return folders[folder]

    def read_bytes(self, path: Path, display: str | None = None, limit: int | None = None) -> bytes:
        """The bytes of a regular file inside the repository; UnsafeFile for anything else, before any byte is read.

        The file is opened without blocking and checked again once open, so an entry swapped for
        a FIFO between the check and the read cannot hang the build.
        """
        problem, target = self._examine(path, display)
        if problem:
            raise UnsafeFile(problem)
        return read_regular_file(target, display or self.name(path), limit)

    def scan(self, folder: Path) -> list[Problem]:
        """Every entry below `folder` that a build must not read: links leaving the repository, dangling
        links, FIFOs, sockets, devices, and names that are not valid UTF-8."""
        if not os.path.lexists(folder):
            return []
        if not os.path.isdir(folder) or os.path.islink(folder):
            problem = self.problem(folder)
            return [problem] if problem and os.path.islink(folder) else []
        problems = []
        for parent, folders, files in os.walk(folder):
            # A regular file (not a link) lies where its folder really is: the folder is resolved once,
            # not each of its thousands of files, and only the other entries are looked at closely.
            folder_inside = self._real_folder_inside(parent)
            for name in sorted(folders + files):
                path = os.path.join(parent, name)
                if not is_text_name(name):
                    problems.append(Problem(self.name(Path(path)), 1, 1, "file name is not valid UTF-8; rename it with plain letters, digits and hyphens"))
                elif not ((folder_inside and _is_regular_file(path)) or (name in folders and not os.path.islink(path))):
                    problem = self.problem(Path(path))
                    if problem and not (name in folders and "is a folder" in problem.message):
                        problems.append(problem)
            folders[:] = [name for name in folders if is_text_name(name)]
        return problems

    def _real_folder_inside(self, folder: str) -> bool:
        """Whether the folder, once every link on the way is resolved, is one of the roots or lies in one."""
        real = self._real_folder(folder)
        return any(real == str(root) for root in self.roots) or self.inside(real)


def _is_regular_file(path: str) -> bool:
    """True for a regular file that is not a link (a path that cannot be looked at is not one)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def read_regular_file(path: str | Path, where: str, limit: int | None = None) -> bytes:
    """The bytes of `path` if it is a regular file, not a link; UnsafeFile otherwise.

    Opened without blocking and without following a link, then checked once open: an entry
    swapped for a FIFO or a link after it was looked at cannot hang the build or lead out.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise UnsafeFile(Problem(where, 1, 1, f"cannot be read: {exc.strerror}")) from None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise UnsafeFile(Problem(where, 1, 1, "is not a regular file; remove it or move it out of the way"))
        if limit is not None and status.st_size > limit:
            return handle.read(limit + 1)  # enough for the caller to say it is too large
        return handle.read()


def make_folder_of(path: str | Path) -> None:
    """Make the folder a new file of a new site goes in. Most pages have a folder of their own, not
    made yet, whose parent is: it is made first (one call), not after writing or linking the file fails."""
    folder = os.path.dirname(path)
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:  # nor its parent
        os.makedirs(folder, exist_ok=True)


def regular_files_below(source: Path, skip: Collection[str] = frozenset()) -> Iterator[str]:
    """The paths, from `source`, of the regular files below it: links (to files or folders), FIFOs and devices are left
    out, and so are the entries of `source` itself named in `skip`. Nothing, when `source` is itself a link."""
    top = os.fspath(source)
    if not os.path.islink(top):
        yield from _regular_files_in(top, "", skip)


def _regular_files_in(folder: str, inside: str, skip: Collection[str]) -> Iterator[str]:
    with os.scandir(folder) as entries:  # (their kinds as the folder lists them: no stat for each)
        for entry in entries:
            if entry.name in skip:
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _regular_files_in(entry.path, inside + entry.name + os.sep, ())
            elif entry.is_file(follow_symlinks=False):
                yield inside + entry.name


def copy_regular_files(source: Path, target: Path, skip: Collection[str] = frozenset()) -> None:
    """Copy the regular files below `source` (not links, FIFOs or devices, which check refuses) into `target`."""
    for relative in regular_files_below(source, skip):
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(read_regular_file(source / relative, relative))


def link_regular_files(source: Path, target: Path) -> None:
    """Hard-link the regular files below `source` into `target` (see regular_files_below), or copy them where the
    file system has no hard links.

    For what a build keeps of the last one (its search index): the last build's own files, but
    whatever else lies in site/ is neither followed nor published.
    """
    for relative in regular_files_below(source):
        _link_or_copy(os.path.join(source, relative), os.path.join(target, relative))


def link_regular_file(source: Path, target: Path) -> bool:
    """Hard-link `source` at `target`, making its folder if need be, or copy it where the file system has no hard
    links; False, with nothing made, when `source` is not a regular file (or is no longer one by the time it is copied)."""
    return _is_regular_file(os.fspath(source)) and _link_or_copy(source, target)


def _link_or_copy(source: str | Path, target: str | Path) -> bool:
    """Hard-link `source` at `target` (its folder made when it is the first file there), or copy it where the file
    system has no hard links; False when `source` is gone or no longer a regular file."""
    try:
        try:
            os.link(source, target, follow_symlinks=False)
        except FileNotFoundError:  # the first file of its folder (or the source gone: then the copy says so)
            make_folder_of(Path(target))
            os.link(source, target, follow_symlinks=False)
    except OSError:  # another file system, or one without hard links
        make_folder_of(Path(target))  # (when the link failed otherwise before the folder was made)
        try:
            Path(target).write_bytes(read_regular_file(source, os.fspath(source)))
        except UnsafeFile:
            return False
    return True


def is_text_name(name: str) -> bool:
    """False for a name with bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def printable_name(text: str) -> str:
    """A name that can be printed whatever bytes it holds: invalid bytes as \\xNN, control characters escaped."""
    raw = os.fsencode(text) if not is_text_name(text) else text.encode("utf-8")
    shown = raw.decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in shown)
