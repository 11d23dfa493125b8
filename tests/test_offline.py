"""offline.py: the copy of the archive that works from disk, search included, and its zip."""

import contextlib
import os
import re
import shutil
import zipfile

import pytest
from hypothesis import given, settings, strategies as st
from playwright.sync_api import expect

from archive import parallel
from archive.offline import rewrite_links
from archive.pipeline import Project, build
from conftest import REPO, TODAY, VALID_INCIDENT, TinyArchive, index_file_data, served

KYIV_INCIDENT = "2025-06-06-russian-missile-and-drone-strikes-on-kyiv-and-western-ukraine"


@pytest.fixture(scope="module")
def offline_build(tmp_path_factory):
    import shutil

    root = tmp_path_factory.mktemp("offline")
    shutil.copytree(REPO / "incidents", root / "incidents")
    shutil.copytree(REPO / "content", root / "content")
    build(Project(root=root), offline=True)
    return root


@pytest.mark.parametrize("link, expected", [
    ("./", "./index.html"), ("../../", "../../index.html"), ("regions/ua-30/", "regions/ua-30/index.html"),
    ("../search/?q=Kyiv", "../search/index.html?q=Kyiv"), ("../../incidents/x/#figures-killed", "../../incidents/x/index.html#figures-killed"),
    ("#source-mt", "#source-mt"), ("static/style.css", "static/style.css"), ("https://example.org/", "https://example.org/"),
    ("..", "../index.html"),
])
def test_links_end_in_index_html(link, expected):
    assert rewrite_links(f'<a href="{link}">') == f'<a href="{expected}">'


def link_from_disk(value: str) -> str:
    """The rule, one link at a time: a relative link to a folder gets index.html; others stay as they are."""
    if value.startswith(("#", "/")) or re.match(r"[a-z][a-z0-9+.-]*:", value, re.IGNORECASE):
        return value
    cut = min((at for at in (value.find("?"), value.find("#")) if at >= 0), default=len(value))
    path, tail = value[:cut], value[cut:]
    if path.endswith("/"):
        path += "index.html"
    elif path in (".", ".."):
        path += "/index.html"
    return path + tail


link_values = st.lists(st.sampled_from([*"ab.:/?#-+1", "https:", "..", "./", "q=x&amp;y", "src=", "?href=", "action="]),
                       max_size=8).map("".join)
between_tags = st.sampled_from(["", " ", "Kyiv/#x", "a/?b", "..", " href=x/ "])  # text, never a link


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(['href="', 'src="', 'action="', 'content="0; url=', 'title="']), link_values, between_tags),
                max_size=5))
def test_every_link_of_a_page_follows_the_rule(attributes):
    page = "".join(f'<a {opening}{value}">{text}</a>' for opening, value, text in attributes)
    expected = "".join(f'<a {opening}{value if opening.startswith("title") else link_from_disk(value)}">{text}</a>'
                       for opening, value, text in attributes)
    assert rewrite_links(page) == expected


def test_rewrite_links_touches_only_link_attributes():
    html = '<a href="regions/">Regions</a> <p>regions/ stays</p> <form action="search/">'
    assert rewrite_links(html) == '<a href="regions/index.html">Regions</a> <p>regions/ stays</p> <form action="search/index.html">'


def test_the_offline_copy_carries_the_sites_search_index(offline_build):
    index = offline_build / "site-offline" / "search-index"
    assert (index / "index.js").read_bytes() == (offline_build / "site" / "search-index" / "index.js").read_bytes()
    assert any('["klymenko",[' in words.read_text() for words in index.glob("shards/*/words/*.js"))
    assert any("Ternopil Oblast" in values.read_text() for values in (index / "filters").iterdir())


def test_an_offline_copy_of_a_site_built_without_the_index_has_one_all_the_same(tiny):
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    build(tiny.project, today=TODAY, with_search=False, offline=True)
    assert not (tiny.root / "site" / "search-index").exists()
    index = tiny.root / "site-offline" / "search-index"
    shards = index_file_data((index / "index.js").read_text(encoding="ascii"))[2]["shards"]
    documents = [index_file_data(path.read_text(encoding="ascii"))[2] for path in index.glob("shards/*/docs/*.js")]
    assert sum(count for _name, count, _words in shards) == len(documents)
    assert "incidents/2025-06-06-drone-strike-on-kyiv/" in [document[0] for document in documents]


def test_offline_pages_link_to_index_html_and_not_to_the_server(offline_build):
    offline = offline_build / "site-offline"
    assert not (offline / "downloads").exists()
    page = (offline / "incidents" / KYIV_INCIDENT / "index.html").read_text()
    assert 'href="../../regions/ua-61/index.html"' in page
    for html in offline.rglob("*.html"):
        text = html.read_text()
        assert 'href="/' not in text and 'src="/' not in text, html


def zip_and_tree(root):
    """The members of the offline copy's zip in their order, every CRC checked, and the files of site-offline/
    under the zip's folder."""
    offline = root / "site-offline"
    tree = {f"incident-archive/{p.relative_to(offline).as_posix()}": p.read_bytes() for p in offline.rglob("*") if p.is_file()}
    with zipfile.ZipFile(root / "site" / "downloads" / "archive-offline.zip") as archive:
        assert archive.testzip() is None
        return [(info.filename, archive.read(info)) for info in archive.infolist()], tree


def test_the_zip_holds_exactly_the_offline_tree(offline_build):
    members, tree = zip_and_tree(offline_build)
    assert dict(members) == tree


def test_page_writers_write_the_offline_copy_and_its_zip_together(tiny, monkeypatch):
    """With more files than a process writes alone, several page writers deflate into parts files of their own,
    and the zip put together from them holds the offline tree, in order, every CRC right."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10)
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    build(tiny.project, today=TODAY, offline=True)
    members, tree = zip_and_tree(tiny.project.root)
    assert len(tree) > 10 * (os.cpu_count() or 1)
    assert [name for name, _ in members] == sorted(tree, key=lambda name: name.split("/"))
    assert dict(members) == tree


def test_a_build_counts_the_files_of_the_offline_copy_as_it_writes_them(tiny):
    """At 100,000 incidents the offline copy takes half a minute: its progress line counts its files."""
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    reported = []
    build(tiny.project, today=TODAY, offline=True, progress=lambda phase, done=0, total=0: reported.append((phase, done, total)))
    counts = [(done, total) for phase, done, total in reported if phase == "Writing the offline copy" and total]
    files = sum(1 for path in (tiny.project.root / "site-offline").rglob("*") if path.is_file())
    assert counts and counts[-1] == (files, files)


def test_the_data_page_links_the_zip_with_its_size_and_date(offline_build):
    page = (offline_build / "site" / "data" / "index.html").read_text()
    size = (offline_build / "site" / "downloads" / "archive-offline.zip").stat().st_size
    assert 'href="../downloads/archive-offline.zip" download>archive-offline.zip</a>' in page
    assert f"{size / 1024:.1f} KB" in page and "Content as of 6 June 2025." in page


# --- from disk, in a real browser ----------------------------------------------------------

@contextlib.contextmanager
def page_from_disk(browser, offline_site):
    """A page for `offline_site` opened from file://, which must make no other request and log no error."""
    context = browser.new_context()
    page = context.new_page()
    page.requests = []
    page.errors = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.root = offline_site.as_uri() + "/"
    yield page
    assert [url for url in page.requests if not url.startswith("file://")] == []
    assert page.errors == []
    context.close()


@pytest.fixture
def disk_page(browser, offline_build):
    with page_from_disk(browser, offline_build / "site-offline") as page:
        yield page


def test_search_from_disk_finds_filters_and_navigates(disk_page):
    page = disk_page
    page.goto(page.root + "index.html")
    page.fill("#header-q", "Klymenko")
    page.press("#header-q", "Enter")
    results = page.locator("#offline-results .result-title")
    expect(results).to_have_text(["Russian missile and drone strikes on Kyiv and western Ukraine"], timeout=10_000)
    expect(page.locator("#offline-results mark").first).to_contain_text("Klymenko")

    page.fill("#offline-q", "drones")
    expect(results.filter(has_text="Tula region and Moscow")).to_have_count(1, timeout=10_000)
    before = results.count()
    page.locator("#offline-filters summary", has_text="Region").click()
    page.get_by_label("Tula Oblast").check()
    expect(results.filter(has_text="Kyiv and western Ukraine")).to_have_count(0)
    assert 0 < results.count() < before

    results.filter(has_text="Tula region and Moscow").click()
    expect(page).to_have_url(page.root + "incidents/2025-06-06-ukrainian-drone-strikes-on-tula-region-and-moscow/index.html")
    page.get_by_role("link", name="Tula Oblast").first.click()
    expect(page).to_have_url(page.root + "regions/ru-tul/index.html")
    expect(page.locator("h1")).to_have_text("Tula Oblast")
    page.go_back()
    expect(page.locator("h1")).to_have_text("Ukrainian drone strikes on the Tula region and Moscow")


def test_filters_in_the_address_choose_the_first_search_from_disk(disk_page):
    """The map's places link to the search page with a filter: the first search is limited by it."""
    page = disk_page
    page.goto(page.root + "search/index.html?q=drones&region=Tula%20Oblast")
    results = page.locator("#offline-results .result-title")
    expect(results.filter(has_text="Tula region and Moscow")).to_have_count(1, timeout=10_000)
    expect(results.filter(has_text="Kyiv and western Ukraine")).to_have_count(0)
    expect(page.locator("#offline-status")).to_contain_text("with the filters chosen")


def test_an_incident_page_opened_directly_from_disk(disk_page):
    page = disk_page
    page.goto(page.root + f"incidents/{KYIV_INCIDENT}/index.html")
    expect(page.locator("table.figures")).to_contain_text("Vitali Klitschko")
    expect(page.locator("link[rel=stylesheet]")).to_have_attribute("href", "../../static/style.css")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"  # the CSS loaded
    page.get_by_role("link", name="Regions", exact=True).click()
    expect(page).to_have_url(page.root + "regions/index.html")


OBJECT_NAMED_INCIDENTS = {  # file name: (title, claimant as written, a sentence of its summary)
    "2025-06-06-drone-strike-on-lviv": ("Drone strike on Lviv", "toString", "The word `__proto__` is in this text, and हिंदी."),
    "2025-06-06-drone-strike-on-odesa": ("Drone strike on Odesa", "constructor", "A constructor, toString, valueOf and hasOwnProperty; дacha."),
    "2025-06-06-drone-strike-on-kyiv": ("Drone strike on Kyiv", "Vitali Klitschko", "Удари по Києву. 䍊."),
}


@pytest.fixture(scope="module")
def object_named_site(tmp_path_factory):
    """An offline site whose claimants and words are names JavaScript objects have. No name, in an incident file or
    in the people registry, can hold "_" (characters.name_problem), so `__proto__` is a word of a text here."""
    tiny = TinyArchive(tmp_path_factory.mktemp("object-names") / "archive")
    for name, (title, claimant, sentence) in OBJECT_NAMED_INCIDENTS.items():
        tiny.write(name, VALID_INCIDENT.replace("Drone strike on Kyiv", title).replace("Vitali Klitschko", claimant)
                   .replace("Drones hit **Kyiv** overnight.", f"Drones hit **Kyiv** overnight. {sentence}"))
    build(tiny.project, today=TODAY, offline=True)
    return tiny.root / "site-offline"


def test_claimants_named_like_object_properties_are_filters_from_disk(browser, object_named_site):
    with page_from_disk(browser, object_named_site) as page:
        page.goto(page.root + "search/index.html?q=drones")
        results = page.locator("#offline-results .result-title")
        expect(results).to_have_count(3, timeout=10_000)
        page.locator("#offline-filters summary", has_text="Claimant").click()
        claimants = page.locator("#offline-filters input[name=claimant]")
        expect(claimants).to_have_count(3)
        assert sorted(claimants.evaluate_all("boxes => boxes.map(box => box.value)")) == ["Vitali Klitschko", "constructor", "toString"]
        page.get_by_label("toString", exact=True).check()
        expect(results).to_have_text(["Drone strike on Lviv"])
        page.get_by_label("toString", exact=True).uncheck()
        page.get_by_label("constructor", exact=True).check()
        expect(results).to_have_text(["Drone strike on Odesa"])
        page.get_by_label("toString", exact=True).check()  # either of the two
        expect(results).to_have_count(2)


def test_words_named_like_object_properties_are_found_from_disk(browser, object_named_site):
    with page_from_disk(browser, object_named_site) as page:
        page.goto(page.root + "search/index.html")
        page.wait_for_function("document.getElementById('offline-search').hidden === false")
        for query, found in [
            ("constructor", ["Drone strike on Odesa"]),  # the whole word
            ("construc", ["Drone strike on Odesa"]),  # a word being typed
            ("tostring", ["Drone strike on Lviv", "Drone strike on Odesa"]),  # Lviv's claimant, and a word of Odesa's summary
            ("hasOwnProperty", ["Drone strike on Odesa"]), ("valueOf", ["Drone strike on Odesa"]),
            ("__proto__", ["Drone strike on Lviv"]),
            ("Києву", ["Drone strike on Kyiv"]),  # a shard whose file is named by code points
            ("हिंदी", ["Drone strike on Lviv"]),  # a word with vowel signs (marks), folded alike in Python and here
            ("дacha", ["Drone strike on Odesa"]), ("䍊", ["Drone strike on Kyiv"]),  # shards "дa" and "䍊": files of their own
            ("prototype", []),
        ]:
            page.fill("#offline-q", query)
            expect(page.locator("#offline-status"), query).to_have_text(
                f"{len(found)} result{'' if len(found) == 1 else 's'} for \u201c{query}\u201d", timeout=10_000)
            expect(page.locator("#offline-results .result-title"), query).to_have_text(found)


# --- the optional service worker -------------------------------------------------------------

def test_visited_pages_reopen_offline_with_the_service_worker(browser, tiny):
    (tiny.root / "site.yaml").write_text("offline_cache: true\n")
    tiny.write("2025-06-06-drone-strike-on-kyiv", VALID_INCIDENT)
    build(tiny.project, today=TODAY)
    site = tiny.root / "site"
    assert (site / "sw.js").is_file()
    with served(site) as address:
        context = browser.new_context()
        page = context.new_page()
        url = f"{address}incidents/2025-06-06-drone-strike-on-kyiv/"
        page.goto(url)
        page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready.then(() => true)")
        page.evaluate("navigator.serviceWorker.ready")
        page.reload()  # now controlled by the worker, which keeps a copy
        expect(page.locator("h1")).to_have_text("Drone strike on Kyiv")
        context.set_offline(True)
        page.reload()
        expect(page.locator("h1")).to_have_text("Drone strike on Kyiv")
        context.set_offline(False)
        search = f"{address}search/?q=drone"
        for _visit in range(2):  # a search searched once searches again offline: index.js is asked for with the time in its address
            page.goto(search)
            expect(page.locator("#search-results .result-title")).to_have_text(["Drone strike on Kyiv"], timeout=10_000)
            context.set_offline(True)
        cached = page.evaluate("caches.open('incident-archive-visited').then((cache) => cache.keys()).then((keys) => keys.map((key) => key.url))")
        assert [url for url in cached if "index.js" in url] == [f"{address}search-index/index.js"]  # one copy, not one a visit
        context.close()


def test_no_service_worker_by_default(tiny):
    tiny.write("2025-06-06-drone-strike-on-kyiv", VALID_INCIDENT)
    build(tiny.project, today=TODAY)
    assert not (tiny.root / "site" / "sw.js").exists()
    assert "sw-register.js" not in (tiny.root / "site" / "index.html").read_text()


def test_redirect_pages_point_at_index_html_offline():
    html = '<meta http-equiv="refresh" content="0; url=../2025-06-06-new/"><link rel="canonical" href="../2025-06-06-new/">'
    assert rewrite_links(html) == ('<meta http-equiv="refresh" content="0; url=../2025-06-06-new/index.html">'
                                   '<link rel="canonical" href="../2025-06-06-new/index.html">')


def test_offline_flag_works_before_or_after_the_command(tiny):
    import subprocess
    import sys

    tiny.write("2025-06-06-drone-strike-on-kyiv", VALID_INCIDENT)
    for args in (["--offline", "build"], ["build", "--offline"]):
        shutil.rmtree(tiny.root / "site-offline", ignore_errors=True)
        result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(tiny.root), *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert (tiny.root / "site-offline" / "index.html").is_file(), args
