"""Maps of places in headless Chromium: an incident's, a region's and the whole archive's (map/), built from the
repository's own incidents, whose places are located from the gazetteer.

Screenshots at a phone's and a desktop's width in both themes go to test-artifacts/maps/ for people to look at.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from conftest import REPO, axe_violations, served

ARTIFACTS = REPO / "test-artifacts" / "maps"
INCIDENT = "incidents/2025-06-06-russian-missile-and-drone-strikes-on-kyiv-and-western-ukraine/"
MAPS = {"incident": INCIDENT, "region": "regions/ua-07/", "archive": "map/"}


@pytest.fixture(scope="module")
def site_url(shipped_site):
    with served(shipped_site) as url:
        yield url


def test_the_repositorys_incident_has_located_places(shipped_site):
    """What the tests below look at is there: without located places, no incident or region page has a map."""
    for path in MAPS.values():
        assert 'class="place-map"' in (shipped_site / path / "index.html").read_text(encoding="utf-8"), path


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_the_three_maps_and_nothing_wider_than_the_screen(browser, site_url, width, scheme):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    for label, path in MAPS.items():
        page.goto(site_url + path)
        figure = page.locator("figure.place-map")
        figure.scroll_into_view_if_needed()
        box = page.locator("svg.point-map").bounding_box()
        assert box and box["width"] >= min(width - 40, 600) and box["height"] > 100, (label, box)  # the width of the text, up to 42rem
        assert page.locator("svg.point-map circle").count() >= 1, label
        target = ARTIFACTS / f"{label}-{width}-{scheme}.png"
        figure.screenshot(path=str(target))
        assert target.stat().st_size > 5_000
        page.evaluate("() => document.querySelectorAll('details').forEach(details => details.open = true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, label
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_map_pages_have_no_accessibility_violations(browser, site_url, scheme):
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script the site's policy would refuse
    page = context.new_page()
    found = {}
    for label, path in MAPS.items():
        page.goto(site_url + path)
        page.evaluate("(scheme) => document.documentElement.dataset.theme = scheme", scheme)
        found[label] = axe_violations(page)
    context.close()
    assert {label: violations for label, violations in found.items() if violations} == {}


def test_every_mark_links_to_a_page_that_lists_its_incidents(page, shipped_site, site_url):
    """Each circle of the whole-archive map leads to a page that exists; a place's search finds its incident."""
    page.goto(site_url + "map/")
    links = page.eval_on_selector_all("svg.point-map a", "links => links.map(a => [a.getAttribute('href'), a.getAttribute('aria-label')])")
    assert links, "the map's places are links"
    for href, _ in links:
        target = urlsplit(urljoin(site_url + "map/", href))
        assert (shipped_site / target.path.lstrip("/") / "index.html").is_file(), href
    table = page.eval_on_selector_all(".place-table a", "links => links.map(a => a.getAttribute('href'))")
    assert sorted(table) == sorted(href for href, _ in links), "the text alternative links where the map does"
    first_place = next(href for href, _ in links if "place=" in href)
    page.goto(urljoin(site_url + "map/", first_place))
    page.locator("#search-results li").first.wait_for(timeout=15_000)
    assert page.locator("#search-results li a", has_text="strikes on Kyiv").count() >= 1
    assert page.foreign_requests == [] and page.console_errors == []
