"""Write the site's HTML pages from the archive model with Jinja2 templates (autoescaped)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
import shutil
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .charts import map_codes, region_map, timelines
from .citation import bibtex, citation_text, json_ld, permalink
from .config import SiteConfig
from .exports import write_exports
from .figures import reconcile, totals
from .markup import markdown_to_html, page_to_html
from .model import Archive, Figure

LATEST_ON_HOME = 10


@dataclass(frozen=True)
class Page:
    """One HTML file to write: where, with which template, and what it shows."""

    path: str  # relative to the site root, always ending in index.html
    template: str
    context: dict | Callable[[], dict]  # a callable is worked out when the page is rendered (in a worker)


def make_environment(templates_dir: Path) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["zip"] = zip
    environment.filters.update(
        markdown=markdown_to_html,
        page_markdown=page_to_html,
        long_date=long_date,
        month_name=lambda day: day.strftime("%B %Y"),
        qualified=qualified_value,
        host=lambda url: urlsplit(url).hostname or "",
        group_anchor=group_anchor,
        filesize=filesize,
        timestamp=lambda moment: f"{long_date(moment.date())}" + (f", {moment:%H:%M} UTC" if moment.time() != dt.time() else ""),
    )
    return environment


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def qualified_value(figure: Figure) -> str:
    """`at least 4`, `about 200`, `10–15`, or plain `20` for an exact figure."""
    value = f"{figure.value:,}" if figure.value is not None else f"{figure.min:,}–{figure.max:,}"
    return value if figure.qualifier == "exactly" else f"{figure.qualifier} {value}"


def group_anchor(group) -> str:
    """The id of a figure group on its incident page, e.g. `figures-killed-ua-30-rescuers`."""
    parts = ["figures", group.measure.key, group.region.slug if group.region else "all"]
    if group.subject:
        parts.append(group.subject.split()[0].lower())
    if group.weapon:
        parts.append(re.sub(r"[^a-z0-9]+", "-", group.weapon.key.lower()).strip("-"))
    return "-".join(parts)


def site_pages(archive: Archive) -> list[Page]:
    """Every page of the site, in a stable order."""
    by_region = archive.incidents_by_region()
    regions = archive.regions()
    archive_totals = totals(archive.incidents, archive.measures)
    months = archive.incidents_by_month()
    pages = [
        Page("index.html", "home.html", {
            "latest": archive.incidents[:LATEST_ON_HOME],
            "incident_count": len(archive.incidents),
            "regions": regions,
            "by_region": by_region,
            "totals": archive_totals,
            "charts": timelines(archive.incidents, archive.measures),
        }),
        Page("totals/index.html", "totals.html", {"totals": archive_totals}),
        *[Page(f"totals/{total.key}/index.html", "total.html", {"total": total}) for total in archive_totals],
        Page("incidents/index.html", "incidents.html", {"months": months, "latest_month": months[0] if months else None}),
        data_page(archive),
        Page("404.html", "404.html", {}),
        Page("regions/index.html", "regions.html", {
            "regions": regions, "by_region": by_region,
            "map": region_map({code: len(items) for code, items in by_region.items()}, {r.code: r for r in regions}),
            "outside": [(r, len(by_region[r.code])) for r in regions if r.code not in map_codes()],
        }),
        Page("search/index.html", "search.html", {}),
    ]
    pages += [Page(f"{page.slug}/index.html", "content.html", {"page": page}) for page in archive.pages]
    pages += [
        Page(f"incidents/{month:%Y/%m}/index.html", "month.html", {
            "month": month, "incidents": incidents,
            "newer": months[index - 1][0] if index > 0 else None,
            "older": months[index + 1][0] if index + 1 < len(months) else None,
        })
        for index, (month, incidents) in enumerate(months)
    ]
    pages += [_incident_page(archive, index) for index in range(len(archive.incidents))]
    pages += [
        Page(f"incidents/{old}/index.html", "redirect.html", {"incident": incident})
        for incident in archive.incidents for old in incident.previous_ids
    ]
    pages += [
        Page(f"regions/{region.slug}/index.html", "region.html", {
            "region": region,
            "incidents": by_region[region.code],
            "totals": totals(by_region[region.code], archive.measures, region),
            "charts": timelines(by_region[region.code], archive.measures),
        })
        for region in regions
    ]
    return pages


def data_page(archive: Archive) -> Page:
    content_date = max((i.last_changed or i.date for i in archive.incidents), default=None)
    return Page("data/index.html", "data.html", {"incident_count": len(archive.incidents), "content_date": content_date})


def _incident_page(archive: Archive, index: int) -> Page:
    incident = archive.incidents[index]
    return Page(f"incidents/{incident.id}/index.html", "incident.html", partial(_incident_context, archive, index))


def _incident_context(archive: Archive, index: int) -> dict:
    incident = archive.incidents[index]
    config = archive.config
    page_address = config.page_url(f"incidents/{incident.id}/") or f"incidents/{incident.id}/"
    report_body = (f"Incident: {incident.id}\nTitle: {incident.title}\nPage: {page_address}\nFile: {incident.path}\n\n"
                   "What is wrong, and which source shows it?\n")
    return {
        "incident": incident,
        "edit_url": config.edit_url(incident.path),
        "report_url": config.new_issue_url(f"Problem with {incident.id}", report_body),
        "history_url": config.history_url(incident.path),
        "permalink": permalink(incident, config),
        "citation": citation_text(incident, config),
        "bibtex": bibtex(incident, config),
        "json_ld": json_ld(incident, config),
        "groups": reconcile(incident.figures),
        "newer": archive.incidents[index - 1] if index > 0 else None,
        "older": archive.incidents[index + 1] if index + 1 < len(archive.incidents) else None,
    }


def relative_root(page_path: str, config: SiteConfig = SiteConfig()) -> str:
    """The link prefix from a page back to the site root: `./`, `../`, `../../` ...

    404.html is served in place of any missing address, so relative links would resolve
    against that address: it links from the site's own path instead (`/` when unknown).
    """
    if page_path == "404.html":
        return urlsplit(config.url).path if config.url else "/"
    depth = page_path.count("/")
    return "../" * depth if depth else "./"


def render_page(environment: Environment, page: Page, config: SiteConfig = SiteConfig(),
                downloads: dict[str, int] | None = None) -> str:
    template = environment.get_template(page.template)
    context = page.context() if callable(page.context) else page.context
    return template.render(root=relative_root(page.path, config), page_path=page.path, site=config,
                           downloads=downloads or {}, **context)


DOWNLOADS = ("data/incidents.json", "data/incidents.csv", "data/figures.csv", "feed.xml", "downloads/archive-offline.zip")


def download_sizes(out_dir: Path) -> dict[str, int]:
    """Sizes of the downloads present in `out_dir`, for the data page."""
    return {path: (out_dir / path).stat().st_size for path in DOWNLOADS if (out_dir / path).is_file()}


def write_page(environment: Environment, page: Page, config: SiteConfig, out_dir: Path, downloads: dict[str, int]) -> None:
    target = out_dir / page.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_page(environment, page, config, downloads), encoding="utf-8")


PARALLEL_FROM = 400  # pages: below this, starting worker processes costs more than it saves
_job: tuple | None = None  # what forked workers render: set just before forking, read by them


def _write_pages_in_parallel(environment, pages, config, out_dir, downloads, workers: int) -> None:
    """Render on every core: forked workers share the model and write their share of the pages."""
    global _job
    _job = (environment, pages, config, out_dir, downloads, workers)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pool.map(_write_share, range(workers))
    finally:
        _job = None


def _write_share(worker: int) -> None:
    environment, pages, config, out_dir, downloads, workers = _job
    for page in pages[worker::workers]:
        write_page(environment, page, config, out_dir, downloads)


def write_site(environment: Environment, archive: Archive, out_dir: Path, static_dir: Path, schema_path: Path,
               workers: int = 1) -> int:
    """Write the data downloads and feeds, then every page, the static files and the incident schema.

    Returns the number of HTML pages written.
    """
    pages = site_pages(archive)
    write_exports(archive, out_dir, [page.path for page in pages if page.template != "redirect.html"])
    downloads = download_sizes(out_dir)
    if workers > 1 and len(pages) >= PARALLEL_FROM:
        _write_pages_in_parallel(environment, pages, archive.config, out_dir, downloads, workers)
    else:
        for page in pages:
            write_page(environment, page, archive.config, out_dir, downloads)
    shutil.copytree(static_dir, out_dir / "static", dirs_exist_ok=True, ignore=shutil.ignore_patterns("sw.js"))
    if archive.config.offline_cache:
        shutil.copyfile(static_dir / "sw.js", out_dir / "sw.js")  # at the root, so it may serve every page
    (out_dir / "schema").mkdir(exist_ok=True)
    shutil.copyfile(schema_path, out_dir / "schema" / "incident.json")
    return len(pages)

