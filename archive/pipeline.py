"""Run the whole flow once: load, validate, model, render, index; replace site/ only on success.

What a build may skip or reuse from the last one is for `incremental` to say; this module asks it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from . import incremental
from .charts import draw_map_ahead
from .config import load_config
from .dates import parse_date
from .figures import forget_readings, read_ahead
from .git import last_commit_dates
from .load import Document, find_incident_files, parse_yaml_bytes, read_bytes, read_content_pages, read_snapshots, repository_path
from .markup import convert_ahead, markdown_problem
from .memo import next_build
from .model import Archive, ContentPage, Incident, build_archive, build_incident, content_page
from .offline import write_offline
from .parallel import in_background, parallel_map
from .problems import BuildError, Problem
from .progress import ReportProgress, no_progress
from .project import APP_DIR as APP_DIR, Project as Project  # named here too: the command line, serve and tests import them from pipeline
from .reference import Reference, load_reference
from .render import (
    Page,
    compile_ahead,
    compiled_environment,
    data_page,
    download_sizes,
    forget_rows,
    incident_download_keys,
    incident_page,
    make_environment,
    new_incidents,
    render_page,
    site_pages,
    write_page,
    write_site,
)
from .search import Entry, entries_of, forget_entries, write_index
from .search_index import INDEX_DIR, INDEX_PATH
from .similar import duplicate_problems
from .swap import remove_leftovers, staging_folder, swap_in
from .validate import SCHEMA_PATH, incident_id, text_position, validate_against_snapshots, validate_archive, validate_document

LARGE_SITE = 2000  # pages: a replaced site this large is deleted in the background
REQUIRED_PAGES = ("about", "methodology", "contribute")  # every page's header and footer link to them
# Headings that pages link to (methodology/#totals ...): removing one would break those links.
REQUIRED_HEADINGS = {"methodology": ("Reconciliation", "Totals", "Assessments")}


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
          progress: ReportProgress = no_progress, file_hashes: dict[Path, str] | None = None,
          earlier: Archive | None = None) -> tuple[Archive | None, list[Problem]]:
    """Validate everything; the archive model when there is no error, and every problem found.

    Files that passed in an earlier check with the same bytes (and the same code and
    reference data) are taken from the cache instead of being read again. With
    `snapshots_dir`, excerpts and quotes are also compared with the sources' text snapshots
    (and the cache is not used). `file_hashes` are the incident files' hashes when the
    caller has read them already (see incremental.read_build_inputs): then they are the list of
    incident files too, so they must be of every one. `earlier` is the model of
    the last check in this process (serve's): when it was checked with the same code and
    reference data, its incidents whose files are unchanged are kept as they are, with what was
    worked out from them (readings, totals' contributions), instead of being made again.
    """
    with collector_paused(), project.repository.folders_resolved_once():
        return _check(project, today, snapshots_dir, progress, file_hashes, earlier)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector meanwhile (worker processes forked meanwhile inherit that).

    check and build make millions of objects and keep most (the model), and the collector went
    over them again and again: a tenth of the CPU time of a check of 10,000 files, and 40% of
    working out a build's pages. Little of what they make is cyclic garbage (a build of 10,000
    incidents peaked at the same memory either way), and that little is collected once the
    collector runs again.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _check(project: Project, today: dt.date | None, snapshots_dir: Path | None, progress: ReportProgress,
           file_hashes: dict[Path, str] | None, earlier: Archive | None) -> tuple[Archive | None, list[Problem]]:
    """check's work, while the cycle collector is paused."""
    next_build()  # what the build before last worked out and the last one did not ask for again is dropped
    today = today or latest_date_anywhere()
    repository = project.repository
    unsafe = [problem for place in project.watched_dirs() for problem in repository.scan(place)]
    snapshots = read_snapshots(snapshots_dir) if snapshots_dir else None
    earlier_checks = incremental.EarlierChecks(project, used=snapshots is None)  # a check against snapshots reads every file again
    if (earlier is not None and earlier.reference is not None and earlier.checked_with == earlier_checks.version
            and earlier.replaced <= len(earlier.incidents)):
        reference, keepable = earlier.reference, {incident.path: incident for incident in earlier.incidents}
    else:
        # Readings and list rows worked out for an earlier model (in serve) are of objects no longer used.
        forget_readings()
        forget_rows()
        forget_entries()
        keepable = {}
        try:
            reference = load_reference(project.data_dir, repository)
        except BuildError as refused:  # data/ unreadable or invalid: every problem in it, located
            return None, sorted(set(unsafe + refused.problems))
    config, problems = load_config(project.config_path, repository)
    problems += unsafe
    documents, hashes, found = _check_incident_files(project, reference, today, snapshots, earlier_checks, file_hashes, progress)
    problems += found
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
    failed = any(problem.is_error for problem in problems)
    incidents = None
    with contextlib.ExitStack() as waits:
        if earlier_checks.out_of_date(documents):
            waits.callback(in_background(lambda: earlier_checks.remember(documents, hashes, problems), items=len(documents)))
        # Possible duplicates are warnings of pairs of files, no one file's result for that cache to keep. While a new
        # model is made here, they are looked for by a process of their own; serve's later checks, which keep most of the
        # model, look for them here, where the words of the titles the check before compared are kept (title_words).
        pairing = in_background(lambda: duplicate_problems(documents), items=0 if keepable or failed else len(documents))
        try:
            if not failed:
                changed = last_commit_dates(project.root)
                incidents = [_incident(doc, reference, changed.get(doc.display_path), hashes[doc.display_path], keepable) for doc in documents]
        finally:
            problems = sorted(problems + pairing())
    if incidents is None:
        return None, problems
    replaced = earlier.replaced + sum(keepable.get(incident.path) is not incident for incident in incidents) if earlier and keepable else 0
    return build_archive(incidents, pages, reference, config, earlier_checks.version, replaced), problems


def _incident(document: Document, reference: Reference, last_changed: str | None, file_hash: str,
              keepable: dict[str, Incident]) -> Incident:
    """The model of a checked file: the one kept from an earlier check when it is of the same bytes, id and change date."""
    ident = incident_id(document)
    earlier = keepable.get(document.display_path)
    if earlier and earlier.id == ident and earlier.file_hash == file_hash and earlier.last_changed == parse_date(last_changed):
        return earlier
    return build_incident(ident, document.display_path, document.data, reference, last_changed, file_hash)


def _check_incident_files(project: Project, reference: Reference, today: dt.date, snapshots: dict | None, earlier_checks: incremental.EarlierChecks,
                          file_hashes: dict[Path, str] | None, progress: ReportProgress) -> tuple[list[Document], dict[str, str], list[Problem]]:
    """Every readable incident file's document and hash (by repository path), and the problems of each file.

    A file whose bytes passed an earlier check is taken from it; the others are checked on every core.
    `file_hashes`, when the caller has them, are of every incident file (see incremental.hash_files).
    """
    paths = list(file_hashes) if file_hashes else find_incident_files(project.incidents_dir)
    known = file_hashes or {}

    def check_one(path: Path) -> tuple[Document | None, str, list[Problem]]:
        return _check_file(project, path, reference, today, snapshots)

    earlier = [earlier_checks.result(path, known.get(path)) for path in paths]
    unchecked = [path for path, result in zip(paths, earlier, strict=True) if result is None]
    fresh = iter(parallel_map(check_one, unchecked, progress=lambda done, total: progress("Checking incident files", done, total)))
    results = [result or next(fresh) for result in earlier]
    documents = [document for document, _, _ in results if document is not None]
    hashes = {document.display_path: file_hash for document, file_hash, _ in results if document is not None}
    return documents, hashes, [problem for _, _, found in results for problem in found]


def _content_page_problems(texts: dict[str, str], pages: list[ContentPage]) -> list[Problem]:
    """A page too complex to render in linear time is refused here, so that build never meets it.

    The whole file is checked, for positions in it; then the body that is rendered (the file
    without its title line), in case taking the title out joined two blocks.
    """
    problems = []
    for (name, text), page in zip(texts.items(), pages, strict=True):
        found = markdown_problem(text, page=True) or markdown_problem(page.body, page=True)
        if found:
            offset, message = found
            line, col = text_position(text, offset) if offset < len(text) else (1, 1)
            problems.append(Problem(f"content/{name}.md", line, col, message))
    return problems


def _check_file(project: Project, path: Path, reference: Reference, today: dt.date,
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
        return None, incremental.content_hash(raw), problems
    problems += validate_document(document, reference, today)
    if snapshots is not None and isinstance(document.data, dict):
        problems += validate_against_snapshots(document, snapshots)
    document.value_positions = {key: where for key, where in document.value_positions.items() if key[:1] == ("previous_ids",)}
    document.key_positions = {}
    return document, incremental.content_hash(raw), problems


def build(project: Project, today: dt.date | None = None, with_search: bool = True, offline: bool = False,
          progress: ReportProgress = no_progress, earlier: Archive | None = None) -> BuildReport:
    """Validate, render and index into a temporary folder, then swap it in for site/.

    With `offline`, also write site-offline/ (the site for use from disk) and its zip,
    linked from the data page. Any error leaves the previous output untouched: BuildError
    for content problems, the original exception for anything else. `earlier`: the model of the
    last build in this process, if any (see `check`).
    """
    with collector_paused(), project.repository.folders_resolved_once():
        return _build(project, today, with_search, offline, progress, earlier)


def _build(project: Project, today: dt.date | None, with_search: bool, offline: bool, progress: ReportProgress,
           earlier: Archive | None) -> BuildReport:
    """build's work, while the cycle collector is paused."""
    started = time.perf_counter()
    project.out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers([project.out_dir, project.offline_dir])  # what builds killed before us left behind
    out_dir = project.out_dir
    with contextlib.ExitStack() as folders:
        rendering, incident_files = incremental.rendering_digest(project), find_incident_files(project.incidents_dir)
        # A build with no last one to compare with runs whatever its files hold: its templates compile while the files are
        # hashed, on the core that leaves idle. Another compiles nothing before it knows that it runs.
        def start_compiling() -> None:
            folders.callback(compile_ahead(project.templates_dir, rendering, items=len(incident_files)))
        runs_for_sure = not incremental.may_be_up_to_date(project, offline)
        if runs_for_sure:
            start_compiling()
        inputs = incremental.read_build_inputs(project, today or latest_date_anywhere(), offline, rendering, incident_files)
        if not runs_for_sure:
            unchanged = incremental.unchanged_since_last_build(project, inputs.fingerprint, offline, with_search)
            if unchanged is not None:
                return BuildReport(0, 0, 0, time.perf_counter() - started, 0.0, unchanged, up_to_date=True)
            start_compiling()
        archive, problems = check(project, today, progress=progress, file_hashes=inputs.file_hashes, earlier=earlier)
        if archive is None:
            raise BuildError(problems)
        staging = folders.enter_context(staging_folder(out_dir.parent, ".site-build-"))
        offline_staging = folders.enter_context(staging_folder(out_dir.parent, ".site-offline-build-")) / "site-offline" if offline else None
        previous = incremental.previous_build(project.root, inputs.rendering, out_dir)
        if previous.tracked:
            site, among = out_dir.name, "" if previous.tracked.endswith("/") else " (this one among them)"
            problems.append(Problem(previous.tracked, 1, 1, (
                f"{site}/ holds files git tracks{among}; builds write {site}/, and none reuses the pages or the search index "
                f"of one with files git tracks (a checkout could have written them), so each renders every page and indexes "
                f"everything again. Take them out of git with `git rm -r --cached {site}`; files to publish as they are go in static/"),
                severity="warning"))
        download_keys = incident_download_keys(archive, previous)
        fresh = new_incidents(archive, previous, download_keys)
        # Their summaries' HTML and words, and their readings, worked out now (the summaries on every core, the readings
        # here meanwhile): the page writers, the downloads and the search records, forked next, inherit them. The others'
        # parts are mostly copied from the last build (see new_incidents).
        convert_ahead((incident.summary for incident in fresh), meanwhile=lambda: read_ahead(fresh))
        # The search index needs the model only: the shards whose records changed are indexed while pages are written.
        progress("Writing pages and downloads" + (", indexing for search" if with_search else ""))
        records_version = incremental.records_digest(project) if with_search else ""
        # Listed here, not in the worker: going over the whole model there would copy most of its memory.
        entries = entries_of(archive, records_version) if with_search else []
        indexing = in_background(lambda: _index_for_search(project, entries, staging, previous, records_version),
                                 items=len(archive.incidents), yielding=True) if with_search else None
        try:
            written = write_site(project.templates_dir, inputs.rendering, archive, staging, project.static_dir, SCHEMA_PATH, previous, download_keys,
                                 progress=lambda done, total: progress("Writing pages", done, total))
        finally:
            search_seconds = indexing() if indexing else 0.0
        if not with_search:  # the last index, if it is still right; else none
            incremental.reuse_search_index(previous, written.page_keys, written.pages_changed, staging, INDEX_DIR)
        large = len(written.page_keys) > LARGE_SITE
        if offline_staging:
            progress("Writing the offline copy")  # (its search index first: no steps to count)
            _write_offline_copy(compiled_environment(project.templates_dir, inputs.rendering), archive, staging, offline_staging,
                                progress=lambda done, total: progress("Writing the offline copy", done, total))
            swap_in(offline_staging, project.offline_dir, large)
        swap_in(staging, out_dir, large)
        incremental.write_page_keys(project.root, inputs.rendering, out_dir, written.page_keys, written.downloads)
        if indexing:  # (the index of the site now in place)
            incremental.write_index_identity(project.root, records_version, out_dir, INDEX_PATH)
    incremental.write_last_build(project.root, inputs.fingerprint, problems, with_search)
    return BuildReport(
        incidents=len(archive.incidents),
        regions=len(archive.regions()),
        pages=len(written.page_keys),
        seconds=time.perf_counter() - started,
        search_seconds=search_seconds,
        warnings=problems,
        archive=archive,
    )


def _index_for_search(project: Project, entries: list[Entry], staging: Path, previous_build: incremental.PreviousBuild,
                      version: str) -> float:
    """Index the archive's `entries` into the staging site, linking the shards of the previous site's index that are the same
    (when the cache says a build of ours wrote that index); the seconds it took."""
    started = time.perf_counter()
    previous = incremental.earlier_search_index(project.root, version, previous_build, INDEX_PATH)
    write_index(entries, staging / INDEX_DIR, previous=previous, version=version)
    return time.perf_counter() - started


def prepare_for_edits(archive: Archive | None) -> None:
    """Work out, in serve's process, what its later builds would each work out again: the regions map's outlines
    (which a one-shot build leaves to the page writer of the page that shows it), for the page writers forked from
    now on; and, for `archive`, a model that came from `check` with no build, its pages with their totals.

    Without the pages, serve's first edit's build adds up every total of the archive again, where later edits'
    builds add up those of the edited incident's lists only (at 10,000 incidents, 1.4 to 3 s against 0.7 s).
    """
    draw_map_ahead()
    if archive is not None:
        with collector_paused():
            site_pages(archive)


def preview_edits(project: Project, archive: Archive, paths: list[Path], today: dt.date | None = None) -> Archive | None:
    """Show edits to existing incident files at once, for `serve`: check those files alone and
    write their pages straight into site/; the model with the edits, or None when they cannot be
    shown this way (a new, removed or invalid file). The full build that follows updates every
    other page, the downloads and the search index, and reports any problem (the preview takes the
    reference data `archive` was made with).
    """
    with collector_paused():  # it makes thousands of objects beside the model, as a build does
        reference = archive.reference or load_reference(project.data_dir)
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
                                                          earlier.last_changed.isoformat() if earlier.last_changed else None, file_hash)
        edited = build_archive(incidents, archive.pages, reference, archive.config, archive.checked_with, archive.replaced + len(paths))
        environment = make_environment(project.templates_dir)
        downloads = download_sizes(project.out_dir)
        pages = [incident_page(edited, path.stem) for path in paths]
        incremental.forget_page_keys(project.root, [page.path for page in pages])  # site/ no longer holds what the keys say,
        incremental.forget_last_build(project.root)  # nor what the last build wrote
        for page in pages:
            write_page(environment, page, edited.config, project.out_dir, downloads)
        return edited


def _write_offline_copy(environment: Environment, archive: Archive, site_dir: Path, offline_dir: Path,
                        progress: Callable[[int, int], None]) -> None:
    """site-offline/ from the built site, its zip in site/downloads/, and the data page that links the zip."""
    search_page = render_page(environment, Page("search/index.html", "search_offline.html", {}), archive.config)
    write_offline(site_dir, offline_dir, archive, search_page, site_dir / "downloads" / "archive-offline.zip", progress=progress)
    write_page(environment, data_page(archive), archive.config, site_dir, download_sizes(site_dir))
