"""Write the machine-readable outputs: data downloads (JSON, CSV), the Atom feed, sitemap and robots.txt.

Everything here is derived from the model alone and is deterministic: no build time, no
ordering that depends on the machine. Spreadsheet cells that could run as formulas are
neutralised, and XML is written with ElementTree so every text is escaped.
"""

from __future__ import annotations

import contextlib
import csv
import io
import string
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .characters import is_invisible
from .figures import Reading, reconcile
from .geojson import features_text
from .markup import markdown_to_text
from .model import Archive, Figure, Incident
from .reference import Measure

FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FORMULA_SIGNS = frozenset("=+-@\u2212")  # U+2212 MINUS SIGN too: some spreadsheets accept it as "-"
CONTROL_STARTS = ("\t", "\r", "\n")
# First characters (and the empty cell) that no rule of _formula_like matches: the start of most cells.
PLAIN_STARTS = frozenset(string.ascii_letters + string.digits) | {""}



def incident_path(incident: Incident) -> str:
    return f"incidents/{incident.id}/"


def incident_record(incident: Incident, archive: Archive) -> dict:
    """One incident as plain data: everything the page shows, figures and quotes included."""
    return {
        "id": incident.id,
        "url": archive.config.page_url(incident_path(incident)) or incident_path(incident),
        "title": incident.title,
        "date": incident.date.isoformat(),
        "summary_markdown": incident.summary,
        "regions": [{"code": r.code, "name": r.name, "country": r.country} for r in incident.regions],
        "places": [{"name": p.name, "region": p.region.code} for p in incident.places],
        "assessment": incident.assessment,
        "sources": [
            {"key": s.key, "publisher": s.publisher, "title": s.title, "url": s.url,
             "published": s.published.isoformat() if s.published else None,
             "archive_url": s.archive_url, "language": s.language, "kind": s.kind}
            for s in incident.sources
        ],
        "figures": [figure_record(f) for f in incident.figures],
        "readings": [
            {"measure": g.measure.key, "region": g.region.code if g.region else None, "subject": g.subject,
             "weapon": g.weapon.key if g.weapon else None, "party": r.party, "lower": r.lower, "upper": r.upper,
             "approximate": r.approximate, "conflict": r.conflict}
            for g in reconcile(incident.figures) for r in g.readings
        ],
        "quotes": [
            {"speaker": q.speaker, "speaker_as_reported": q.speaker_as_reported, "role": q.role, "text": q.text,
             "lang": q.lang, "translation": q.translation, "source": q.source.key}
            for q in incident.quotes
        ],
        "corrections": [
            {"date": c.date.isoformat(), "change": c.change, "reason": c.reason, "source": c.source.key if c.source else None}
            for c in incident.corrections
        ],
        "previous_ids": incident.previous_ids,
        "last_changed": incident.last_changed.isoformat() if incident.last_changed else None,
    }


def _incident_json(incident: Incident, archive: Archive) -> bytes:
    """data/incidents.json holds one incident a line, without spaces: easy to diff and grep. orjson writes
    it, as UTF-8, in a fifth of the time json's encoder takes (9 against 43 us for an incident of `uniform`)."""
    return orjson.dumps(incident_record(incident, archive))


def figure_record(figure: Figure) -> dict:
    return {
        "measure": figure.measure.key, "value": figure.value, "min": figure.min, "max": figure.max,
        "qualifier": figure.qualifier, "region": figure.region.code if figure.region else None,
        "subject": figure.subject, "weapon": figure.weapon.key if figure.weapon else None,
        "claimed_by": figure.claimed_by, "party": figure.party,
        "as_of": figure.as_of.isoformat() if figure.as_of else None,
        "source": figure.source.key, "excerpt": figure.excerpt,
    }


def safe_cell(value: object) -> str | int | float:
    """A CSV cell a spreadsheet shows as text: one that could be read as a formula gets a leading apostrophe.

    Spreadsheets trim leading blanks before they look for a formula, and not only ASCII spaces, so the
    test skips every leading whitespace or invisible character (str.isspace, and characters.py's rule)
    and looks at the first visible one: = + - @, or a
    compatibility form of one (fullwidth, small, superscript: whatever NFKC turns into one of them), or
    U+2212 MINUS SIGN. A cell starting with a tab, carriage return or line feed is neutralised as well.
    Dashes that are punctuation (en dash, em dash, U+2010 hyphen) are not operators in any spreadsheet,
    so "–5" (en dash) stays as it is. Numbers (int and float) stay numbers; None is an empty cell.
    """
    if type(value) is str and value[:1] in PLAIN_STARTS:
        return value
    if value is None:
        return ""
    if isinstance(value, int | float) and type(value) in (int, float):  # not bool, nor another subclass
        return value
    text = str(value)
    return "'" + text if _formula_like(text) else text


def _formula_like(text: str) -> bool:
    if text[:1] in PLAIN_STARTS:  # a letter or digit first: safe_cell and _safe_rows pass most text on by this test alone
        return False
    if text.startswith(CONTROL_STARTS):
        return True
    for char in text:
        if char.isspace() or is_invisible(char):
            continue
        return char in FORMULA_SIGNS or unicodedata.normalize("NFKC", char) in FORMULA_SIGNS
    return False


def _csv_bytes(rows: Iterable[list]) -> bytes:
    """CSV rows in UTF-8, each cell through safe_cell, each line ended by CR LF (RFC 4180)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(_safe_rows(rows))
    return out.getvalue().encode()


def _safe_rows(rows: Iterable[list]) -> Iterator[list]:
    """Each row with safe_cell applied to every cell. The commonest cells (text starting with an ASCII letter
    or digit, ints) pass the test inline, without a call: a call per cell was half of figures.csv's writing time."""
    plain_starts = PLAIN_STARTS
    for row in rows:
        yield [cell if (type(cell) is str and cell[:1] in plain_starts) or type(cell) is int else safe_cell(cell)
               for cell in row]


def _incidents_header(archive: Archive) -> list[str]:
    """data/incidents.csv: one row per incident with each measure's reconciled readings."""
    header = ["id", "date", "title", "regions", "region_names", "url", "assessment"]
    for measure in archive.measures:
        header += [f"{measure.key}_lower", f"{measure.key}_upper", f"{measure.key}_readings"]
    return header


def _incident_row(incident: Incident, archive: Archive) -> list:
    # incident-wide groups, the first of each measure (as a scan of the sorted groups would find it)
    readings_of: dict[Measure, list[Reading]] = {}
    for g in reconcile(incident.figures):
        if g.region is None and g.subject is None and g.weapon is None:
            readings_of.setdefault(g.measure, g.readings)
    row: list[str | int | None] = [incident.id, incident.date.isoformat(), incident.title, ";".join(r.code for r in incident.regions),
           ";".join(r.name for r in incident.regions), archive.config.page_url(incident_path(incident)) or incident_path(incident),
           incident.assessment]
    for measure in archive.measures:
        readings = readings_of.get(measure, [])
        single = readings[0] if len(readings) == 1 else None
        row += [single.lower if single else "", single.upper if single and single.upper is not None else "",
                "; ".join(f"{r.text} ({r.party}){' conflicting' if r.conflict else ''}" for r in readings)]
    return row


# data/figures.csv: one row per claim, with its source's URL and the excerpt that supports it.
FIGURES_HEADER = ["incident_id", "incident_date", "measure", "value", "min", "max", "qualifier", "region", "subject", "weapon",
                  "claimed_by", "party", "as_of", "source_publisher", "source_title", "source_url", "excerpt"]


def _figure_rows(incident: Incident) -> list[list]:
    return [[incident.id, incident.date.isoformat(), f.measure.key, f.value, f.min, f.max, f.qualifier,
             f.region.code if f.region else "", f.subject, f.weapon.key if f.weapon else "", f.claimed_by, f.party,
             f.as_of.isoformat() if f.as_of else "", f.source.publisher, f.source.title, f.source.url, f.excerpt]
            for f in incident.figures]


def atom_feed(archive: Archive) -> bytes:
    """The newest incidents as an Atom feed; links are absolute when the site's URL is configured."""
    ET.register_namespace("", ATOM)
    config = archive.config
    feed = ET.Element(f"{{{ATOM}}}feed")
    newest = archive.incidents[:FEED_SIZE]
    _text(feed, "title", config.title)
    _text(feed, "id", config.page_url("") or "urn:incident-archive:feed")
    _text(feed, "updated", max((_updated(i) for i in newest), default="1970-01-01T00:00:00Z"))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=config.page_url("feed.xml") or "feed.xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=config.page_url("") or "./")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", config.title)
    for incident in newest:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", incident.title)
        _text(entry, "id", config.page_url(incident_path(incident)) or f"urn:incident-archive:{incident.id}")
        _text(entry, "updated", _updated(incident))
        _text(entry, "published", f"{incident.date.isoformat()}T00:00:00Z")
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=config.page_url(incident_path(incident)) or incident_path(incident))
        for region in incident.regions:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=region.code, label=region.name)
        _text(entry, "summary", markdown_to_text(incident.summary))
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def _updated(incident: Incident) -> str:
    return f"{(incident.last_changed or incident.date).isoformat()}T00:00:00Z"


def _text(parent: ET.Element, tag: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{tag}").text = text


SITEMAP_URLS = 50_000  # the sitemap protocol's most addresses in one file


def sitemap(archive: Archive, page_paths: list[str]) -> dict[str, bytes]:
    """sitemap.xml for the HTML pages, by path; over SITEMAP_URLS pages, an index of sitemaps/sitemap-N.xml.
    Nothing without a configured site URL (sitemaps need absolute URLs)."""
    if not archive.config.url:
        return {}
    ET.register_namespace("", SITEMAP)
    chunks = [page_paths[start:start + SITEMAP_URLS] for start in range(0, len(page_paths), SITEMAP_URLS)] or [[]]
    if len(chunks) == 1:
        return {"sitemap.xml": _sitemap_file("urlset", "url", [path.removesuffix("index.html") for path in chunks[0]], archive)}
    files = {f"sitemaps/sitemap-{number}.xml": _sitemap_file("urlset", "url", [path.removesuffix("index.html") for path in chunk], archive)
             for number, chunk in enumerate(chunks, start=1)}
    return {"sitemap.xml": _sitemap_file("sitemapindex", "sitemap", list(files), archive), **files}


def _sitemap_file(root: str, entry: str, paths: list[str], archive: Archive) -> bytes:
    element = ET.Element(f"{{{SITEMAP}}}{root}")
    for path in paths:
        ET.SubElement(ET.SubElement(element, f"{{{SITEMAP}}}{entry}"), f"{{{SITEMAP}}}loc").text = archive.config.page_url(path)
    xml: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def robots_txt(archive: Archive) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if archive.config.url:
        lines.append(f"Sitemap: {archive.config.page_url('sitemap.xml')}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Layout:
    """How a download is put together from its incidents' parts: its head, then the parts with `between`
    between them (`first` before the first), then its tail (`empty` when no incident has a part)."""

    head: bytes
    first: bytes = b""
    between: bytes = b""
    tail: bytes = b""
    empty: bytes = b""


JSON_ARRAY = Layout(b"[", b"\n", b",\n", b"\n]\n", b"]\n")
FEATURE_COLLECTION = Layout(b'{"type":"FeatureCollection","features":[', b"\n", b",\n", b"\n]}\n", b"]}\n")


@dataclass(frozen=True)
class EarlierDownloads:
    """The last build's downloads (in `site_dir`), with each incident's key and the place of its part in
    each file: a build copies an incident's part whose key is the same instead of making it again."""

    site_dir: Path | None = None
    keys: list[str] = field(default_factory=list)
    parts: dict[str, list[int]] = field(default_factory=dict)  # by download path: start and end of each incident's part, by turns
    files: dict[str, list[int]] = field(default_factory=dict)  # by download path: its size and modification time (ns) when written

    def places(self, path: str) -> tuple[Path, dict[str, tuple[int, int]]] | None:
        """The earlier file and where each incident's part is in it; None unless the file is the one the places were taken in."""
        spans = self.parts.get(path)
        if self.site_dir is None or spans is None or len(spans) != 2 * len(self.keys):
            return None
        earlier = self.site_dir / path
        try:
            if _file_stamp(earlier) != self.files.get(path):
                return None
        except OSError:
            return None
        return earlier, {key: (spans[2 * number], spans[2 * number + 1]) for number, key in enumerate(self.keys)}


def _file_stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


@dataclass(frozen=True)
class WrittenDownloads:
    """What write_downloads wrote: the files, where each incident's part is in each, and each one's size and time."""

    paths: list[str]
    parts: dict[str, list[int]]  # by download path: start and end of each incident's part (see EarlierDownloads)
    files: dict[str, list[int]]


def write_downloads(archive: Archive, out_dir: Path, keys: list[str] | None = None, earlier: EarlierDownloads | None = None) -> WrittenDownloads:
    """Write the data downloads and the feed into `out_dir`, each streamed to its file.

    With `keys` (one for each incident, which changes whenever its part of a download would), an
    incident's part of each download whose key `earlier` has is copied from the last build's file
    (unless the file's head changed: other columns). They need the incidents only, not the list
    of pages (see write_site_index)."""
    keys = keys or [""] * len(archive.incidents)  # (an empty key is never taken from the earlier files)
    earlier = earlier or EarlierDownloads()
    incidents = archive.incidents
    downloads = {
        "data/incidents.json": (JSON_ARRAY, lambda number: _incident_json(incidents[number], archive)),
        "data/incidents.csv": (Layout(_csv_bytes([_incidents_header(archive)])), lambda number: _csv_bytes([_incident_row(incidents[number], archive)])),
        "data/figures.csv": (Layout(_csv_bytes([FIGURES_HEADER])), lambda number: _csv_bytes(_figure_rows(incidents[number]))),
        "data/incidents.geojson": (FEATURE_COLLECTION, lambda number: features_text(incidents[number], archive).encode()),
    }
    parts = {path: _write_in_parts(out_dir / path, layout, part, keys, earlier.places(path)) for path, (layout, part) in downloads.items()}
    paths = [*downloads, *_write_files(out_dir, {"feed.xml": atom_feed(archive)})]
    return WrittenDownloads(paths, parts, {path: _file_stamp(out_dir / path) for path in downloads})


def _write_in_parts(target: Path, layout: Layout, part: Callable[[int], bytes], keys: list[str],
                    earlier: tuple[Path, dict[str, tuple[int, int]]] | None) -> list[int]:
    """Write one download, each incident's part copied from the earlier file when its key is there
    (and its head is the same); where each part went. Neither file is ever held whole."""
    earlier_file, earlier_places = earlier or (None, {})
    target.parent.mkdir(parents=True, exist_ok=True)
    places: list[int] = []
    with target.open("wb") as out, (earlier_file.open("rb") if earlier_file else contextlib.nullcontext()) as source:
        if source is not None and source.read(len(layout.head)) != layout.head:
            earlier_places = {}
        at = out.write(layout.head)  # where the next byte goes (counted here: asking the file is a system call, 80,000 of them at 10,000 incidents)
        written = False
        for number, key in enumerate(keys):
            span = earlier_places.get(key) if key else None
            if span and source is not None:
                source.seek(span[0])
                content = source.read(span[1] - span[0])
            else:
                content = part(number)
            if content:
                at += out.write(layout.between if written else layout.first)
                written = True
            start = at
            at += out.write(content)
            places += [start, at]
        out.write(layout.tail if written else layout.empty)
    return places


def write_site_index(archive: Archive, out_dir: Path, page_paths: list[str]) -> list[str]:
    """sitemap.xml (with a site URL; with the sitemaps it lists, for a large site) and robots.txt."""
    return _write_files(out_dir, {
        **sitemap(archive, [path for path in page_paths if path != "404.html"]),
        "robots.txt": robots_txt(archive),
    })


def _write_files(out_dir: Path, writers: dict[str, Callable | bytes | str | None]) -> list[str]:
    written = []
    for relative, content in writers.items():
        if content is None:
            continue
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            with target.open("w", encoding="utf-8", newline="") as out:
                out.write(content) if isinstance(content, str) else content(out)
        written.append(relative)
    return written
