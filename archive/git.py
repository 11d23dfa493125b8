"""Ask git about the archive's repository: every git command of the program runs through `run_git`.

One way to run git: in the archive's folder (`git -C root`), with no terminal input, one
timeout, and one error, GitError, whose message is meant for people. Paths go in and come out
relative to the archive's folder, also when that folder is only a part of a larger repository
(`python build.py --root DIR`): the same `incidents/2025/x.yaml` that problems and caches use.

Some answers are optional: a build runs without git, or outside a git checkout, and then its
pages show no "last changed" dates (`last_commit_dates` and `head_commit` answer "unknown").
"""

from __future__ import annotations

import subprocess
from functools import lru_cache
from pathlib import Path

TIMEOUT = 60  # seconds: the log of a long history over 100,000 files takes a few; no local command should take more
# Paths with other characters than ASCII come back as they are, not quoted in C style ("\303\251").
OPTIONS = ("-c", "core.quotePath=false")


class GitError(RuntimeError):
    """git could not answer: it is missing, the folder is no repository it can read, a revision is
    unknown, or it took too long. The message says which, in words for people."""


class GitMissing(GitError):
    """git is not installed, or not on PATH: not the same as a repository git refuses to read."""


def run_git(root: Path, *args: str, stdin: bytes = b"") -> bytes:
    """What `git args` writes, run in `root`; GitError when git is missing, fails or times out."""
    command = ["git", "-C", str(root), *OPTIONS, *args]
    try:
        # `input` is always given, so that git never waits for a terminal that is not there.
        result = subprocess.run(command, input=stdin, capture_output=True, check=False, timeout=TIMEOUT)
    except FileNotFoundError:
        raise GitMissing("git is not installed, or not on PATH: install git (https://git-scm.com) or add it to PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {TIMEOUT} s in {root}") from None
    except OSError as failure:
        raise GitError(f"could not run git: {failure.strerror}") from None
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return result.stdout


def in_a_checkout(root: Path) -> bool:
    """True when `root` or a folder above it holds a .git: some repository could be there, readable or not."""
    resolved = root.resolve()
    return any((folder / ".git").exists() for folder in (resolved, *resolved.parents))


def tracked_files(root: Path, path: str) -> list[str]:
    """The files git tracks at or under `path`, relative to `root`; GitError when git cannot say."""
    return _names(run_git(root, "ls-files", "-z", "--", path))


def head_commit(root: Path) -> str:
    """The commit checked out, or "" when there is none to know (no git, no repository, no commit yet)."""
    try:
        return run_git(root, "rev-parse", "HEAD").decode().strip()
    except GitError:
        return ""


def last_commit_dates(root: Path, folder: str = "incidents") -> dict[str, str]:
    """The date (YYYY-MM-DD) of the last commit touching each file under `folder`, by its path from `root`.

    One `git log` run for the whole folder; {} when git cannot answer (not in a checkout, no git).
    A shallow clone knows only its own commits: CI checks out the full history for true dates.
    Worked out once for each commit checked out, and given again (not to be changed) while it
    is: serve checks the archive at every edit, and the log of a long history takes a while
    (0.4 s for 1,000 commits of 10,000 files).
    """
    head = head_commit(root)
    return _dates_at(root, folder, head) if head else {}


@lru_cache(maxsize=4)
def _dates_at(root: Path, folder: str, commit: str) -> dict[str, str]:
    try:
        output = _text(run_git(root, "log", "--format=%x00%cs", "--name-only", "--relative", commit, "--", folder))
    except GitError:
        return {}
    dates: dict[str, str] = {}
    for record in output.split("\0")[1:]:  # newest first: the first date seen for a file is its last change
        date, *names = record.strip().splitlines()
        for name in filter(None, names):  # a blank line parts the date from the names
            dates.setdefault(name, date)
    return dates


def commit_of(root: Path, revision: str) -> str:
    """The commit `revision` names (a branch, a tag, HEAD~1 ...); GitError when it names none."""
    try:
        return run_git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    except GitMissing:
        raise
    except GitError:
        raise GitError(f"`{revision}` is not a commit of the repository at {root}") from None


def files_at(root: Path, commit: str, folder: str) -> list[str]:
    """Every file under `folder` at `commit` (no checkout needed), by its path from `root`."""
    return _names(run_git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", folder))


def read_files_at(root: Path, commit: str, paths: list[str]) -> list[bytes]:
    """The bytes of each file at `commit`, by its path from `root`, through one `git cat-file --batch`."""
    if not paths:
        return []
    # `commit:./path` is read from `root`; `commit:path` would be read from the top of the repository.
    specs = [f"{commit}:./{path}" for path in paths]
    output = run_git(root, "cat-file", "--batch", stdin=_bytes("".join(spec + "\n" for spec in specs)))
    contents, offset = [], 0
    for spec in specs:
        header_end = output.index(b"\n", offset)
        header = output[offset:header_end].split()  # <object> blob <size>, or <spec> missing
        if len(header) != 3:
            raise GitError(f"git cannot read {spec}")
        size = int(header[2])
        contents.append(output[header_end + 1:header_end + 1 + size])
        offset = header_end + 1 + size + 1  # the contents end with a newline of cat-file's own
    return contents


def _names(output: bytes) -> list[str]:
    """The paths git listed with -z."""
    return [name for name in _text(output).split("\0") if name]


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _text(output: bytes) -> str:
    """git's bytes as text; a name that is not UTF-8 keeps its bytes as Python keeps such file names (surrogate escapes)."""
    return output.decode("utf-8", "surrogateescape")
