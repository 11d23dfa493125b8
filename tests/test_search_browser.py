"""Search as a reader meets it, in headless Chromium: the search page and the offline copy's
search (from file://) show each result's date, regions, key readings and a snippet of the incident's
own text; a date in the words finds that day's or month's incidents; only filters with values are
shown or named; results never shift the layout; and the page passes axe in both themes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from archive.pipeline import build
from archive.search_index import words_of
from conftest import TODAY, TinyArchive, axe_violations, index_file_data, served

SCAFFOLDING = ["No figures recorded yet", "Regions", "What happened", "Figures", "Sources", "Corrections",
               "Cite this incident", "Places named", "Suggest a correction", "whole incident"]


def incident(title: str, date: str, region: str, place: str, summary: str, killed: int | None = None) -> str:
    figures = f"""figures:
  - measure: killed
    value: {killed}
    qualifier: at least
    region: {region}
    claimed_by: Vitali Klitschko
    source: mt
    excerpt: "At least {killed} people were killed, the mayor said."
""" if killed else "figures: []\n"
    return f"""title: {title}
date: {date}
summary: |
  {summary}
regions: [{region}]
places:
  - {{name: {place}, region: {region}}}
sources:
  mt:
    publisher: The Moscow Times
    title: Report of the strike
    url: https://www.themoscowtimes.com/{date.replace('-', '/')}/report
    published: {date}
{figures}quotes:
  - speaker: Ihor Klymenko
    role: Interior Minister of Ukraine
    text: "Rescuers worked through the night."
    source: mt
corrections: []
"""


INCIDENTS = {
    "2025-06-06-drone-strike-on-kyiv": incident("Drone strike on Kyiv", "2025-06-06", "UA-30", "Kyiv",
                                                "Drones hit **Kyiv** overnight, and a market burned.", killed=4),
    "2022-03-16-shelling-of-a-kharkiv-market": incident("Shelling of a Kharkiv market", "2022-03-16", "UA-63", "Kharkiv",
                                                        "Shells hit a fish market in Kharkiv."),
    "2022-03-20-strike-on-a-theatre": incident("Strike on a theatre in Mariupol", "2022-03-20", "UA-14", "Mariupol",
                                               "A bomb hit the theatre where people sheltered.", killed=12),
    # Its words name the 16th of March 2022 and the numbers of that date: a search for the words finds it; a date, not.
    "2022-04-01-strike-on-a-station": incident("Strike on a station in Kramatorsk", "2022-04-01", "UA-14", "Kramatorsk",
                                               "Two weeks after the market shelling of 16 March 2022, 03 trains and 16 carriages burned."),
}


@pytest.fixture(scope="module")
def archive_root(tmp_path_factory):
    tiny = TinyArchive(tmp_path_factory.mktemp("search") / "archive")
    for name, text in INCIDENTS.items():
        tiny.write(name, text)
    build(tiny.project, today=TODAY, offline=True)
    return tiny.root


@pytest.fixture(scope="module")
def site_url(archive_root):
    with served(archive_root / "site") as url:
        yield url


def offline_search(archive_root: Path) -> str:
    return (archive_root / "site-offline" / "search" / "index.html").as_uri()


# Both search pages, by the prefix of their parts' ids.
ONLINE, OFFLINE = "search", "offline"


def open_search(page, where, site_url, archive_root, query: str):
    address = f"{site_url}search/" if where == ONLINE else offline_search(archive_root)
    page.goto(address + "?q=" + query if query else address)


def results(page, where):
    return page.locator(f"#{where}-results li")


def details_of(page, where) -> list[list[str]]:
    """Each result's title, then its details (date, regions, readings), as the reader sees them."""
    details: list[list[str]] = page.locator(f"#{where}-results li").evaluate_all("""items => items.map(item => [
        item.querySelector('.result-title').textContent,
        ...Array.from(item.querySelectorAll('.row-details > *')).map(part => part.textContent)])""")
    return details


# --- what a result shows ----------------------------------------------------------------------

@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_a_result_shows_its_date_regions_readings_and_a_snippet_of_its_own_text(page, site_url, archive_root, where):
    open_search(page, where, site_url, archive_root, "Klitschko")
    expect(results(page, where)).to_have_count(2, timeout=10_000)
    kyiv = results(page, where).filter(has_text="Drone strike on Kyiv")
    expect(kyiv.locator("time.result-date")).to_have_text("6 June 2025")
    expect(kyiv.locator("time.result-date")).to_have_attribute("datetime", "2025-06-06")
    expect(kyiv.locator(".row-regions")).to_have_text("Kyiv")
    expect(kyiv.locator(".row-reading")).to_have_text(["Killed: at least 4 (Ukraine)"])
    expect(kyiv.locator(".result-snippet mark").first).to_have_text("Klitschko:")
    expect(kyiv.locator(".result-snippet")).to_contain_text("At least 4 people were killed, the mayor said.")


def test_the_offline_copy_shows_the_same_results_as_the_search_page(page, site_url, archive_root):
    for query in ("Klitschko", "market", "2022-03"):
        open_search(page, ONLINE, site_url, archive_root, query)
        expect(results(page, ONLINE).first).to_be_visible(timeout=10_000)
        online = sorted(details_of(page, ONLINE))
        open_search(page, OFFLINE, site_url, archive_root, query)
        expect(results(page, OFFLINE)).to_have_count(len(online), timeout=10_000)
        assert sorted(details_of(page, OFFLINE)) == online, query


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_snippets_are_the_incidents_own_text_never_page_scaffolding(page, site_url, archive_root, where):
    for query in ("market", "Klymenko", "Kharkiv", "March 2022"):
        open_search(page, where, site_url, archive_root, query)
        expect(results(page, where).first).to_be_visible(timeout=10_000)
        snippets = page.locator(f"#{where}-results .result-snippet").all_text_contents()
        assert snippets, query
        for snippet in snippets:
            for word in SCAFFOLDING:
                assert word not in snippet, (query, snippet)
    # The incident without figures: its page says "No figures recorded yet"; its result does not.
    open_search(page, where, site_url, archive_root, "fish")
    expect(results(page, where)).to_have_count(1, timeout=10_000)
    expect(results(page, where).first.locator(".result-snippet")).to_have_text("Shells hit a fish market in Kharkiv. "
                                                                               "Ihor Klymenko, Interior Minister of Ukraine: "
                                                                               "\u201cRescuers worked through the night.\u201d "
                                                                               "Kharkiv, Kharkiv Oblast (Kharkiv, Kharkov, Kharkivska oblast), "
                                                                               "The Moscow Times.")
    expect(results(page, where).first.locator(".row-readings")).to_have_count(0)


# --- dates ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
@pytest.mark.parametrize("query, titles, status", [
    ("2022-03-16", ["Shelling of a Kharkiv market"], "1 result on 16 March 2022"),
    ("16 March 2022", ["Shelling of a Kharkiv market"], "1 result on 16 March 2022"),
    ("March 16, 2022", ["Shelling of a Kharkiv market"], "1 result on 16 March 2022"),
    ("March 2022", ["Strike on a theatre in Mariupol", "Shelling of a Kharkiv market"], "2 results in March 2022"),
    ("2022-03", ["Strike on a theatre in Mariupol", "Shelling of a Kharkiv market"], "2 results in March 2022"),
    ("market 2022-03-16", ["Shelling of a Kharkiv market"], "1 result for \u201cmarket\u201d on 16 March 2022"),
    ("2022-03-17", [], "0 results on 17 March 2022"),
])
def test_a_date_finds_that_days_or_months_incidents(page, site_url, archive_root, where, query, titles, status):
    open_search(page, where, site_url, archive_root, query)
    expect(page.locator(f"#{where}-status")).to_have_text(status, timeout=10_000)
    expect(page.locator(f"#{where}-results .result-title")).to_have_text(titles)


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_a_date_selects_its_day_not_the_text_that_names_it(page, site_url, archive_root, where):
    """The station's text names 16 March 2022 (and 03 and 16), but it happened on 1 April."""
    open_search(page, where, site_url, archive_root, "16 March 2022 trains")
    expect(page.locator(f"#{where}-status")).to_have_text("0 results for \u201ctrains\u201d on 16 March 2022", timeout=10_000)
    expect(page.locator(f"#{where}-results .result-title")).to_have_text([])
    open_search(page, where, site_url, archive_root, "trains 16 carriages")  # no date: words
    expect(page.locator(f"#{where}-results .result-title")).to_have_text(["Strike on a station in Kramatorsk"], timeout=10_000)


def test_a_date_and_the_filters_chosen_narrow_together(page, site_url):
    page.goto(f"{site_url}search/?q=March+2022&region=Donetsk+Oblast")
    expect(page.locator("#search-status")).to_have_text("1 result in March 2022 with the filters chosen", timeout=10_000)
    expect(page.locator("#search-results .result-title")).to_have_text(["Strike on a theatre in Mariupol"])
    expect(page.get_by_label("Donetsk Oblast (1)")).to_be_checked()


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_incidents_of_one_day_come_as_the_month_page_lists_them(page, tmp_path, where):
    """Newest first, and a search without words, list a day's incidents as its month's page does; oldest first, the reverse."""
    tiny = TinyArchive(tmp_path / "archive")
    for name, day in (("alpha", 12), ("bravo", 12), ("charlie", 12), ("delta", 11)):
        tiny.write(f"2024-05-{day}-{name}", incident(f"Drones over {name}", f"2024-05-{day}", "UA-30", "Kyiv", "Drones hit Kyiv."))
    build(tiny.project, today=TODAY, offline=True)
    month_page = (tiny.root / "site" / "incidents" / "2024" / "05" / "index.html").read_text(encoding="utf-8")
    listed = sorted((f"Drones over {name}" for name in ("alpha", "bravo", "charlie", "delta")), key=month_page.index)
    assert listed == ["Drones over charlie", "Drones over bravo", "Drones over alpha", "Drones over delta"]
    titles = page.locator(f"#{where}-results .result-title")
    with served(tiny.root / "site") as site_url:
        for query, order, expected in (("drones", "newest", listed), ("drones", "oldest", listed[::-1]), ("2024-05", "relevance", listed)):
            address = f"{site_url}search/" if where == ONLINE else offline_search(tiny.root)
            page.goto(f"{address}?q={query}")
            page.select_option(f"#{where}-order", order)
            expect(titles).to_have_text(expected, timeout=10_000)


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_a_plural_finds_its_singular_and_the_singular_its_plurals(page, site_url, archive_root, where):
    for query, title in (("markets shelling", "Shelling of a Kharkiv market"), ("shell", "Shelling of a Kharkiv market"),
                         ("theatres", "Strike on a theatre in Mariupol")):
        open_search(page, where, site_url, archive_root, query)
        expect(results(page, where).first, query).to_contain_text(title, timeout=10_000)
    expect(results(page, where).first.locator(".result-snippet mark").first).to_have_text("theatre")


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_words_of_no_letter_find_nothing(page, site_url, archive_root, where):
    open_search(page, where, site_url, archive_root, "!!! -")
    expect(page.locator(f"#{where}-status")).to_have_text("0 results for \u201c!!! -\u201d", timeout=10_000)
    expect(results(page, where)).to_have_count(0)


def test_the_search_page_makes_the_terms_the_index_holds(page, site_url):
    """What is typed is folded into terms as the index's text was (search_index.words_of): else a word would
    be looked up under another term than the one it is filed under."""
    rng = random.Random(14)
    pieces = ["Kyïv", "ÉCOLE", "missiles", "cities", "aies", "us", "ss", "s", "News", "𠀀𠀀s", "𠀀𠀀𠀀s", "हिंदी", "дacha", "№",
              "İstanbul", "straße", "ﬁres", "Ⅻs", "x\u0301s", "_s", "3s", "ies", "eies", "-", "'", " ", "’s", "\u00a0"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(400)]
    page.goto(f"{site_url}search/")
    page.wait_for_function("window.ArchiveSearch !== undefined")
    assert page.evaluate("texts => texts.map((text) => ArchiveSearch.wordsOf(text))", texts) == [words_of(text) for text in texts]


# --- filters --------------------------------------------------------------------------------------

@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_only_filters_with_values_are_shown_and_named(page, site_url, archive_root, where):
    open_search(page, where, site_url, archive_root, "strike")
    expect(results(page, where).first).to_be_visible(timeout=10_000)
    expect(page.locator(f"#{where}-filters summary")).to_have_text(["Region", "Place", "Year", "Measure", "Claimant"])
    expect(page.locator(f"#{where}-help")).to_have_text("Narrow the results by region, place, year, measure or claimant.")


def test_filter_values_are_loaded_when_a_filter_is_opened_not_for_the_first_search(page, site_url, archive_root):
    """A filter's file, every value with its documents, grows with the archive's names of places and people: a
    search that uses no filter loads none but the regions' short list (a search lists the regions it names first).
    Opening a filter shows its values, counted within the results."""
    _kind, _key, index = index_file_data((archive_root / "site" / "search-index" / "index.js").read_text(encoding="ascii"))
    file_of = {name: f"search-index/filters/{key}.js" for name, key in index["filters"]}
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    open_search(page, ONLINE, site_url, archive_root, "strike")
    expect(results(page, ONLINE).first).to_be_visible(timeout=10_000)
    page.wait_for_timeout(300)
    assert [url for url in asked if "/filters/" in url] == [site_url + file_of["kind"]]
    page.locator("#search-filters summary", has_text="Region").click()
    expect(page.locator("#search-filters details[data-filter=region]").get_by_label("Kyiv (1)")).to_be_visible(timeout=10_000)
    assert site_url + file_of["region"] in asked


def test_a_filter_opened_before_any_search_shows_its_values_counted_in_the_whole_archive(page, site_url, archive_root):
    open_search(page, ONLINE, site_url, archive_root, "")
    page.locator("#search-filters summary", has_text="Region").click()
    expect(page.locator("#search-filters details[data-filter=region]").get_by_label("Donetsk Oblast (2)")).to_be_visible(timeout=10_000)
    expect(page.locator("#search-status")).to_have_text("\u00a0")


@pytest.fixture(scope="module")
def bare_root(tmp_path_factory):
    """An archive whose incidents have no figures: no measure, claimant or weapon to filter by."""
    tiny = TinyArchive(tmp_path_factory.mktemp("bare") / "archive")
    for name in ("2022-03-16-shelling-of-a-kharkiv-market", "2022-04-01-strike-on-a-station"):
        tiny.write(name, INCIDENTS[name])
    build(tiny.project, today=TODAY, offline=True)
    return tiny.root


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_a_filter_with_no_values_is_neither_shown_nor_named(page, bare_root, where):
    with served(bare_root / "site") as url:
        open_search(page, where, url, bare_root, "strike")
        expect(results(page, where).first).to_be_visible(timeout=10_000)
        expect(page.locator(f"#{where}-filters summary")).to_have_text(["Region", "Place", "Year"])
        expect(page.locator(f"#{where}-help")).to_have_text("Narrow the results by region, place or year.")
        assert "weapon" not in page.locator("main").inner_text().lower()


# --- layout and accessibility -------------------------------------------------------------------

LAYOUT_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) { continue; }
    const nodes = entry.sources.map(source => source.node).filter(Boolean);
    window.layoutShifts.push({value: entry.value, inSearch: nodes.some(node =>
      node.closest && (node.closest('.search-layout, .site-footer') !== null || node.matches('.search-form, [role=status]')))});
  }
}).observe({type: 'layout-shift', buffered: true});
"""


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("query", ["strike", ""])
def test_results_arriving_never_shift_the_layout(browser, site_url, archive_root, where, width, query):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.add_init_script(LAYOUT_SHIFTS)
    open_search(page, where, site_url, archive_root, query)
    if query:
        expect(results(page, where).first).to_be_visible(timeout=10_000)
    else:
        expect(page.locator(f"#{where}-filters summary").first).to_be_visible(timeout=10_000)
    page.wait_for_timeout(300)  # a shift is reported after the frame that made it
    shifts = page.evaluate("window.layoutShifts")
    context.close()
    assert sum(shift["value"] for shift in shifts) < 0.1, shifts  # cumulative layout shift, "good" below 0.1
    assert [shift for shift in shifts if shift["inSearch"]] == []  # none of it is the search form's, its results' or the footer's


@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_search_page_has_no_accessibility_violations(browser, site_url, archive_root, where, theme):
    """axe's WCAG rules and its best practices: a visible label for the words (label-title-only) and the
    page's search landmark named apart from the header's (landmark-unique) among them."""
    context = browser.new_context(bypass_csp=True)  # axe is injected as a script the site's policy would refuse
    page = context.new_page()
    open_search(page, where, site_url, archive_root, "strike")
    page.evaluate(f"document.documentElement.setAttribute('data-theme', '{theme}')")
    expect(results(page, where).first).to_be_visible(timeout=10_000)
    page.locator(f"#{where}-filters summary", has_text="Region").click()  # its checkboxes and labels too
    expect(page.locator(f"#{where}-filters input").first).to_be_visible(timeout=10_000)
    found = axe_violations(page)
    context.close()
    assert found == []


# --- part of the index not there ----------------------------------------------------------------

# Each kind of index file a search may need: the files, the search, and what it finds once they come.
MISSING_FILES = {
    "words": ("shards/*/words/*.js", "?q=kyiv", "Drone strike on Kyiv"),
    "documents": ("shards/*/docs/*.js", "?q=kyiv", "Drone strike on Kyiv"),
    "filters": ("filters/*.js", "?q=strike&region=Donetsk+Oblast", "Strike on a theatre in Mariupol"),
}


@pytest.mark.parametrize("kind", MISSING_FILES)
@pytest.mark.parametrize("where", [ONLINE, OFFLINE])
def test_a_search_that_could_not_load_part_of_the_index_says_so_and_the_next_one_loads_it(browser, site_url, archive_root,
                                                                                         tmp_path, where, kind):
    """Index files that never came (a dropped connection online, files missing from a copy on disk) are not taken for
    "no results", a result left out or an empty filter: the reader is told, the filters a link chose stay chosen, and
    searching again asks for the files again."""
    files, query, found = MISSING_FILES[kind]
    context = browser.new_context(service_workers="block")  # (the service worker would fetch past the page's routes)
    page = context.new_page()
    held: dict[Path, bytes] = {}  # the copy's files, taken out
    try:
        if where == ONLINE:
            page.route("**/search-index/" + files, lambda route: route.abort())
            page.goto(f"{site_url}search/{query}")
        else:
            copy = tmp_path / "site-offline"
            shutil.copytree(archive_root / "site-offline", copy)
            held.update({path: path.read_bytes() for path in (copy / "search-index").glob(files)})
            for path in held:
                path.unlink()
            page.goto((copy / "search" / "index.html").as_uri() + query)
        status = page.locator(f"#{where}-status")
        expect(status).to_contain_text(". Part of the search index could not be loaded, so there may be more results than these. "
                                       "Search again, or check your connection.", timeout=10_000)
        expect(results(page, where)).to_have_count(0)
        if kind == "filters":  # the filter the link chose stays chosen, and shown: not more results than asked for
            expect(status).to_contain_text("0 results for \u201cstrike\u201d with the filters chosen")
            expect(page.locator(f"#{where}-filters input[name=region][value='Donetsk Oblast']")).to_be_checked()
            assert "region=Donetsk+Oblast" in page.url
        if where == ONLINE:
            page.unroute("**/search-index/" + files)
        else:
            for path, data in held.items():
                path.write_bytes(data)
        page.locator(f"#{where}-q").press("Enter")
        expect(results(page, where).filter(has_text=found)).to_have_count(1, timeout=10_000)
        expect(status).not_to_contain_text("could not be loaded")
        expect(results(page, where).filter(has_text="Drone strike on Kyiv" if kind == "filters" else "Mariupol")).to_have_count(0)
        if kind == "filters":
            expect(page.locator(f"#{where}-filters input[name=region][value='Donetsk Oblast']")).to_be_checked()
    finally:
        context.close()


def test_a_filter_a_link_chose_whose_file_never_comes_can_be_unticked(browser, site_url):
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    try:
        page.route("**/search-index/filters/*.js", lambda route: route.abort())
        page.goto(f"{site_url}search/?q=strike&region=Donetsk+Oblast")
        chosen = page.locator("#search-filters input[name=region][value='Donetsk Oblast']")
        expect(chosen).to_be_checked(timeout=10_000)
        chosen.uncheck()
        expect(results(page, ONLINE).filter(has_text="Drone strike on Kyiv")).to_have_count(1, timeout=10_000)
        expect(page.locator("#search-status")).to_have_text("3 results for \u201cstrike\u201d")
        assert "region=" not in page.url
    finally:
        context.close()
