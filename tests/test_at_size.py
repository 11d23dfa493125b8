"""The site at 2,000 incidents shaped like real data (bench/generate.py --kind realistic), in headless Chromium.

One region holds a quarter of the incidents, most incidents have 0-2 figures: the pages a
reader opens first must stay small, put what matters first, and read on a phone.
Screenshots go to test-artifacts/at-size/ for people to look at.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect

from archive.pipeline import Project, build
from conftest import REPO, axe_violations, served

sys.path.insert(0, str(REPO / "bench"))
from generate import generate
from page_sizes import representative_pages

pytestmark = pytest.mark.slow  # every test here needs the site of 2,000 generated incidents

INCIDENTS = 2_000
PAGE_LIMIT = 100 * 1024
ARTIFACTS = REPO / "test-artifacts" / "at-size"


@pytest.fixture(scope="module")
def realistic_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("realistic")
    generate(INCIDENTS, root, seed=13, kind="realistic")
    build(Project(root=root))
    return root / "site"


@pytest.fixture(scope="module")
def site_url(realistic_site):
    with served(realistic_site) as url:
        yield url


def count_rows(site: Path, path: str) -> int:
    return (site / path).read_text(encoding="utf-8").count('<li>\n    <time datetime=')


@pytest.fixture(scope="module")
def page_types(realistic_site) -> dict[str, str]:
    """The biggest page of each kind: what a reader of a real archive would open."""
    return representative_pages(realistic_site)


def test_no_html_page_is_over_100_kb(realistic_site):
    sizes = sorted(((p.stat().st_size, p.relative_to(realistic_site).as_posix()) for p in realistic_site.rglob("*.html")), reverse=True)
    assert len(sizes) > INCIDENTS
    assert [(path, size) for size, path in sizes if size > PAGE_LIMIT] == []


def test_the_archive_is_as_skewed_as_real_data(realistic_site, page_types):
    busiest = (realistic_site / page_types["busiest region"] / "index.html").read_text(encoding="utf-8")
    across = re.search(r"across its ([\d,]+) incident", busiest)
    assert across is not None
    count = int(across[1].replace(",", ""))
    assert count >= INCIDENTS // 5  # one region holds about a quarter of everything
    # Its incidents are all listed, a page per year and pages of at most 100 rows, each reachable from the region page.
    listed = sum(count_rows(realistic_site, p.relative_to(realistic_site).as_posix())
                 for p in (realistic_site / page_types["busiest region"]).glob("[0-9]*/**/index.html"))
    assert listed == count


def test_the_busiest_region_shows_its_totals_before_its_incidents(page, site_url, page_types):
    page.goto(site_url + page_types["busiest region"])
    totals = page.locator("table.totals").first.bounding_box()
    first_row = page.locator(".incident-list li").first.bounding_box()
    assert totals["y"] + totals["height"] <= first_row["y"]
    assert page.locator("#timeline-heading").bounding_box()["y"] < first_row["y"]
    # Rows name their places and readings, never the page's own region again.
    region_name = page.locator("h1").inner_text()
    rows = page.locator(".incident-list li .row-regions").all_inner_texts()
    assert all(region_name not in row.split(", ") for row in rows)
    expect(page.locator(".incident-list .row-readings").first).to_be_visible()


def test_a_year_page_jumps_to_its_months_across_its_pages(page, site_url, page_types):
    page.goto(site_url + page_types["region year"])
    jump = page.get_by_role("navigation", name=re.compile("Months of")).get_by_role("link")
    assert jump.count() >= 6
    months = jump.all_inner_texts()
    assert len(months) == len(set(months))  # a month that runs over two pages is listed once
    jump.last.click()
    page.wait_for_load_state()
    anchor = page.url.split("#")[1]
    expect(page.locator(f"#{anchor}")).to_be_in_viewport()


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_at_size_and_nothing_wider_than_the_screen(browser, site_url, page_types, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for label, path in page_types.items():
        page.goto(site_url + path)
        if label == "search":
            expect(page.locator("#search-results li").first).to_be_visible(timeout=15_000)
        target = ARTIFACTS / f"{label.replace(' ', '-')}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        # Nothing is wider than the screen, data tables opened included: no column hidden off to the side.
        page.evaluate("() => document.querySelectorAll('details').forEach(details => details.open = true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, label
        clipped = page.evaluate("""() => [...document.querySelectorAll('table')].filter(table => {
            const box = table.getBoundingClientRect(), frame = table.parentElement.getBoundingClientRect();
            return box.width > 0 && (box.right > frame.right + 1 || table.scrollWidth > table.clientWidth + 1); }).map(t => t.className)""")
        assert clipped == [], label
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_has_no_accessibility_violations(browser, site_url, page_types, scheme):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script the site's policy would refuse
    page = context.new_page()
    found = {}
    for label, path in page_types.items():
        page.goto(site_url + path)
        page.evaluate("(scheme) => document.documentElement.dataset.theme = scheme", scheme)
        if label == "search":
            expect(page.locator("#search-results li").first).to_be_visible(timeout=15_000)
        found[label] = axe_violations(page)
    context.close()
    assert {label: violations for label, violations in found.items() if violations} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_chart_series_have_distinct_colours_never_black(browser, site_url, page_types, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    for path in (page_types["home"], page_types["busiest region"]):
        page.goto(site_url + path)
        page.evaluate("(scheme) => document.documentElement.dataset.theme = scheme", scheme)
        for chart in page.locator("figure.chart").all():
            swatches = chart.locator(".legend .swatch")
            colours = [swatches.nth(i).evaluate("s => getComputedStyle(s).backgroundColor + getComputedStyle(s).backgroundImage")
                       for i in range(swatches.count())]
            fills = set(chart.locator("svg rect[class^=series]").evaluate_all("rects => rects.map(r => getComputedStyle(r).fill)"))
            assert len(set(colours)) == len(colours)
            assert fills and not fills & {"rgb(0, 0, 0)", "none", "rgba(0, 0, 0, 0)"}
            assert len(fills) == max(1, min(len(colours), 7))  # seven colours, then stripes over them
    context.close()


def test_excerpts_link_to_their_sentence_with_well_formed_text_fragments(realistic_site, page_types):
    page = (realistic_site / page_types["incident"] / "index.html").read_text(encoding="utf-8")
    fragments = re.findall(r'href="[^"#]*#:~:text=([^"]*)"', page)
    assert fragments
    for fragment in fragments:
        parts = fragment.split(",")  # the only unescaped commas separate textStart and textEnd
        assert 1 <= len(parts) <= 2 and all(re.fullmatch(r"(?:[A-Za-z0-9_.~]|%[0-9A-F]{2})+", part) for part in parts), fragment
    assert "%2C" in page or "%2D" in page  # the generated excerpts hold commas (", … said")


LAYOUT_SHIFTS = """
window.layoutShift = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) { if (!entry.hadRecentInput) { window.layoutShift += entry.value; } }
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("asked", ["words", "day", "month"])
def test_search_results_arrive_without_shifting_the_page(browser, realistic_site, site_url, width, asked):
    incidents = json.loads((realistic_site / "data" / "incidents.json").read_text(encoding="utf-8"))
    busiest_day = Counter(incident["date"] for incident in incidents).most_common(1)[0][0]
    day = dt.date.fromisoformat(busiest_day)
    query, shown = {"words": ("strike", None), "day": (busiest_day, f"{day.day} {day:%B %Y}"),
                    "month": (f"{day:%B %Y}", f"{day:%B %Y}")}[asked]
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(f"{site_url}search/?q={query}")
    expect(page.locator("#search-results li").first).to_be_visible(timeout=15_000)
    page.wait_for_timeout(300)  # a shift is reported after the frame that made it
    assert page.evaluate("window.layoutShift") < 0.1  # cumulative layout shift, "good" below 0.1
    if shown:  # a date brings that day's or month's incidents, and nothing else
        dates = page.locator("#search-results .result-date").all_inner_texts()
        assert dates and all(shown in date for date in dates)
    context.close()


def test_a_totals_table_stacked_on_a_phone_is_still_a_table_to_a_screen_reader(browser, site_url, page_types):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.goto(site_url + page_types["busiest region"])
    tree = page.locator("table.stacked").first.aria_snapshot()
    context.close()
    assert tree.startswith("- table:") and '- columnheader "According to"' in tree and "- rowheader " in tree
