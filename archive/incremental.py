"""Let a build redo only what changed since the last one: what it read, what it may reuse, the caches in .cache/.

A build sums up what it reads (`read_build_inputs`) and compares that with the last build:
nothing changed, and it writes nothing (`last-build.json`); otherwise it reads only the incident
files whose status changed (`file-hashes.json`), checks only the files whose bytes changed
(`checked-files.json`), renders only the pages whose inputs changed and links the rest from the
current site/ (`pages.json`, `PreviousBuild`), and keeps the search index when no page changed;
the index takes its unchanged shards from the last build's when a build of ours wrote that one
(`search-index.json`).

Every cache is JSON, never pickle, and all are ignored unless git can say that it tracks
nothing under .cache/: a pull request that commits a cache must not be able to slip data
past validation, reuse pages or skip a build. Each file is stamped with a `version` (a
digest of what produced it: the inputs, or the code, templates and reference data) and is
dropped when that changes. Writing is best effort: a read-only checkout still builds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from .config import environment_settings
from .files import Repository, UnsafeFile, link_regular_files, make_folder_of, read_regular_file
from .git import GitError, GitMissing, head_commit, in_a_checkout, tracked_files
from .load import Document, read_bytes, repository_path
from .problems import Problem
from .project import APP_DIR, Project

CACHE_DIR = ".cache"
SEARCH_INDEX = "search-index.json"


def content_hash(raw: bytes) -> str:
    """The SHA-256 of a file's bytes: how caches, page keys and the model know one version of a file."""
    return hashlib.sha256(raw).hexdigest()


def text_digest(*parts: str) -> str:
    """One digest of several texts; the NUL between them keeps ("ab", "c") apart from ("a", "bc")."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


# --- what a build reads ------------------------------------------------------------------

@dataclass(frozen=True)
class BuildInputs:
    """What a build reads, summed up so that it can be compared with what the last build read."""

    file_hashes: dict[Path, str]  # each incident file's hash (see hash_files), read once for the fingerprint and the check
    rendering: str  # what every page depends on besides its content (see rendering_digest)
    fingerprint: str  # everything the build reads, and its offline option (see input_fingerprint)


def read_build_inputs(project: Project, today: dt.date, offline: bool, rendering: str, incident_files: list[Path]) -> BuildInputs:
    """What a build with this option reads today, given its `rendering_digest` and `incident_files` (load.find_incident_files);
    incident files unchanged since the last build are not read."""
    file_hashes = hash_files(project.root, incident_files, project.repository)
    return BuildInputs(file_hashes, rendering, input_fingerprint(project, today, offline, rendering, file_hashes))


def input_fingerprint(project: Project, today: dt.date, offline: bool, rendering: str, file_hashes: dict[Path, str]) -> str:
    """A hash of everything a build reads: the incident files (by `file_hashes`, in the stable
    order of find_incident_files), content pages, `rendering` (see rendering_digest) and the
    offline option (whether the build had the search index is kept beside it: see write_last_build).

    Today's date and the git commit are part of it too: validation refuses future dates, and
    pages show when each file last changed.
    """
    head = f"{today}|{offline}|{head_commit(project.root)}|{rendering}|"
    head += "|".join(f"{path}:{file_hash}" for path, file_hash in file_hashes.items())
    return _digest_of_files(project.repository, [project.content_dir], prefix=head)


def checking_digest(project: Project) -> str:
    """A hash of what decides whether a file is valid: our code, the schema, the reference data, library versions."""
    return _digest_of_files(project.repository, [project.data_dir, APP_DIR / "archive", APP_DIR / "schema", APP_DIR / "requirements.txt"])


def records_digest(project: Project) -> str:
    """A hash of what search records are made of besides the incident files: our code, the reference
    data, library versions (see search.entries_of)."""
    return _digest_of_files(project.repository, [project.data_dir, APP_DIR / "archive", APP_DIR / "requirements.txt"])


def rendering_digest(project: Project) -> str:
    """A hash of what every page depends on besides its content: the above, templates, static files, site.yaml
    and the settings a build takes from the environment."""
    return _digest_of_files(project.repository, [project.templates_dir, project.static_dir, project.config_path],
                            prefix=checking_digest(project) + environment_settings())


def _digest_of_files(repository: Repository, places: list[Path], prefix: str = "") -> str:
    """A hash of the names and bytes of every file in `places`, and of every other entry by its kind.

    Entries the build may not read (links out of the repository, FIFOs ...) are never opened:
    they are marked, so that adding one changes the digest and the build's check (which refuses
    them) runs. A link inside the repository counts by the bytes it leads to.
    """
    digest = hashlib.sha256(prefix.encode())
    for number, place in enumerate(places):  # names within their place: two clones of an archive agree
        for path in sorted(_entries(place)):
            name = path.relative_to(place).as_posix() if path != place else place.name
            digest.update(f"{number}:".encode() + os.fsencode(name) + b"\0" + _entry_fingerprint(path, repository) + b"\0")  # any name bytes
    return digest.hexdigest()


def _entries(place: Path) -> list[Path]:
    """`place` itself when it is not a folder, else everything below it but Python's caches."""
    if not place.is_dir() or place.is_symlink():
        return [place]
    found = []
    for folder, folders, files in os.walk(place):
        folders[:] = [name for name in folders if name != "__pycache__"]
        found += [Path(folder, name) for name in folders + files]
    return found


def _entry_fingerprint(path: Path, repository: Repository) -> bytes:
    try:
        status = os.lstat(path)
    except OSError:
        return b"missing"
    if stat.S_ISDIR(status.st_mode):
        return b"folder"
    try:
        return repository.read_bytes(path)
    except UnsafeFile as refused:
        return refused.problem.message.encode("utf-8", "surrogateescape")


# --- whether the caches can be trusted ---------------------------------------------------

def cache_usable(root: Path) -> bool:
    """True when git says it tracks nothing under .cache/, or that `root` is no git checkout at all.

    Any other answer (git missing, a repository git refuses to read) means we cannot tell
    where the cache came from, so it is not used.
    """
    try:
        return not tracked_files(root, CACHE_DIR)
    except GitMissing:
        return False
    except GitError:  # fine only where there is no repository at all
        return not in_a_checkout(root)


# --- the last build ----------------------------------------------------------------------

def unchanged_since_last_build(project: Project, fingerprint: str, offline: bool, with_search: bool) -> list[Problem] | None:
    """The last build's warnings when its inputs were exactly these and its output is still there; else None.

    A site built with the search index is up to date for a build without it too (such a build keeps
    an index that is still right), so that serve, which shows the pages before it indexes them, does
    not build again a site that is up to date; one built without it is not up to date for a build with it.
    """
    stored = _read(project.root, "last-build.json", fingerprint) if may_be_up_to_date(project, offline) else None
    if not isinstance(stored, dict) or (with_search and stored.get("with_search") is not True):
        return None
    return [Problem(**warning) for warning in stored["warnings"]]


def may_be_up_to_date(project: Project, offline: bool) -> bool:
    """Whether a last build left its output and its record: else a build runs whatever its inputs (see unchanged_since_last_build)."""
    outputs = [project.out_dir / "index.html"] + ([project.offline_dir / "index.html"] if offline else [])
    return all(path.is_file() for path in outputs) and (project.root / CACHE_DIR / "last-build.json").is_file()


def write_last_build(root: Path, fingerprint: str, warnings: list[Problem], with_search: bool) -> None:
    _write(root, "last-build.json", fingerprint, {"with_search": with_search, "warnings": [asdict(warning) for warning in warnings]})


def forget_last_build(root: Path) -> None:
    """site/ was changed outside a build: the next build must run, whatever its inputs."""
    with contextlib.suppress(OSError):
        (root / CACHE_DIR / "last-build.json").unlink(missing_ok=True)


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
            file_hash = _hash_if_unchanged(known.get(display), signature) or content_hash(read_regular_file(path, display))
        except UnsafeFile as refused:
            hashes[path] = "!" + refused.problem.message
            continue
        except OSError as exc:  # gone or unreadable: check says why
            hashes[path] = f"!{exc.strerror}"
            continue
        hashes[path] = file_hash
        if now - max(status.st_mtime_ns, status.st_ctime_ns) > RECENT_NS:
            recorded[display] = [*signature, file_hash]
    if recorded != known:
        _write(root, "file-hashes.json", "1", recorded)
    return hashes


def _hash_if_unchanged(record: Any, signature: list[int]) -> str | None:
    """The hash recorded with exactly this stat signature; None when the file must be read."""
    return record[4] if isinstance(record, list) and len(record) == 5 and record[:4] == signature else None


# --- checked incident files --------------------------------------------------------------

CHECKED_FILES = "checked-files.json"


@dataclass
class CheckedFile:
    """An incident file that passed validation: its data, warnings and the positions cross-file checks use."""

    file_hash: str
    data: Any
    warnings: list[Problem]
    positions: dict[tuple, tuple[int, int]]


@dataclass(frozen=True)
class CheckedFiles:
    """The cache of checked files as read: each file by repository path, and the text it was read from.

    The text is `{"version": ..., "entries": [` and then a line for each file: a file whose line
    would be the same is written back from it (see EarlierChecks.remember).
    """

    files: dict[str, CheckedFile]
    text: str = ""

    def lines(self) -> list[str]:
        """Each file's line, in the order of `files`; none when the text is not laid out as `text_of` lays it out."""
        lines = _entry_lines(self.text) or []
        return lines if len(lines) == len(self.files) else []

    @staticmethod
    def text_of(version: str, lines: list[str]) -> str:
        return f'{{"version": {json.dumps(version)}, "entries": {_FIRST_LINE}' + ",\n".join(lines) + _LAST_LINE


_FIRST_LINE, _LAST_LINE = "[\n", "\n]}"  # around the files' lines in the cache's text


def _entry_lines(text: str) -> list[str] | None:
    """The lines of a cache's text between _FIRST_LINE and _LAST_LINE, one for each file; None when there are none."""
    start, end = text.find(_FIRST_LINE), text.rfind(_LAST_LINE)
    if not 0 <= start < end or not text.endswith(_LAST_LINE):
        return None
    # JSON writes a line end within a text as \n: a line end only ever ends a file's entry.
    return text[start + len(_FIRST_LINE):end].split(",\n")


# The files of the last cache read in this process, by their lines. `serve` reads the cache again after
# every edit, and all its lines but the edited file's are the same: those are not parsed again.
_last_read: dict[str, tuple[str, CheckedFile]] = {}
# The last cache parsed as a whole, whose lines are looked up only when the cache is read again (in serve):
# a one-shot build reads it once, and splitting 10,000 lines for nothing took 0.05 s of it. (Its files are
# paired with its lines then: nothing changes them meanwhile, as EarlierChecks only reads them.)
_last_parsed: CheckedFiles | None = None


def read_checked_files(root: Path, version: str) -> CheckedFiles:
    """The checked files of earlier builds; none when they are for another version."""
    global _last_parsed
    text = _read_text(root, CHECKED_FILES)  # read once: parsed here, and its lines kept for remember
    files = _files_by_line(text, version)
    if files is None:
        try:
            files = {entry["path"]: _checked_file(entry) for entry in _stored_entries(_parsed(text), version) or []}
        except (ValueError, TypeError, KeyError, AttributeError):  # a cache damaged or written by hand: every file is checked again
            return CheckedFiles({})
        _last_parsed = CheckedFiles(files, text)
        return _last_parsed
    return CheckedFiles(files, text)


def _files_by_line(text: str, version: str) -> dict[str, CheckedFile] | None:
    """The files of the cache's `text`, parsed line by line where a line is not one read last time;
    None when no cache was read before, or the text is not laid out as CheckedFiles.text_of lays it out."""
    global _last_read, _last_parsed
    if _last_parsed is not None:
        _last_read = dict(zip(_last_parsed.lines(), _last_parsed.files.items(), strict=False))
        _last_parsed = None
    lines = _entry_lines(text) if _last_read and text.startswith(CheckedFiles.text_of(version, [])[:-len(_LAST_LINE)]) else None
    if lines is None:
        return None
    read: dict[str, tuple[str, CheckedFile]] = {}
    try:
        for line in lines if lines != [""] else []:
            read[line] = _last_read.get(line) or _parsed_line(line)
    except (ValueError, TypeError, KeyError, AttributeError):  # read as a whole instead, which says whether it can be used
        return None
    _last_read = read
    return dict(read.values())


def _parsed_line(line: str) -> tuple[str, CheckedFile]:
    entry = json.loads(line)
    return entry["path"], _checked_file(entry)


def _checked_file(entry: dict) -> CheckedFile:
    return CheckedFile(entry["file_hash"], entry["data"], [Problem(**w) for w in entry["warnings"]],
                       {tuple(json.loads(key)): tuple(where) for key, where in entry["positions"].items()})


def _checked_file_line(display_path: str, file_hash: str, data: Any, warnings: list[Problem],
                      positions: dict[tuple, tuple[int, int]]) -> str:
    """A file's entry in the cache of checked files, on a line of its own."""
    entry = {"path": display_path, "file_hash": file_hash, "data": data, "warnings": [asdict(w) for w in warnings],
             "positions": {json.dumps(list(key)): where for key, where in positions.items()}}
    # orjson: 3 us a file where json.dumps took 22, the same data read back: the loader's data is text keys, text, ints of at
    # most 18 digits and finite floats (it refuses `.nan` and `.inf`, which orjson would write as null).
    try:
        return orjson.dumps(entry).decode()
    except TypeError:  # (were there a value orjson refuses, such as a key that is not text, no check would stop for it)
        return json.dumps(entry, ensure_ascii=False)


class EarlierChecks:
    """The incident files that earlier checks passed, for this version of our checking code and data.

    With `used=False` (a check against source snapshots, which the cache knows nothing of)
    there are none, and none are remembered.
    """

    def __init__(self, project: Project, used: bool = True):
        self.root, self.repository, self.used = project.root, project.repository, used
        self.version = checking_digest(project)
        self.cache = read_checked_files(project.root, self.version) if used else CheckedFiles({})
        self.missed = 0  # files asked for whose result was not here: checked again

    def result(self, path: Path, file_hash: str | None) -> tuple[Document, str, list[Problem]] | None:
        """The result of an earlier check of exactly these bytes, or None. The file is read only
        when its hash is not known already."""
        display = repository_path(self.root, path)
        earlier = self.cache.files.get(display)
        if earlier is not None and file_hash is None:
            raw, _ = read_bytes(path, display, self.repository)
            file_hash = content_hash(raw) if raw is not None else None
        if earlier is None or file_hash != earlier.file_hash:
            self.missed += 1
            return None
        return Document(path, display, earlier.data, earlier.positions), earlier.file_hash, earlier.warnings

    def out_of_date(self, documents: list[Document]) -> bool:
        """True when files were checked again (new or changed), or the cache holds files that are no longer there."""
        return self.used and bool(self.missed or len(self.cache.files) != len(documents))

    def remember(self, documents: list[Document], file_hashes: dict[str, str], problems: list[Problem]) -> None:
        """Cache the files with no error: a file with errors is checked again next time (its date may no longer be in the future).

        A file with the same bytes and warnings as in the cache keeps its line as it was: after an
        edit, one line is encoded, not 10,000 (which took most of a second).
        """
        failed = {problem.path for problem in problems if problem.is_error}
        by_path: dict[str, list[Problem]] = {}
        for problem in problems:
            by_path.setdefault(problem.path, []).append(problem)
        earlier_lines = dict(zip(self.cache.files, self.cache.lines(), strict=False))
        lines = []
        for document in documents:
            path = document.display_path
            if path in failed:
                continue
            warnings, earlier = by_path.get(path, []), self.cache.files.get(path)
            same = earlier is not None and earlier.file_hash == file_hashes[path] and earlier.warnings == warnings
            line = earlier_lines.get(path) if same else None
            lines.append(line or _checked_file_line(path, file_hashes[path], document.data, warnings, document.value_positions))
        _write_text(self.root, CHECKED_FILES, CheckedFiles.text_of(self.version, lines))


# --- pages of the current site/ ----------------------------------------------------------

def page_key(version: str, page_path: str, template: str, inputs: str | None) -> str | None:
    """What a page was rendered from: its `inputs` (None: rendered every time) and the site-wide
    `version` (templates, code, settings; see rendering_digest)."""
    return None if inputs is None else text_digest(version, page_path, template, inputs)


@dataclass(frozen=True)
class PreviousBuild:
    """The last published site and what each of its pages was rendered from (see `page_key`)."""

    site_dir: Path
    page_keys: dict[str, str]
    version: str = ""  # of this build: templates, code and settings (see rendering_digest)
    # Each incident's key in the last build's downloads, where its part is in each, and each one's size and
    # time when written: exports.EarlierDownloads' keys, parts and files ({} when unknown).
    downloads: dict[str, Any] = field(default_factory=dict)
    site_exists: bool = True  # whether there is a site in `site_dir` at all
    tracked: str = ""  # a file git tracks in `site_dir`, if any (see tracked_in): then nothing of it is reused

    def key(self, page_path: str, template: str, inputs: str | None) -> str | None:
        """What the page is rendered from in this build (see page_key)."""
        return page_key(self.version, page_path, template, inputs)

    def link_unchanged(self, page_path: str, key: str | None, out_dir: Path) -> bool:
        """Hard-link the previous page into `out_dir` when it was rendered from the same key; False when it must be rendered."""
        # (paths joined as text: this is asked for every page of the site)
        return key is not None and self.page_keys.get(page_path) == key and _link(os.path.join(self.site_dir, page_path),
                                                                                  os.path.join(out_dir, page_path))

    def link_same_bytes(self, page_path: str, content: bytes, out_dir: Path) -> bool:
        """Hard-link the previous page when the new one has the very same bytes, so that the file keeps its date."""
        if not self.site_exists:  # a first build: no file to look for, 30,000 times
            return False
        earlier = self.site_dir / page_path
        return _same_bytes(earlier, content) and _link(earlier, out_dir / page_path)

    def built(self, page_path: str) -> bool:
        """False for a page the cache forgot (see forget_page_keys): changed in site/ outside a build."""
        return page_path in self.page_keys


def previous_build(root: Path, version: str, site_dir: Path) -> PreviousBuild:
    """The site now in `site_dir`, with the keys of its pages and downloads when it was built by this `version` (and git
    tracks none of its files: see tracked_in)."""
    site_exists = site_dir.is_dir()
    tracked = tracked_in(root, site_dir) if site_exists else ""
    stored = _read(root, "pages.json", version)
    if tracked or not isinstance(stored, dict) or stored.get("site") != _site_identity(site_dir):
        return PreviousBuild(site_dir, {}, version, site_exists=site_exists, tracked=tracked)
    pages, downloads = stored.get("pages"), stored.get("downloads")
    valid = (isinstance(downloads, dict) and isinstance(downloads.get("keys"), list) and all(isinstance(key, str) for key in downloads["keys"])
             and _lists_of_ints(downloads.get("parts")) and _lists_of_ints(downloads.get("files")))
    return PreviousBuild(site_dir, pages if isinstance(pages, dict) else {}, version,
                         {name: downloads[name] for name in ("keys", "parts", "files")} if valid and isinstance(downloads, dict) else {})


def _lists_of_ints(stored: object) -> bool:
    return isinstance(stored, dict) and all(isinstance(values, list) and all(type(value) is int for value in values) for values in stored.values())


def reuse_search_index(previous: PreviousBuild, page_keys: dict[str, str | None], pages_changed: int, staging: Path, index_dir: str) -> None:
    """Link the previous build's search index (its folder `index_dir`) when every page is byte for byte the same as then
    (rendered by the same code from the same reference data, which records hold more of than pages show: see rendering_digest)."""
    index = previous.site_dir / index_dir
    if not pages_changed and page_keys.keys() == previous.page_keys.keys() and index.is_dir():
        link_regular_files(index, staging / index_dir)


def earlier_search_index(root: Path, version: str, previous: PreviousBuild, index_file: str) -> Path | None:
    """The search index of the previous site, when the cache says that a build of ours wrote that index (or kept it
    whole: see reuse_search_index) from records of the same `version`; None otherwise. An index that came with the
    repository (added to a pull request, written over the last build's by a checkout) or was put in place by hand is
    never read: it could hold anything, scripts included, which the build would publish. `index_file` is the index's
    file that every build writes anew (search_index's index.js), by its path in the site."""
    stored = _read(root, SEARCH_INDEX, version)
    if previous.tracked or not isinstance(stored, dict) or stored.get("index") is None or stored.get("index") != _identity(previous.site_dir / index_file):
        return None
    return (previous.site_dir / index_file).parent


def write_index_identity(root: Path, version: str, site_dir: Path, index_file: str) -> None:
    """Remember which index is now in `site_dir`: the one a build of ours wrote from records of `version`."""
    _write(root, SEARCH_INDEX, version, {"index": _identity(site_dir / index_file)})
    (root / CACHE_DIR / "search-shards.json").unlink(missing_ok=True)  # (what the index before this one kept, up to every record's key)


def _identity(index_file: Path) -> str | None:
    """Which index a folder holds: the inode and time of the file every build writes anew (a build without the index
    links the whole index, that file included); None when it is not a regular file in a folder that is no link."""
    try:
        entry = os.lstat(index_file)
    except OSError:
        return None
    if index_file.parent.is_symlink() or not stat.S_ISREG(entry.st_mode):
        return None
    return f"{entry.st_dev}:{entry.st_ino}:{entry.st_mtime_ns}"


def tracked_in(root: Path, site_dir: Path) -> str:
    """A file git tracks in `site_dir` (its path from `root`; the folder's when git cannot say, in a checkout), or ""
    when there is none: a pull request can add one with `git add -f`, and checking it out writes it over the last
    build's, in place, so nothing of a site/ with one is reused."""
    try:
        relative = site_dir.resolve().relative_to(root.resolve()).as_posix()
    except (OSError, ValueError):  # a site outside the repository: no checkout writes there
        return ""
    try:
        return next(iter(tracked_files(root, relative)), "")
    except GitMissing:
        return f"{relative}/"
    except GitError:
        return f"{relative}/" if in_a_checkout(root) else ""


def read_page_keys(root: Path, version: str, site_dir: Path) -> dict[str, str]:
    """What each page of the current site/ was rendered from, by page path; {} when site/ is not that build's."""
    return previous_build(root, version, site_dir).page_keys


def write_page_keys(root: Path, version: str, site_dir: Path, keys: dict[str, str | None], downloads: dict | None = None) -> None:
    """What each page of site/ was rendered from, and with `downloads` (render.WrittenSite) each incident's key and part in the downloads."""
    _write(root, "pages.json", version, {"site": _site_identity(site_dir), "pages": keys, "downloads": downloads or {}})


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


def _link(earlier: str | Path, target: str | Path) -> bool:
    """Hard-link the previous build's file into the new one; False when there is none (or links fail)."""
    try:
        make_folder_of(target)
        os.link(earlier, target)
        return True
    except OSError:
        return False


def _same_bytes(path: Path, content: bytes) -> bool:
    try:
        return os.lstat(path).st_size == len(content) and read_regular_file(path, str(path)) == content  # (regular files only)
    except (OSError, UnsafeFile):
        return False


# --- files -------------------------------------------------------------------------------

def _load(root: Path, name: str) -> dict | None:
    return _parsed(_read_text(root, name))


def _parsed(text: str) -> dict | None:
    try:
        stored = json.loads(text or "null")
    except ValueError:
        return None
    return stored if isinstance(stored, dict) else None


def _read(root: Path, name: str, version: str) -> Any:
    """The entries of .cache/<name> when it was written for `version`; else None."""
    return _stored_entries(_load(root, name), version)


def _stored_entries(stored: dict | None, version: str) -> Any:
    return stored.get("entries") if stored and stored.get("version") == version else None


def _read_text(root: Path, name: str) -> str:
    """The text of .cache/<name>; empty when there is none or the cache is not to be trusted."""
    if not cache_usable(root):
        return ""
    try:
        return (root / CACHE_DIR / name).read_text(encoding="utf-8")
    except (OSError, ValueError):
        return ""


def _write(root: Path, name: str, version: str, entries: Any) -> None:
    _write_text(root, name, json.dumps({"version": version, "entries": entries}, ensure_ascii=False))


def _write_text(root: Path, name: str, text: str) -> None:
    path = root / CACHE_DIR / name
    temporary = path.with_name(f".{name}.{os.getpid()}.tmp")  # a serve and a build may write at once
    try:
        path.parent.mkdir(exist_ok=True)
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
