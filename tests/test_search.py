"""The search index: the same site always gives the same Pagefind index, byte for byte, and the
index stays whole (every file it names is there, under the hash of its contents)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cbor2
import pagefind_bin
import pytest

from archive.pipeline import Project, build
from archive.search import SearchIndexError, html_files, index_site, make_reproducible, pagefind_hash, read_index_file
from conftest import REPO, TODAY, VALID_INCIDENT, TinyArchive

SECOND_INCIDENT = (VALID_INCIDENT
                   .replace("title: Drone strike on Kyiv", "title: Missile strike on Lviv")
                   .replace("regions: [UA-30, UA-32]", "regions: [UA-46, UA-30]")
                   .replace("{name: Boryspil, region: UA-32}", "{name: Stryi, region: UA-46}")
                   .replace("claimed_by: Vitali Klitschko", "claimed_by: Andriy Sadovyi")
                   .replace("region: UA-30\n", "region: UA-46\n"))


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def tiny_site(root: Path) -> Path:
    tiny = TinyArchive(root)
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    tiny.write("2025-06-07-missile-strike-on-lviv", SECOND_INCIDENT.replace("date: 2025-06-06", "date: 2025-06-07")
               .replace("published: 2025-06-06", "published: 2025-06-07"))
    build(tiny.project, today=TODAY)
    return root / "site"


def pagefind_cli(site: Path, output: Path) -> None:
    """Pagefind's own command line, as the build ran it before: its order is whatever it is."""
    subprocess.run([str(pagefind_bin.get_executable()), "--site", str(site), "--silent", "--output-path", str(output)],
                   check=True, capture_output=True)


# --- reading an index, independently of how it was made ------------------------------------

def whole(data: bytes):
    """A CBOR item as Python values, read by cbor2, not by the code under test."""
    return cbor2.loads(data)


def languages(bundle: Path) -> dict:
    return json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]


def meta(bundle: Path, language: str) -> list:
    return whole(read_index_file(bundle / f"pagefind.{languages(bundle)[language]['hash']}.pf_meta"))


def filters(bundle: Path) -> dict[str, dict[str, list[int]]]:
    """{filter: {value: page numbers}} of every language, as a reader of the index sees them."""
    found = {}
    for language in languages(bundle):
        for name, file_hash in meta(bundle, language)[3]:
            own_name, values = whole(read_index_file(bundle / "filter" / f"{file_hash}.pf_filter"))
            assert own_name == name
            found[f"{language}:{name}"] = {value: pages for value, pages in values}
    return found


def assert_whole(bundle: Path) -> None:
    """Every file the index names exists, is named by the hash of its contents, and no other index file is left."""
    named = set()
    for language, details in languages(bundle).items():
        version, pages, chunks, filter_list, sorts, fields = meta(bundle, language)
        assert version == "1.5.2"
        meta_body = read_index_file(bundle / f"pagefind.{details['hash']}.pf_meta")
        assert details["hash"] == f"{language}_{pagefind_hash(meta_body)[:len(language) + 8]}"
        assert details["page_count"] == len(pages)
        named |= {f"fragment/{page_hash}.pf_fragment" for page_hash, word_count in pages}
        named |= {f"index/{chunk_hash}.pf_index" for start, end, chunk_hash in chunks}
        named |= {f"filter/{filter_hash}.pf_filter" for name, filter_hash in filter_list}
        for name, filter_hash in filter_list:
            body = read_index_file(bundle / "filter" / f"{filter_hash}.pf_filter")
            assert pagefind_hash(body).startswith(filter_hash[len(language) + 1:]), filter_hash
            values = [value for value, page_numbers in whole(body)[1]]
            assert values == sorted(values, key=lambda value: value.encode("utf-8"))
        assert [name for name, _ in filter_list] == sorted(name for name, _ in filter_list)
        for sort, order in sorts:
            assert sorted(order) == list(range(len(pages)))
    present = {path.relative_to(bundle).as_posix() for path in bundle.glob("*/*.pf_*")}
    assert present == named
    assert len(list(bundle.glob("*.pf_meta"))) == len(languages(bundle))


# --- tests -----------------------------------------------------------------------------------

def test_two_builds_of_the_same_site_write_the_same_search_index(tmp_path):
    sites = [tiny_site(tmp_path / name) for name in ("one", "two")]
    first, second = (tree(site / "pagefind") for site in sites)
    assert first.keys() == second.keys()
    assert first == second
    assert any(name.startswith("filter/") for name in first)
    assert_whole(sites[0] / "pagefind")
    values = filters(sites[0] / "pagefind")
    assert set(values["en:claimant"]) == {"Vitali Klitschko", "Andriy Sadovyi"}
    assert {"Kyiv", "Lviv Oblast"} <= set(values["en:region"])


def test_the_index_is_pagefinds_with_its_lists_in_order(tmp_path):
    """Pagefind's own runs differ from each other (filter order is random in each); put in order,
    they are one index, which holds exactly what Pagefind wrote."""
    site = tiny_site(tmp_path / "archive")
    raw = []
    for number in range(4):
        pagefind_cli(site, tmp_path / f"raw{number}")
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


def copy_in_order(site: Path, target: Path, reverse: bool) -> None:
    """Copy a built site creating its files (and folders) in path order, or in reverse."""
    for path in sorted((p for p in site.rglob("*") if p.is_file() and "pagefind" not in p.parts), reverse=reverse):
        destination = target / path.relative_to(site)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def test_the_index_does_not_depend_on_the_order_pages_were_written(tmp_path):
    """Pagefind numbers pages in the order it finds them; on tmpfs (and btrfs) a folder lists its
    files in the order they were made, which our parallel page writing varies. On ext4 the order
    is by a hash of the names, so the same names give the same order."""
    site = tiny_site(tmp_path / "archive")
    shm = Path("/dev/shm")  # tmpfs on Linux: lists a folder's files by when they were made
    places = [tmp_path]
    if shm.is_dir() and os.access(shm, os.W_OK):
        places.append(Path(tempfile.mkdtemp(prefix="test-search-", dir=shm)))
    try:
        indexes = {}
        for place in places:
            for reverse in (False, True):
                copy = place / f"copy-{reverse}"
                copy_in_order(site, copy, reverse)
                index_site(copy)
                assert not list(copy.glob(".pagefind-pages-*"))  # the copy Pagefind read is gone
                assert_whole(copy / "pagefind")
                indexes[place, reverse] = tree(copy / "pagefind")
            assert indexes[place, False] == indexes[place, True], place
        assert indexes[tmp_path, False] == tree(site / "pagefind")
    finally:
        for place in places[1:]:
            shutil.rmtree(place, ignore_errors=True)


def test_pages_are_added_in_path_order(tmp_path):
    for name in ("b/index.html", "a/z/index.html", "a/index.html", "index.html", "a.html", "a/b.html", "c.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    (tmp_path / ".pagefind-pages-x" / "index.html").parent.mkdir()
    (tmp_path / ".pagefind-pages-x" / "index.html").write_text("<html></html>")  # what a killed run left
    # As a walk of folders listed in name order meets them: a folder's pages before the next name's.
    assert html_files(tmp_path) == ["a/b.html", "a/index.html", "a/z/index.html", "a.html", "b/index.html", "index.html"]


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
    assert_whole(sites[0] / "pagefind")
    assert len(meta(sites[0] / "pagefind", "en")[1]) > 300


def test_a_site_with_nothing_to_index_is_an_error_as_with_pagefinds_command_line(tmp_path):
    (tmp_path / "index.html").write_text("<html lang='en'><body></body></html>")
    with pytest.raises(SearchIndexError, match="not able to build an index"):
        index_site(tmp_path)


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
