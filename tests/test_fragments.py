"""fragments.py: links to the sentence in a source (URL text fragments), short addresses, and the incident page that uses them."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from archive.fragments import encode_term, sentence_link, short_address, text_directive
from archive.pipeline import build
from conftest import TODAY, VALID_INCIDENT, TinyArchive, served

NAME = "2025-06-06-drone-strike-on-kyiv"
SAFE_TERM = re.compile(r"[A-Za-z0-9_.~%]+")  # all an encoded term may hold: nothing that is syntax in a URL or HTML


def terms(directive: str) -> list[str]:
    """The decoded terms of a text directive, split where a browser splits them."""
    return [unquote(term) for term in directive.split(",")]


def directive_of(text: str) -> str:
    """The text directive of a text that has one."""
    directive = text_directive(text)
    assert directive is not None, text
    return directive


def link_to(url: str, text: str) -> str:
    """The link to a text at an http(s) address."""
    link = sentence_link(url, text)
    assert link is not None, url
    return link


# --- encoding -------------------------------------------------------------------------------

@pytest.mark.parametrize("char, encoded", [("-", "%2D"), ("&", "%26"), (",", "%2C"), (" ", "%20"), ('"', "%22"), ("'", "%27"),
                                           ("#", "%23"), ("%", "%25"), ("<", "%3C"), (">", "%3E"), ("\u2013", "%E2%80%93"),
                                           ("\u201c", "%E2%80%9C"), ("\u2019", "%E2%80%99"), ("\u00a0", "%C2%A0")])
def test_syntax_and_unsafe_characters_are_percent_encoded(char, encoded):
    assert encode_term(f"a{char}b") == f"a{encoded}b"


def test_dash_ampersand_and_comma_never_appear_raw_in_a_directive():
    directive = directive_of("Tom & Jerry, co-founders - of the team")
    assert directive == "Tom%20%26%20Jerry%2C%20co%2Dfounders%20%2D%20of%20the%20team"
    assert "-" not in directive and "&" not in directive and "," not in directive
    assert terms(directive) == ["Tom & Jerry, co-founders - of the team"]


def test_cyrillic_is_encoded_as_utf8_and_decodes_back():
    text = "Рятувальники працювали під вогнем, допомагаючи людям"
    directive = directive_of(text)
    assert directive.startswith("%D0%A0%D1%8F%D1%82%D1%83%D0%B2")  # Р я т у в
    assert SAFE_TERM.fullmatch(directive) and terms(directive) == [text]


def test_quotation_marks_straight_and_curly_are_encoded():
    directive = directive_of("\u201cWe are 'searching' the rubble,\u201d he said")
    assert directive.startswith("%E2%80%9CWe%20are%20%27searching%27") and '"' not in directive and "'" not in directive
    assert terms(directive) == ["\u201cWe are 'searching' the rubble,\u201d he said"]


def test_the_final_full_stop_is_left_out_and_white_space_collapsed():
    # news style: the quote's "." stands where the report has `,"` so the link must not need it
    assert terms(directive_of("  We are searching\n the   rubble. ")) == ["We are searching the rubble"]
    assert terms(directive_of("Is anyone there?")) == ["Is anyone there?"]


def test_a_long_excerpt_is_linked_by_its_first_and_last_words():
    excerpt = ("Among the dead were three emergency first responders in the capital, Kyiv, and someone who was pulled "
               "from the rubble of an apartment building in a northwestern city, officials said, adding that dozens were also injured.")
    directive = directive_of(excerpt)
    start, end = terms(directive)
    assert start == "Among the dead were three" and end == "that dozens were also injured"
    assert len(directive) < 100 < len(excerpt)


def test_the_end_of_a_range_is_lengthened_until_it_is_not_found_earlier():
    # "in the city of Kyiv" also occurs earlier: a browser would end the range there
    excerpt = ("Drones hit homes in the city of Kyiv overnight and rescuers worked for hours while more drones hit "
               "other homes, officials said, and fires burned in the city of Kyiv")
    _start, end = terms(directive_of(excerpt))
    assert end == "burned in the city of Kyiv" and excerpt.find(end) == len(excerpt) - len(end)


def test_an_omission_mark_splits_the_text_into_a_range():
    text = "Overnight, Russia \u2018responded\u2019 to its destroyed aircraft\u2026 by attacking civilians in Ukraine\u2026. Multistorey buildings hit."
    assert terms(directive_of(text)) == ["Overnight, Russia \u2018responded\u2019 to its", "Multistorey buildings hit"]
    assert terms(directive_of("terrorist acts... against civilians")) == ["terrorist acts", "against civilians"]


def test_short_texts_stay_whole_and_empty_texts_have_no_directive():
    assert terms(directive_of("terrorist acts")) == ["terrorist acts"]
    assert text_directive(" . ") is None and text_directive("\u2026") is None


# --- links ----------------------------------------------------------------------------------

def test_sentence_link_appends_a_fragment_directive():
    url = "https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360"
    assert sentence_link(url, "Another nine rescuers were wounded.") == f"{url}#:~:text=Another%20nine%20rescuers%20were%20wounded"


def test_an_existing_fragment_is_kept_and_an_old_directive_replaced():
    assert sentence_link("https://e.org/a?b=1&c=2#top", "x-y") == "https://e.org/a?b=1&c=2#top:~:text=x%2Dy"
    assert sentence_link("https://e.org/a#top:~:text=old", "new") == "https://e.org/a#top:~:text=new"
    assert sentence_link("https://e.org/a#:~:text=old", "new") == "https://e.org/a#:~:text=new"


@pytest.mark.parametrize("url", [None, "", "javascript:alert(1)//https://e.org", "JAVASCRIPT:alert(1)", "data:text/html,x",
                                 " https://e.org", "ftp://e.org/a", "//e.org/a"])
def test_only_http_addresses_are_linked(url):
    assert sentence_link(url, "some text") is None


def test_hostile_text_cannot_leave_the_fragment():
    link = link_to("https://e.org/a", '"><script>alert(1)</script> javascript:x #y &z ,w -v')
    directive = link.split(":~:text=", 1)[1]
    assert link.startswith("https://e.org/a#:~:text=") and SAFE_TERM.fullmatch(directive)


# --- short addresses ------------------------------------------------------------------------

def test_short_address_shows_host_and_path_shortened_in_the_middle():
    assert short_address("https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360") == (
        "themoscowtimes.com", "/2025/06/06/russian-air-barrage\u2026in-kyiv-a89360")
    assert short_address("https://www.aljazeera.com/news/2025/6/6/live-russia-attacks") == (
        "aljazeera.com", "/news/2025/6/6/live-russia-attacks")
    assert short_address("https://t.me/kyivcity?post=1") == ("t.me", "/kyivcity?post=1")
    assert short_address("https://example.org/") == ("example.org", "")
    assert short_address(None) == ("", "")


def test_addresses_differing_only_at_their_end_stay_apart():
    first = short_address("https://news.example/2025/06/06/live-updates-russia-ukraine-war-day-1200-part-1")
    second = short_address("https://news.example/2025/06/06/live-updates-russia-ukraine-war-day-1200-part-2")
    assert first != second and first[1].endswith("part-1") and "\u2026" in first[1]


def test_short_address_shows_the_host_the_link_goes_to_and_decodes_only_readable_paths():
    assert short_address("https://www.themoscowtimes.com@evil.example/x")[0] == "evil.example"
    assert short_address("https://uk.wikipedia.org/wiki/%D0%9A%D0%B8%D1%97%D0%B2") == ("uk.wikipedia.org", "/wiki/Київ")
    assert short_address("https://e.org/a%E2%80%AEb") == ("e.org", "/a%E2%80%AEb")  # a right-to-left override stays encoded
    assert short_address("https://e.org/a%FFb") == ("e.org", "/a%FFb")  # not UTF-8


# --- the incident page ------------------------------------------------------------------------

TWO_FROM_ONE_PUBLISHER = VALID_INCIDENT.replace("""    published: 2025-06-06
figures:""", """    published: 2025-06-06
    archive_url: https://web.archive.org/web/20250606/https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360
  mt2:
    publisher: The Moscow Times
    title: Kyiv Counts Its Wounded
    url: https://www.themoscowtimes.com/2025/06/07/kyiv-counts-its-wounded-after-the-night-of-drones-a89377
    published: 2025-06-07
  tg:
    publisher: Kyiv City Military Administration
    published: 2025-06-06
figures:""").replace("corrections: []", """  - speaker: Vitali Klitschko
    text: "Рятувальники працюють на місцях – усі служби."
    lang: uk
    source: tg
  - speaker: Vitali Klitschko
    text: "Nine rescuers were wounded, some seriously."
    source: mt2
corrections: []""")


def built_incident_page(tiny: TinyArchive, text: str = TWO_FROM_ONE_PUBLISHER) -> str:
    tiny.write(NAME, text)
    build(tiny.project, today=TODAY, with_search=False)
    return (tiny.root / "site" / "incidents" / NAME / "index.html").read_text(encoding="utf-8")


def source_entries(html: str) -> dict[str, str]:
    return dict(re.findall(r'<li id="source-([a-z0-9_-]+)">(.*?)</li>', html, flags=re.S))


def test_sources_from_one_publisher_are_told_apart(tiny):
    html = built_incident_page(tiny)
    entries = source_entries(html)
    assert list(entries) == ["mt", "mt2", "tg"]
    visible = {key: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", entry)).strip() for key, entry in entries.items()}
    assert visible["mt"] != visible["mt2"]
    assert "Russian Air Barrage Kills 4 in Kyiv" in visible["mt"] and "6 June 2025" in visible["mt"]
    assert "themoscowtimes.com/2025/06/06/russian-air-barrage\u2026in-kyiv-a89360" in visible["mt"]
    assert "Kyiv Counts Its Wounded" in visible["mt2"] and "7 June 2025" in visible["mt2"]
    assert "themoscowtimes.com/2025/06/07/kyiv-counts-its\u2026drones-a89377" in visible["mt2"]
    # where the figures and quotes cite them, the two carry their numbers in the list
    assert '<a href="#source-mt">The Moscow Times</a> <span class="muted">(source 1)</span>' in html
    assert '<a href="#source-mt2">The Moscow Times</a> <span class="muted">(source 2)</span>' in html
    assert '<a href="#source-tg">Kyiv City Military Administration</a>.' in html  # the only source of its publisher


def test_figure_excerpts_and_quotes_link_to_their_sentence(tiny):
    html = built_incident_page(tiny)
    links = re.findall(r'<a class="to-sentence" href="([^"]+)" rel="noopener noreferrer">([^<]+)</a>', html)
    base = "https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360"
    assert (f"{base}#:~:text=At%20least%20four%20people%20were%20killed%20and%2020%20wounded%20in%20the%20capital",
            "Go to the sentence in the report") in links
    assert (f"{base}#:~:text=They%20worked%20under%20fire%20to%20help%20people", "Go to the quote in the report") in links
    assert ("https://www.themoscowtimes.com/2025/06/07/kyiv-counts-its-wounded-after-the-night-of-drones-a89377"
            "#:~:text=Nine%20rescuers%20were%20wounded%2C%20some%20seriously", "Go to the quote in the report") in links
    for href, _ in links:
        url, directive = href.split("#:~:text=")
        assert url.startswith("https://") and SAFE_TERM.fullmatch(directive) and 1 <= directive.count(",") + 1 <= 2
    # the archived copy is linked to the same sentence
    assert ('<a href="https://web.archive.org/web/20250606/https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360'
            '#:~:text=At%20least%20four%20people%20were%20killed%20and%2020%20wounded%20in%20the%20capital" '
            'rel="noopener noreferrer">in its archived copy</a>') in html


def test_a_source_without_an_address_says_so_beside_its_quote(tiny):
    html = built_incident_page(tiny)
    quote = html[html.index("Рятувальники працюють"):]
    quote = quote[:quote.index("</figure>")]
    assert "Not linked: the report’s web address was not recorded." in quote
    assert "<a class=\"to-sentence\"" not in quote and ":~:text=" not in quote
    assert "Web address not recorded." in source_entries(html)["tg"]


def test_hostile_excerpts_and_addresses_stay_text(tiny):
    hostile = (TWO_FROM_ONE_PUBLISHER
               .replace('excerpt: "At least four people were killed and 20 wounded in the capital."',
                        "excerpt: 'At least four \"><script>alert(1)</script> killed'")
               .replace("url: https://www.themoscowtimes.com/2025/06/07/kyiv-counts-its-wounded-after-the-night-of-drones-a89377",
                        "url: 'https://www.themoscowtimes.com@evil.example/x?a=\"><script>'"))
    html = built_incident_page(tiny, hostile)
    assert "<script>alert" not in html and '"><script>' not in html
    assert ':~:text=At%20least%20four%20%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E%20killed"' in html
    assert 'href="https://www.themoscowtimes.com@evil.example/x?a=&#34;&gt;&lt;script&gt;#:~:text=Nine' in html
    assert '<span class="url">evil.example</span>' in html


# --- in a browser: Chromium finds the sentence a link points at ------------------------------------

REPORT = """<!doctype html>
<html lang="uk"><head><meta charset="utf-8"><title>Report</title><link rel="icon" href="data:,"></head>
<body>
<p>Tom and Jerry were not there; the rescue team arrived later.</p>
<div style="height: 4000px"></div>
<p id="sentence">\u201cTom &amp; Jerry, the co-founders \u2013 of Київ\u2019s rescue team \u2013 were searching the rubble,\u201d he said.</p>
<div style="height: 4000px"></div>
<p id="long">Among the dead were three emergency first responders in the capital, Kyiv, and someone who was pulled from
the rubble of an apartment building in a northwestern city, officials said, adding that dozens were also injured.</p>
<div style="height: 4000px"></div>
</body></html>
"""


@pytest.fixture
def report_server(tmp_path):
    """A local web server with the report page, and a page to put links on (a click is how readers follow them)."""
    (tmp_path / "report.html").write_text(REPORT, encoding="utf-8")
    with served(tmp_path) as url:
        yield tmp_path, url


def follow(page, folder, base, href):
    """Click a link to `href` and return the top of the page's visible area once it has settled."""
    (folder / "links.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Links</title><link rel="icon" href="data:,"></head>'
        f'<body><a id="go" href="{href.replace("&", "&amp;").replace(chr(34), "&#34;")}">Go to the sentence</a></body></html>', encoding="utf-8")
    page.goto(f"{base}links.html")
    page.click("#go")
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)  # the browser scrolls to a text fragment after the page has loaded
    return page.evaluate("window.scrollY")


def in_view(page, element_id) -> bool:
    return bool(page.evaluate("(id) => { const box = document.getElementById(id).getBoundingClientRect();"
                              " return box.top >= 0 && box.bottom <= window.innerHeight; }", element_id))


def test_chromium_scrolls_to_the_sentence_with_comma_dash_ampersand_and_cyrillic(page, report_server):
    folder, base = report_server
    # the archive's quote ends with a full stop and a straight apostrophe where the report has `,”` and `’`
    quote = "Tom & Jerry, the co-founders \u2013 of Київ's rescue team \u2013 were searching the rubble."
    assert follow(page, folder, base, link_to(f"{base}report.html", quote)) > 3000
    assert in_view(page, "sentence")


def test_chromium_finds_a_long_excerpt_by_its_first_and_last_words(page, report_server):
    folder, base = report_server
    excerpt = ("Among the dead were three emergency first responders in the capital, Kyiv, and someone who was pulled "
               "from the rubble of an apartment building in a northwestern city, officials said, adding that dozens were also injured.")
    link = link_to(f"{base}report.html", excerpt)
    assert "," in link.split(":~:text=")[1]  # the textStart,textEnd form
    assert follow(page, folder, base, link) > 4000
    assert in_view(page, "long")


def test_chromium_misses_the_sentence_when_syntax_characters_are_left_raw(page, report_server):
    """The control: with `&` and `,` unescaped the directive falls apart, and the page stays at its top."""
    folder, base = report_server
    raw = "Tom & Jerry, the co-founders – of Київ's rescue team – were searching the rubble".replace(" ", "%20")
    assert follow(page, folder, base, f"{base}report.html#:~:text={raw}") == 0


def test_a_reader_clicks_from_an_incident_page_to_the_sentence_in_the_report(page, report_server, tiny):
    folder, base = report_server  # tiny's archive is in the same temporary folder, so the server serves its site too
    excerpt = ("Among the dead were three emergency first responders in the capital, Kyiv, and someone who was pulled "
               "from the rubble of an apartment building in a northwestern city, officials said, adding that dozens were also injured.")
    text = (VALID_INCIDENT
            .replace("https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360", f"{base}report.html")
            .replace("    value: 4\n    qualifier: at least\n", "    value: 3\n    qualifier: exactly\n")
            .replace('"At least four people were killed and 20 wounded in the capital."', f'"{excerpt}"'))
    built_incident_page(tiny, text)
    page.goto(f"{base}{tiny.root.relative_to(folder).as_posix()}/site/incidents/{NAME}/")
    page.get_by_role("link", name="Go to the sentence in the report").click()
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert page.url.startswith(f"{base}report.html")
    assert page.evaluate("window.scrollY") > 4000 and in_view(page, "long")
