"""Everything search shows is text: titles, excerpts and filter values from contributors' files
never become markup, in the search page and in the offline copy's search."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from archive.pipeline import build
from archive.search import SearchRecord, entry_of, search_records, write_index
from conftest import TODAY, VALID_INCIDENT, served

NAME = "2025-06-06-drone-strike-on-kyiv"
# Markup of several kinds that a UI writing text as HTML would turn into elements, or act on.
MARKUP = [
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<img src=x onerror=alert(1)>",
    "<b>bold</b> <i>italic</i>",
    "<mark>marked</mark>",
    "<a href='https://evil.example/'>link</a>",
    "<svg><script>alert(2)</script></svg>",
]
HOSTILE_TITLE = "Zebrafinch " + MARKUP[1] + " " + MARKUP[2] + " &amp; &lt;i&gt;"


def hostile_incident() -> str:
    return (VALID_INCIDENT
            .replace("title: Drone strike on Kyiv", f"title: {HOSTILE_TITLE!r}")
            .replace("Drones hit **Kyiv** overnight.", "Zebrafinch drones &lt;img src=x&gt; and &#60;b&#62; entities."))


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A tiny archive with markup in its texts, plus a page whose filter values are markup.

    Validation keeps markup out of names, so the filter values come in through a record added
    straight to the index: what is proven here is the search UI, whatever it is given.
    """
    from conftest import TinyArchive

    tiny = TinyArchive(tmp_path_factory.mktemp("hostile") / "archive")
    tiny.write(NAME, hostile_incident())
    archive = build(tiny.project, today=TODAY, offline=True, with_search=False).archive
    assert archive is not None
    site = tiny.root / "site"
    hostile = SearchRecord("incidents/hostile-filters/", "incident", "Zebrafinch filter page", "2025-06-06", "Zebrafinch " + " ".join(MARKUP),
                           {"title": "Zebrafinch filter page", "date": MARKUP[0]}, {"claimant": MARKUP})
    shutil.rmtree(site / "search-index", ignore_errors=True)
    write_index([entry_of(record) for record in [*search_records(archive), hostile]], site / "search-index")
    return tiny.root


@pytest.fixture(scope="module")
def site_url(hostile_site):
    with served(hostile_site / "site") as url:
        yield url


def assert_nothing_injected(page, address: str) -> None:
    page.wait_for_timeout(500)  # a refresh of 0 s, or an image's error handler, would have acted by now
    assert page.url.startswith(address)
    injected = page.locator("main img, main svg script, main b, main i, body meta, main a[href*='evil']")
    assert injected.count() == 0
    assert page.console_errors == [] and page.foreign_requests == []  # evil.example was never asked for


def test_the_search_page_shows_titles_excerpts_and_filter_values_as_text(page, site_url):
    address = f"{site_url}search/?q=zebrafinch"
    page.goto(address)
    results = page.locator("#search-results li")
    expect(results).to_have_count(2, timeout=10_000)
    expect(page.locator("#search-results .result-title").first).to_be_visible()
    expect(page.locator("#search-results")).to_contain_text(HOSTILE_TITLE)
    expect(page.locator("#search-results")).to_contain_text(" ".join(MARKUP))  # the filter page's text, in its excerpt
    page.locator("#search-filters summary", has_text="Claimant").click()
    for value in MARKUP:
        expect(page.locator("#search-filters label", has_text=value)).to_have_count(1)
    page.locator("#search-filters label", has_text=MARKUP[1]).click()
    expect(results).to_have_count(1, timeout=10_000)
    expect(results.first).to_contain_text("Zebrafinch filter page")
    assert_nothing_injected(page, f"{site_url}search/")


def test_the_browser_refuses_html_written_by_any_script(page, site_url):
    """Trusted Types: a script that writes text as HTML is stopped by the browser on every page."""
    page.goto(f"{site_url}search/?q=zebrafinch")
    expect(page.locator("#search-results li").first).to_be_visible(timeout=10_000)
    refused = page.evaluate("""() => { try { document.body.innerHTML = '<img src=x>'; return false; }
                                      catch (error) { return error instanceof TypeError; } }""")
    assert refused
    page.console_errors.clear()  # the refusal itself is reported on the console


def test_offline_search_shows_titles_and_excerpts_as_text(page, hostile_site):
    address = (hostile_site / "site-offline" / "search" / "index.html").as_uri()
    page.goto(address + "?q=zebrafinch")
    results = page.locator("#offline-results li")
    expect(results).to_have_count(1, timeout=10_000)
    expect(results.first).to_contain_text(HOSTILE_TITLE)
    expect(results.first).to_contain_text("drones <img src=x> and <b> entities")  # Markdown entities, shown as the characters
    assert_nothing_injected(page, address)
