"""The search index in month shards finds what one index of the whole archive finds: the same
results, in the same orders, relevance included, with the same counts and filter counts, in
headless Chromium. Both are queried as a reader does, through the search page (static/search.js):
the baseline is the same archive's index in as few shards as there are years."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from archive.model import Archive
from archive.pipeline import Project, build, check
from conftest import REPO, TODAY, index_file_data, served

# Words of the generated archive, alone and together, with and without a filter.
QUERIES = [
    ("strike", {}), ("drones killed", {}), ("kharkiv school", {}), ("injured", {"year": "2024"}),
    ("", {"region": "Kharkiv Oblast"}), ("market residential", {}), ("missile", {"measure": "Injured"}), ("kharki", {}),
]
ORDERS = ["relevance", "newest", "oldest"]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> tuple[Path, Path, Archive]:
    """A site of 400 generated incidents in small shards, the same site in a shard a year, and the archive model."""
    root = tmp_path_factory.mktemp("shards") / "archive"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--kind", "realistic", "--incidents", "400",
                    "--out", str(root)], check=True, capture_output=True)
    single = root.parent / "single"
    shutil.copytree(root, single)
    build(Project(root=single), today=TODAY)
    project = Project(root=root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("archive.search.SHARD_RECORDS", 30)  # years in halves, quarters and months, as a large archive's are
        build(project, today=TODAY)
    archive, _ = check(project, today=TODAY)
    assert archive is not None
    return root / "site", single / "site", archive


def shards_of(site: Path) -> list[str]:
    return [name for name, _count, _words in index_file_data((site / "search-index" / "index.js").read_text(encoding="ascii"))[2]["shards"]]


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
def test_the_shards_answer_as_one_index_of_the_whole_archive(page, sharded, order):
    sharded_site, single_site, _archive = sharded
    starts = [name[:7] for name in shards_of(sharded_site) if not name.startswith("pages")]
    assert len(starts) > 12 and starts == sorted(starts, reverse=True)
    assert {start[5:] for start in starts} > {"01", "04", "07"}  # runs of several months and single months
    assert len(shards_of(single_site)) < len(starts) / 3
    with served(single_site) as single_url, served(sharded_site) as sharded_url:
        for words, filters in QUERIES:
            expected = shown(page, single_url, words, filters, order)
            found = shown(page, sharded_url, words, filters, order)
            assert expected["count"] > 0, (words, filters)
            assert found == expected, (words, filters)


@pytest.mark.parametrize("order", ["newest", "relevance"])  # without words, relevance is newest first
def test_newest_first_is_the_order_of_month_pages(page, sharded, order):
    """Incidents of one day come in the order month pages list them (the archive's); oldest first is the reverse."""
    sharded_site, _single_site, archive = sharded
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
