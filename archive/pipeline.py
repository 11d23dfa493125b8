"""Run the whole flow once: load, validate, model, render, index; replace site/ only on success."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import stat
import subprocess
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .config import load_config
from .files import Repository, UnsafeFile
from .cache import (CheckedFile, content_hash, forget_last_build, forget_page_keys, hash_files, read_checked_files, read_last_build,
                    read_page_keys, write_checked_files, write_last_build, write_page_keys)
from .load import (Document, find_incident_files, last_commit_dates, parse_yaml_bytes, read_bytes, read_content_pages, read_snapshots,
                   repository_path)
from .parallel import in_background, parallel_map
from .figures import forget_readings
from .model import Archive, ContentPage, build_archive, build_incident, content_page
from .problems import BuildError, Problem
from .progress import no_progress
from .reference import load_reference
from .offline import write_offline, write_zip
from .render import (Page, PreviousBuild, WrittenSite, data_page, download_sizes, incident_page, make_environment,
                     render_page, write_page, write_site)
from .search import index_site
from .swap import remove_leftovers, staging_folder, swap_in
from .markup import markdown_problem
from .validate import SCHEMA_PATH, incident_id, text_position, validate_against_snapshots, validate_archive, validate_document

APP_DIR = Path(__file__).resolve().parent.parent
LARGE_SITE = 2000  # pages: a replaced site this large is deleted in the background
REQUIRED_PAGES = ("about", "methodology", "contribute")  # every page's header and footer link to them
# Headings that pages link to (methodology/#totals ...): removing one would break those links.
REQUIRED_HEADINGS = {"methodology": ("Reconciliation", "Totals", "Assessments")}


@dataclass
class Project:
    """Where the content lives (incidents/, content/) and where the site goes (site/)."""

    root: Path
    templates_dir: Path = APP_DIR / "templates"
    static_dir: Path = APP_DIR / "static"
    data_dir: Path = APP_DIR / "data"

    @property
    def incidents_dir(self) -> Path:
        return self.root / "incidents"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def out_dir(self) -> Path:
        return self.root / "site"

    @property
    def offline_dir(self) -> Path:
        return self.root / "site-offline"

    @property
    def config_path(self) -> Path:
        return self.root / "site.yaml"

    @cached_property
    def repository(self) -> Repository:
        """Where inputs may be read from: the archive's folder and the program's own (templates, static, data)."""
        return Repository((self.root, APP_DIR))

    def watched_dirs(self) -> list[Path]:
        """Every folder and file a build reads: serve watches them, check scans them for entries it must not read."""
        return [self.incidents_dir, self.content_dir, self.templates_dir, self.static_dir, self.data_dir, self.config_path]


@dataclass
class BuildReport:
    incidents: int
    regions: int
    pages: int
    seconds: float
    search_seconds: float
    warnings: list[Problem] = field(default_factory=list)
    up_to_date: bool = False  # nothing had changed since the last build: nothing was written
    archive: Archive | None = None  # the model the site was built from (serve keeps it for quick previews)

    def summary(self) -> str:
        if self.up_to_date:
            return f"site/ is up to date: no input changed since the last build ({self.seconds:.2f} s)"
        return (f"Built {self.incidents} incidents, {self.regions} regions, {self.pages} pages "
                f"in {self.seconds:.2f} s (search index {self.search_seconds:.2f} s)")


def latest_date_anywhere() -> dt.date:
    """Today's date where it is latest (UTC+14): an incident dated today in Kyiv is never 'in the future'."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()


def check(project: Project, today: dt.date | None = None, snapshots_dir: Path | None = None,
          progress=no_progress, file_hashes: dict[Path, str] | None = None) -> tuple[Archive | None, list[Problem]]:
    """Validate everything; the archive model when there is no error, and every problem found.

    Files that passed in an earlier check with the same bytes (and the same code and
    reference data) are taken from the cache instead of being read again. With
    `snapshots_dir`, excerpts and quotes are also compared with the sources' text snapshots
    (and the cache is not used). `file_hashes` are the incident files' hashes when the
    caller has read them already (see incident_file_hashes).
    """
    today = today or latest_date_anywhere()
    forget_readings()  # readings of the previous build (in serve) are of objects no longer used
    repository = project.repository
    unsafe = [problem for place in project.watched_dirs() for problem in repository.scan(place)]
    try:
        reference = load_reference(project.data_dir, repository)
    except UnsafeFile as refused:
        return None, sorted(set(unsafe + [refused.problem]))
    snapshots = read_snapshots(snapshots_dir) if snapshots_dir else None
    config, problems = load_config(project.config_path, repository)
    problems += unsafe
    version = checking_digest(project)
    cached = read_checked_files(project.root, version) if snapshots is None else {}
    paths = find_incident_files(project.incidents_dir)

    def check_one(path: Path) -> tuple[Document | None, str, list[Problem]]:
        return _check_file(project, path, reference, today, snapshots)

    known = file_hashes or {}
    results = [_checked_before(project, path, cached, known.get(path)) for path in paths]
    unchecked = [path for path, result in zip(paths, results) if result is None]
    fresh = iter(parallel_map(check_one, unchecked, progress=lambda done, total: progress("Checking incident files", done, total)))
    results = [result or next(fresh) for result in results]
    documents = [document for document, _, _ in results if document is not None]
    file_hashes = {document.display_path: file_hash for document, file_hash, _ in results if document is not None}
    problems += [problem for _, _, found in results for problem in found]
    problems += validate_archive(documents)
    texts, found = read_content_pages(project.content_dir, repository)
    problems += found
    pages = [content_page(name, text) for name, text in texts.items()]
    problems += _content_page_problems(texts, pages)
    problems += [
        Problem(f"content/{name}.md", 1, 1, f"content/{name}.md is missing; every page links to it, so write it")
        for name in REQUIRED_PAGES if name not in texts
    ]
    problems += [
        Problem(f"content/{name}.md", 1, 1, f"content/{name}.md has no `## {heading}` heading; pages link to {name}/#{heading.lower()}, so keep it")
        for name, headings in REQUIRED_HEADINGS.items() if name in texts
        for heading in headings if f"\n## {heading}\n" not in "\n" + texts[name] + "\n"
    ]
    problems = sorted(set(problems))  # an unsafe incident file is found by the scan and again when read
    cache_is_stale = snapshots is None and (unchecked or len(cached) != len(documents))
    remembering = in_background(lambda: _remember_checked_files(project, version, documents, file_hashes, problems),
                                items=len(documents)) if cache_is_stale else None
    try:
        if any(problem.is_error for problem in problems):
            return None, problems
        changed = last_commit_dates(project.root)
        incidents = [build_incident(incident_id(doc), doc.display_path, doc.data, reference, changed.get(doc.display_path),
                                    file_hashes[doc.display_path])
                     for doc in documents]
    finally:
        if remembering:
            remembering()
    return build_archive(incidents, pages, reference, config), problems


def _content_page_problems(texts: dict[str, str], pages: list[ContentPage]) -> list[Problem]:
    """A page too complex to render in linear time is refused here, so that build never meets it.

    The whole file is checked, for positions in it; then the body that is rendered (the file
    without its title line), in case taking the title out joined two blocks.
    """
    problems = []
    for (name, text), page in zip(texts.items(), pages):
        found = markdown_problem(text, page=True) or markdown_problem(page.body, page=True)
        if found:
            offset, message = found
            line, col = text_position(text, offset) if offset < len(text) else (1, 1)
            problems.append(Problem(f"content/{name}.md", line, col, message))
    return problems


def _checked_before(project: Project, path: Path, cached: dict[str, CheckedFile],
                    file_hash: str | None) -> tuple[Document, str, list[Problem]] | None:
    """The result of an earlier check of exactly these bytes, or None. The file is read only
    when its hash is not known already."""
    display = repository_path(project.root, path)
    earlier = cached.get(display)
    if earlier is None:
        return None
    if file_hash is None:
        raw, _ = read_bytes(path, display, project.repository)
        file_hash = content_hash(raw) if raw is not None else None
    if file_hash != earlier.file_hash:
        return None
    return Document(path, display, earlier.data, earlier.positions), earlier.file_hash, earlier.warnings


def _check_file(project: Project, path: Path, reference, today: dt.date,
                snapshots: dict | None) -> tuple[Document | None, str, list[Problem]]:
    """One incident file checked: its document (None when unreadable), the hash of its bytes, its problems.

    The document keeps only the positions that cross-file checks point at, so that it is
    small enough to come back from a worker process and to be cached.
    """
    display = repository_path(project.root, path)
    if path.suffix != ".yaml":
        return None, "", [Problem(display, 1, 1, f"incident files end in `.yaml` (lower case), not `{path.suffix}`; rename it")]
    raw, problems = read_bytes(path, display, project.repository)
    if raw is None:
        return None, "", problems
    document = Document(path, display)
    problems = parse_yaml_bytes(raw, document)
    if document.data is None:
        return None, content_hash(raw), problems
    problems += validate_document(document, reference, today)
    if snapshots is not None and isinstance(document.data, dict):
        problems += validate_against_snapshots(document, snapshots)
    document.value_positions = {key: where for key, where in document.value_positions.items() if key[:1] == ("previous_ids",)}
    document.key_positions = {}
    return document, content_hash(raw), problems


def _remember_checked_files(project: Project, version: str, documents: list[Document], file_hashes: dict[str, str],
                            problems: list[Problem]) -> None:
    """Cache the files with no error: a file with errors is checked again next time (its date may no longer be in the future)."""
    failed = {problem.path for problem in problems if problem.is_error}
    by_path: dict[str, list[Problem]] = {}
    for problem in problems:
        by_path.setdefault(problem.path, []).append(problem)
    write_checked_files(project.root, version, {
        document.display_path: CheckedFile(file_hashes[document.display_path], document.data,
                                           by_path.get(document.display_path, []), document.value_positions)
        for document in documents if document.display_path not in failed
    })


def build(project: Project, today: dt.date | None = None, with_search: bool = True, offline: bool = False,
          progress=no_progress) -> BuildReport:
    """Validate, render and index into a temporary folder, then swap it in for site/.

    With `offline`, also write site-offline/ (the site for use from disk) and its zip,
    linked from the data page. Any error leaves the previous output untouched: BuildError
    for content problems, the original exception for anything else.
    """
    started = time.perf_counter()
    project.out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers([project.out_dir, project.offline_dir])  # what builds killed before us left behind
    version = rendering_digest(project)
    file_hashes = incident_file_hashes(project)  # read once: for the fingerprint, then for the check
    fingerprint = input_fingerprint(project, today or latest_date_anywhere(), with_search, offline, version, file_hashes)
    unchanged = _unchanged_since_last_build(project, fingerprint, offline)
    if unchanged is not None:
        return BuildReport(0, 0, 0, time.perf_counter() - started, 0.0, unchanged, up_to_date=True)
    archive, problems = check(project, today, progress=progress, file_hashes=file_hashes)
    if archive is None:
        raise BuildError(problems)
    out_dir = project.out_dir
    with contextlib.ExitStack() as folders:
        staging = folders.enter_context(staging_folder(out_dir.parent, ".site-build-"))
        offline_staging = folders.enter_context(staging_folder(out_dir.parent, ".site-offline-build-")) / "site-offline" if offline else None
        environment = make_environment(project.templates_dir)
        progress("Writing pages and downloads")
        previous = PreviousBuild(out_dir, read_page_keys(project.root, version, out_dir))
        written = write_site(environment, archive, staging, project.static_dir, SCHEMA_PATH, version, previous,
                             progress=lambda done, total: progress("Writing pages", done, total))
        search_started = time.perf_counter()
        reused = _reuse_search_index(previous, written, staging)  # without search too: serve indexes only if needed
        if with_search and not reused:
            progress("Indexing for search (Pagefind)")
            index_site(archive, staging / "pagefind")
        search_seconds = time.perf_counter() - search_started
        large = len(written.page_keys) > LARGE_SITE
        if offline_staging:
            progress("Writing the offline copy")
            _write_offline_copy(environment, archive, staging, offline_staging)
            swap_in(offline_staging, project.offline_dir, large)
        swap_in(staging, out_dir, large)
        write_page_keys(project.root, version, out_dir, written.page_keys)
    write_last_build(project.root, fingerprint, problems)
    return BuildReport(
        incidents=len(archive.incidents),
        regions=len(archive.regions()),
        pages=len(written.page_keys),
        seconds=time.perf_counter() - started,
        search_seconds=search_seconds,
        warnings=problems,
        archive=archive,
    )


def preview_edits(project: Project, archive: Archive, paths: list[Path], today: dt.date | None = None) -> Archive | None:
    """Show edits to existing incident files at once, for `serve`: check those files alone and
    write their pages straight into site/; the model with the edits, or None when they cannot be
    shown this way (a new, removed or invalid file). The full build that follows updates every
    other page, the downloads and the search index, and reports any problem.
    """
    reference = load_reference(project.data_dir)
    position = {incident.path: index for index, incident in enumerate(archive.incidents)}
    incidents = list(archive.incidents)
    for path in paths:
        display = repository_path(project.root, path)
        if display not in position or not path.is_file():
            return None
        document, file_hash, problems = _check_file(project, path, reference, today or latest_date_anywhere(), None)
        if document is None or any(problem.is_error for problem in problems):
            return None
        earlier = incidents[position[display]]
        incidents[position[display]] = build_incident(earlier.id, display, document.data, reference,
                                                      earlier.last_changed and earlier.last_changed.isoformat(), file_hash)
    edited = build_archive(incidents, archive.pages, reference, archive.config)
    environment = make_environment(project.templates_dir)
    downloads = download_sizes(project.out_dir)
    pages = [incident_page(edited, path.stem) for path in paths]
    forget_page_keys(project.root, [page.path for page in pages])  # site/ no longer holds what the keys say,
    forget_last_build(project.root)  # nor what the last build wrote
    for page in pages:
        write_page(environment, page, edited.config, project.out_dir, downloads)
    return edited


def _reuse_search_index(previous: PreviousBuild, written: WrittenSite, staging: Path) -> bool:
    """Link the previous build's Pagefind index when every page is byte for byte the same as then."""
    index = previous.site_dir / "pagefind"
    if written.pages_changed or written.page_keys.keys() != previous.page_keys.keys() or not index.is_dir():
        return False
    shutil.copytree(index, staging / "pagefind", copy_function=os.link)
    return True


def incident_file_hashes(project: Project) -> dict[Path, str]:
    """The hash of every readable incident file's bytes (files unchanged since the last build are not read)."""
    return hash_files(project.root, find_incident_files(project.incidents_dir), project.repository)


def input_fingerprint(project: Project, today: dt.date, with_search: bool, offline: bool, rendering: str,
                      file_hashes: dict[Path, str]) -> str:
    """A hash of everything a build reads: the incident files (by `file_hashes`, in the stable
    order incident_file_hashes gives), content pages, `rendering` (see rendering_digest) and options.

    Today's date and the git commit are part of it too: validation refuses future dates, and
    pages show when each file last changed.
    """
    head = f"{today}|{with_search}|{offline}|{_git_head(project.root)}|{rendering}|"
    head += "|".join(f"{path}:{file_hash}" for path, file_hash in file_hashes.items())
    return _digest_of_files(project.repository, [project.content_dir], prefix=head)


def checking_digest(project: Project) -> str:
    """A hash of what decides whether a file is valid: our code, the schema, the reference data, library versions."""
    return _digest_of_files(project.repository, [project.data_dir, APP_DIR / "archive", APP_DIR / "schema", APP_DIR / "requirements.txt"])


def rendering_digest(project: Project) -> str:
    """A hash of what every page depends on besides its content: the above, templates, static files, site.yaml."""
    return _digest_of_files(project.repository, [project.templates_dir, project.static_dir, project.config_path], prefix=checking_digest(project))


def _digest_of_files(repository: Repository, places: list[Path], prefix: str = "") -> str:
    """A hash of the names and bytes of every file in `places`, and of every other entry by its kind.

    Entries the build may not read (links out of the repository, FIFOs ...) are never opened:
    they are marked, so that adding one changes the digest and the build's check (which refuses
    them) runs. A link inside the repository counts by the bytes it leads to.
    """
    digest = hashlib.sha256(prefix.encode())
    entries = sorted(entry for place in places for entry in _entries(place))
    for path in entries:
        digest.update(os.fsencode(path) + b"\0" + _entry_fingerprint(path, repository) + b"\0")
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


def _git_head(root: Path) -> str:
    result = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def _unchanged_since_last_build(project: Project, fingerprint: str, offline: bool) -> list[Problem] | None:
    """The last build's warnings when its inputs were exactly these and its output is still there; else None."""
    outputs = [project.out_dir / "index.html"] + ([project.offline_dir / "index.html"] if offline else [])
    return read_last_build(project.root, fingerprint) if all(path.is_file() for path in outputs) else None


def _write_offline_copy(environment, archive: Archive, site_dir: Path, offline_dir: Path) -> None:
    """site-offline/ from the built site, its zip in site/downloads/, and the data page that links the zip."""
    search_page = render_page(environment, Page("search/index.html", "search_offline.html", {}), archive.config)
    write_offline(site_dir, offline_dir, archive, search_page)
    write_zip(offline_dir, site_dir / "downloads" / "archive-offline.zip")
    write_page(environment, data_page(archive), archive.config, site_dir, download_sizes(site_dir))
