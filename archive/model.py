"""The archive as plain dataclasses, built from validated incident files and content pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .reference import Measure, Reference, Region


@dataclass(frozen=True)
class Source:
    key: str
    publisher: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True)
class Place:
    name: str
    region: Region


@dataclass(frozen=True)
class Figure:
    measure: Measure
    value: int
    qualifier: str  # exactly | at least | more than | about | up to
    claimed_by: str
    source: Source
    excerpt: str
    region: Region | None = None  # None: the figure is about the whole incident
    subject: str | None = None  # label from data/subjects.yaml, e.g. "Rescuers and emergency workers"


@dataclass(frozen=True)
class Quote:
    speaker: str
    text: str
    source: Source
    role: str | None = None


@dataclass(frozen=True)
class Correction:
    date: dt.date
    change: str
    reason: str
    source: Source | None = None


@dataclass
class Incident:
    id: str
    path: str  # repository-relative path of the YAML file
    title: str
    date: dt.date
    summary: str  # Markdown
    regions: list[Region]
    places: list[Place] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    def figures_by_measure(self) -> list[tuple[Measure, list[Figure]]]:
        return group_figures(self.figures)

    def figures_for_region(self, region: Region) -> list[Figure]:
        """Figures about `region`; an incident-wide figure counts only when the incident has no other region."""
        only_region = len(self.regions) == 1
        return [f for f in self.figures if f.region == region or (f.region is None and only_region)]


@dataclass(frozen=True)
class ContentPage:
    slug: str  # "about" for content/about.md, written to site/about/index.html
    title: str
    body: str  # Markdown


@dataclass
class Archive:
    incidents: list[Incident]  # newest first
    pages: list[ContentPage]
    measures: list[Measure]

    def regions(self) -> list[Region]:
        """Every region with at least one incident, by country then name."""
        seen = {region.code: region for incident in self.incidents for region in incident.regions}
        return sorted(seen.values(), key=lambda region: (region.country, region.name))

    def incidents_by_region(self) -> dict[str, list[Incident]]:
        grouped: dict[str, list[Incident]] = defaultdict(list)
        for incident in self.incidents:
            for region in incident.regions:
                grouped[region.code].append(incident)
        return grouped

    def incidents_by_month(self) -> list[tuple[dt.date, list[Incident]]]:
        grouped: dict[dt.date, list[Incident]] = defaultdict(list)
        for incident in self.incidents:
            grouped[incident.date.replace(day=1)].append(incident)
        return sorted(grouped.items(), reverse=True)


def group_figures(figures: list[Figure]) -> list[tuple[Measure, list[Figure]]]:
    """Figures grouped by measure, in vocabulary order; claims keep their file order."""
    grouped: dict[Measure, list[Figure]] = defaultdict(list)
    for figure in figures:
        grouped[figure.measure].append(figure)
    return sorted(grouped.items(), key=lambda item: item[0].order)


def build_incident(ident: str, path: str, data: dict, reference: Reference) -> Incident:
    """An Incident from the data of a file that passed validation."""
    sources = {
        key: Source(key, entry["publisher"], entry.get("title"), entry.get("url"), _date(entry.get("published")))
        for key, entry in data["sources"].items()
    }
    regions = [reference.region(code) for code in data["regions"]]
    region_of = {region.code: region for region in regions}
    return Incident(
        id=ident,
        path=path,
        title=data["title"],
        date=_date(data["date"]),
        summary=data["summary"],
        regions=regions,
        places=[Place(place["name"], region_of[place["region"]]) for place in data.get("places") or []],
        sources=list(sources.values()),
        figures=[
            Figure(
                measure=reference.measures[entry["measure"]],
                value=entry["value"],
                qualifier=entry["qualifier"],
                claimed_by=entry["claimed_by"],
                source=sources[entry["source"]],
                excerpt=entry["excerpt"],
                region=region_of.get(entry.get("region")),
                subject=reference.subjects.get(entry.get("subject")),
            )
            for entry in data.get("figures") or []
        ],
        quotes=[
            Quote(entry["speaker"], entry["text"], sources[entry["source"]], entry.get("role"))
            for entry in data.get("quotes") or []
        ],
        corrections=[
            Correction(_date(entry["date"]), entry["change"], entry["reason"], sources.get(entry.get("source")))
            for entry in data.get("corrections") or []
        ],
    )


def build_archive(incidents: list[Incident], pages: list[ContentPage], reference: Reference) -> Archive:
    ordered = sorted(incidents, key=lambda incident: (incident.date, incident.id), reverse=True)
    measures = sorted(reference.measures.values(), key=lambda measure: measure.order)
    return Archive(ordered, sorted(pages, key=lambda page: page.slug), measures)


def content_page(slug: str, body: str) -> ContentPage:
    """A content page from Markdown; its title is the first `# ` heading, which the body keeps."""
    title = next((line[2:].strip() for line in body.splitlines() if line.startswith("# ")), slug.title())
    return ContentPage(slug, title, body)


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
