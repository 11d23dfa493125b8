"""The archive as plain dataclasses, built from validated incident files and content pages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .config import SiteConfig
from .dates import parse_date, parse_timestamp
from .reference import Measure, Person, Reference, Region, Weapon


@dataclass(frozen=True, slots=True)
class Source:
    key: str
    publisher: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    archive_url: str | None = None
    language: str | None = None
    kind: str | None = None  # news report | official statement | social media post


AREA_PRECISIONS = {"district", "region"}  # a place located only to one of these is an area, not a settlement


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    region: Region
    lat: float | None = None  # WGS 84 decimal degrees; lat, lon and precision are all given or none is
    lon: float | None = None
    precision: str | None = None  # exact | street | settlement | district | region
    located_by: str | None = None  # a source key, the gazetteer entry ("GeoNames 702569"), or who geolocated it


@dataclass(frozen=True, eq=False, slots=True)
class Figure:
    """One claim: a number, what it counts, who claims it, and the sentence that says so.

    Two claims are never the same claim, even with equal fields: identity is equality,
    which also makes figures cheap to hash for the caches in figures.py.
    """

    measure: Measure
    value: int | None  # None when the claim is a range (min, max)
    qualifier: str  # exactly | at least | more than | about | up to
    claimed_by: str  # canonical name when the claimant is in data/people.yaml
    source: Source
    excerpt: str
    region: Region | None = None  # None: the figure is about the whole incident
    subject: str | None = None  # label from data/subjects.yaml, e.g. "Rescuers and emergency workers"
    min: int | None = None
    max: int | None = None
    as_of: dt.datetime | None = None  # when the claim was made; a later claim supersedes
    weapon: Weapon | None = None
    party: str | None = None  # whose claim it is (from data/people.yaml); None when unknown
    claimed_as: str | None = None  # the name as the file gives it, when it differs from claimed_by
    claimant: Person | None = None  # the registry entry, when there is one
    position: int = 0  # order in the file: the tie-breaker for stable output


@dataclass(frozen=True, slots=True)
class Quote:
    speaker: str  # canonical name when the speaker is in data/people.yaml
    text: str
    source: Source
    role: str | None = None
    lang: str | None = None
    translation: str | None = None
    speaker_as_reported: str | None = None  # the source's spelling, when it differs from `speaker`
    person: Person | None = None  # the registry entry, when there is one


@dataclass(frozen=True, slots=True)
class Correction:
    date: dt.date
    change: str
    reason: str
    source: Source | None = None


@dataclass(eq=False, slots=True)  # identity is equality: cheap to hash, see figures.py
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
    assessment: str | None = None  # confirmed | fair | weak | contested (see the methodology page)
    previous_ids: list[str] = field(default_factory=list)  # old ids: each old address redirects here
    last_changed: dt.date | None = None  # date of the last commit that changed the file, when known
    file_hash: str = ""  # SHA-256 of the file's bytes: pages built from it are redone only when it changes


@dataclass(frozen=True, slots=True)
class ContentPage:
    slug: str  # "about" for content/about.md, written to site/about/index.html
    title: str
    body: str  # Markdown


@dataclass
class Archive:
    incidents: list[Incident]  # newest first
    pages: list[ContentPage]
    measures: list[Measure]
    config: SiteConfig = field(default_factory=SiteConfig)
    parties: list[str] = field(default_factory=list)  # the registry's parties in file order: charts colour them first
    # What the model was checked with: the reference data, and the digest of it, the schema and our code
    # (incremental.checking_digest). The next check in the same process (serve's) keeps what has not changed.
    reference: Reference | None = None
    checked_with: str = ""
    # Incidents made anew in place of kept ones since the caches of what is worked out from incidents were
    # emptied: what those caches still hold of the ones replaced. Once they outnumber the model's own, the
    # next check empties the caches and makes every incident anew, so serve's memory stays bounded.
    replaced: int = 0

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


def build_incident(ident: str, path: str, data: dict, reference: Reference, last_changed: str | None = None,
                   file_hash: str = "") -> Incident:
    """An Incident from the data of a file that passed validation."""
    sources = {
        key: Source(key, entry["publisher"], entry.get("title"), entry.get("url"), parse_date(entry.get("published")),
                    entry.get("archive_url"), entry.get("language"), entry.get("kind"))
        for key, entry in data["sources"].items()
    }
    regions = [_region(reference, code) for code in data["regions"]]
    region_of = {region.code: region for region in regions}
    date = _date(data["date"])
    return Incident(
        id=ident,
        path=path,
        title=data["title"],
        date=date,
        summary=data["summary"],
        regions=regions,
        places=[Place(place["name"], region_of[place["region"]], place.get("lat"), place.get("lon"), place.get("precision"), place.get("located_by"))
                for place in data.get("places") or []],
        sources=list(sources.values()),
        figures=[_figure(entry, position, sources, region_of, reference) for position, entry in enumerate(data.get("figures") or [])],
        quotes=[_quote(entry, sources, date, reference) for entry in data.get("quotes") or []],
        corrections=[
            Correction(_date(entry["date"]), entry["change"], entry["reason"], sources.get(entry.get("source", "")))
            for entry in data.get("corrections") or []
        ],
        assessment=data.get("assessment"),
        previous_ids=list(data.get("previous_ids") or []),
        last_changed=parse_date(last_changed),
        file_hash=file_hash,
    )


def _date(text: str | dt.date) -> dt.date:
    """A date the file must have (validation made sure): the incident's, a correction's."""
    return dt.date.fromisoformat(str(text))


def _region(reference: Reference, code: str) -> Region:
    region = reference.region(code)
    if region is None:  # validation refuses an unknown code first
        raise ValueError(f"unknown region {code!r}")
    return region


def _figure(entry: dict, position: int, sources: dict, region_of: dict, reference: Reference) -> Figure:
    person = reference.person(entry["claimed_by"])
    return Figure(
        measure=reference.measures[entry["measure"]],
        value=entry.get("value"),
        qualifier=entry["qualifier"],
        claimed_by=person.name if person else entry["claimed_by"],
        source=sources[entry["source"]],
        excerpt=entry["excerpt"],
        region=region_of.get(entry.get("region")),
        subject=reference.subjects.get(entry.get("subject", "")),  # the schema takes no null
        min=entry.get("min"),
        max=entry.get("max"),
        as_of=parse_timestamp(entry.get("as_of")),
        weapon=reference.weapon(entry["weapon"]) if entry.get("weapon") else None,
        party=person.party if person else None,
        claimed_as=_as_written(entry["claimed_by"], person),
        claimant=person,
        position=position,
    )


def _quote(entry: dict, sources: dict, date: dt.date, reference: Reference) -> Quote:
    person = reference.person(entry["speaker"])
    return Quote(
        speaker=person.name if person else entry["speaker"],
        text=entry["text"],
        source=sources[entry["source"]],
        role=entry.get("role") or (person.role_on(date) if person else None),
        lang=entry.get("lang"),
        translation=entry.get("translation"),
        speaker_as_reported=_as_written(entry["speaker"], person),
        person=person,
    )


def _as_written(name: str, person: Person | None) -> str | None:
    return name if person and name != person.name else None


def build_archive(incidents: list[Incident], pages: list[ContentPage], reference: Reference,
                  config: SiteConfig | None = None, checked_with: str = "", replaced: int = 0) -> Archive:
    ordered = sorted(incidents, key=lambda incident: (incident.date, incident.id), reverse=True)
    measures = sorted(reference.measures.values(), key=lambda measure: measure.order)
    return Archive(ordered, sorted(pages, key=lambda page: page.slug), measures, config or SiteConfig(), reference.party_order(),
                   reference, checked_with, replaced)


def content_page(slug: str, text: str) -> ContentPage:
    """A content page from Markdown; its title is the first `# ` heading, which the page shows apart."""
    lines = text.splitlines()
    heading = next((index for index, line in enumerate(lines) if line.startswith("# ")), None)
    if heading is None:
        return ContentPage(slug, slug.replace("-", " ").capitalize(), text)
    return ContentPage(slug, lines[heading][2:].strip(), "\n".join(lines[:heading] + lines[heading + 1:]).strip() + "\n")
