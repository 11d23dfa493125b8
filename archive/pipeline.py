"""Run the whole flow once: load, validate, model, render, index; replace site/ only on success."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .config import load_config
from .load import find_incident_files, last_commit_dates, load_yaml_file, read_content_pages, read_snapshots
from .figures import forget_readings
from .model import Archive, build_archive, build_incident, content_page
from .problems import BuildError, Problem
from .progress import no_progress
from .reference import load_reference
from .offline import write_offline, write_zip
from .render import Page, data_page, download_sizes, make_environment, render_page, write_page, write_site
from .search import index_site
from .validate import SCHEMA_PATH, incident_id, validate_against_snapshots, validate_archive, validate_document

APP_DIR = Path(__file__).resolve().parent.parent
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

    def watched_dirs(self) -> list[Path]:
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

    def summary(self) -> str:
        if self.up_to_date:
            return f"site/ is up to date: no input changed since the last build ({self.seconds:.2f} s)"
        return (f"Built {self.incidents} incidents, {self.regions} regions, {self.pages} pages "
                f"in {self.seconds:.2f} s (search index {self.search_seconds:.2f} s)")


def latest_date_anywhere() -> dt.date:
    """Today's date where it is latest (UTC+14): an incident dated today in Kyiv is never 'in the future'."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=14))).date()


def check(project: Project, today: dt.date | None = None, snapshots_dir: Path | None = None,
          progress=no_progress) -> tuple[Archive | None, list[Problem]]:
    """Validate everything; the archive model when there is no error, and every problem found.

    With `snapshots_dir`, excerpts and quotes are also compared with the sources' text snapshots.
    """
    today = today or latest_date_anywhere()
    forget_readings()  # readings of the previous build (in serve) are of objects no longer used
    reference = load_reference(project.data_dir)
    snapshots = read_snapshots(snapshots_dir) if snapshots_dir else None
    config, problems = load_config(project.config_path)
    documents = []
    paths = find_incident_files(project.incidents_dir)
    for number, path in enumerate(paths, 1):
        progress("Checking incident files", number, len(paths))
        display = path.relative_to(project.root).as_posix()
        if path.suffix == ".yml":
            problems.append(Problem(display, 1, 1, "incident files end in `.yaml`, not `.yml`; rename it"))
            continue
        document, found = load_yaml_file(path, display)
        problems += found
        if document.data is not None:
            problems += validate_document(document, reference, today)
            if snapshots is not None and isinstance(document.data, dict):
                problems += validate_against_snapshots(document, snapshots)
            documents.append(document)
    problems += validate_archive(documents)
    texts, found = read_content_pages(project.content_dir)
    problems += found
    problems += [
        Problem(f"content/{name}.md", 1, 1, f"content/{name}.md is missing; every page links to it, so write it")
        for name in REQUIRED_PAGES if name not in texts
    ]
    problems += [
        Problem(f"content/{name}.md", 1, 1, f"content/{name}.md has no `## {heading}` heading; pages link to {name}/#{heading.lower()}, so keep it")
        for name, headings in REQUIRED_HEADINGS.items() if name in texts
        for heading in headings if f"\n## {heading}\n" not in "\n" + texts[name] + "\n"
    ]
    problems.sort()
    if any(problem.is_error for problem in problems):
        return None, problems
    changed = last_commit_dates(project.root)
    incidents = [build_incident(incident_id(doc), doc.display_path, doc.data, reference, changed.get(doc.display_path))
                 for doc in documents]
    pages = [content_page(name, text) for name, text in texts.items()]
    return build_archive(incidents, pages, reference, config), problems


def build(project: Project, today: dt.date | None = None, with_search: bool = True, offline: bool = False,
          progress=no_progress) -> BuildReport:
    """Validate, render and index into a temporary folder, then swap it in for site/.

    With `offline`, also write site-offline/ (the site for use from disk) and its zip,
    linked from the data page. Any error leaves the previous output untouched: BuildError
    for content problems, the original exception for anything else.
    """
    started = time.perf_counter()
    fingerprint = input_fingerprint(project, today or latest_date_anywhere(), with_search, offline)
    unchanged = _unchanged_since_last_build(project, fingerprint, offline)
    if unchanged is not None:
        return BuildReport(0, 0, 0, time.perf_counter() - started, 0.0, unchanged, up_to_date=True)
    archive, problems = check(project, today, progress=progress)
    if archive is None:
        raise BuildError(problems)
    out_dir = project.out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-build-", dir=out_dir.parent))
    offline_staging = Path(tempfile.mkdtemp(prefix=".site-offline-build-", dir=out_dir.parent)) / "site-offline" if offline else None
    try:
        environment = make_environment(project.templates_dir)
        progress("Writing pages and downloads")
        pages = write_site(environment, archive, staging, project.static_dir, SCHEMA_PATH, workers=os.cpu_count() or 1)
        search_started = time.perf_counter()
        if with_search:
            progress("Indexing for search (Pagefind)")
            index_site(staging)
        search_seconds = time.perf_counter() - search_started
        if offline:
            progress("Writing the offline copy")
            _write_offline_copy(environment, archive, staging, offline_staging)
            _swap_in(offline_staging, project.offline_dir)
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if offline_staging:
            shutil.rmtree(offline_staging.parent, ignore_errors=True)
    _remember_build(project, fingerprint, problems)
    return BuildReport(
        incidents=len(archive.incidents),
        regions=len(archive.regions()),
        pages=pages,
        seconds=time.perf_counter() - started,
        search_seconds=search_seconds,
        warnings=problems,
    )


def input_fingerprint(project: Project, today: dt.date, with_search: bool, offline: bool) -> str:
    """A hash of everything a build reads: content, configuration, templates, data, code and options.

    Today's date and the git commit are part of it too: validation refuses future dates, and
    pages show when each file last changed.
    """
    digest = hashlib.sha256(f"{today}|{with_search}|{offline}|{_git_head(project.root)}".encode())
    folders = [project.incidents_dir, project.content_dir, project.templates_dir, project.static_dir,
               project.data_dir, APP_DIR / "archive", APP_DIR / "schema"]
    files = [project.config_path, APP_DIR / "requirements.txt"]
    files += sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts)
    for path in files:
        if path.is_file():
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _git_head(root: Path) -> str:
    result = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def _fingerprint_path(project: Project) -> Path:
    return project.root / ".cache" / "last-build.json"


def _unchanged_since_last_build(project: Project, fingerprint: str, offline: bool) -> list[Problem] | None:
    """The last build's warnings when its inputs were exactly these and its output is still there; else None."""
    try:
        last = json.loads(_fingerprint_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    outputs = [project.out_dir / "index.html"] + ([project.offline_dir / "index.html"] if offline else [])
    if last.get("fingerprint") != fingerprint or not all(path.is_file() for path in outputs):
        return None
    return [Problem(**warning) for warning in last.get("warnings", [])]


def _remember_build(project: Project, fingerprint: str, warnings: list[Problem]) -> None:
    path = _fingerprint_path(project)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"fingerprint": fingerprint, "warnings": [dataclasses.asdict(w) for w in warnings]}), encoding="utf-8")


def _write_offline_copy(environment, archive: Archive, site_dir: Path, offline_dir: Path) -> None:
    """site-offline/ from the built site, its zip in site/downloads/, and the data page that links the zip."""
    search_page = render_page(environment, Page("search/index.html", "search_offline.html", {}), archive.config)
    write_offline(site_dir, offline_dir, archive, search_page)
    write_zip(offline_dir, site_dir / "downloads" / "archive-offline.zip")
    write_page(environment, data_page(archive), archive.config, site_dir, download_sizes(site_dir))


def _swap_in(staging: Path, out_dir: Path) -> None:
    staging.chmod(0o755)  # mkdtemp makes it private; a published site must be readable
    if out_dir.exists():
        retired = Path(tempfile.mkdtemp(prefix=".site-old-", dir=out_dir.parent))
        out_dir.rename(retired / "site")
        staging.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out_dir)
