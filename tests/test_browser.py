"""The built site in a real browser: headless Chromium (the system's) driven by Playwright.

The site is published under /archive/ to prove it works at a sub-path, as on a project page.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import axe_violations, served

KYIV_INCIDENT = "2025-06-06-russian-missile-and-drone-strikes-on-kyiv-and-western-ukraine"


@pytest.fixture(scope="module")
def base_url(shipped_site, tmp_path_factory):
    www = tmp_path_factory.mktemp("www")
    shutil.copytree(shipped_site, www / "archive")
    with served(www) as url:
        yield f"{url}archive/"


def search_results(page):
    return page.locator("#search-results li")


def test_header_search_for_klymenko_finds_the_6_june_incident(page, base_url):
    page.goto(base_url)
    page.fill("#header-q", "Klymenko")
    page.press("#header-q", "Enter")
    expect(page).to_have_url(f"{base_url}search/?q=Klymenko")
    result = search_results(page).filter(has_text="Russian missile and drone strikes on Kyiv and western Ukraine")
    expect(result).to_have_count(1, timeout=10_000)
    result.locator("a").first.click()
    expect(page).to_have_url(f"{base_url}incidents/{KYIV_INCIDENT}/")
    expect(page.locator("h1")).to_have_text("Russian missile and drone strikes on Kyiv and western Ukraine")


def test_region_filter_narrows_results(page, base_url):
    page.goto(f"{base_url}search/?q=drones")
    titles = search_results(page).locator(".result-title")
    expect(titles.filter(has_text="Kyiv and western Ukraine")).to_have_count(1, timeout=10_000)
    expect(titles.filter(has_text="Tula region and Moscow")).to_have_count(1)

    page.locator("#search-filters summary", has_text="Region").click()
    page.get_by_label("Tula Oblast").check()
    expect(titles.filter(has_not_text="Tula")).to_have_count(0, timeout=10_000)
    expect(titles.filter(has_text="Tula region and Moscow")).to_have_count(1)


def test_incident_page_links_to_its_regions_and_back(page, base_url):
    page.goto(f"{base_url}incidents/{KYIV_INCIDENT}/")
    regions = page.locator(".facts a")
    expect(regions).to_have_count(8)
    page.get_by_role("link", name="Ternopil Oblast").first.click()
    expect(page).to_have_url(f"{base_url}regions/ua-61/")
    expect(page.locator("h1")).to_have_text("Ternopil Oblast")
    page.locator(".incident-list a", has_text="Russian missile and drone strikes").click()
    expect(page).to_have_url(f"{base_url}incidents/{KYIV_INCIDENT}/")


def test_pages_read_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base_url}incidents/{KYIV_INCIDENT}/")
    expect(page.locator("table.figures")).to_contain_text("Vitali Klitschko")
    page.goto(f"{base_url}search/")
    expect(page.locator("main")).to_contain_text("Search needs JavaScript")
    context.close()


def test_search_finds_a_region_by_its_other_spelling(page, base_url):
    page.goto(f"{base_url}search/?q=Kiev")
    titles = search_results(page).locator(".result-title")
    expect(titles.filter(has_text="Russian missile and drone strikes on Kyiv")).to_have_count(1, timeout=10_000)
    expect(titles.filter(has_text="Kyiv Oblast")).to_have_count(1)


def test_serve_reloads_the_open_page_after_an_edit(browser, tiny):
    """`build.py serve`: an edit to an incident file shows in the open page without a manual reload."""
    from test_serve import NAME, start_preview

    tiny.write(NAME)
    with start_preview(tiny) as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}incidents/{NAME}/")
        expect(page.locator("h1")).to_have_text("Drone strike on Kyiv")
        path = tiny.root / "incidents" / "2025" / f"{NAME}.yaml"
        path.write_text(path.read_text().replace("title: Drone strike on Kyiv", "title: Drone strike on Kyiv, updated"))
        expect(page.locator("h1")).to_have_text("Drone strike on Kyiv, updated", timeout=15_000)
        context.close()


def test_serve_makes_an_edit_searchable(browser, tiny):
    """`build.py serve`: an edit is found by the site's search once the build after it is done, and the
    title it replaced no longer is."""
    from test_serve import NAME, start_preview

    tiny.write(NAME)
    with start_preview(tiny) as url:
        context = browser.new_context()
        page = context.new_page()
        results = search_results(page).locator(".result-title")

        def found(query: str, title: str) -> bool:
            page.goto(f"{url}search/?q={query}")
            try:
                expect(results.filter(has_text=title)).to_have_count(1, timeout=3_000)
            except AssertionError:
                return False
            return True

        assert any(found("strike", "Drone strike on Kyiv") for _ in range(10))  # the first build indexes after showing the pages
        path = tiny.root / "incidents" / "2025" / f"{NAME}.yaml"
        path.write_text(path.read_text().replace("title: Drone strike on Kyiv", "title: Rebuilt attack on Kyiv"))
        assert any(found("Rebuilt", "Rebuilt attack on Kyiv") for _ in range(10))
        expect(results).to_have_count(1)
        page.goto(f"{url}search/?q=strike")
        expect(page.locator("#search-status")).to_have_text("0 results for \u201cstrike\u201d", timeout=10_000)
        context.close()


# --- a reader's walk, themes, accessibility and screenshots ------------------------------

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
WCAG_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # these pages: WCAG rules, not axe's best practices


def test_a_reader_walks_from_home_to_a_download(page, base_url):
    page.goto(base_url)
    page.get_by_role("link", name="Ternopil Oblast").first.click()
    expect(page).to_have_url(f"{base_url}regions/ua-61/")
    page.locator(".incident-list a").first.click()
    expect(page).to_have_url(f"{base_url}incidents/{KYIV_INCIDENT}/")
    page.locator("table.figures a[href='#source-aj']").first.click()
    expect(page).to_have_url(f"{base_url}incidents/{KYIV_INCIDENT}/#source-aj")
    expect(page.locator("#source-mt a").first).to_have_attribute(
        "href", "https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360")
    page.fill("#header-q", "Klymenko")
    page.press("#header-q", "Enter")
    expect(search_results(page).locator(".result-title").filter(
        has_text="Russian missile and drone strikes on Kyiv and western Ukraine")).to_have_count(1, timeout=10_000)
    page.locator("#search-filters summary", has_text="Claimant").click()
    page.get_by_label("Ihor Klymenko").check()
    expect(search_results(page).locator(".result-title")).to_have_text(
        ["Russian missile and drone strikes on Kyiv and western Ukraine"], timeout=10_000)
    page.get_by_role("link", name="Data", exact=True).first.click()
    with page.expect_download() as download:
        page.get_by_role("link", name="incidents.json").click()
    assert download.value.suggested_filename == "incidents.json"
    assert '"Russian missile and drone strikes on Kyiv and western Ukraine"' in Path(download.value.path()).read_text()


def test_search_results_can_be_ordered_by_date(page, base_url):
    page.goto(f"{base_url}search/?q=drones")
    titles = search_results(page).locator(".result-title")
    expect(titles.first).to_be_visible(timeout=10_000)
    content_pages = re.compile("About|Methodology|How to propose a correction")
    page.select_option("#search-order", "oldest")
    expect(page).to_have_url(f"{base_url}search/?q=drones&order=oldest")  # an ordered search is a shareable link
    expect(titles.first).to_have_text(content_pages, timeout=10_000)  # undated pages sort before every incident
    page.select_option("#search-order", "newest")
    expect(titles.first).not_to_have_text(content_pages, timeout=10_000)


def test_the_theme_toggle_switches_and_is_remembered(page, base_url):
    page.emulate_media(color_scheme="light")
    page.goto(base_url)

    def background():
        return page.evaluate("getComputedStyle(document.body).backgroundColor")

    assert background() == "rgb(255, 255, 255)"
    page.get_by_role("button", name="Switch to the dark theme").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert background() == "rgb(21, 23, 27)"
    page.goto(f"{base_url}regions/")
    assert background() == "rgb(21, 23, 27)"
    page.get_by_role("button", name="Switch to the light theme").click()
    assert background() == "rgb(255, 255, 255)"


@pytest.mark.parametrize("path", ["", f"incidents/{KYIV_INCIDENT}/", "regions/ua-61/", "search/?q=Kyiv", "regions/", "data/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_accessibility_violations(browser, base_url, path, scheme):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script the site's policy would refuse
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url + path)
    if path.startswith("search"):
        expect(search_results(page).first).to_be_visible(timeout=10_000)
    found = axe_violations(page, WCAG_ONLY)
    context.close()
    assert found == []


@pytest.mark.parametrize("width, name", [(320, "phone"), (1280, "desktop")])
def test_screenshots_of_the_main_pages(browser, base_url, width, name):
    """Pictures of the pages a journalist would see, kept in test-artifacts/ for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for label, path in [("home", ""), ("incident", f"incidents/{KYIV_INCIDENT}/"), ("region", "regions/ua-61/"),
                        ("regions", "regions/"), ("search", "search/?q=Kyiv")]:
        page.goto(base_url + path)
        if label == "search":
            expect(search_results(page).first).to_be_visible(timeout=10_000)
        target = ARTIFACTS / f"{label}-{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        # Nothing may be wider than the screen: a phone reader never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, label
    context.close()
