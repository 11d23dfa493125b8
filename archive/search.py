"""Index the archive for search, from the model: each incident's own text, never page scaffolding.

Search is fed records built from the archive model (`search_records`), not HTML read back from
disk: an incident's record holds its title, summary, quotes and their speakers, the excerpts of its
figures and who claimed them, places, regions and their other spellings, weapons and publishers;
nothing of its page's headings, navigation or placeholders. With each result the search page shows
the record's details (date, regions, key readings) as text, and counts its filter values.

The details are searched too: a word of a result's date, regions or readings finds it ("Kyiv 2022",
"killed June"). Dates typed as dates (2022-03-16, March 2022) are not searched as words: the
search page turns them into the hidden `date` filter.

The index is the archive's own (archive/search_index.py writes its files, static/search-engine.js
reads them), split in shards, runs of months, so that an edit writes its shard alone; the others
are the last build's. Two builds of the same archive write the same index, byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .dates import long_date
from .figures import readings_text
from .files import UnsafeFile, link_regular_file, read_regular_file
from .markup import markdown_to_text
from .model import AREA_PRECISIONS, Archive, ContentPage, Incident
from .parallel import parallel_map
from .search_index import INDEX, SHARDS_DIR, SearchDocument, filter_files, index_file, script_data, shard_file_names, shard_files

if TYPE_CHECKING:
    from .reference import Region

# A record's filters (incident_filters) are those both search pages show (static/search-common.js FILTER_NAMES), and two
# never shown: `date`, the incident's ISO date, which a date typed in the search box selects, and `kind` (of regions:
# "region"), with which the search pages put the regions a search names first. `place` holds settlement names: the
# incident's places, less those located only to a district or a region (their names are areas, which the region
# filter already covers, not settlements).
CONTEXT_CHARS = 1200  # of a record's text, kept for its result's snippet
DETAILS = ("date", "regions", "readings")  # the record's metadata its result shows, in this order


# --- what is searched -----------------------------------------------------------------------

@dataclass(frozen=True)
class SearchRecord:
    """One search result: an incident, a region or a content page."""

    url: str  # relative to the site root, ending in "/": incidents/<id>/
    kind: str  # incident | region | page
    title: str
    date: str  # ISO date of an incident (of a region: its latest incident's); "" for pages
    content: str  # the record's own text: searched, and the result's snippet is cut from it
    meta: dict[str, str]  # title, and what the result shows (and is searched as its text is): date, regions, readings
    filters: dict[str, list[str]] = field(default_factory=dict)  # only filters that have values


def search_records(archive: Archive) -> list[SearchRecord]:
    """What search finds, in a stable order: incidents (newest first), regions, content pages. The incidents'
    records are made on every core (parallel_map: in this process for a small archive)."""
    by_region = archive.incidents_by_region()
    return (parallel_map(incident_record, archive.incidents)
            + [region_record(region, by_region[region.code]) for region in archive.regions()]
            + [page_record(page) for page in archive.pages])


def incident_record(incident: Incident, filters: dict[str, list[str]] | None = None) -> SearchRecord:
    """`filters`: incident_filters(incident), when worked out already."""
    meta = {"title": incident.title, "date": long_date(incident.date),
            "regions": ", ".join(region.name for region in incident.regions)}
    readings = readings_text(incident)
    if readings:
        meta["readings"] = readings
    return SearchRecord(f"incidents/{incident.id}/", "incident", incident.title, incident.date.isoformat(),
                        incident_text(incident), meta, incident_filters(incident) if filters is None else filters)


def incident_filters(incident: Incident) -> dict[str, list[str]]:
    filters = {
        "region": _unique(region.name for region in incident.regions),
        "place": _unique(place.name for place in incident.places if place.precision not in AREA_PRECISIONS),
        "year": [str(incident.date.year)],
        "date": [incident.date.isoformat()],
        "measure": _unique(figure.measure.label for figure in incident.figures),
        "claimant": _unique(figure.claimed_by for figure in incident.figures),
        "weapon": _unique(figure.weapon.key for figure in incident.figures if figure.weapon),
    }
    return {name: values for name, values in filters.items() if values}


def incident_text(incident: Incident) -> str:
    """The incident's own words, as sentences a snippet can be cut from: summary, quotes, the
    excerpts behind its figures, then the names it is found by (places, regions with their other
    spellings, weapons, other spellings of the people in it, publishers). Its title is searched as
    the result's title, so it is not repeated here."""
    parts = [markdown_to_text(incident.summary)]
    for quote in incident.quotes:
        speaker = ", ".join(part for part in (quote.speaker, quote.role) if part)
        parts.append(f"{speaker}: \u201c{quote.text}\u201d" + (f" ({quote.translation})" if quote.translation else ""))
    seen = set()
    for figure in incident.figures:
        if (figure.claimed_by, figure.excerpt) not in seen:
            seen.add((figure.claimed_by, figure.excerpt))
            parts.append(f"{figure.claimed_by}: \u201c{figure.excerpt}\u201d")
    names = [place.name for place in incident.places]
    names += [_with_aliases(region.name, region.aliases) for region in incident.regions]
    weapons = {figure.weapon.key: figure.weapon for figure in incident.figures if figure.weapon}
    names += [_with_aliases(weapon.key, (weapon.type, *weapon.aliases)) for weapon in weapons.values()]
    people = [(quote.speaker, quote.speaker_as_reported, quote.person) for quote in incident.quotes]
    people += [(figure.claimed_by, figure.claimed_as, figure.claimant) for figure in incident.figures]
    names += [spelling for name, as_written, person in people
              for spelling in (as_written, *(person.aliases if person else ())) if spelling and spelling != name]
    names += [source.publisher for source in incident.sources]
    return " ".join(part for part in [*parts, ", ".join(_unique(names)) + "."] if part.strip(" ."))


def region_record(region: Region, incidents: list[Incident]) -> SearchRecord:
    """A region is found by its names (the title, and its other spellings) and its code, not by its
    incidents' words, which have their own results: so it does not match every search. Its hidden
    `kind` filter lets the search page put the regions a search names first."""
    content = " \u00b7 ".join(part for part in (", ".join(region.aliases), region.code) if part)
    return SearchRecord(f"regions/{region.slug}/", "region", region.name, incidents[0].date.isoformat(), content,
                        {"title": region.name}, {"kind": ["region"]})


def page_record(page: ContentPage) -> SearchRecord:
    return SearchRecord(f"{page.slug}/", "page", page.title, "", markdown_to_text(page.body), {"title": page.title})


def _with_aliases(name: str, aliases: Sequence[str]) -> str:
    return f"{name} ({', '.join(aliases)})" if aliases else name


def _unique(values: Iterable[str | None]) -> list[str]:
    """Values in their first order, without repeats (ignoring case)."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


# --- writing the index ------------------------------------------------------------------------

# A year is one shard, or the fewest equal runs of its months that hold at most SHARD_RECORDS records
# each (halves, quarters ... months), so shards stay the same as a year grows until it crosses a limit.
# Fewer shards make a lighter first search (it loads a words file from each); smaller ones a quicker
# re-index. Content pages are a shard of their own, last. Each shard is named by its first month (or
# "pages") and a digest of its records, so a shard whose records are unchanged is the last build's,
# linked, and a changed one gets a new address (no stale copy in a browser's cache).
SHARD_RECORDS = 3000
MONTH_RUNS = (1, 2, 3, 4, 6, 12)  # ways to split a year into equal runs of months
PAGES_SHARD = "pages"


@dataclass(frozen=True)
class Entry:
    """A record to index, made only when its shard is indexed again: its date, its filters and a key that
    changes whenever the record would."""
    date: str
    key: str
    filters: dict[str, list[str]]
    make: Callable[[], SearchRecord]


@dataclass(frozen=True)
class Shard:
    name: str  # "2024-07-1a2b3c4d5e": its first month and a digest of its entries' keys
    entries: list[Entry]  # newest first


def entries_of(archive: Archive, version: str | None) -> list[Entry]:
    """The archive's records, in search_records' order. With `version` (a digest of the code and
    reference data the records are made with), an incident's key is its file's hash: only the
    incidents of shards indexed again are turned into records. Without it, every record is made
    and is its own key."""
    if version is None:
        return [entry_of(record) for record in search_records(archive)]
    by_region = archive.incidents_by_region()
    return ([_incident_entry(incident, version) if incident.file_hash else entry_of(incident_record(incident)) for incident in archive.incidents]
            + [entry_of(region_record(region, by_region[region.code])) for region in archive.regions()]
            + [entry_of(page_record(page)) for page in archive.pages])


@functools.lru_cache(maxsize=250_000)  # serve keeps the unchanged incidents from one build to the next
def _incident_entry(incident: Incident, version: str) -> Entry:
    filters = incident_filters(incident)
    return Entry(incident.date.isoformat(), f"{version}|{incident.id}|{incident.file_hash}", filters,
                 functools.partial(incident_record, incident, filters))


def forget_entries() -> None:
    """Empty the cache above; a new model (in `serve`, after the reference data changed) is of new objects."""
    _incident_entry.cache_clear()


def entry_of(record: SearchRecord) -> Entry:
    key = json.dumps([record.url, record.kind, record.title, record.date, record.content, record.meta, record.filters],
                     ensure_ascii=False, sort_keys=True)
    return Entry(record.date, key, record.filters, lambda: record)


def split_in_shards(entries: list[Entry], version: str = "") -> list[Shard]:
    """The shards, newest first, each's entries newest first (a stable sort: a day's entries keep the
    archive's order), the content pages last. An incident's shard is by its date, a region's by its
    latest incident's. Each is named by its first month and a digest of its entries' keys and `version` (of the code
    that writes its files: a shard of content pages, whose keys are their records, changes name with it too)."""
    by_year: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.date:
            by_year.setdefault(entry.date[:4], []).append(entry)
    runs: dict[str, list[Entry]] = {}
    for year, in_year in by_year.items():
        months = [int(entry.date[5:7]) for entry in in_year]
        length = 12 // next((parts for parts in MONTH_RUNS if _largest_run(months, 12 // parts) <= SHARD_RECORDS), 12)
        for entry, month in zip(in_year, months, strict=True):
            runs.setdefault(f"{year}-{(month - 1) // length * length + 1:02d}", []).append(entry)
    in_order = [(start, sorted(run, key=lambda entry: entry.date, reverse=True)) for start, run in sorted(runs.items(), reverse=True)]
    pages = [entry for entry in entries if not entry.date]
    return [Shard(f"{start}-{_digest([version, *(entry.key for entry in run)])}", run) for start, run in [*in_order, (PAGES_SHARD, pages)] if run]


def _largest_run(months: list[int], length: int) -> int:
    counts: dict[int, int] = {}
    for month in months:
        counts[(month - 1) // length] = counts.get((month - 1) // length, 0) + 1
    return max(counts.values())


def _digest(keys: list[str]) -> str:
    described = json.dumps(keys)  # (ASCII: any text, lone surrogates too)
    return hashlib.sha256(described.encode()).hexdigest()[:10]


def search_document(record: SearchRecord) -> SearchDocument:
    """What the index holds of a record: its details are searched as its text is."""
    details = [record.meta.get(name, "") for name in DETAILS]
    return SearchDocument(url=record.url, title=record.title, kind=record.kind, date=record.date,
                          text=" ".join([record.content, *details]), context=_context(record.content), details=details)


def _context(text: str) -> str:
    return text if len(text) <= CONTEXT_CHARS else text[:CONTEXT_CHARS].rsplit(" ", 1)[0] + "\u2026"


def index_files(entries: list[Entry], version: str = "",
                linked: Callable[[Shard], list[str] | None] = lambda shard: None) -> Iterator[dict[str, str]]:
    """The files of the index of `entries` (entries_of, or entry_of each record), by path below search-index/: a
    shard's at a time, then the filters' and index.js (which every index has anew). A shard that `linked(shard)` takes
    from elsewhere, giving its words files' first words, has none."""
    shards = split_in_shards(entries, version)
    listed = []
    for shard in shards:
        first_words = linked(shard)
        if first_words is None:
            files, first_words = shard_files(shard.name, [search_document(entry.make()) for entry in shard.entries])
            yield files
        listed.append((shard.name, len(shard.entries), first_words))
    files, filters = filter_files([entry.filters for shard in shards for entry in shard.entries])
    yield {**files, INDEX: index_file(listed, filters)}


def write_index(entries: list[Entry], output_dir: Path, previous: Path | None = None, version: str = "") -> None:
    """Write the index of `entries` into `output_dir` (a site's search-index/). Shards the index in `previous` (the
    last build's, which the caller trusts, written by the code of `version`) holds under the same names are linked
    from there instead of being written again."""
    earlier = _shards_listed(previous) if previous else {}

    def linked(shard: Shard) -> list[str] | None:
        kept = earlier.get(shard.name)
        if previous and kept and kept[0] == len(shard.entries) and _link_shard(previous, output_dir, shard.name, *kept):
            return kept[1]
        return None

    for files in index_files(entries, version, linked):
        _write(output_dir, files)


def _link_shard(previous: Path, output_dir: Path, name: str, documents: int, first_words: list[str]) -> bool:
    """Link the files of shard `name` of the last index (in `previous`) into the new one: False, with nothing linked,
    when one of them, or a folder on the way, is not what a build writes there (a link, a FIFO, missing): the shard is
    then written anew. Nothing else lying in its folder is published."""
    shard = previous / SHARDS_DIR / name
    if any(folder.is_symlink() or not folder.is_dir() for folder in (shard.parent, shard, shard / "docs", shard / "words")):
        return False
    names = shard_file_names(name, documents, len(first_words))
    if all(link_regular_file(previous / path, output_dir / path) for path in names):
        return True
    shutil.rmtree(output_dir / SHARDS_DIR / name, ignore_errors=True)
    return False


def _write(output_dir: Path, files: dict[str, str]) -> None:
    made: set[Path] = set()
    for name, text in files.items():
        path = output_dir / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_text(text, encoding="ascii")


def _shards_listed(index: Path) -> dict[str, tuple[int, list[str]]]:
    """The shards an earlier index.js lists, by name: how many documents each holds and its words files' first words;
    {} when it is missing or not as this code writes it (then every shard is written)."""
    try:
        _kind, _key, data = script_data(read_regular_file(index / INDEX, INDEX).decode("ascii"))
        shards = data["shards"]  # type: ignore[index]
        return {name: (count, first_words) for name, count, first_words in shards
                if isinstance(name, str) and type(count) is int and isinstance(first_words, list) and all(isinstance(word, str) for word in first_words)}
    except (UnsafeFile, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return {}
