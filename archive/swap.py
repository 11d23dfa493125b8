"""Put a newly built folder in place of site/ in one step, and clear away what dead builds left.

A build writes into a staging folder beside site/ and swaps it in at the end. On Linux the
swap is one atomic exchange of the two folders (renameat2 with RENAME_EXCHANGE, which ext4,
btrfs, xfs and tmpfs support): site/ is never missing, whenever the build is killed. Where the
exchange is not available it takes two renames; a build killed between them leaves the old
site beside site/, and the next build (or check, or serve) puts it back first.

Each staging folder is locked (flock) by the build that owns it while the build runs, so the
next build removes the staging folders of builds that died, and never those of builds running
beside it; likewise an old site being deleted in the background is locked by the process deleting it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

STAGING_PREFIXES = (".site-build-", ".site-offline-build-")
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


@contextlib.contextmanager
def staging_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A new private folder in `parent`, locked for as long as the block runs, then removed with its lock."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    with _holding_lock(folder):
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            _lock_of(folder).unlink(missing_ok=True)


def _lock_of(folder: Path) -> Path:
    """The lock file beside a staging folder or an old tree: `<folder>.lock`."""
    return folder.with_name(folder.name + ".lock")


@contextlib.contextmanager
def _holding_lock(folder: Path) -> Iterator[IO[str]]:
    """Hold `folder`'s lock for as long as the block runs; its open handle (a child process given it holds the lock too)."""
    with open(_lock_of(folder), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield handle


def retired_prefix(out_dir: Path) -> str:
    """What an old tree of `out_dir` is called while it is deleted: `.site-old-...`, `.site-offline-old-...`."""
    return f".{out_dir.name}-old-"


def remove_leftovers(out_dirs: list[Path]) -> None:
    """Restore an output folder a killed swap left missing; remove old trees and dead builds' staging folders."""
    parent = out_dirs[0].parent
    if not parent.is_dir():
        return
    for out_dir in out_dirs:
        _restore_missing(out_dir)
    leftovers = (*(retired_prefix(out_dir) for out_dir in out_dirs), *STAGING_PREFIXES)
    for entry in sorted(parent.iterdir()):
        name = entry.name
        if not name.startswith(leftovers):
            continue
        if name.endswith(".lock"):
            # Left when its owner was killed once its folder was gone: swapped in, or deleted.
            if not entry.with_name(name.removesuffix(".lock")).exists() and entry.is_file() and _owner_is_gone(entry):
                entry.unlink(missing_ok=True)
        elif entry.is_dir() and not entry.is_symlink() and _owner_is_gone(_lock_of(entry)):
            shutil.rmtree(entry, ignore_errors=True)
            _lock_of(entry).unlink(missing_ok=True)


def _owner_is_gone(lock: Path) -> bool:
    """True when no running process holds the folder's lock (or it has none): no build writing it, nor any process deleting it."""
    try:
        with open(lock, "r+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except FileNotFoundError:
        return True
    except OSError:  # held by a running build
        return False


def _restore_missing(out_dir: Path) -> None:
    if os.path.lexists(out_dir):
        return
    retired = sorted((path for path in out_dir.parent.glob(retired_prefix(out_dir) + "*")
                      if (path / "index.html").is_file() and _owner_is_gone(_lock_of(path))),
                     key=lambda path: path.stat().st_mtime, reverse=True)
    if retired:
        retired[0].rename(out_dir)


def swap_in(staging: Path, out_dir: Path, large: bool = False) -> None:
    """Make `staging` the new `out_dir`; the old tree is deleted (a `large` one by a process of its own)."""
    staging.chmod(0o755)  # mkdtemp makes it private; a published site must be readable
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = out_dir.with_name(f"{retired_prefix(out_dir)}{os.getpid()}-{os.urandom(4).hex()}")
    if _exchange(staging, out_dir):
        staging.rename(retired)  # staging now holds the old tree
    else:
        out_dir.rename(retired)
        staging.rename(out_dir)
    if large:  # tens of thousands of files take seconds to unlink, and the new site is already in place
        _delete_in_background(retired)
    else:
        shutil.rmtree(retired, ignore_errors=True)


# Run at the lowest priority, so that the next build (serve's, a second later) does not wait on it.
_DELETE = ("import os, pathlib, shutil, sys; os.nice(19); shutil.rmtree(sys.argv[1], ignore_errors=True); "
           "pathlib.Path(sys.argv[2]).unlink(missing_ok=True)")


def _delete_in_background(tree: Path) -> None:
    """Delete `tree` in a process of its own, which holds the tree's lock (`<tree>.lock`) until it is done:
    the next build's remove_leftovers leaves the tree to it instead of deleting it a second time."""
    with _holding_lock(tree) as handle:  # the process inherits the handle, and with it the lock
        subprocess.Popen([sys.executable, "-I", "-c", _DELETE, str(tree), str(_lock_of(tree))], pass_fds=(handle.fileno(),),
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically (Linux renameat2); False where the system or file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    return renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0


_RENAMEAT2: list[Callable[..., int] | None] = []  # the C library's renameat2 once looked up, or None


def _renameat2() -> Callable[..., int] | None:
    if not _RENAMEAT2:
        _RENAMEAT2.append(_load_renameat2())
    return _RENAMEAT2[0]


def _load_renameat2() -> Callable[..., int] | None:
    """renameat2 from the C library, with its C types; None off Linux, or where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    library = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    try:
        function = library.renameat2
    except AttributeError:  # a C library without the function
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function
