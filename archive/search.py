"""Index the archive for search with Pagefind, from the model: each incident's own text, never page scaffolding.

Search is fed records built from the archive model (`search_records`), not HTML read back from
disk: an incident's record holds its title, summary, quotes and their speakers, the excerpts of its
figures and who claimed them, places, regions and their other spellings, weapons and publishers;
nothing of its page's headings, navigation or placeholders. With each result Pagefind returns the
record's metadata (date, regions, key readings), which static/search.js shows as text, and its
filter values. Records go to Pagefind's own indexer, the pinned pagefind-bin binary, through its
service mode (`pagefind --service`, the protocol the `pagefind` Python package speaks; that
package waits 0.1 s for every reply, 200 s for 2,000 incidents, and stops the service as soon as
it has asked for the files to be written, before they are, so `PagefindService` here speaks it
itself and writes the files Pagefind hands over: see index_records). Only the binary is needed:
no network, no other package.

Pagefind indexes metadata too: a word of a result's date, regions or readings finds it ("Kyiv 2022",
"killed June"), at a lower weight than the title. Dates typed as dates (2022-03-16, March 2022)
never reach Pagefind as words: search.js turns them into the hidden `date` filter.

Two builds of the same archive give the same index, byte for byte. Records are added in a set
order, oldest first (Pagefind numbers pages in the order it receives them: see split_in_shards), but Pagefind 1.5.2
collects each filter's values, and the filters, in hash maps whose order is seeded at random in
every run, and writes them in that order: `make_reproducible` sorts them afterwards (later
Pagefind releases sort them too) and renames the files with Pagefind's own content hashing.
A shard indexed in part after an edit (`_index_in_part`) holds that same index: the same files
under the same names, each the same once decompressed (the files it rewrites are gzip'd by
Python, not by Pagefind).

"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pagefind_bin

from .dates import long_date
from .figures import readings_text
from .files import UnsafeFile, link_regular_files, read_regular_file
from .markup import markdown_to_text
from .model import AREA_PRECISIONS, Archive, ContentPage, Incident
from .pagefind_files import (
    Bundle,
    UnexpectedIndex,
    put_in_order,
    read_bundle,
    write_pages,
)
from .parallel import parallel_map

if TYPE_CHECKING:
    from .reference import Region

LANGUAGE = "en"
UNDATED = "0000-00-00"  # the sort date of content pages: before every incident when oldest come first
# The filters both search pages show (static/search-common.js), in this order, with these names. Two more are
# never shown: `date`, the incident's ISO date, which a date typed in the search box selects, and
# `kind` (of regions: "region"), with which the search page puts the regions a search names first.
# `place` holds settlement names: the incident's places, less those located only to a district or a
# region (their names are areas, which the region filter already covers, not settlements).
FILTERS = {"region": "Region", "place": "Place", "year": "Year", "measure": "Measure", "claimant": "Claimant", "weapon": "Weapon"}


class SearchIndexError(RuntimeError):
    pass


# --- what is searched -----------------------------------------------------------------------

@dataclass(frozen=True)
class SearchRecord:
    """One search result: an incident, a region or a content page."""

    url: str  # relative to the site root, ending in "/": incidents/<id>/
    kind: str  # incident | region | page
    title: str
    date: str  # ISO date of an incident (of a region: its latest incident's); "" for pages
    content: str  # the record's own text: searched, and the result's snippet is cut from it
    meta: dict[str, str]  # shown with the result (and searched, at a lower weight): title, date, regions, readings
    filters: dict[str, list[str]] = field(default_factory=dict)  # only filters that have values


def search_records(archive: Archive) -> list[SearchRecord]:
    """What search finds, in a stable order: incidents (newest first), regions, content pages. The incidents'
    records are made on every core (parallel_map: in this process for a small archive)."""
    by_region = archive.incidents_by_region()
    return (parallel_map(incident_record, archive.incidents)
            + [region_record(region, by_region[region.code]) for region in archive.regions()]
            + [page_record(page) for page in archive.pages])


def incident_record(incident: Incident) -> SearchRecord:
    meta = {"title": incident.title, "date": long_date(incident.date),
            "regions": ", ".join(region.name for region in incident.regions)}
    readings = readings_text(incident)
    if readings:
        meta["readings"] = readings
    return SearchRecord(f"incidents/{incident.id}/", "incident", incident.title, incident.date.isoformat(),
                        incident_text(incident), meta, incident_filters(incident))


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

# The index is split in shards, each a run of months, that the search page merges with Pagefind's
# mergeIndex: an edit re-indexes its shard alone, and no Pagefind process ever holds more than a
# shard of the archive (Pagefind needs about 150 KB of memory per record). A year is one shard,
# or the fewest equal runs of its months that hold at most SHARD_RECORDS records each (halves,
# quarters ... months), so shards stay the same as a year grows until it crosses a limit. Fewer
# shards make a lighter first search (each shard sends its own part of the word index, about
# 20 KB); smaller ones a quicker re-index: bench/shard_sizes.py measures the trade.
# Content pages form the primary bundle, pagefind/ itself, which also holds Pagefind's scripts.
# Each shard is a bundle below pagefind/shards/, named by its first month and a digest of its
# records, so a shard whose records are unchanged is the previous build's, linked, and a changed
# one gets a new address (no stale copy in a browser's cache). A changed shard is indexed in part
# when the cache knows the keys of its last version: Pagefind indexes only its new and changed
# records, and pagefind_files puts them together with the last version's other pages. So that a
# page can be taken over as it is, a record's hidden `shard` filter value is its shard's label
# (its first month), not its name, which changes with every edit. Every bundle numbers its
# records from oldest to newest, the reverse of the archive's order (newest first, as month pages
# list them), and names their fragments by its first month and their number, so the search page
# puts results in date order by their names (see static/search.js): no bundle holds a date sort,
# a list of every page that the first search would load from each shard (with them, the first
# search at 100,000 incidents loaded 634 KB of metadata; without, 387 KB). pagefind/shards.json lists the shards,
# newest first, with the names of the filters that have values; pagefind/filters.json holds the
# values with their counts in the whole archive. The search page loads filters.json, and
# Pagefind's filter files, only when a reader opens a filter (or a link chose one): the first
# search needs neither, and filters.json grows with the archive's names of places and people.
SHARDS_DIR = "shards"
MANIFEST = "shards.json"
FILTER_TOTALS = "filters.json"
SHARD_RECORDS = 3000
MONTH_RUNS = (1, 2, 3, 4, 6, 12)  # ways to split a year into equal runs of months
PAGES_SHARD = "pages"  # the hidden `shard` filter value of content pages (the primary bundle)
SHARD_FILES = ("pagefind-entry.json", "index", "fragment", "filter")  # what a shard keeps of a bundle (and its .pf_meta)
# What the primary bundle keeps besides: the scripts static/search.js loads (not Pagefind's own UI).
PRIMARY_FILES = (*SHARD_FILES, "pagefind.js", "pagefind-worker.js", "wasm.en.pagefind", "wasm.unknown.pagefind")
INDEX_FORMAT = 5  # bump when what goes into a shard changes in a way its records do not show
PAGEFIND_VERSION = importlib.metadata.version("pagefind-bin")  # another Pagefind writes other shards


@dataclass(frozen=True)
class Entry:
    """A record to index, made only when its shard is indexed again: its date, its filters (for
    filters.json) and a key that changes whenever the record would."""
    date: str
    key: str
    filters: dict[str, list[str]]
    make: Callable[[], SearchRecord]


@dataclass(frozen=True)
class Shard:
    name: str  # "2024-07-1a2b3c4d5e": its first month and a digest of its entries' keys
    entries: list[Entry]

    @property
    def label(self) -> str:
        """Its records' value of the hidden `shard` filter: its first month ("pages" for content pages).
        Not its name, so that a record indexed once keeps its fragment when the shard is renamed."""
        return self.name[:7]

    def records(self, entries: list[Entry] | None = None) -> list[SearchRecord]:
        return [_in_shard(entry.make(), self.label) for entry in (self.entries if entries is None else entries)]


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
    return Entry(incident.date.isoformat(), f"{version}|{incident.id}|{incident.file_hash}", incident_filters(incident),
                 functools.partial(incident_record, incident))


def forget_entries() -> None:
    """Empty the cache above; a new model (in `serve`, after the reference data changed) is of new objects."""
    _incident_entry.cache_clear()


def entry_of(record: SearchRecord) -> Entry:
    key = json.dumps([record.url, record.kind, record.title, record.date, record.content, record.meta, record.filters],
                     ensure_ascii=False, sort_keys=True)
    return Entry(record.date, key, record.filters, lambda: record)


def split_in_shards(entries: list[Entry]) -> tuple[Shard, list[Shard]]:
    """The primary bundle (content pages) and the shards, newest first, each's records from oldest to
    newest: the reverse of `entries`' order once they are put newest first (a stable sort, so a
    day's records keep the archive's order when read from newest to oldest).

    An incident's shard is by its date, a region's by its latest incident's. Every record carries
    its shard's label (first month) as the hidden `shard` filter, with which the search page keeps a search of
    several words to the shards holding every word (see static/search.js)."""
    pages = [entry for entry in entries if not entry.date or entry.date == UNDATED]
    by_year: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.date and entry.date != UNDATED:
            by_year.setdefault(entry.date[:4], []).append(entry)
    runs: dict[str, list[Entry]] = {}
    for year, in_year in by_year.items():
        months = [int(entry.date[5:7]) for entry in in_year]
        length = 12 // next((parts for parts in MONTH_RUNS if _largest_run(months, 12 // parts) <= SHARD_RECORDS), 12)
        for entry, month in zip(in_year, months, strict=True):
            runs.setdefault(f"{year}-{(month - 1) // length * length + 1:02d}", []).append(entry)
    in_order = {start: _oldest_first(run) for start, run in runs.items()}
    shards = [Shard(f"{start}-{_digest([entry.key for entry in run])}", run) for start, run in sorted(in_order.items(), reverse=True)]
    return Shard(PAGES_SHARD, _oldest_first(pages)), shards


def _oldest_first(entries: list[Entry]) -> list[Entry]:
    """The entries from oldest to newest: the reverse of their order once put newest first (a stable
    sort, so that a day's entries read from newest to oldest keep their order in `entries`)."""
    return sorted(entries, key=lambda entry: entry.date or UNDATED, reverse=True)[::-1]


def _largest_run(months: list[int], length: int) -> int:
    counts: dict[int, int] = {}
    for month in months:
        counts[(month - 1) // length] = counts.get((month - 1) // length, 0) + 1
    return max(counts.values())


def _in_shard(record: SearchRecord, label: str) -> SearchRecord:
    return SearchRecord(record.url, record.kind, record.title, record.date, record.content, record.meta,
                        {**record.filters, "shard": [label]})


def _digest(keys: list[str]) -> str:
    described = json.dumps([INDEX_FORMAT, PAGEFIND_VERSION, keys], ensure_ascii=False)
    return hashlib.sha256(described.encode()).hexdigest()[:10]


ShardKeys = dict[str, list[str]]  # each shard's name, with its entries' keys: what a later build re-indexes a shard in part from


def write_index(entries: list[Entry], output_dir: Path, previous: Path | None = None, workers: int | None = None,
                earlier_keys: ShardKeys | None = None) -> ShardKeys:
    """Write Pagefind's index of `entries` (entries_of, or entry_of each record), and its scripts, into
    `output_dir` (a site's pagefind/), in shards; each shard's keys.

    Shards already in `previous` (the last build's pagefind/) with the same name are linked from
    there instead of being indexed again; a changed shard whose earlier version's keys are in
    `earlier_keys` is indexed in part (see _index_in_part)."""
    output_dir = Path(output_dir).resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    pages, shards = split_in_shards(entries)
    earlier = _read_manifest(previous) if previous else None
    earlier_shards = {entry["name"] for entry in earlier["shards"]} if earlier else set()
    jobs: list[tuple[Shard, Path, bool, Path | None, list[str]]] = []
    pages_name = f"{PAGES_SHARD}-{_digest([entry.key for entry in pages.entries])}"
    if previous and earlier and earlier["primary"] == pages_name:
        _link_primary(previous, output_dir)
    else:
        jobs.append((pages, output_dir, False, None, []))
    unchanged: list[Path] = []  # the previous build's shards of the same names
    for shard in shards:
        if previous and shard.name in earlier_shards and _is_folder(previous / SHARDS_DIR / shard.name):
            unchanged.append(previous / SHARDS_DIR / shard.name)
            continue
        name, keys = _earlier_version(shard, earlier_shards, earlier_keys or {})
        jobs.append((shard, output_dir / SHARDS_DIR / shard.name, True, previous / SHARDS_DIR / name if previous and name else None, keys))
    jobs.sort(key=lambda job: -len(job[0].entries))  # the largest first: no large shard left to index alone at the end
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:  # one Pagefind process per thread
        indexed = pool.map(lambda job: _index_bundle(*job), jobs)
        for earlier_shard in unchanged:  # linked while Pagefind indexes
            link_regular_files(earlier_shard, output_dir / SHARDS_DIR / earlier_shard.name)
        list(indexed)
    totals = filter_totals(entries)
    manifest = {"primary": pages_name, "pages": PAGES_SHARD,
                "shards": [{"name": shard.name, "label": shard.label, "records": len(shard.entries)} for shard in shards],
                "filters": [name for name in FILTERS if name in totals]}
    (output_dir / MANIFEST).write_text(json.dumps(manifest, separators=(",", ":")), encoding="utf-8")
    (output_dir / FILTER_TOTALS).write_text(json.dumps(totals, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return {shard.name: [entry.key for entry in shard.entries] for shard in shards}


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _earlier_version(shard: Shard, earlier_shards: set[str], earlier_keys: ShardKeys) -> tuple[str | None, list[str]]:
    """The last build's shard of the same first month, with its keys, when they are known: the keys
    must give the shard's name (its digest), so that a cache cannot pass one shard off as another."""
    for name in earlier_shards:
        keys = earlier_keys.get(name)
        if name[:7] == shard.label and keys is not None and name == f"{shard.label}-{_digest(keys)}":
            return name, keys
    return None, []


def filter_totals(entries: list[Entry]) -> dict[str, dict[str, int]]:
    """How many records hold each value of each filter the search page shows: Pagefind's own counts, without its files."""
    totals: dict[str, dict[str, int]] = {name: {} for name in FILTERS}
    for entry in entries:
        for name, values in entry.filters.items():
            if name in totals:
                for value in values:
                    totals[name][value] = totals[name].get(value, 0) + 1
    return {name: dict(sorted(values.items())) for name, values in totals.items() if values}


def _index_bundle(shard: Shard, bundle: Path, is_shard: bool, earlier: Path | None, earlier_keys: list[str]) -> None:
    if earlier and _index_in_part(shard, bundle, earlier, earlier_keys):
        return
    index_records(shard.records(), bundle, only=SHARD_FILES if is_shard else PRIMARY_FILES)
    make_reproducible(bundle, fragment_prefix=_fragment_prefix(shard))


def _fragment_prefix(shard: Shard) -> str:
    """What a bundle's fragment names start with (see pagefind_files._compact_fragment_names): a shard's first
    month (202401), or for the content pages p and a digest of their records: their bundle is pagefind/
    itself, whose address never changes, so the names change whenever a record does (no stale copy in a
    browser's cache)."""
    if shard.name == PAGES_SHARD:
        return "p" + _digest([entry.key for entry in shard.entries])[:6]
    return shard.label.replace("-", "")


def _index_in_part(shard: Shard, bundle: Path, earlier: Path, earlier_keys: list[str]) -> bool:
    """Index only the records of `shard` that the earlier version of it (`earlier`, whose records had
    `earlier_keys`) did not hold, and put them together with its other pages (pagefind_files.write_pages):
    the index Pagefind gives the whole shard. False, with nothing written, when most records are new
    (indexing the whole shard is then as quick) or the earlier shard cannot be read as expected."""
    number_of = {key: number for number, key in enumerate(earlier_keys)}
    added = [entry for entry in shard.entries if entry.key not in number_of]
    if len(added) * 2 > len(shard.entries):
        return False
    try:
        earlier_bundle = read_bundle(earlier)
        if len(earlier_bundle.pages) != len(earlier_keys):
            raise UnexpectedIndex("the earlier shard does not hold a page for each of its keys")
        with tempfile.TemporaryDirectory(prefix="shard-") as scratch:
            added_bundle: Bundle | None = None
            if added:
                index_records(shard.records(added), Path(scratch), only=SHARD_FILES)
                added_bundle = read_bundle(Path(scratch))
                if len(added_bundle.pages) != len(added):
                    raise UnexpectedIndex("Pagefind did not index a page for each record")
            added_numbers = iter(range(len(added)))

            def page_of(entry: Entry) -> tuple[Bundle, int]:
                if entry.key in number_of:
                    return earlier_bundle, number_of[entry.key]
                assert added_bundle is not None  # (an entry not in the earlier shard is an added one)
                return added_bundle, next(added_numbers)

            pages = [page_of(entry) for entry in shard.entries]
            write_pages(bundle, pages, _fragment_prefix(shard))
        return True
    except UnexpectedIndex:
        shutil.rmtree(bundle, ignore_errors=True)
        return False


def _read_manifest(bundle: Path) -> dict | None:
    """The shard list of an earlier index; None when there is none or it is unreadable (then every shard is indexed)."""
    try:
        manifest = json.loads(read_regular_file(bundle / MANIFEST, MANIFEST).decode("utf-8"))
    except (UnsafeFile, ValueError):
        return None
    valid = (isinstance(manifest, dict) and isinstance(manifest.get("primary"), str) and isinstance(manifest.get("shards"), list)
             and all(isinstance(entry, dict) and isinstance(entry.get("name"), str) for entry in manifest["shards"]))
    return manifest if valid else None


def _link_primary(previous: Path, output_dir: Path) -> None:
    """The earlier primary bundle (Pagefind's scripts and the content pages' index), without its shards
    and the files written anew (never through a link: that would change the last build's site/)."""
    link_regular_files(previous, output_dir, skip={SHARDS_DIR, MANIFEST, FILTER_TOTALS})


def index_records(records: list[SearchRecord], output_dir: Path, only: Sequence[str] | None = None, date_sort: bool = False) -> None:
    """Pagefind's index of `records` (pages numbered in the order given), written into `output_dir`.

    With `date_sort`, the index can put results in date order itself (Pagefind's `date` sort):
    the site's bundles need none, as their records come from oldest to newest (see split_in_shards),
    and tests compare the search page's date order with Pagefind's.

    With `only`, just those files and folders of the bundle (and its metadata) are written: a
    shard needs no scripts of its own. Pagefind hands the files over and they are written here:
    its own WriteFiles replies before its writes reach the disk (tokio's files write in the
    background), and the service exits as soon as its input closes, so files it wrote itself
    could be left empty."""
    with PagefindService() as service:
        index = service.request({"type": "NewIndex", "config": None})["index_id"]
        service.requests({"type": "AddRecord", "index_id": index, "url": "/" + record.url, "content": record.content,
                          "language": LANGUAGE, "meta": record.meta, "filters": record.filters,
                          "sort": {"date": record.date or UNDATED} if date_sort else None} for record in records)
        files = service.request({"type": "GetFiles", "index_id": index})["files"]
    output_dir.mkdir(parents=True, exist_ok=True)
    for file in files:
        relative = Path(file["path"])
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise SearchIndexError(f"Pagefind named a file outside its bundle: {file['path']!r}")
        if only is not None and relative.parts[0] not in only and relative.suffix != ".pf_meta":
            continue
        target = output_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(file["content"], validate=True))


class PagefindService:
    """`pagefind --service`: requests and replies are JSON, each base64-encoded and followed by a comma.

    Replies come in the order of the requests. Many requests are written from a thread while the
    replies are read, so that neither side waits on a full pipe."""

    def __init__(self) -> None:
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 -- open while the service runs: __exit__ closes it
        try:
            self._process = subprocess.Popen([str(pagefind_bin.get_executable()), "--service"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=self._log)
        except OSError as problem:
            self._log.close()
            raise SearchIndexError(f"cannot run Pagefind: {problem}") from problem
        # Both are pipes, and stdout is buffered (Popen's default), so it has read1.
        assert self._process.stdin is not None and isinstance(self._process.stdout, io.BufferedReader)
        self._stdin: IO[bytes] = self._process.stdin
        self._stdout: io.BufferedReader = self._process.stdout
        self._buffer = bytearray()  # what Pagefind wrote that is not yet a whole reply
        self._scanned = 0  # how much of the buffer holds no comma
        self._next_id = 0

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exception: object) -> None:
        with contextlib.suppress(OSError):
            self._stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stdout.close()
        self._log.close()

    def request(self, payload: dict) -> dict:
        [reply] = self.requests([payload])
        return reply

    def requests(self, payloads: Iterable[dict]) -> list[dict]:
        messages = []
        for payload in payloads:
            self._next_id += 1
            messages.append(base64.b64encode(json.dumps({"message_id": self._next_id, "payload": payload}).encode()) + b",")
        failure: list[OSError] = []
        writer = threading.Thread(target=self._write, args=(messages, failure), daemon=True)
        writer.start()
        replies = [self._reply(self._next_id - len(messages) + 1 + number) for number in range(len(messages))]
        writer.join()
        if failure:
            raise self._failed(f"cannot send requests: {failure[0]}")
        return replies

    def _write(self, messages: list[bytes], failure: list[OSError]) -> None:
        try:
            for message in messages:
                self._stdin.write(message)
            self._stdin.flush()
        except OSError as problem:  # Pagefind exited: the reader reports it
            failure.append(problem)

    def _reply(self, expected_id: int) -> dict:
        while (end := self._buffer.find(b",", self._scanned)) < 0:
            self._scanned = len(self._buffer)
            chunk = self._stdout.read1(1 << 20)
            if not chunk:
                raise self._failed("Pagefind stopped before replying")
            self._buffer += chunk
        message = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        self._scanned = 0
        try:
            reply = json.loads(base64.b64decode(message, validate=True))
            payload: dict = reply["payload"]
        except (ValueError, KeyError, TypeError) as problem:
            raise self._failed(f"unreadable reply from Pagefind: {problem}") from problem
        if payload.get("type") == "Error":
            raise self._failed(f"Pagefind refused a request: {payload.get('message')}")
        if reply.get("message_id") != expected_id:
            raise self._failed(f"Pagefind replied to message {reply.get('message_id')}, not {expected_id}")
        return payload

    def _failed(self, message: str) -> SearchIndexError:
        self._process.kill()
        self._process.wait()
        self._log.seek(0)
        log = self._log.read().decode("utf-8", "replace").strip()
        return SearchIndexError(f"{message}" + (f": {log}" if log else ""))


def make_reproducible(bundle: Path, fragment_prefix: str | None = None) -> None:
    """Put a bundle Pagefind wrote in a stable order (pagefind_files.put_in_order). Raises
    SearchIndexError, leaving the bundle unusable, when its layout is not the one expected."""
    try:
        put_in_order(bundle, fragment_prefix)
    except UnexpectedIndex as problem:
        raise SearchIndexError(f"cannot put Pagefind's index in {bundle} in a stable order "
                               f"(has Pagefind's index format changed?): {problem}") from problem
