"""The search index in month shards finds what one index of the whole archive finds: the same
results, in the same date order, with the same counts and filter counts, in headless Chromium.

The baseline is one Pagefind index of every record, queried through Pagefind's own API; the
shards are queried as a reader does, through the search page (static/search.js)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import cbor2
import pytest
from playwright.sync_api import Page, expect

from archive.model import Archive
from archive.pagefind_files import read_index_file
from archive.pipeline import Project, build, check
from archive.search import index_records, make_reproducible, search_records
from conftest import REPO, TODAY, served

# Words of the generated archive, alone and together (several words: Pagefind leaves out of a
# shard's search the words that shard lacks), with and without a filter.
QUERIES = [
    ("strike", {}), ("drones killed", {}), ("kharkiv school", {}), ("injured", {"year": "2024"}),
    ("", {"region": "Kharkiv Oblast"}), ("market residential", {}), ("missile", {"measure": "Injured"}),
]
ORDERS = ["newest", "oldest"]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> tuple[Path, Archive]:
    """A site of 400 generated incidents in small shards, and its archive model."""
    root = tmp_path_factory.mktemp("shards") / "archive"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--kind", "realistic", "--incidents", "400",
                    "--out", str(root)], check=True, capture_output=True)
    project = Project(root=root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("archive.search.SHARD_RECORDS", 30)  # years in halves, quarters and months, as a large archive's are
        build(project, today=TODAY)
    archive, _ = check(project, today=TODAY)
    assert archive is not None
    # The baseline: one index of every record, with Pagefind's own date sort. Its records come as the search page
    # orders results: newest first in the archive's order (incidents, regions, content pages, each newest first), so
    # that Pagefind's stable sort of dates keeps that order within a day; oldest first is then its reverse.
    single = root / "site" / "single-index"
    newest_first = sorted(search_records(archive), key=lambda record: record.date or "", reverse=True)
    index_records(newest_first[::-1], single, date_sort=True)
    make_reproducible(single)
    return root / "site", archive


@pytest.fixture(scope="module")
def sharded_site(sharded) -> Path:
    site: Path = sharded[0]
    return site


def baseline(page: Page, site_url: str, words: str, filters: dict[str, str], order: str) -> dict:
    """What one index of the whole archive answers, through Pagefind's API."""
    page.goto(f"{site_url}search/")  # its Content Security Policy lets WebAssembly run
    answer: dict = page.evaluate("""async ([root, words, filters, order]) => {
        const pagefind = await import(root + "single-index/pagefind.js");
        await pagefind.options({ baseUrl: root, bundlePath: root + "single-index/" });
        const wanted = {};
        for (const [name, value] of Object.entries(filters)) { wanted[name] = { any: [value] }; }
        const all = await pagefind.filters();  // first, as the search page does: Pagefind counts the filters it has loaded
        const search = await pagefind.search(words || null, { filters: wanted });
        const sorted = await pagefind.search(words || null, { filters: wanted, sort: { date: order === "newest" ? "desc" : "asc" } });
        const first = await Promise.all(sorted.results.slice(0, 20).map((result) => result.data()));
        // Each value's count as the search page shows it: within the results, else in the whole index.
        const counts = {};
        for (const [name, values] of Object.entries(all)) {
            counts[name] = {};
            for (const value of Object.keys(values)) {
                const within = search.filters[name];
                counts[name][value] = within && Object.prototype.hasOwnProperty.call(within, value) ? within[value] : values[value];
            }
        }
        return { count: search.results.length, titles: first.map((data) => data.meta.title), filters: counts };
    }""", [site_url, words, filters, order])
    return answer


def shown(page: Page, site_url: str, words: str, filters: dict[str, str], order: str) -> dict:
    """What the search page shows: the count, the first 20 titles and every filter value's count."""
    address = f"{site_url}search/?q={quote(words)}&order={order}" + "".join(f"&{name}={quote(value)}" for name, value in filters.items())
    page.goto(address)
    expect(page.locator("#search-status")).to_contain_text("result", timeout=15_000)
    titles = page.locator("#search-results .result-title").all_text_contents()  # before the filters' files are loaded
    page.locator("#search-filters summary").first.click()  # opening the filters loads their counts within results
    expect(page.locator("#search-filters")).to_have_attribute("data-counted", "within results", timeout=15_000)
    assert page.locator("#search-results .result-title").all_text_contents() == titles
    answer: dict = page.evaluate("""() => {
        const status = document.getElementById("search-status").textContent;
        const titles = [...document.querySelectorAll("#search-results .result-title")].map((link) => link.textContent);
        const filters = {};
        for (const box of document.querySelectorAll("#search-filters input")) {
            const label = box.nextElementSibling.textContent.trim();
            (filters[box.name] = filters[box.name] || {})[box.value] = Number(label.slice(label.lastIndexOf("(") + 1, -1));
        }
        return { count: Number(status.split(" ")[0].replace(/,/g, "")), titles, filters };
    }""")
    return answer


@pytest.mark.parametrize("order", ORDERS)
def test_the_shards_answer_as_one_index_of_the_whole_archive(page, sharded_site, order):
    manifest = json.loads((sharded_site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    starts = [shard["name"][:7] for shard in manifest["shards"]]
    assert len(starts) > 12 and starts == sorted(starts, reverse=True)
    assert {start[5:] for start in starts} > {"01", "04", "07"}  # runs of several months and single months
    with served(sharded_site) as site_url:
        for words, filters in QUERIES:
            expected = baseline(page, site_url, words, filters, order)
            found = shown(page, site_url, words, filters, order)
            assert expected["count"] > 0, (words, filters)
            assert found["count"] == expected["count"], (words, filters)
            assert found["titles"] == expected["titles"], (words, filters)
            assert set(found["filters"]) <= set(expected["filters"]), (words, filters, sorted(expected["filters"]), sorted(found["filters"]))
            for name, counts in found["filters"].items():
                assert counts == {value: expected["filters"][name].get(value, 0) for value in counts}, (words, filters, name)


@pytest.mark.parametrize("order", ["newest", "relevance"])  # without words, relevance is newest first
def test_newest_first_is_the_order_of_month_pages(page, sharded, order):
    """Incidents of one day come in the order month pages list them (the archive's); oldest first is the reverse."""
    sharded_site, archive = sharded
    by_year: dict[int, list] = {}
    for incident in archive.incidents:
        by_year.setdefault(incident.date.year, []).append(incident)
    # A year with days of several incidents among its first and its last 20.
    year, in_year = next((year, incidents) for year, incidents in by_year.items()
                         if all(len({incident.date for incident in part}) < len(part) for part in (incidents[:20], incidents[-20:])))
    with served(sharded_site) as site_url:
        newest = shown(page, site_url, "", {"year": str(year)}, order)["titles"]
        oldest = shown(page, site_url, "", {"year": str(year)}, "oldest")["titles"] if order == "newest" else None
    assert newest == [incident.title for incident in in_year[:20]]
    if oldest is not None:
        assert oldest == [incident.title for incident in in_year[::-1][:20]]


def test_shard_fragments_are_named_by_the_shard_and_page_number(sharded_site):
    """A shard's page list, most of what the first search loads of it, names each fragment by the
    shard's first month and the page's number (they compress; hashes do not), and no two shards'
    names meet: search.js tells results apart by them."""
    seen: set[str] = set()
    shards = sorted((sharded_site / "pagefind" / "shards").iterdir())
    assert len(shards) > 3
    for shard in shards:
        [meta_file] = shard.glob("pagefind.en_*.pf_meta")
        pages = cbor2.loads(read_index_file(meta_file))[1]
        prefix = "en_" + shard.name[:7].replace("-", "") + "_"
        assert [name for name, _ in pages] == [f"{prefix}{number:x}" for number in range(len(pages))]
        assert {path.stem for path in (shard / "fragment").iterdir()} == {name for name, _ in pages}
        assert seen.isdisjoint(name for name, _ in pages)
        seen.update(name for name, _ in pages)
