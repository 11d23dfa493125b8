"""render.py: pages, relative links, and escaping of everything a contributor writes."""

import dataclasses
import os

import pytest

from archive.model import build_archive
from archive.pipeline import APP_DIR
from archive.reference import load_reference
from archive.render import make_environment, qualified_value, relative_root, render_page, site_pages
from test_model import incident

REFERENCE = load_reference()


def test_relative_root_works_at_any_depth():
    assert relative_root("index.html") == "./"
    assert relative_root("regions/index.html") == "../"
    assert relative_root("incidents/x/index.html") == "../../"


def test_the_404_page_links_from_the_sites_own_path():
    from archive.config import SiteConfig

    assert relative_root("404.html") == "/"
    assert relative_root("404.html", SiteConfig(url="https://example.org/archive/")) == "/archive/"


def test_every_page_shows_its_own_header_and_footer_rendered_once_for_its_place_in_the_site():
    from archive.config import SiteConfig
    from archive.render import Page

    environment = make_environment(APP_DIR / "templates")

    def header(path: str, site: SiteConfig) -> str:
        html = render_page(environment, Page(path, "search.html", {}), site)
        return html[html.index('<header class="site-header">'):html.index("</header>")] + html[html.index('<footer class="site-footer">'):]

    archive_site, renamed = SiteConfig(title="Strikes <archive>"), SiteConfig(title="Kyiv strikes")
    region = header("regions/kyiv/index.html", archive_site)
    assert '<a href="../../regions/" aria-current="page">Regions</a>' in region and "Strikes &lt;archive&gt;" in region
    assert 'aria-current="page">Incidents' not in region and '<a href="../../contribute/">Propose a correction</a>' in region
    assert header("regions/kharkiv/index.html", archive_site) == region  # the same place in the site: the same parts
    incidents = header("incidents/x/index.html", archive_site)
    assert '<a href="../../incidents/" aria-current="page">Incidents</a>' in incidents and 'aria-current="page">Regions' not in incidents
    assert 'aria-current' not in header("index.html", archive_site) and 'href="./about/"' in header("index.html", archive_site)
    assert "Kyiv strikes" in header("regions/kyiv/index.html", renamed)  # another site's settings: rendered again


def test_qualified_value():
    built = incident()
    figure = built.figures[0]
    assert qualified_value(figure) == "at least 4"
    assert qualified_value(dataclasses.replace(figure, qualifier="exactly", value=1200)) == "1,200"


def test_site_pages_cover_every_incident_region_and_index():
    archive = build_archive([incident()], [], REFERENCE)
    paths = [page.path for page in site_pages(archive)]
    assert paths == [  # (the totals of one incident have no page: see the test below)
        "index.html", "totals/index.html", "incidents/index.html", "data/index.html", "404.html",
        "regions/index.html", "search/index.html", "incidents/2025/06/index.html",
        "incidents/2025-06-06-a/index.html",
        "regions/ua-30/index.html", "regions/ua-30/2025/index.html",
        "regions/ua-30/totals/index.html",
        "regions/ua-32/index.html", "regions/ua-32/2025/index.html", "map/index.html",
    ]


def test_a_total_of_several_incidents_has_a_page_of_how_it_was_added_up_and_one_of_one_incident_links_to_its_claims():
    first, second = incident(), incident("2025-06-07-b", date="2025-06-07", regions=["UA-46"], places=[])
    paths = {page.path for page in site_pages(build_archive([first, second], [], REFERENCE))}
    assert "totals/total-killed-ukraine/index.html" in paths  # Ukraine's killed in both
    assert not any(path.startswith(("regions/ua-30/totals/total-", "regions/ua-46/totals/total-")) for path in paths)
    environment = make_environment(APP_DIR / "templates")
    pages = {page.path: page for page in site_pages(build_archive([first, second], [], REFERENCE))}
    home = render_page(environment, pages["index.html"])
    assert '<a href="./totals/total-killed-ukraine/">2 incidents: how this was added up</a>' in home
    region = render_page(environment, pages["regions/ua-46/totals/index.html"])
    assert '<a href="../../../incidents/2025-06-07-b/#figures-killed-all">1 incident: its claims</a>' in region


def the_incident_page(archive):
    return next(page for page in site_pages(archive) if page.path == "incidents/2025-06-06-a/index.html")


def test_contributor_text_is_escaped_everywhere():
    evil = '<script>alert("x")</script>'
    built = incident(title=evil, figures=[{"measure": "killed", "value": 1, "qualifier": "exactly",
                                           "claimed_by": evil, "source": "mt", "excerpt": evil}])
    archive = build_archive([built], [], REFERENCE)
    environment = make_environment(APP_DIR / "templates")
    for page in site_pages(archive):
        html = render_page(environment, page)
        assert "<script>alert" not in html, page.path
    incident_html = render_page(environment, the_incident_page(archive))
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in incident_html


def test_incident_page_shows_figures_quotes_and_sources():
    archive = build_archive([incident()], [], REFERENCE)
    html = render_page(make_environment(APP_DIR / "templates"), the_incident_page(archive))
    assert "at least 4" in html and "Vitali Klitschko" in html
    assert "At least four people were killed and 20 wounded in the capital." in html
    assert 'href="#source-mt"' in html and 'id="source-mt"' in html
    assert "They worked under fire to help people." in html and "Ihor Klymenko" in html
    assert 'href="../../regions/ua-30/"' in html
    assert "data-pagefind" not in html  # search is fed from the model (search.py), not from pages (as Pagefind's were)


def test_json_ld_cannot_be_closed_by_a_title():
    import json as json_module

    from archive.citation import json_ld
    from archive.config import SiteConfig

    built = incident(title="</script><script>alert(1)</script>")
    text = str(json_ld(built, SiteConfig()))
    assert "</script>" not in text and "<" not in text
    assert json_module.loads(text)["name"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize("title", ['quote " back\\slash', "tab\tline\nbreak", "\u2028\u2029 separators", "Київ, Белгород, Tōkyō", "</script><!--&"])
def test_json_ld_is_written_as_json_dumps_writes_it(title):
    """orjson writes it (citation.json_ld): the text json.dumps(ensure_ascii=False, separators=(",", ":")) wrote, escapes and all."""
    import json as json_module

    from archive.citation import json_ld
    from archive.config import SiteConfig

    text = str(json_ld(incident(title=title), SiteConfig()))
    data = json_module.loads(text)
    written = json_module.dumps(data, ensure_ascii=False, separators=(",", ":"))
    assert text == written.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") and data["name"] == title


def test_citation_and_bibtex():
    from archive.citation import bibtex, citation_text
    from archive.config import SiteConfig

    config = SiteConfig(url="https://example.org/")
    built = incident(title="Strike on Kyiv & 100% {sure}")
    assert citation_text(built, config) == "Incident Archive. \u201cStrike on Kyiv & 100% {sure}\u201d (2025-06-06). https://example.org/incidents/2025-06-06-a/."
    text = bibtex(built, config)
    assert text.startswith("@misc{2025-06-06-a,\n")
    assert r"title = {{Strike on Kyiv \& 100\% \{sure\}}}" in text
    assert r"howpublished = {\url{https://example.org/incidents/2025-06-06-a/}}" in text


def test_one_early_date_does_not_blow_up_the_charts(tiny):
    """An archive spanning 126 years is charted per year: pages stay small whatever the dates."""
    import datetime as dt

    from archive.pipeline import build
    from conftest import VALID_INCIDENT

    tiny.write("2025-06-06-drone-strike-on-kyiv")
    tiny.write("1900-01-01-early-strike", VALID_INCIDENT.replace("2025-06-06", "1900-01-01"))
    build(tiny.project, today=dt.date(2026, 11, 29), with_search=False)
    site = tiny.root / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Incidents per year" in home and "Incidents per month" not in home
    assert home.count("<rect ") < 2 * 130  # a bar per year and series, not per month
    charted = [site / "index.html", *site.glob("regions/*/index.html")]
    assert max(page.stat().st_size for page in charted) < 100_000


def test_a_span_of_a_few_years_is_charted_per_month(tiny):
    import datetime as dt

    from archive.pipeline import build
    from conftest import VALID_INCIDENT

    tiny.write("2025-06-06-drone-strike-on-kyiv")
    tiny.write("2022-02-24-first-strike", VALID_INCIDENT.replace("2025-06-06", "2022-02-24"))
    build(tiny.project, today=dt.date(2026, 11, 29), with_search=False)
    home = (tiny.root / "site" / "index.html").read_text(encoding="utf-8")
    assert "Incidents per month" in home and "February 2022" in home


# --- maps of located places --------------------------------------------------------------------------------

def synthetic_located_incidents(count: int, places: int, seed: int = 15) -> list:
    """Clearly synthetic incidents, each at one of `places` invented places in Ukraine's regions, skewed like real archives."""
    import datetime as dt
    import random

    from archive.model import Incident, Place

    rng = random.Random(seed)
    regions = [region for code in sorted(REFERENCE.region_names) if code.startswith("UA-") and (region := REFERENCE.region(code))]
    spots = [Place(f"Synthetic place {n}", rng.choice(regions), round(rng.uniform(44.4, 52.3), 5), round(rng.uniform(22.2, 40.2), 5), "settlement")
             for n in range(places)]
    chosen = rng.choices(spots, weights=[1 / (rank + 1) for rank in range(places)], k=count)
    return [Incident(id=f"2025-06-06-synthetic-{n}", path="", title=f"Synthetic {n}", date=dt.date(2025, 6, 6), summary="",
                     regions=[place.region], places=[place]) for n, place in enumerate(chosen)]


def test_the_map_page_of_100000_incidents_stays_under_100_kb_and_links_each_place_to_its_search():
    from archive.maps import MAX_MARKS
    from archive.places import gazetteer_attribution
    from archive.render import Page, archive_map

    incidents = synthetic_located_incidents(100_000, 20_000)
    place_map = archive_map(incidents, "../")
    html = render_page(make_environment(APP_DIR / "templates"),
                       Page("map/index.html", "map.html", {"place_map": place_map, "gazetteer_attribution": gazetteer_attribution()}))
    assert len(html.encode()) < 100 * 1024
    assert place_map.incidents == 100_000 and len(place_map.marks) == MAX_MARKS and place_map.left_out == place_map.places - MAX_MARKS
    busiest = place_map.marks[0].mark
    name, region = (part.replace(" ", "%20") for part in busiest.label.split(", ", 1))
    assert html.count(f'href="../search/?place={name}&amp;region={region}"') == 2, "the circle and its row in the table"
    assert f"{place_map.left_out:,} other places with fewer are left out" in html


def test_an_incident_without_coordinates_has_no_map_and_one_with_them_has():
    from archive.model import Place

    plain = build_archive([incident()], [], REFERENCE)
    assert "place-map" not in render_page(make_environment(APP_DIR / "templates"), the_incident_page(plain))
    located = incident()
    kyiv_oblast = REFERENCE.region("UA-32")
    assert kyiv_oblast is not None
    located.places = [Place("Boryspil", kyiv_oblast, 50.35051, 30.95263, "settlement", "GeoNames 711660")]
    html = render_page(make_environment(APP_DIR / "templates"), the_incident_page(build_archive([located], [], REFERENCE)))
    assert 'class="place-map"' in html and "50.35051, 30.95263" in html and "GeoNames 711660" in html
    assert "<circle" in html and 'href="../../search/' not in html, "an incident's own places are not links"


def test_a_page_whose_folder_another_worker_has_just_made_is_written(tmp_path, monkeypatch):
    """Pages are written by several workers at once: two pages of one new folder race to make it."""
    import os

    from archive.render import _write_new_file

    target = tmp_path / "regions" / "ru-bel" / "index.html"
    (tmp_path / "regions").mkdir()
    real_mkdir = os.mkdir

    def another_worker_first(path, *args, **options):
        real_mkdir(path)  # the other worker's
        real_mkdir(path, *args, **options)  # ours, a moment later: the folder is there

    monkeypatch.setattr("archive.render.os.mkdir", another_worker_first)
    _write_new_file(target, b"<p>page</p>")
    assert target.read_bytes() == b"<p>page</p>"


def test_maps_of_places_with_the_longest_names_a_name_may_have_keep_pages_under_100_kb():
    """A contributor may name 150 places with 150 letters each (Cyrillic: 300 bytes, 900 in a link): fewer marks are drawn."""
    from archive.maps import MAX_MARKS
    from archive.places import gazetteer_attribution
    from archive.render import Page, archive_map, region_place_map

    incidents = synthetic_located_incidents(20_000, 400)
    for located in incidents:
        place = located.places[0]
        long_name = "Ж" * 144 + f" {int(place.name.split()[-1]):05d}"  # one name per place, the longest allowed
        located.places = [type(place)(long_name, place.region, place.lat, place.lon, place.precision)]
        assert len(long_name) == 150
    environment = make_environment(APP_DIR / "templates")
    place_map = archive_map(incidents, "../")
    html = render_page(environment, Page("map/index.html", "map.html", {"place_map": place_map, "gazetteer_attribution": gazetteer_attribution()}))
    assert len(html.encode()) < 100 * 1024
    assert 0 < len(place_map.marks) < MAX_MARKS and place_map.left_out > 0  # fewer marks, and the page says so
    busiest_region = incidents[0].places[0].region
    region_map = region_place_map(busiest_region, [i for i in incidents if i.places[0].region == busiest_region], "../../")
    assert region_map is not None
    drawn = sum(len(str(mark.mark.label).encode()) for mark in region_map.marks)
    assert drawn <= 30 * 120, drawn


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="on one core the templates are compiled in the build's own process")
def test_templates_compiled_ahead_in_another_process_render_as_templates_compiled_here(tmp_path, monkeypatch):
    """A build compiles its templates in a process of its own while it checks the files (render.compile_ahead);
    the environment it renders with loads that code instead of compiling, and compiles again a template edited meanwhile."""
    import shutil

    from archive import parallel, render

    templates = tmp_path / "templates"
    shutil.copytree(APP_DIR / "templates", templates)
    monkeypatch.setattr(render, "_environments", {})
    loaded: list[str] = []  # the templates whose code was taken from the other process

    def load_bytecode(self, bucket, load=render._CompiledTemplates.load_bytecode):
        load(self, bucket)
        if bucket.code is not None:
            loaded.append(bucket.key)
    monkeypatch.setattr(render._CompiledTemplates, "load_bytecode", load_bytecode)
    incident_key = render._CompiledTemplates({}).get_cache_key("incident.html", str(templates / "incident.html"))
    archive = build_archive([incident()], [], REFERENCE)
    page = the_incident_page(archive)  # the incident's page
    expected = render_page(make_environment(templates), page)

    wait = render.compile_ahead(templates, "one version", items=parallel.PARALLEL_FROM)  # (in a forked process)
    assert render_page(render.compiled_environment(templates, "one version"), page) == expected
    wait()
    assert incident_key in loaded

    loaded.clear()
    wait = render.compile_ahead(templates, "another version", items=parallel.PARALLEL_FROM)
    render._compiling[(templates, "another version")]()  # compiled (a build's `wait` comes at its end): then the template changes
    (templates / "incident.html").write_text((templates / "incident.html").read_text(encoding="utf-8")
                                             .replace("{% block main %}", "{% block main %}<p>Edited meanwhile</p>", 1), encoding="utf-8")
    assert "<p>Edited meanwhile</p>" in render_page(render.compiled_environment(templates, "another version"), page)
    wait()
    assert incident_key not in loaded and loaded  # the others were taken as compiled


def test_a_build_whose_process_compiling_the_templates_failed_compiles_them_itself(tmp_path, monkeypatch):
    """The templates compile_ahead compiles are a head start, not a need: a build goes on without them."""
    from archive import parallel, render

    def fails(templates_dir):
        raise MemoryError("killed")
    monkeypatch.setattr(render, "_environments", {})
    monkeypatch.setattr(render, "_compiled_code", fails)
    archive = build_archive([incident()], [], REFERENCE)
    page = the_incident_page(archive)
    wait = render.compile_ahead(APP_DIR / "templates", "a version", items=parallel.PARALLEL_FROM)
    assert render_page(render.compiled_environment(APP_DIR / "templates", "a version"), page) == \
        render_page(make_environment(APP_DIR / "templates"), page)
    wait()  # (raises nothing)


def test_values_are_written_as_markupsafe_escapes_them():
    """Templates write each value through escaped_text, not markupsafe.escape (see _TextOutput): the same text."""
    from jinja2 import Environment
    from markupsafe import Markup

    class Html:
        def __html__(self) -> str:
            return "<b>own</b>"
    source = ('{{ v }}|<a title="{{ v }}">{{ v|string }}</a>{% set s %}[{{ v }}]{% endset %}{{ s }}{% macro m(x) %}{{ x }}{% endmacro %}'
              '{{ m(v) }}{% macro c() %}({{ caller() }}){% endmacro %}{% call c() %}{{ v }}{% endcall %}{% filter upper %}{{ v }}{% endfilter %}{% autoescape false %}{{ v }}{% endautoescape %}')
    environment = make_environment(APP_DIR / "templates")
    assert "environment.escaped_text(" in environment.compile(source, raw=True)  # ours, not Jinja's escape()
    ours, jinjas = environment.from_string(source), Environment(autoescape=True).from_string(source)
    for value in ["<script>&'\"", Markup("<i>kept</i>"), 42, None, 1.5, Html(), "plain"]:
        assert ours.render(v=value) == jinjas.render(v=value), value
