"""Write the site's HTML pages from the archive model with Jinja2 templates (autoescaped)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, TemplateError, nodes, select_autoescape
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup

from .charts import map_codes, region_map, timelines
from .citation import bibtex, citation_text, json_ld, permalink
from .config import SiteConfig
from .dates import long_date
from .exports import EarlierDownloads, write_downloads, write_site_index
from .figures import Contribution, FigureGroup, Total, key_readings, reconcile, totals
from .files import copy_regular_files, make_folder_of
from .fragments import FILTERS as SOURCE_FILTERS, escaped
from .maps import MIN_RADIUS, Mark, PointMap, merged, point_map, svg as map_svg
from .markup import markdown_to_html, page_to_html
from .memo import LastBuilds
from .model import AREA_PRECISIONS, Archive, Figure, Incident, Place
from .paging import PAGE_TEXT, ListPage, by_month, paginate
from .parallel import forks_for, in_background, parallel_map
from .places import gazetteer_attribution, outline_codes
from .reference import Measure, Person, Region
from .template_helpers import FILTERS as ROW_FILTERS

LATEST_ON_HOME = 10
ARCHIVE_MAP_TOLERANCE = 2.0  # viewBox units (maps.WIDTH across) the whole-archive map's outlines may stray: see archive_map
# An incident's map only says where its places lie among its regions: outlines to within 4 units (2.7 px at its
# widest) cost a third of maps.TOLERANCE's bytes on a page that must stay light (tests/test_site.py).
INCIDENT_MAP_TOLERANCE = 4.0
# A region's page shows its 30 places with most incidents (the map page has up to maps.MAX_MARKS), and outlines of
# at most 16 KB, simplified as much as it takes (Karelia's coast and lakes: 41 KB at 2 units, 22 KB at 6): the page
# also holds the region's totals, timeline and latest incidents, and must stay under 100 KB.
REGION_MAP_MARKS = 30
REGION_MAP_TOLERANCES = (2.0, 3.0, 4.0, 6.0, 9.0, 14.0)
REGION_MAP_OUTLINE_BYTES = 16_000
PAGES_PER_WRITER_TURN = 25_000  # pages written by the same page writers before fresh ones take over (see write_site)
LATEST_ON_INDEX = 20  # incidents listed on the incident index and on a region's page, besides their own pages
LEADING_PARTIES = 3  # totals shown per measure in a summary (home, region); the rest are on the totals pages
DEFAULT_CONFIG = SiteConfig()  # the settings of a page rendered without any (SiteConfig is frozen: one serves every call)


@dataclass(frozen=True)
class Page:
    """One HTML file to write: where, with which template, and what it shows."""

    path: str  # relative to the site root, always ending in index.html
    template: str
    context: dict | Callable[[], dict]  # a callable is worked out when the page is rendered (in a worker)
    # A digest of everything the page shows besides the site-wide templates, code and settings
    # ("" for nothing): an unchanged digest lets a build reuse the page from the last one.
    # None: render every time, after the downloads are written (the page may show their sizes).
    inputs: str | None = None


def compiled_environment(templates_dir: Path, version: str) -> Environment:
    """make_environment's, ready for the page writers forked from this process: every template compiled,
    and what most maps are drawn from read (the regions map, on two pages, is drawn by the writer of each). Kept for every build of serve's while `version` is
    the same (incremental.rendering_digest: any change to the templates, static files, settings or code
    makes a new one). The templates compile_ahead compiled are loaded, not compiled again.

    Each page writer did this again for the templates and maps it used, in every build: 0.1 to 0.3 s
    of CPU each, at each of serve's edits.
    """
    key = (templates_dir, version)
    if key not in _environments:
        ahead = _compiling.pop(key, None)
        _environments.clear()  # (one: serve's builds ask for the same one until a template or the code changes)
        code = _code_from(ahead)  # (no cache without it: one would keep a copy of each template compiled here, for nothing)
        environment = _every_template_loaded(make_environment(templates_dir, _CompiledTemplates(code) if code else None))
        outline_codes(), map_codes(), gazetteer_attribution()  # (each cached for the process)
        _environments[key] = environment
    return _environments[key]


_environments: dict[tuple[Path, str], Environment] = {}
_compiling: dict[tuple[Path, str], Callable[[], dict[str, bytes]]] = {}  # compile_ahead's, until compiled_environment takes them


def compile_ahead(templates_dir: Path, version: str, items: int) -> Callable[[], None]:
    """Start compiling the templates for compiled_environment(templates_dir, version) in a process of their own;
    returns `wait`, which the caller calls in the end, whatever happens.

    A build calls it before it checks the incident files (before it hashes them, when it has no last build to
    compare with), so that the templates compile meanwhile: after an edit, the check leaves the other core
    idle, and compiling them took a tenth of a second of the build's own.
    Nothing is started for a build of fewer than parallel.PARALLEL_FROM files (`items`), where the process
    costs more than it saves, nor when that environment is made already (in serve, until a template or
    the code changes): compiled_environment then compiles the templates itself.
    """
    key = (templates_dir, version)
    if key in _environments or key in _compiling or not forks_for(items):
        return lambda: None
    _compiling[key] = in_background(lambda: _compiled_code(templates_dir), items=items)

    def wait() -> None:
        _code_from(_compiling.pop(key, None))
    return wait


def _code_from(ahead: Callable[[], dict[str, bytes]] | None) -> dict[str, bytes]:
    """What compile_ahead's process compiled, after waiting for it; none when it failed (the code is only
    a head start: the templates are then compiled here, and a template that cannot be compiled is
    reported by the page that uses it)."""
    try:
        return ahead() if ahead else {}
    except Exception:  # whatever stopped that process, this one compiles the templates itself
        return {}


def _compiled_code(templates_dir: Path) -> dict[str, bytes]:
    compiled = _CompiledTemplates({})
    _every_template_loaded(make_environment(templates_dir, compiled))
    return compiled.code


def _every_template_loaded(environment: Environment) -> Environment:
    for name in environment.list_templates(extensions=["html"]):
        with contextlib.suppress(TemplateError, OSError, UnicodeError):  # left to the page that uses it, which says what is wrong
            environment.get_template(name)
    return environment


class _CompiledTemplates(BytecodeCache):
    """Jinja's cache of compiled templates, in memory, never on disk: what the process of compile_ahead compiled,
    handed to the build. Jinja uses a template's code only when it was compiled from the same source (by checksum)."""

    def __init__(self, code: dict[str, bytes]):
        self.code = code

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def escaped_text(value: Any) -> str:
    """The text markupsafe.escape(value) holds, as a str (see _TextOutput)."""
    if type(value) is str:
        return escaped(value)
    if hasattr(value, "__html__"):
        html: str = value.__html__()
        return html
    return escaped(str(value))


class _TextOutput(CodeGenerator):
    """Jinja's code generator, but each `{{ value }}` of an autoescaped template is escaped into a str by
    escaped_text, not into a Markup by markupsafe.escape: the same text, which the template joins into its
    output at once. Making the Markup runs Python code (its __new__), for each of the hundred values of an
    incident page: 0.23 us of 0.35 a value. The other uses of escaping (macros' results, `~`, filters) are Jinja's."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escaped_text(")  # (each template's module has the environment as `environment`)
        if finalize.src is not None:
            self.write(finalize.src)


class _PageEnvironment(Environment):
    """Jinja's Environment, but each template's globals a plain dict rather than a ChainMap over the environment's,
    and its values written out as text (see _TextOutput).

    A ChainMap would show globals added after a template is loaded; make_environment adds ours before any is.
    Each page's `{% from "_macros.html" import ... %}` compares the keys of the two templates' globals, and over
    a ChainMap that comparison took a sixth of rendering a total's page (10,000 incidents make thousands of them).
    """

    code_generator_class = _TextOutput
    escaped_text = staticmethod(escaped_text)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def make_environment(templates_dir: Path, compiled: BytecodeCache | None = None) -> Environment:
    environment = _PageEnvironment(
        loader=FileSystemLoader(templates_dir),
        bytecode_cache=compiled,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # made again when a template changes (see compiled_environment): no need to look at their times on every page
    )
    environment.globals["zip"] = zip
    environment.globals["map_svg"] = map_svg  # a map's <svg>, drawn and escaped by maps.py
    environment.globals["page_part"] = page_parts(environment)
    environment.filters.update(
        markdown=markdown_to_html,
        page_markdown=page_to_html,
        long_date=long_date,
        month_name=lambda day: day.strftime("%B %Y"),
        qualified=qualified_value,
        host=lambda url: urlsplit(url).hostname or "",
        group_anchor=group_anchor,
        filesize=filesize,
        person_name=person_name,
        by_month=lambda incidents: by_month(incidents, lambda incident: incident.date),
        timestamp=lambda moment: f"{long_date(moment.date())}" + (f", {moment:%H:%M} UTC" if moment.time() != dt.time() else ""),
        **SOURCE_FILTERS,
        **ROW_FILTERS,
    )
    environment.tests["with_own_page"] = has_own_page
    return environment


def has_own_page(total: Total) -> bool:
    """Whether a total has pages of how it was added up (totals_pages writes them, totals_table links to them): a total
    of one incident links to that incident's claims instead, which say all such a page would."""
    return len(total.contributions) > 1


def page_parts(environment: Environment) -> Callable[[str, str, str, SiteConfig], Markup]:
    """`page_part(template, root, page_path, site)`: what every page shows (its header, its footer), rendered once
    for each place a page can be in, its root and its section of the site (`incidents/` of `incidents/x/index.html`),
    and taken from there by every other page there: 13,000 to 15,000 pages at 10,000 incidents, the header and footer a fifth
    of the time of the smallest."""
    rendered: dict[tuple[str, str, str], tuple[SiteConfig, Markup]] = {}

    def page_part(template: str, root: str, page_path: str, site: SiteConfig) -> Markup:
        section = page_path[:page_path.find("/") + 1]
        earlier = rendered.get((template, root, section))
        if earlier is None or earlier[0] is not site:  # (by identity: a build's pages share one SiteConfig)
            earlier = site, Markup(environment.get_template(template).render(root=root, page_path=section, site=site))
            rendered[(template, root, section)] = earlier
        return earlier[1]
    return page_part


def person_name(name: str, person: Person | None) -> Markup:
    """A claimant's or speaker's name; the registry's other names for them as its title (a filter: quicker than a macro)."""
    also = f' title="Also: {escaped(", ".join(person.aliases))}"' if person and person.aliases else ""
    return Markup(f"<span{also}>{escaped(name)}</span>")


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def qualified_value(figure: Figure) -> str:
    """`at least 4`, `about 200`, `10–15`, or plain `20` for an exact figure."""
    value = f"{figure.value:,}" if figure.value is not None else f"{figure.min:,}–{figure.max:,}"
    return value if figure.qualifier == "exactly" else f"{figure.qualifier} {value}"


def group_anchor(group: FigureGroup) -> str:
    """The id of a figure group on its incident page, e.g. `figures-killed-ua-30-rescuers`."""
    parts = ["figures", group.measure.key, group.region.slug if group.region else "all"]
    if group.subject:
        parts.append(group.subject.split()[0].lower())
    if group.weapon:
        parts.append(re.sub(r"[^a-z0-9]+", "-", group.weapon.key.lower()).strip("-"))
    return "-".join(parts)


def site_pages(archive: Archive) -> list[Page]:
    """Every page of the site, in a stable order.

    Contexts are worked out only for the pages that are rendered, so most are callables.
    Long lists are split into pages of their own (see paging.py): no page grows with the archive.
    """
    by_region = archive.incidents_by_region()
    regions = archive.regions()
    months = archive.incidents_by_month()
    everything = inputs_digest(archive.incidents)

    archive_totals = totals(archive.incidents, archive.measures)  # each total of several incidents has its own pages
    pages = [
        Page("index.html", "home.html", lambda: {
            "latest": leading_rows(archive.incidents, LATEST_ON_HOME),
            "incident_count": len(archive.incidents),
            "regions": regions,
            "by_region": by_region,
            "totals": leading_totals(archive_totals),
            "totals_count": len(archive_totals),
            "charts": timelines(archive.incidents, archive.measures, archive.parties),
        }, everything),
        *totals_pages(archive_totals, "totals/", None),
        Page("incidents/index.html", "incidents.html", {
            "months": [(month, len(incidents)) for month, incidents in months],
            "latest": leading_rows(archive.incidents, LATEST_ON_INDEX),
        }, everything),
        data_page(archive),
        Page("404.html", "404.html", {}, ""),
        Page("regions/index.html", "regions.html", lambda: {
            "regions": regions, "by_region": by_region,
            "map": region_map({code: len(items) for code, items in by_region.items()}, {r.code: r for r in regions}),
            "outside": [(r, len(by_region[r.code])) for r in regions if r.code not in map_codes()],
        }, everything),
        Page("search/index.html", "search.html", {}, ""),
    ]
    pages += [Page(f"{page.slug}/index.html", "content.html", {"page": page}, _digest(page.title, page.body))
              for page in archive.pages]
    for index, (month, incidents) in enumerate(months):
        newer = months[index - 1][0] if index > 0 else None
        older = months[index + 1][0] if index + 1 < len(months) else None
        pages += list_pages(f"incidents/{month:%Y/%m}/", incidents, "month.html",
                            {"month": month, "newer": newer, "older": older}, str(newer), str(older))
    pages += [_incident_page(archive, index) for index in range(len(archive.incidents))]
    pages += [
        Page(f"incidents/{old}/index.html", "redirect.html", {"incident": incident}, inputs_digest([incident]))
        for incident in archive.incidents for old in incident.previous_ids
    ]
    for region in regions:
        pages += region_pages(archive, region, by_region[region.code])
    # Last, so that the pages before keep their places in the list. Like the totals, it shows every incident.
    pages.append(Page("map/index.html", "map.html", lambda: {"place_map": archive_map(archive.incidents, relative_root("map/index.html")),
                                                             "gazetteer_attribution": gazetteer_attribution()}, everything))
    return pages


def leading_totals(all_totals: list[Total]) -> list[Total]:
    """The totals of the parties with the most incidents, a few per measure, in the order given."""
    ranked: dict[str, list[Total]] = {}
    for total in all_totals:
        ranked.setdefault(total.measure.key, []).append(total)
    kept = {id(total) for group in ranked.values()
            for total in sorted(group, key=lambda t: -len(t.contributions))[:LEADING_PARTIES]}
    return [total for total in all_totals if id(total) in kept]


def row_text(row: Incident | Contribution | Total) -> int:
    """About how many characters of contributors' text a row of a list shows, escaped: what fills a page."""
    return _ROW_TEXT[type(row)](row)  # (looked up by type: asked for every row of every list, 150,000 times at 10,000 incidents)


@lru_cache(maxsize=250_000)  # an incident is a row of each of its totals' lists
def _title_text(incident: Incident) -> int:
    return len(escaped(incident.title))


@lru_cache(maxsize=250_000)  # an incident is a row of its month's list and of its regions' years: weighed once
def _incident_row_text(incident: Incident) -> int:
    readings, _ = key_readings(incident)
    shown = [incident.title, *[place.name for place in incident.places[:3]], *[region.name for region in incident.regions[:3]],
             *[reading.party for reading in readings]]
    return sum(len(escaped(text)) for text in shown)


_ROW_TEXT: dict[type, Callable[[Any], int]] = {
    Total: lambda total: len(escaped(total.party)),
    Contribution: lambda contribution: _title_text(contribution.incident),
    Incident: _incident_row_text,
}


def leading_rows(incidents: list[Incident], count: int) -> list[Incident]:
    """The first `count` incidents for a summary (home, index, region), fewer when their text is long."""
    return list(paginate("", incidents[:count], row_text, per_page=count, text=PAGE_TEXT // 4)[0].rows)


def list_pages(base: str, rows: list, template: str, context: dict, *shown: str) -> list[Page]:
    """A list's pages under `base` (see paging.py); `shown`: what else the pages show, for their digests."""
    return listing_pages(paginate(base, rows, row_text), template, context, *shown)


def listing_pages(listings: list[ListPage], template: str, context: dict, *shown: str) -> list[Page]:
    pages = []
    for listing in listings:
        incidents = [row.incident if isinstance(row, Contribution) else row for row in listing.rows]
        pages.append(Page(f"{listing.path}index.html", template, {**context, "listing": listing},
                          _digest(inputs_digest(incidents), str(listing.count), str(listing.total_rows), *shown)))
    return pages


def totals_pages(all_totals: list[Total], base: str, region: Region | None) -> list[Page]:
    """The list of totals under `base`, and the pages of each total of several incidents showing how it was added up.

    Remembered by the totals themselves, which `figures.totals` gives again for incidents that
    have not changed (in `serve`, the totals of every region but the edited incident's).
    """
    return _totals_pages(tuple(all_totals), base, region)


@LastBuilds
def _totals_pages(all_totals: tuple[Total, ...], base: str, region: Region | None) -> list[Page]:
    digest = inputs_digest(sorted({c.incident for t in all_totals for c in t.contributions}, key=lambda i: i.id))
    context = {"region": region, "base": base}
    pages = [Page(f"{listing.path}index.html", "totals.html", {**context, "listing": listing},
                  _digest(digest, str(listing.number), str(listing.count)))
             for listing in paginate(base, all_totals, row_text)]
    for total in all_totals:
        if has_own_page(total):
            pages += _total_pages(total.measure, total.party, total.suffix, tuple(total.contributions), base, region)
    return pages


@LastBuilds  # an edit changes every total of the archive, but the pages of few (in serve, kept from the last build)
def _total_pages(measure: Measure, party: str, suffix: str, contributions: tuple[Contribution, ...], base: str,
                 region: Region | None) -> list[Page]:
    """A total's pages, by what the total is made of: its contributions are compared as objects, the
    very ones figures.incident_contributions gives again for an incident that has not changed."""
    total = Total(measure, party, list(contributions), suffix)
    return list_pages(f"{base}{total.key}/", total.contributions, "total.html",
                      {"region": region, "base": base, "total": total}, total.text, str(total.conflict))


def region_pages(archive: Archive, region: Region, incidents: list[Incident]) -> list[Page]:
    """A region's page, its incidents year by year, and its totals with how each was added up."""
    base = f"regions/{region.slug}/"
    region_totals = totals(incidents, archive.measures, region)
    years = sorted({incident.date.year for incident in incidents}, reverse=True)
    pages = [Page(f"{base}index.html", "region.html",
                  partial(_region_context, archive, region, incidents, region_totals, years), inputs_digest(incidents))]
    for index, year in enumerate(years):
        in_year = [incident for incident in incidents if incident.date.year == year]
        newer = years[index - 1] if index > 0 else None
        older = years[index + 1] if index + 1 < len(years) else None
        listings = paginate(f"{base}{year}/", in_year, row_text)
        jump = month_jumps(listings)
        pages += listing_pages(listings, "region_year.html",
                               {"region": region, "year": year, "newer": newer, "older": older, "jump": jump},
                               str(newer), str(older), *(f"{path}:{count}" for _, path, count in jump))
    return pages + (totals_pages(region_totals, f"{base}totals/", region) if region_totals else [])


def month_jumps(listings: list[ListPage]) -> list[tuple[dt.date, str, int]]:
    """Each month of a list's pages once: (month, the page and anchor where it starts, its incidents in all)."""
    jumps: dict[dt.date, tuple[str, int]] = {}
    for listing in listings:
        for group in by_month(listing.rows, lambda incident: incident.date):
            start, count = jumps.get(group.month, (f"{listing.path}#{group.anchor}", 0))
            jumps[group.month] = (start, count + len(group.rows))
    return [(month, start, count) for month, (start, count) in jumps.items()]


def inputs_digest(incidents: list[Incident]) -> str:
    """A digest of what pages can show of these incidents: ids, order, files (path and contents) and change dates."""
    return _digest(*map(_incident_inputs, incidents))


@lru_cache(maxsize=250_000)  # an incident is in the digests of a dozen pages or more
def _incident_inputs(incident: Incident) -> str:
    return f"{incident.id}:{incident.path}:{incident.file_hash}:{incident.last_changed}"


def forget_rows() -> None:
    """Empty the caches above, as figures.forget_readings does its own."""
    _incident_row_text.cache_clear()
    _title_text.cache_clear()
    _totals_pages.cache_clear()
    _total_pages.cache_clear()
    _incident_inputs.cache_clear()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _region_context(archive: Archive, region: Region, incidents: list[Incident], region_totals: list[Total],
                    years: list[int]) -> dict:
    return {
        "region": region,
        "incident_count": len(incidents),
        "latest": by_month(leading_rows(incidents, LATEST_ON_INDEX), lambda incident: incident.date),
        "years": [(year, sum(incident.date.year == year for incident in incidents)) for year in years],
        "totals": leading_totals(region_totals),
        "totals_count": len(region_totals),
        "charts": timelines(incidents, archive.measures, archive.parties, region),
        "place_map": region_place_map(region, incidents, relative_root(f"regions/{region.slug}/index.html")),
    }


# --- maps of located places (maps.py lays them out and draws them) ------------------------------

def located_places(incident: Incident) -> list[Place]:
    """An incident's places that carry coordinates, each named place once."""
    seen: set[tuple[str, str]] = set()
    found = []
    for place in incident.places:
        if place.lat is not None and place.lon is not None and (place.name, place.region.code) not in seen:
            seen.add((place.name, place.region.code))
            found.append(place)
    return found


def place_label(place: Place) -> str:
    return place.name if place.name == place.region.name else f"{place.name}, {place.region.name}"


def place_link(place: Place, root: str) -> str:
    """Where a place's mark leads: a search for its incidents, the Place filter preset (static/search.js reads
    `place` from the address, as the offline copy's search does). Not a page per place: search already lists a
    place's incidents with every other filter at hand, and pages of their own would be thousands more to build
    and keep under 100 KB at size. A place located only to a district or a region is no settlement of the Place
    filter (model.AREA_PRECISIONS): its mark leads to its region's page."""
    if place.precision in AREA_PRECISIONS:
        return f"{root}regions/{place.region.slug}/"
    # With its region: villages of one name in several regions are one mark each, and so is their search.
    return f"{root}search/?place={quote(place.name, safe='')}&region={quote(place.region.name, safe='')}"


def place_marks(incidents: list[Incident], root: str, region: Region | None = None) -> list[Mark]:
    """One mark per place (name and region) of `incidents`, in `region` when given, counting the incidents that
    name it; placed where most of them locate it (the first such point in the archive's order on a tie), so that a
    mark is always at a point a curator gave, never at an average of two villages of one name."""
    points: dict[tuple[str, str], Counter[tuple[float, float]]] = {}
    first: dict[tuple[str, str], Place] = {}
    for incident in incidents:
        for place in located_places(incident):
            if region is not None and place.region.code != region.code:
                continue
            key = (place.name, place.region.code)
            first.setdefault(key, place)
            assert place.lat is not None and place.lon is not None  # located_places keeps only these
            points.setdefault(key, Counter())[(place.lat, place.lon)] += 1
    marks = []
    for key, counted in points.items():
        (lat, lon), _ = counted.most_common(1)[0]
        marks.append(Mark(place_label(first[key]), lat, lon, sum(counted.values()), place_link(first[key], root)))
    return merged(marks)


def archive_map(incidents: list[Incident], root: str) -> PointMap:
    """The whole archive's places over the outlines of Ukraine's regions and of the regions that hold any place
    (not of every region around them: a place in Leningrad Oblast would bring in all of western Russia)."""
    marks = place_marks(incidents, root)
    focus = sorted(map_codes() | {place.region.code for incident in incidents for place in located_places(incident)})
    # Outlines to within 2 units (1.3 px at the map's widest): 14 KB fewer than maps.TOLERANCE, which the page needs
    # to stay under 100 KB at 100,000 incidents with its 150 places' links and table.
    return point_map("Where the incidents happened: places by number of incidents", marks, focus, tolerance=ARCHIVE_MAP_TOLERANCE,
                     surroundings=False)


def region_place_map(region: Region, incidents: list[Incident], root: str) -> PointMap | None:
    """The located places of a region's incidents that lie in it; None when none of them is located."""
    marks = place_marks(incidents, root, region)
    if not marks:
        return None
    found = None
    for tolerance in REGION_MAP_TOLERANCES:  # the finest outlines that fit the page's share for them (else the coarsest)
        found = point_map(f"Places of the incidents in {region.name}", marks, [region.code], limit=REGION_MAP_MARKS, tolerance=tolerance)
        if sum(len(outline.path) for outline in found.outlines) <= REGION_MAP_OUTLINE_BYTES:
            break
    return found


def incident_map(incident: Incident) -> PointMap | None:
    """An incident's located places over its regions' outlines (only theirs: see archive_map), all alike (no counts);
    None when none is located."""
    marks = [Mark(place_label(place), place.lat, place.lon) for place in located_places(incident)
             if place.lat is not None and place.lon is not None]
    focus = [region.code for region in incident.regions]
    return point_map("Where it happened", marks, focus, radius=MIN_RADIUS * 2.5, tolerance=INCIDENT_MAP_TOLERANCE,
                     surroundings=False) if marks else None


def data_page(archive: Archive) -> Page:
    """The downloads page: rendered every time, as it shows the sizes of the files just written."""
    content_date = max((i.last_changed or i.date for i in archive.incidents), default=None)
    return Page("data/index.html", "data.html", {"incident_count": len(archive.incidents), "content_date": content_date})


def incident_page(archive: Archive, ident: str) -> Page:
    """The page of one incident, found by id."""
    return _incident_page(archive, next(index for index, incident in enumerate(archive.incidents) if incident.id == ident))


def _incident_page(archive: Archive, index: int) -> Page:
    incident = archive.incidents[index]
    shown = archive.incidents[max(index - 1, 0):index + 2]  # the newer and older incidents are linked by title
    return Page(f"incidents/{incident.id}/index.html", "incident.html", partial(_incident_context, archive, index),
                inputs_digest(shown))


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
        "place_map": incident_map(incident),
        "newer": archive.incidents[index - 1] if index > 0 else None,
        "older": archive.incidents[index + 1] if index + 1 < len(archive.incidents) else None,
    }


def relative_root(page_path: str, config: SiteConfig = DEFAULT_CONFIG) -> str:
    """The link prefix from a page back to the site root: `./`, `../`, `../../` ...

    404.html is served in place of any missing address, so relative links would resolve
    against that address: it links from the site's own path instead (`/` when unknown).
    """
    if page_path == "404.html":
        return urlsplit(config.url).path if config.url else "/"
    depth = page_path.count("/")
    return "../" * depth if depth else "./"


def render_page(environment: Environment, page: Page, config: SiteConfig = DEFAULT_CONFIG,
                downloads: dict[str, int] | None = None) -> str:
    template = environment.get_template(page.template)
    context = page.context() if callable(page.context) else page.context
    return template.render(root=relative_root(page.path, config), page_path=page.path, site=config,
                           downloads=downloads or {}, **context)


DOWNLOADS = ("data/incidents.json", "data/incidents.csv", "data/figures.csv", "data/incidents.geojson", "feed.xml", "downloads/archive-offline.zip")


def download_sizes(out_dir: Path) -> dict[str, int]:
    """Sizes of the downloads present in `out_dir`, for the data page."""
    return {path: (out_dir / path).stat().st_size for path in DOWNLOADS if (out_dir / path).is_file()}


def write_page(environment: Environment, page: Page, config: SiteConfig, out_dir: Path, downloads: dict[str, int]) -> None:
    _replace_file(out_dir / page.path, render_page(environment, page, config, downloads).encode())


def _replace_file(target: Path, content: bytes) -> None:
    """Write a new file and rename it over the old one, never into it: the old one may be a hard link
    shared with the published site, and `serve` may be reading it."""
    make_folder_of(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(content)
    temporary.replace(target)


def _write_new_file(target: Path, content: bytes) -> None:
    """Write a file that is not there yet (a page of a new site folder): no temporary file to rename.
    One that is there already is replaced as _replace_file does."""
    make_folder_of(target)
    try:  # (a descriptor, not a file object: 13,000 to 15,000 pages at 10,000 incidents, and a file object costs a fifth more)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except FileExistsError:
        _replace_file(target, content)
        return
    try:
        unwritten = memoryview(content)
        while unwritten:
            unwritten = unwritten[os.write(descriptor, unwritten):]
    finally:
        os.close(descriptor)


def new_incidents(archive: Archive, previous: EarlierBuild, keys: list[str]) -> list[Incident]:
    """The incidents new or changed since the previous build, by their `keys` in the downloads (incident_download_keys):
    their parts of the downloads are made anew, and so are their search records; the others' are copied from
    the last build (their records are made again only when their whole shard of the search index is indexed again)."""
    earlier = set(previous.downloads.get("keys", ()))
    return [incident for incident, key in zip(archive.incidents, keys, strict=True) if key not in earlier]


def incident_download_keys(archive: Archive, previous: EarlierBuild) -> list[str]:
    """Each incident's key in the downloads: it changes whenever the incident's part of them would."""
    return [(previous.key(f"incidents/{incident.id}/", "downloads", _incident_inputs(incident)) or "") if incident.file_hash else ""
            for incident in archive.incidents]


class EarlierBuild(Protocol):
    """What writing the site asks of the last build: incremental.PreviousBuild, which the pipeline hands over."""

    def key(self, page_path: str, template: str, inputs: str | None) -> str | None:
        """What a page is rendered from (None: rendered every time)."""

    def link_unchanged(self, page_path: str, key: str | None, out_dir: Path) -> bool:
        """Link the last build's page into `out_dir` when it was rendered from the same key."""

    def link_same_bytes(self, page_path: str, content: bytes, out_dir: Path) -> bool:
        """Link the last build's page when it has the very same bytes."""

    def built(self, page_path: str) -> bool:
        """Whether the last build wrote this page."""

    @property
    def site_dir(self) -> Path:
        """The last build's site."""

    @property
    def downloads(self) -> dict[str, Any]:
        """What the last build wrote of its downloads: exports.EarlierDownloads' keys, parts and files ({} when unknown)."""


@dataclass(frozen=True)
class WrittenSite:
    page_keys: dict[str, str | None]  # by page path: what each page was rendered from
    pages_changed: int  # pages whose bytes may differ from the previous build's
    downloads: dict  # each incident's key in the downloads ("keys"), where its part is in each ("parts"), each one's size and time ("files")


def write_site(templates_dir: Path, rendering_version: str, archive: Archive, out_dir: Path, static_dir: Path, schema_path: Path,
               previous: EarlierBuild, download_keys: list[str],
               progress: Callable[[int, int], None] = lambda done, total: None) -> WrittenSite:
    """Write every page, the data downloads and feeds, the static files and the incident schema;
    `download_keys`: incident_download_keys(archive, previous), which the build works out first.
    The templates are compiled_environment(templates_dir, rendering_version).

    A page whose key is the same as in the `previous` build, or whose new bytes are the same
    as the previous file's, is hard-linked from the previous site instead of being written.
    The downloads are written by a process of their own meanwhile; pages rendered every time
    (the data page) come last, as they show the downloads' sizes.
    """
    # The downloads need the model only: started first, they are written while the totals are added up.
    # An incident's part of each is copied from the last build's files when the incident is the same.
    earlier_downloads = EarlierDownloads(previous.site_dir, **previous.downloads)
    wait_for_downloads = in_background(lambda: write_downloads(archive, out_dir, download_keys, earlier_downloads), items=len(archive.incidents))
    try:
        environment = compiled_environment(templates_dir, rendering_version)  # (after the fork: the downloads need no templates)
        pages = site_pages(archive)
        keys = {page.path: previous.key(page.path, page.template, page.inputs) for page in pages}
        downloads: dict[str, int] = {}

        def write(page: Page) -> bool:
            """Write one page; True when its bytes may differ from the previous build's."""
            if previous.link_unchanged(page.path, keys[page.path], out_dir):
                return False
            content = render_page(environment, page, archive.config, downloads).encode()
            same = previous.link_same_bytes(page.path, content, out_dir)
            if not same:
                _write_new_file(out_dir / page.path, content)
            # A page the cache forgot (see forget_page_keys) was changed in site/ outside a build: not the previous build's.
            return not same or not previous.built(page.path)

        write_site_index(archive, out_dir, [page.path for page in pages if page.template != "redirect.html"])
        # A page writer copies the parts of the model it reads (reading an object writes its reference count): at
        # 100,000 incidents each grew to 0.8-1.0 GB by its last pages, and fresh ones every 25,000 pages keep them at about
        # half that. A smaller site has one turn: its writers stay small, and four took 5-8% more time at 10,000 incidents.
        to_write = [page for page in pages if page.inputs is not None]
        changed = sum(parallel_map(write, to_write, progress=progress, turns=max(1, len(to_write) // PAGES_PER_WRITER_TURN)))
    finally:
        written_downloads = wait_for_downloads()
    downloads.update(download_sizes(out_dir))
    changed += sum(write(page) for page in pages if page.inputs is None)
    copy_regular_files(static_dir, out_dir / "static", skip={"sw.js"})
    if archive.config.offline_cache:
        shutil.copyfile(static_dir / "sw.js", out_dir / "sw.js")  # at the root, so it may serve every page
    (out_dir / "schema").mkdir(exist_ok=True)
    shutil.copyfile(schema_path, out_dir / "schema" / "incident.json")
    return WrittenSite(keys, changed, {"keys": download_keys, "parts": written_downloads.parts, "files": written_downloads.files})
