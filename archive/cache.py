"""Remember work between builds under .cache/: incident files already checked, pages already written.

Both caches are JSON, never pickle, and are ignored when git tracks anything under .cache/:
a pull request that commits a cache must not be able to slip data past validation or
reuse pages. Every entry is keyed by the inputs that produced it (a file's bytes, a page's
inputs) and by `version`, a digest of the code, templates and reference data: change any
of those and the whole cache is dropped.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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
    """False when git tracks files under .cache/ (a cache that came with the content, not from our builds)."""
    result = subprocess.run(["git", "-C", str(root), "ls-files", "--", CACHE_DIR], capture_output=True, text=True, check=False)
    return not result.stdout.strip()


def read_checked_files(root: Path, version: str) -> dict[str, CheckedFile]:
    """The checked files of earlier builds, by repository path; {} when there are none for this version."""
    stored = _read(root / CACHE_DIR / "checked-files.json", version)
    return {
        path: CheckedFile(entry["file_hash"], entry["data"], [Problem(**w) for w in entry["warnings"]],
                          {tuple(json.loads(key)): tuple(where) for key, where in entry["positions"].items()})
        for path, entry in stored.items()
    }


def write_checked_files(root: Path, version: str, files: dict[str, CheckedFile]) -> None:
    _write(root / CACHE_DIR / "checked-files.json", version, {
        path: {"file_hash": f.file_hash, "data": f.data, "warnings": [asdict(w) for w in f.warnings],
               "positions": {json.dumps(list(key)): where for key, where in f.positions.items()}}
        for path, f in files.items()
    })


def read_page_keys(root: Path, version: str, site_dir: Path) -> dict[str, str]:
    """What each page of the current site/ was rendered from, by page path; {} when site/ is not that build's."""
    stored = _read(root / CACHE_DIR / "pages.json", version)
    return stored.get("pages", {}) if stored.get("site") == _site_identity(site_dir) else {}


def write_page_keys(root: Path, version: str, site_dir: Path, keys: dict[str, str]) -> None:
    _write(root / CACHE_DIR / "pages.json", version, {"site": _site_identity(site_dir), "pages": keys})


def forget_page_keys(root: Path, page_paths: list[str]) -> None:
    """Drop what the cache says of these pages: they were changed in site/ outside a build."""
    path = root / CACHE_DIR / "pages.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        for page_path in page_paths:
            stored["entries"]["pages"].pop(page_path, None)
    except (OSError, ValueError, KeyError, TypeError):
        return
    _write(path, stored["version"], stored["entries"])


def _site_identity(site_dir: Path) -> str | None:
    """Which build the folder is: each build is swapped in as a new directory, with a new inode."""
    try:
        stat = site_dir.stat()
    except OSError:
        return None
    return f"{stat.st_dev}:{stat.st_ino}"


def _read(path: Path, version: str) -> dict:
    if not cache_usable(path.parent.parent):
        return {}
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stored["entries"] if isinstance(stored, dict) and stored.get("version") == version else {}


def _write(path: Path, version: str, entries: dict) -> None:
    path.parent.mkdir(exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": version, "entries": entries}, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)
