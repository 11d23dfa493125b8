"""End to end: a real build of a small archive, read as a visitor's browser would fetch it."""

import re

from archive.pipeline import build
from conftest import TODAY, VALID_INCIDENT, index_file_data
from linkcheck import check_links

KYIV = "2025-06-06-drone-strike-on-kyiv"
LVIV = "2025-05-31-missile-strike-on-lviv"
LVIV_INCIDENT = (
    VALID_INCIDENT.replace("2025-06-06", "2025-05-31")
    .replace("title: Drone strike on Kyiv", "title: Missile strike on Lviv")
    .replace("regions: [UA-30, UA-32]", "regions: [UA-46]")
    .replace("places:\n  - {name: Boryspil, region: UA-32}\n", "")
    .replace("    region: UA-30\n", "    region: UA-46\n")
)


def built(tiny):
    tiny.write(KYIV)
    tiny.write(LVIV, LVIV_INCIDENT)
    build(tiny.project, today=TODAY)
    return tiny.root / "site"


def read(site, path):
    return (site / path).read_text(encoding="utf-8")


def test_every_internal_link_resolves_and_every_page_is_reachable(tiny):
    site = built(tiny)
    broken, reachable = check_links(site)
    assert broken == []
    html_pages = {"/" + p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html"}
    assert html_pages - reachable == set()


def test_home_lists_latest_incidents_newest_first_and_links_regions(tiny):
    home = read(built(tiny), "index.html")
    assert home.index("Drone strike on Kyiv") < home.index("Missile strike on Lviv")
    assert 'href="./regions/ua-46/"' in home and 'action="./search/"' in home


def test_incident_index_links_a_page_per_month(tiny):
    site = built(tiny)
    index = read(site, "incidents/index.html")
    assert 'href="../incidents/2025/06/">June</a>' in index and 'href="../incidents/2025/05/">May</a>' in index
    assert index.index("Drone strike on Kyiv") < index.index("Missile strike on Lviv")  # the latest incidents, newest first
    assert 'href="../incidents/2025/06/">All of June 2025</a>' in index
    may = read(site, "incidents/2025/05/index.html")
    assert "Missile strike on Lviv" in may and 'href="../../../incidents/2025/06/">June 2025 →' in may


def test_region_page_lists_its_incidents_and_figures(tiny):
    page = read(built(tiny), "regions/ua-46/index.html")
    assert "<h1>Lviv Oblast</h1>" in page
    assert "Also spelled: Lviv, Lvov, Lemberg, Lvivska oblast" in page
    assert "Missile strike on Lviv" in page and "Drone strike on Kyiv" not in page
    assert re.search(r'<th scope="row">Killed</th>\s*<td data-label="According to">Ukraine</td>\s*<td class="value" data-label="Total">at least 4', page)
    assert page.index('id="totals-heading"') < page.index("Missile strike on Lviv")  # what a reader needs first comes first
    assert 'href="../../regions/ua-46/2025/">2025</a>' in page
    # Lviv Oblast's total of one incident links to that incident's claims: no page of its own says less than they do.
    assert f'<a href="../../incidents/{LVIV}/#figures-killed-ua-46">1 incident: its claims</a>' in page
    assert not (built(tiny) / "regions/ua-46/totals/total-killed-ukraine").exists()


def test_regions_index_counts_incidents_by_country(tiny):
    page = read(built(tiny), "regions/index.html")
    assert re.search(r"Lviv Oblast</a> <span class=\"count\">1 incident</span>", page)
    assert "<h2>Ukraine</h2>" in page


def test_content_pages_are_rendered_from_markdown(tiny):
    page = read(built(tiny), "about/index.html")
    assert ">About</h1>" in page and "Text of the about page." in page


def test_search_indexes_only_incident_region_and_content_pages(tiny):
    site = built(tiny)
    shards = index_file_data(read(site, "search-index/index.js"))[2]["shards"]
    counts = [count for _name, count, _words in shards]
    # 2 incidents + 3 regions + 3 content pages; home, indexes, data and search are navigation, not content
    assert sum(counts) == 8
    assert counts[-1] == 3  # the content pages, last; incidents and regions in shards by date


def test_pages_use_only_relative_links_so_any_base_path_works(tiny):
    site = built(tiny)
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for link in re.findall(r'(?:href|src|action)="([^"]*)"', page.read_text(encoding="utf-8")):
            assert not link.startswith("/"), f"{page}: {link}"


def test_incident_page_shows_each_groups_reading_then_every_claim(tiny):
    text = VALID_INCIDENT.replace("quotes:", """  - measure: killed
    value: 3
    qualifier: exactly
    region: UA-30
    claimed_by: Ukrainian authorities
    source: mt
    excerpt: "Three people were killed in Kyiv."
quotes:""")
    tiny.write(KYIV, text)
    build(tiny.project, today=TODAY)
    page = read(tiny.root / "site", f"incidents/{KYIV}/index.html")
    group = page[page.index('id="figures-killed-ua-30"'):page.index("</tbody>")]
    assert 'class="conflict"' in group and "conflicting claims" in group
    assert "Reading: <strong>at least 3</strong>" in group
    assert group.index("at least 4") < group.index("Three people were killed in Kyiv.")


def test_totals_link_to_the_incidents_and_claims_they_add_up(tiny):
    site = built(tiny)
    home = read(site, "index.html")
    assert 'href="./totals/total-killed-ukraine/"' in home
    assert 'href="../totals/total-killed-ukraine/"' in read(site, "totals/index.html")
    derivation = read(site, "totals/total-killed-ukraine/index.html")
    assert "Killed, according to Ukraine: at least 8" in derivation
    assert f'href="../../incidents/{KYIV}/#figures-killed-ua-30"' in derivation
    assert f'href="../../incidents/{LVIV}/#figures-killed-ua-46"' in derivation
    assert '<a href="./totals/total-killed-ukraine/">2 incidents: how this was added up</a>' in home
    region = read(site, "regions/ua-46/index.html")
    assert f'href="../../incidents/{LVIV}/#figures-killed-ua-46">1 incident: its claims</a>' in region


def test_an_old_id_redirects_to_the_renamed_incident(tiny):
    tiny.write(KYIV, VALID_INCIDENT + "previous_ids: [2025-06-05-drone-strike-on-kiev]\n")
    build(tiny.project, today=TODAY)
    redirect = read(tiny.root / "site", "incidents/2025-06-05-drone-strike-on-kiev/index.html")
    assert f'<meta http-equiv="refresh" content="0; url=../{KYIV}/">' in redirect
    assert f'<a href="../{KYIV}/">Drone strike on Kyiv</a>' in redirect


def test_incident_page_shows_when_its_file_last_changed(tiny):
    import subprocess

    tiny.write(KYIV)
    env = {"GIT_COMMITTER_DATE": "2025-06-08T12:00:00Z", "GIT_AUTHOR_DATE": "2025-06-08T12:00:00Z", "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-q", "-m", "x"]):
        subprocess.run(["git", "-C", str(tiny.root), *args], check=True, env=env, capture_output=True)
    build(tiny.project, today=TODAY)
    page = read(tiny.root / "site", f"incidents/{KYIV}/index.html")
    assert 'Last changed <time datetime="2025-06-08">8 June 2025</time>' in page


def test_an_incident_page_weighs_under_60_kb_with_its_css_and_javascript(shipped_site):
    """The seed incident is the heaviest kind: eight regions, three located places. 50 KB until
    issue 15 gave it a map of its places (about 5 KB of SVG, and the map styles)."""
    page = shipped_site / "incidents" / "2025-06-06-russian-missile-and-drone-strikes-on-kyiv-and-western-ukraine" / "index.html"
    html = page.read_text(encoding="utf-8")
    assets = re.findall(r'(?:href|src)="\.\./\.\./(static/[^"]+\.(?:css|js))"', html)
    assert sorted(assets) == ["static/style.css", "static/theme.js", "static/trusted-types.js"]
    total = page.stat().st_size + sum((shipped_site / asset).stat().st_size for asset in assets)
    assert total < 60 * 1024, f"{total:,} bytes"


def test_no_page_runs_inline_script_and_the_policy_forbids_it(shipped_site):
    for page in shipped_site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        if policy is None:
            assert 'http-equiv="refresh"' in html, page  # redirect pages hold no script at all
            assert "<script" not in html
            continue
        assert "unsafe-inline" not in policy.group(1) and "script-src 'self'" in policy.group(1)
        assert "require-trusted-types-for 'script'; trusted-types default" in policy.group(1)  # no script writes HTML
        for attributes, _body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
            assert 'src="' in attributes or 'type="application/ld+json"' in attributes, (page, attributes)
