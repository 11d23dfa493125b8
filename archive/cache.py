"""Remember work between builds under .cache/: the last build's inputs, file hashes, files already checked, pages already written.

Every cache is JSON, never pickle, and all are ignored unless git can say that it tracks
nothing under .cache/: a pull request that commits a cache must not be able to slip data
past validation, reuse pages or skip a build. Each file is stamped with a `version` (a
digest of what produced it: the inputs, or the code, templates and reference data) and is
dropped when that changes. Writing is best effort: a read-only checkout still builds.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .files import Repository, UnsafeFile, read_regular_file
from .load import repository_path
from .problems import Problem

CACHE_DIR = ".cache"


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass
class CheckedFile:
    """An incident file that passed validation: its data, warnings and the positions cross-file checks use."""

    file_hash: str
    data: Any
    warnings: list[Problem]
    positions: dict[tuple, tuple[int, int]]


def cache_usable(root: Path) -> bool:
    """True when git says it tracks nothing under .cache/, or that `root` is no git checkout at all.

    Any other answer (git missing, a repository git refuses to read) means we cannot tell
    where the cache came from, so it is not used.
    """
    try:
        result = subprocess.run(["git", "-C", str(root), "ls-files", "--", CACHE_DIR], capture_output=True, text=True, check=False)
    except OSError:
        return False
    if result.returncode != 0:  # fine only where there is no repository at all
        return not any((folder / ".git").exists() for folder in (root.resolve(), *root.resolve().parents))
    return not result.stdout.strip()


# --- the last build ----------------------------------------------------------------------

def read_last_build(root: Path, fingerprint: str) -> list[Problem] | None:
    """The warnings of the last build when its inputs had this fingerprint; else None."""
    stored = _read(root, "last-build.json", fingerprint)
    return None if stored is None else [Problem(**warning) for warning in stored]


def write_last_build(root: Path, fingerprint: str, warnings: list[Problem]) -> None:
    _write(root, "last-build.json", fingerprint, [asdict(warning) for warning in warnings])


def forget_last_build(root: Path) -> None:
    """site/ was changed outside a build: the next build must run, whatever its inputs."""
    with contextlib.suppress(OSError):
        (root / CACHE_DIR / "last-build.json").unlink(missing_ok=True)


# --- checked incident files --------------------------------------------------------------

def read_checked_files(root: Path, version: str) -> dict[str, CheckedFile]:
    """The checked files of earlier builds, by repository path; {} when there are none for this version."""
    stored = _read(root, "checked-files.json", version) or {}
    return {
        path: CheckedFile(entry["file_hash"], entry["data"], [Problem(**w) for w in entry["warnings"]],
                          {tuple(json.loads(key)): tuple(where) for key, where in entry["positions"].items()})
        for path, entry in stored.items()
    }


def write_checked_files(root: Path, version: str, files: dict[str, CheckedFile]) -> None:
    _write(root, "checked-files.json", version, {
        path: {"file_hash": f.file_hash, "data": f.data, "warnings": [asdict(w) for w in f.warnings],
               "positions": {json.dumps(list(key)): where for key, where in f.positions.items()}}
        for path, f in files.items()
    })


# --- hashes of the incident files -------------------------------------------------------

RECENT_NS = 2_000_000_000  # a file changed in the last 2 s may change again within one timestamp tick


def hash_files(root: Path, paths: list[Path], repository: Repository) -> dict[Path, str]:
    """The SHA-256 of each file, read only when its stat differs from the last build's.

    An entry that is not a regular file inside the repository is never read: it gets a mark
    (`!` and why) instead of a hash, so that the build's fingerprint changes and check reports it.

    A file is taken as unchanged when its size, inode, modification and status-change times
    are all as recorded. Any write changes the status-change time (ctime), which no tool can
    set back, even when it restores the modification time. A file changed in the last two
    seconds is not recorded: another change within the same clock tick could leave every
    time as it was.
    """
    known = _read(root, "file-hashes.json", "1") or {}
    hashes, recorded = {}, {}
    now = time.time_ns()
    for path in paths:
        display = repository_path(root, path)
        try:
            status = os.lstat(path)
            if not stat.S_ISREG(status.st_mode):  # a link, a folder, a FIFO ...: through the gate, never opened blindly
                hashes[path] = content_hash(repository.read_bytes(path, display))
                continue
            signature = [status.st_size, status.st_ino, status.st_mtime_ns, status.st_ctime_ns]
            earlier = known.get(display)
            unchanged = isinstance(earlier, list) and len(earlier) == 5 and earlier[:4] == signature
            file_hash = earlier[4] if unchanged else content_hash(read_regular_file(path, display))
        except UnsafeFile as refused:
            hashes[path] = "!" + refused.problem.message
            continue
        except OSError as exc:  # gone or unreadable: check says why
            hashes[path] = f"!{exc.strerror}"
            continue
        hashes[path] = file_hash
        if now - max(status.st_mtime_ns, status.st_ctime_ns) > RECENT_NS:
            recorded[display] = signature + [file_hash]
    if recorded != known:
        _write(root, "file-hashes.json", "1", recorded)
    return hashes


# --- pages of the current site/ ----------------------------------------------------------

def read_page_keys(root: Path, version: str, site_dir: Path) -> dict[str, str]:
    """What each page of the current site/ was rendered from, by page path; {} when site/ is not that build's."""
    stored = _read(root, "pages.json", version) or {}
    return stored.get("pages", {}) if stored.get("site") == _site_identity(site_dir) else {}


def write_page_keys(root: Path, version: str, site_dir: Path, keys: dict[str, str | None]) -> None:
    _write(root, "pages.json", version, {"site": _site_identity(site_dir), "pages": keys})


def forget_page_keys(root: Path, page_paths: list[str]) -> None:
    """Drop what the cache says of these pages: they were changed in site/ outside a build."""
    stored = _load(root, "pages.json")
    if stored is None or not isinstance(stored.get("entries", {}).get("pages"), dict):
        return
    for page_path in page_paths:
        stored["entries"]["pages"].pop(page_path, None)
    _write(root, "pages.json", stored.get("version", ""), stored["entries"])


def _site_identity(site_dir: Path) -> str | None:
    """Which build the folder holds: each build is swapped in as a new directory.

    Inode numbers are reused once freed, so the home page's inode and time are part of it
    too: a site copied back into place by hand does not pass for the build it came from.
    """
    try:
        folder, home = site_dir.stat(), (site_dir / "index.html").stat()
    except OSError:
        return None
    return f"{folder.st_dev}:{folder.st_ino}:{home.st_ino}:{home.st_mtime_ns}"


# --- files -------------------------------------------------------------------------------

def _load(root: Path, name: str) -> dict | None:
    if not cache_usable(root):
        return None
    try:
        stored = json.loads((root / CACHE_DIR / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored if isinstance(stored, dict) else None


def _read(root: Path, name: str, version: str) -> Any:
    """The entries of .cache/<name> when it was written for `version`; else None."""
    stored = _load(root, name)
    return stored.get("entries") if stored and stored.get("version") == version else None


def _write(root: Path, name: str, version: str, entries: Any) -> None:
    path = root / CACHE_DIR / name
    temporary = path.with_name(f".{name}.{os.getpid()}.tmp")  # a serve and a build may write at once
    try:
        path.parent.mkdir(exist_ok=True)
        temporary.write_text(json.dumps({"version": version, "entries": entries}, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
