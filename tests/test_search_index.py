"""search_index.py: the archive's own search index, as script files a search page loads as it needs them."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from archive import search_index
from archive.search_index import SearchDocument, filter_files, index_file, javascript_order, shard_files, singular, words_of
from conftest import index_file_data


@dataclass
class FilteredDocument(SearchDocument):
    """A document with its filter values, as search.write_index takes them from the record's entry."""

    filters: dict[str, list[str]] = field(default_factory=dict)


def document(number: int, day: str = "2025-06-06", text: str = "strike", title: str = "", **filters: list[str]) -> FilteredDocument:
    return FilteredDocument(url=f"incidents/{number}/", title=title or f"Incident {number}", kind="incident", date=day,
                            text=text, context=text, filters={"date": [day], **filters} if day else filters)


def build_index(documents: list[FilteredDocument], shard: str = "s") -> dict[str, str]:
    """Every file of an index whose shard `shard` holds `documents`, in their order."""
    files, first_words = shard_files(shard, documents)
    filters, keys = filter_files([document.filters for document in documents])
    return {**files, **filters, "index.js": index_file([(shard, len(documents), first_words)], keys)}


def files_of(files: dict[str, str], folder: str) -> dict[str, Any]:
    """The data of the index files below `folder`, by the key each gives ArchiveSearch.receive, checking the key names
    the file (what the page asks for is what it gets)."""
    found = {}
    for path, script in files.items():
        if path.startswith(folder + "/") or (path.startswith("shards/") and path.split("/")[2] == folder):
            kind, key, data = index_file_data(script)
            shard, _, number = key.partition("/")
            named = f"filters/{key}.js" if kind == "filters" else f"shards/{shard}/{kind}/{number}.js"
            assert (kind, named) == (folder, path)  # the key names the file: what the page asks for is what it gets
            found[key] = data
    return found


def postings(files: dict[str, str]) -> dict[str, list[tuple[int, int]]]:
    """Every word's documents and weights, the gaps added up."""
    found = {}
    for words in files_of(files, "words").values():
        for word, pairs in words:
            number, documents = 0, []
            for gap, weight in zip(pairs[::2], pairs[1::2], strict=True):
                number += gap
                documents.append((number, weight))
            found[word] = documents
    return found


def shown(files: dict[str, str]) -> list[str]:
    """The documents' titles in the order of their numbers."""
    shards = index_file_data(files["index.js"])[2]["shards"]
    return [files_of(files, "docs")[f"{name}/{local}"][1] for name, count, _words in shards for local in range(count)]


def filters_of(files: dict[str, str]) -> dict[str, list]:
    """Each filter's values with their documents' gaps, by filter name."""
    keys = dict(index_file_data(files["index.js"])[2]["filters"])
    values = files_of(files, "filters")
    return {name: values[key] for name, key in keys.items()}


def test_words_fold_case_and_accents():
    assert words_of("Київ, Kyïv and KYIV's") == ["киів", "kyiv", "and", "kyiv", "s"]
    assert words_of("हिंदी और বাংলা") == ["हद", "और", "বল"]  # vowel signs are marks too, taken off as the search page takes them


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8")) | st.text(st.sampled_from("aeiouy ïйёéÅ\u0301\u0308-'’.,1")))
def test_words_follow_the_rule_of_the_search_page(text):
    """search-engine.js folds what is typed this way: lower case, NFKD, marks (\\p{M}) left out."""
    folded = unicodedata.normalize("NFKD", text.lower())
    words = re.findall(r"\w+", "".join(char for char in folded if not unicodedata.category(char).startswith("M")))
    assert words_of(text) == [singular(word) for word in words]


@pytest.mark.parametrize("word, term", [
    ("missiles", "missile"), ("strikes", "strike"), ("drones", "drone"), ("cities", "city"), ("casualties", "casualty"),
    ("series", "sery"), ("aies", "aie"), ("species", "specy"), ("trees", "tree"), ("status", "status"), ("witness", "witness"),
    ("gas", "gas"), ("bus", "bus"), ("news", "new"), ("kyiv", "kyiv"), ("ss", "ss"), ("𠀀𠀀s", "𠀀𠀀s"), ("𠀀𠀀𠀀s", "𠀀𠀀𠀀"),
])
def test_a_plural_is_found_by_its_singular(word, term):
    """Harman's S stemmer, for words of four characters or more: search-engine.js makes the same terms of what is typed."""
    assert singular(word) == term


def test_a_shard_numbers_its_documents_in_the_order_given():
    documents = [document(0, "2025-06-06", title="new a"), document(1, "2025-06-06", title="new b"), document(2, "2025-05-31", title="May")]
    files = build_index(documents)
    assert shown(files) == ["new a", "new b", "May"]
    assert index_file_data(files["index.js"])[2]["shards"][0][:2] == ["s", 3]


def test_postings_hold_each_document_once_with_its_weight():
    files = build_index([document(0, text="strike on Kyiv, strike"), document(1, text="Kyiv", title="Kyiv strike"),
                         document(2, "2024-01-01", text="nothing here")])
    found = postings(files)
    assert found["strike"] == [(0, 2), (1, search_index.TITLE_WEIGHT)]
    assert found["kyiv"] == [(0, 1), (1, 1 + search_index.TITLE_WEIGHT)]
    assert found["nothing"] == [(2, 1)]


def test_words_files_are_runs_of_sorted_words_that_the_page_finds_by_their_first_words(monkeypatch):
    monkeypatch.setattr(search_index, "WORDS_PER_FILE", 5)
    words = ["z" * n for n in range(1, 4)] + [f"w{n:02}" for n in range(30)] + ["\U00020000", "ｚ"]
    files = build_index([document(n, text=" ".join(words)) for n in range(3)])
    runs = files_of(files, "words")
    assert len(runs) > 5
    first_words = index_file_data(files["index.js"])[2]["shards"][0][2]
    in_order = [word for number in range(len(runs)) for word, _ in runs[f"s/{number}"]]
    assert in_order == sorted(in_order, key=javascript_order) and set(in_order) == set(words_of(" ".join(words) + " incident 0 1 2"))
    assert len(in_order) == len(set(in_order))  # ("ｚ" is "z" folded)
    assert first_words == [runs[f"s/{number}"][0][0] for number in range(len(runs))]


def test_words_sort_as_javascript_compares_them():
    """By UTF-16 code units: a character above U+FFFF (two units from U+D800) before one from U+E000 to U+FFFF."""
    assert sorted(["\uffef", "\U00020000", "z", "\ud7ff"], key=javascript_order) == ["z", "\ud7ff", "\U00020000", "\uffef"]


def test_filters_hold_each_value_with_its_documents():
    files = build_index([document(0, "2025-06-06", claimant=["A", "B"], region=["Kyiv"]), document(1, "2024-01-01", claimant=["B"])])
    filters = filters_of(files)
    assert list(filters) == ["claimant", "date", "region"]
    assert filters["claimant"] == [["A", [0]], ["B", [0, 1]]]  # gaps: documents 0 and 1
    assert filters["date"] == [["2024-01-01", [1]], ["2025-06-06", [0]]]
    assert filters["region"] == [["Kyiv", [0]]]


def test_a_filters_file_is_named_by_what_it_holds():
    """A browser may keep a file: a changed filter's file has a new name, an unchanged one its name."""
    first = build_index([document(0, claimant=["A"], region=["Kyiv"])])
    second = build_index([document(0, claimant=["B"], region=["Kyiv"])])
    keys = [dict(index_file_data(files["index.js"])[2]["filters"]) for files in (first, second)]
    assert keys[0]["claimant"] != keys[1]["claimant"] and keys[0]["region"] == keys[1]["region"]


# Names JavaScript objects already have (or, for __proto__, that a literal treats specially).
OBJECT_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "isPrototypeOf"]


def test_object_property_names_are_ordinary_filter_values_and_words():
    files = build_index([document(n, text=f"strike {name} {name.lower()}", claimant=[name], region=[name])
                         for n, name in enumerate(OBJECT_NAMES)])  # (index_file_data refuses any other key)
    claimants = dict(filters_of(files)["claimant"])
    found = postings(files)
    for n, name in enumerate(OBJECT_NAMES):
        assert sum(claimants[name]) == n
        assert found[name.lower()] == [(n, 2)]  # document n, found twice (the text has the name as it is and lower-cased)
    assert [number for number, _ in found["strike"]] == list(range(len(OBJECT_NAMES)))


def test_index_files_are_ascii_and_cannot_end_a_script_or_start_a_comment():
    hostile = "</script><script>alert(1)</script> <!-- \u2028\u2029 Київ \ud800"
    files = build_index([FilteredDocument(url="incidents/x/", title=hostile, kind="incident", date="", text=hostile,
                                        context=hostile, filters={"claimant": [hostile]})])
    for script in files.values():
        assert script.isascii() and "<" not in script and "\u2028" not in script
    assert files_of(files, "docs") == {"s/0": ["incidents/x/", hostile, "incident", "", hostile]}
    assert filters_of(files) == {"claimant": [[hostile, [0]]]}


def test_files_are_named_by_plain_keys_whatever_the_words():
    """On any disk, case-sensitive or not: no word, value or title names a file."""
    files = build_index([document(0, text="дa 䍊 no No ñ n\u0303 CON aux", claimant=["Con"]), document(1, "", title="№")], shard="2025-06-abc")
    assert all(re.fullmatch(r"(index|shards/2025-06-abc/(words|docs)/[0-9]+|filters/[0-9a-f]{12})\.js", path) for path in files)
