"""A shard put together from the pages of other bundles is the index Pagefind writes for the same
records: the same files under the same names, each with the same bytes once decompressed."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from archive.pagefind_files import Bundle, UnexpectedIndex, read_bundle, read_index_file, write_pages
from archive.search import SHARD_FILES, SearchRecord, index_records, make_reproducible

PREFIX = "202505"
WORDS = ["strike", "drone", "missile", "shelter", "school", "hospital", "energy", "Kyiv", "Odesa", "Kharkiv", "Lviv", "damaged",
         "killed", "injured", "residential", "building", "power", "outage", "debris", "fire", "rescuers", "overnight", "regional",
         "governor", "said", "Frontières", "frontier", "café", "cafe", "résumé", "Zaporizhzhia", "Запоріжжя"]  # accented spellings: variants


def records(count: int, seed: int = 7) -> list[SearchRecord]:
    """Records long enough for the word index to take several chunks, with filters, metadata fields
    that only some records have."""
    chance = random.Random(seed)
    made = []
    for number in range(count):
        meta = {"title": f"Strike {number} on {chance.choice(WORDS)}", "date": f"{number % 28 + 1} May 2025"}
        if number % 3 == 0:
            meta["readings"] = f"Killed: {chance.randint(1, 40)}"
        if number == 5:
            meta["only"] = "a field no other record has"
        content = " ".join(chance.choice(WORDS) + (str(chance.randint(1, 60)) if chance.random() < 0.1 else "") for _ in range(120))
        filters = {"region": [chance.choice(["Kyiv", "Odesa Oblast", "Lviv Oblast"])], "year": ["2025"], "shard": ["2025-05"]}
        made.append(SearchRecord(f"incidents/record-{number}/", "incident", meta["title"], f"2025-05-{number % 28 + 1:02d}",
                                 content, meta, filters))
    return made


def pagefind_bundle(folder: Path, some: list[SearchRecord]) -> Path:
    """Pagefind's own index of the records, as search._index_bundle writes a shard."""
    index_records(some, folder, only=SHARD_FILES)
    make_reproducible(folder, fragment_prefix=PREFIX)
    return folder


def content(bundle: Path) -> dict[str, bytes]:
    return {path.relative_to(bundle).as_posix(): read_index_file(path) if path.name.endswith(("pf_meta", "pf_index", "pf_filter", "pf_fragment"))
            else path.read_bytes() for path in bundle.rglob("*") if path.is_file()}


def put_together(output: Path, wanted: list[SearchRecord], sources: list[tuple[Bundle, list[SearchRecord]]]) -> Path:
    """The bundle of `wanted` from the pages of `sources` (each a bundle and the records it indexed; of a
    record in several, the last source's page)."""
    page_of = {record.url: (bundle, number) for bundle, indexed in sources for number, record in enumerate(indexed)}
    write_pages(output, [page_of[record.url] for record in wanted], PREFIX)
    return output


@pytest.fixture(scope="module")
def all_records() -> list[SearchRecord]:
    return records(320)


@pytest.fixture(scope="module")
def whole(tmp_path_factory, all_records) -> Path:
    bundle = pagefind_bundle(tmp_path_factory.mktemp("whole"), all_records)
    assert len(read_bundle(bundle).chunks) >= 2  # the chunks' edges are part of what is compared
    return bundle


def test_a_bundle_put_together_from_its_own_pages_is_itself(tmp_path, whole, all_records):
    bundle = read_bundle(whole)
    assert content(put_together(tmp_path / "out", all_records, [(bundle, all_records)])) == content(whole)


@pytest.mark.parametrize("where", [0, 5, 160, 319])  # the first, the only one with a metadata field, the middle, the last
def test_a_record_left_out_gives_pagefinds_index_of_the_others(tmp_path, whole, all_records, where):
    others = all_records[:where] + all_records[where + 1:]
    ours = put_together(tmp_path / "out", others, [(read_bundle(whole), all_records)])
    assert content(ours) == content(pagefind_bundle(tmp_path / "pagefind", others))


@pytest.mark.parametrize("where", [0, 5, 160, 319])
def test_a_record_added_or_edited_indexed_alone_gives_pagefinds_index_of_all(tmp_path, whole, all_records, where):
    edited = SearchRecord(all_records[where].url, "incident", "Zebrafinch strike", all_records[where].date,
                          "A zebrafinch word and a Kyiv strike, said the governor.", {"title": "Zebrafinch strike", "date": "1 May 2025"},
                          {"region": ["Volyn Oblast"], "year": ["2025"], "shard": ["2025-05"]})
    alone = read_bundle(pagefind_bundle(tmp_path / "alone", [edited]))
    others = all_records[:where] + all_records[where + 1:]
    with_edit = [*all_records[:where], edited, *all_records[where + 1:]]
    sources = [(read_bundle(whole), all_records), (alone, [edited])]  # the edited record's page is the later source's
    assert content(put_together(tmp_path / "edit", with_edit, sources)) == content(pagefind_bundle(tmp_path / "pagefind", with_edit))
    fewer = read_bundle(pagefind_bundle(tmp_path / "fewer", others))
    assert content(put_together(tmp_path / "add", with_edit, [(fewer, others), (alone, [edited])])) == content(tmp_path / "pagefind")


def test_pages_out_of_their_bundles_order_are_refused(tmp_path, whole, all_records):
    bundle = read_bundle(whole)
    with pytest.raises(UnexpectedIndex, match="order"):
        write_pages(tmp_path / "out", [(bundle, 1), (bundle, 0)], PREFIX)


def test_a_bundle_of_another_layout_is_refused(tmp_path, whole):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "pagefind-entry.json").write_text('{"version": "9", "languages": {}}', encoding="utf-8")
    with pytest.raises(UnexpectedIndex):
        read_bundle(copy)


def test_words_with_accented_spellings_are_in_the_index_with_them(whole):
    """Pagefind keeps "frontières" as a variant of "frontier", with postings of its own: the tests above cover them."""
    assert {"frontier", "cafe"} <= set(read_bundle(whole).variants)


def test_a_bundle_whose_metadata_names_a_path_is_refused(tmp_path, whole):
    """Names of fragments, chunks and filter files come from the metadata: one that is not a Pagefind name is never opened."""
    import cbor2

    from archive.pagefind_files import pagefind_hash, write_index_file

    copy = tmp_path / "copy"
    shutil.copytree(whole, copy)
    [meta_path] = copy.glob("*.pf_meta")
    meta = cbor2.loads(read_index_file(meta_path))
    meta[1][0][0] = "../../outside"
    body = cbor2.dumps(meta)
    name = f"en_{pagefind_hash(body)[:10]}"
    meta_path.unlink()
    write_index_file(copy / f"pagefind.{name}.pf_meta", body)
    entry = json.loads((copy / "pagefind-entry.json").read_text(encoding="utf-8"))
    entry["languages"]["en"]["hash"] = name
    (copy / "pagefind-entry.json").write_text(json.dumps(entry), encoding="utf-8")
    with pytest.raises(UnexpectedIndex, match="name"):
        read_bundle(copy)

