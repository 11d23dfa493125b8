"""charts.py and templates/_charts.html: series styles, axis labels, map classes, and the charts in a real browser."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from html.parser import HTMLParser

import pytest

from archive.charts import MAX_LABELS, PALETTE_SIZE, STRIPE_ANGLES, STYLES, map_classes, region_map, styled, timelines
from archive.model import build_archive
from archive.pipeline import APP_DIR
from archive.reference import load_reference
from archive.render import make_environment, render_page, site_pages
from test_model import incident

REFERENCE = load_reference()
PARTIES = REFERENCE.party_order()
STYLE_CSS = (APP_DIR / "static" / "style.css").read_text(encoding="utf-8")

# Claimants of three parties in data/people.yaml, two claimants the registry lists without a
# party, and three it does not know: each is a series of its own.
CLAIMANTS = ["Vitali Klitschko", "Russian authorities", "Donald Trump", "Al Jazeera", "Charles Stratford",
             "Kharkiv city council", "A local resident", "Sumy regional police"]


def figure(claimant: str, value: int, measure: str = "killed") -> dict:
    return {"measure": measure, "value": value, "qualifier": "exactly", "claimed_by": claimant, "source": "mt",
            "excerpt": f"{value} people were {measure}, {claimant} said."}


def struck(ident: str, date: str, figures: list[dict], regions=("UA-30",)):
    return incident(ident, date=date, regions=list(regions), places=[], figures=figures)


def casualties(charts):
    return next(chart for chart in charts if chart.title.startswith("Killed and injured"))


# --- series styles --------------------------------------------------------------------------

def test_a_series_keeps_its_style_on_every_page_whatever_its_position():
    """The home page charts every party; a region page fewer, so the same series sits elsewhere in its chart."""
    everywhere = [struck("2025-06-06-a", "2025-06-06", [figure(name, 10 + number) for number, name in enumerate(CLAIMANTS[:5])]),
                  struck("2025-07-01-b", "2025-07-01", [figure("Vitali Klitschko", 3, "injured"), figure("Kharkiv city council", 2)],
                         regions=("UA-63",))]
    home = casualties(timelines(everywhere, REFERENCE.measures.values(), PARTIES))
    region = casualties(timelines(everywhere[1:], REFERENCE.measures.values(), PARTIES))
    home_keys, region_keys = [s.key for s in home.series], [s.key for s in region.series]
    moved = [key for key in region_keys if key in home_keys and home_keys.index(key) != region_keys.index(key)]
    assert "killed/Ukraine" not in region_keys and moved  # the same series, at other positions
    home_styles = {s.key: (s.colour, s.pattern) for s in home.series}
    assert len(set(home_styles.values())) == len(home_styles) and not any(pattern for _, pattern in home_styles.values())
    for series in region.series:  # a registry party's series keeps its colour; a claimant outside it may yield its colour
        if series.key.partition("/")[2] in PARTIES:
            assert (series.colour, series.pattern) == home_styles[series.key], series.key


def test_nine_and_more_series_are_told_apart_and_none_is_black():
    names = CLAIMANTS + [f"Claimant number {n}" for n in range(10)]
    keys = [(f"{measure}/{name}", f"{measure} by {name}") for name in names for measure in ("killed", "injured")]
    for count in (9, 12, 20, STYLES):  # a chart draws at most MAX_SERIES; STYLES is the most told apart
        series = styled(keys[:count], PARTIES)
        assert len({(s.colour, s.pattern) for s in series}) == count
        assert all(re.fullmatch(r"series-[0-9]+", s.colour) and 0 <= s.pattern < len(STRIPE_ANGLES) for s in series)
    assert styled(keys[:9], PARTIES) == styled(list(reversed(keys[:9])), PARTIES)[::-1]  # the order of the chart does not matter


def _css_colours(rule: str) -> tuple[str, str]:
    """The (light, dark) fill of a class in style.css."""
    match = re.search(r"^\." + rule + r" \{ fill: light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\)", STYLE_CSS, re.M)
    assert match, f".{rule} has no light-dark() fill"
    return match.group(1), match.group(2)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_series_colour_is_defined_for_both_themes_with_3_to_1_contrast():
    background = re.search(r"--bg: light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\)", STYLE_CSS)
    assert background is not None
    light_bg, dark_bg = background.group(1), background.group(2)
    palette = [_css_colours(f"series-{n}") for n in range(PALETTE_SIZE)]
    for light, dark in palette:
        assert _contrast(light, light_bg) >= 3 and _contrast(dark, dark_bg) >= 3, (light, dark)
        assert "#000000" not in (light, dark)
    assert len({light for light, _ in palette}) == len({dark for _, dark in palette}) == PALETTE_SIZE
    for pattern in range(1, len(STRIPE_ANGLES)):
        assert re.search(rf"^\.pattern-{pattern} {{ background-image: ", STYLE_CSS, re.M)


class _Elements(HTMLParser):
    """Start tags with their attributes, and the text inside each legend item."""

    def __init__(self):
        super().__init__()
        self.tags, self.legend, self._in_legend = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "ul" and "legend" in dict(attrs).get("class", ""):
            self._in_legend = True
        elif tag == "li" and self._in_legend:
            self.legend.append(["", ""])
        elif tag == "span" and self._in_legend and self.legend:
            self.legend[-1][0] = dict(attrs).get("class", "")

    def handle_endtag(self, tag):
        if tag == "ul":
            self._in_legend = False

    def handle_data(self, data):
        if self._in_legend and self.legend:
            self.legend[-1][1] += data


def _render(chart) -> _Elements:
    template = make_environment(APP_DIR / "templates").from_string('{% from "_charts.html" import timeline %}{{ timeline(chart, "c") }}')
    parsed = _Elements()
    parsed.feed(template.render(chart=chart))
    return parsed


def test_the_legend_lists_every_series_with_the_swatch_of_its_bars():
    figures = [figure(name, 5 + n, measure) for n, name in enumerate(CLAIMANTS) for measure in ("killed", "injured")]
    chart = casualties(timelines([struck("2025-06-06-a", "2025-06-06", figures)], REFERENCE.measures.values(), PARTIES))
    assert len(chart.series) == 8 and chart.left_out == 8  # as many as are drawn; the note says how many are not
    parsed = _render(chart)
    assert [name for _, name in parsed.legend] == [s.name for s in chart.series]
    for (swatch, _), series in zip(parsed.legend, chart.series, strict=True):
        assert swatch.split() == ["swatch", series.colour] + ([f"pattern-{series.pattern}"] if series.pattern else [])
    bar_classes = {attrs["class"] for tag, attrs in parsed.tags if tag == "rect" and "class" in attrs} - {"stripes-over"}
    assert bar_classes == {s.colour for s in chart.series}
    overlays = {attrs["fill"] for tag, attrs in parsed.tags if tag == "rect" and attrs.get("class") == "stripes-over"}
    assert overlays == {f"url(#c-stripes-{s.pattern})" for s in chart.series if s.pattern}
    assert {attrs["id"] for tag, attrs in parsed.tags if tag == "pattern"} == {f"c-stripes-{s.pattern}" for s in chart.series if s.pattern}


def test_a_region_page_charts_the_regions_own_killed_and_injured():
    """An incident in two regions: 15 killed in all, 10 of them in Kyiv. Kyiv's chart shows its 10, as its
    totals do; the home page's chart the 15; Kyiv Oblast, with no figure of its own, charts no casualties."""
    both = struck("2025-06-06-a", "2025-06-06", [figure("Vitali Klitschko", 15), {**figure("Vitali Klitschko", 10), "region": "UA-30"}],
                  regions=("UA-30", "UA-32"))
    kyiv, oblast = REFERENCE.region("UA-30"), REFERENCE.region("UA-32")
    assert casualties(timelines([both], REFERENCE.measures.values(), PARTIES)).rows == [[15]]
    assert casualties(timelines([both], REFERENCE.measures.values(), PARTIES, kyiv)).rows == [[10]]
    assert [chart.title for chart in timelines([both], REFERENCE.measures.values(), PARTIES, oblast)] == ["Incidents per month"]
    pages = {page.path: page for page in site_pages(build_archive([both], [], REFERENCE))}
    charted = {path: casualties((context() if callable(context := pages[path].context) else context)["charts"]).rows
               for path in ("index.html", "regions/ua-30/index.html")}
    assert charted == {"index.html": [[15]], "regions/ua-30/index.html": [[10]]}  # the pages chart what the tests above do


def test_bars_stay_inside_the_plot_and_the_latest_period_is_labelled():
    incidents = [struck(f"2022-{month:02}-01-x", f"2022-{month:02}-01", [figure("Vitali Klitschko", month)]) for month in range(1, 13)]
    incidents += [struck("2025-06-06-a", "2025-06-06", [figure("Russian authorities", 7, "injured")])]
    for chart in timelines(incidents, REFERENCE.measures.values(), PARTIES):
        assert len(chart.labels) == len(chart.periods) == 42
        assert chart.labels[-1].text == "Jun 2025" and not chart.labels[-1].minor
        texts = [label for label in chart.labels if label.text]
        assert 1 < len(texts) <= MAX_LABELS and len([label for label in texts if not label.minor]) <= MAX_LABELS // 2
        for bar in chart.bars:
            assert bar.x >= 0 and bar.x + bar.width <= chart.width and bar.y >= 0 and bar.y + bar.height <= chart.height + 0.01
        assert chart.ticks[1] * 2 == chart.ticks[0] >= max(max(row) for row in chart.rows) and chart.ticks[2] == 0
        assert "<text" not in "".join(f"{tag}" for tag, _ in _render(chart).tags)  # labels are HTML: never clipped by the SVG


# --- the map ---------------------------------------------------------------------------------

def _ranges(legend: list[tuple[int, str]]) -> list[tuple[int, int]]:
    return [(int(low.replace(",", "")), int((high or low).replace(",", "")))
            for _, text in legend[1:] for low, _, high in [text.partition("–")]]


@pytest.mark.parametrize("counts", [
    [435, 1, 2, 3, 5, 7, 8, 12, 12, 1, 1, 4],
    [1, 1, 1],
    [7],
    [2, 5],
    [40, 48, 61, 96, 596, 750],
    list(range(1, 4000, 37)),
])
def test_map_classes_tell_small_counts_from_large_and_cover_exactly_the_counts(counts):
    classes = map_classes(counts)
    levels = [level for level, _, _ in classes]
    assert levels == sorted(set(levels)) and levels[0] >= 1 and levels[-1] <= 6  # distinct shades, fewest lightest
    assert classes[0][1] == min(counts) and classes[-1][2] == max(counts)
    for (_, _, high), (_, low, _) in itertools.pairwise(classes):
        assert low == high + 1  # the ranges join up
    for _, low, high in classes:
        assert any(low <= count <= high for count in counts)  # no empty class
    if 435 in counts:
        class_of = {count: level for count in counts for level, low, high in classes if low <= count <= high}
        assert class_of[12] != class_of[435] and class_of[1] != class_of[12]


def test_the_map_legend_gives_the_ranges_of_its_shades():
    counts = {"UA-30": 435, "UA-32": 12, "UA-46": 1, "UA-61": 3, "UA-63": 9, "RU-TUL": 5000}
    drawn = region_map(counts, {})
    ranges = _ranges(drawn.legend)
    assert drawn.legend[0] == (0, "none") and ranges[0][0] == 1 and ranges[-1][1] == 435  # RU-TUL is not on this map
    shade_of = {region.code: region.level for region in drawn.regions}
    for (level, _), (low, high) in zip(drawn.legend[1:], ranges, strict=True):
        assert {code for code, count in counts.items() if low <= count <= high and code in shade_of} == \
            {code for code, shade in shade_of.items() if shade == level}
    assert shade_of["UA-32"] != shade_of["UA-30"] and shade_of["UA-05"] == 0
    shades = [_css_colours(f"level-{level}") for level in range(1, 7)]
    assert len({light for light, _ in shades}) == len({dark for _, dark in shades}) == 6


def test_the_regions_page_has_its_headings_in_order():
    outside = struck("2025-06-06-b", "2025-06-06", [], regions=("RU-TUL", "UA-30"))
    archive = build_archive([struck("2025-06-06-a", "2025-06-06", []), outside], [], REFERENCE)
    page = next(page for page in site_pages(archive) if page.path == "regions/index.html")
    html = render_page(make_environment(APP_DIR / "templates"), page)
    levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and all(later <= earlier + 1 for earlier, later in itertools.pairwise(levels)), levels
    assert "Outside this map" in html
    assert 'aria-label="Kyiv: 2 incidents"' in html


# --- in a browser -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chart_site(tmp_path_factory):
    """A built archive of eight claimants over four months, served on this machine."""
    from archive.pipeline import Project, build
    from conftest import TinyArchive, served

    tiny = TinyArchive(tmp_path_factory.mktemp("charts") / "archive")
    for month in range(3, 7):
        figures = "".join(
            f"""
              - measure: {measure}
                value: {month + number}
                qualifier: exactly
                claimed_by: {name}
                source: mt
                excerpt: "{month + number} people were {measure}, {name} said."
            """ for number, name in enumerate(CLAIMANTS[:4 + month - 3]) for measure in ("killed", "injured"))
        tiny.write(f"2025-{month:02}-10-strike", f"""\
            title: Strike number {month}
            date: 2025-{month:02}-10
            summary: A strike.
            regions: [UA-30]
            sources:
              mt: {{publisher: The Moscow Times, title: Report, url: "https://example.org/{month}", published: 2025-{month:02}-10}}
            figures:{figures}
            """)
    build(Project(root=tiny.root), today=dt.date(2026, 11, 29), with_search=False)
    with served(tiny.root / "site") as url:
        yield url


SCREENSHOTS = APP_DIR / "test-artifacts" / "screenshots"
MEASURE_CHART = """(figure) => {
  const box = (element) => { const r = element.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height}; };
  const fill = (element) => getComputedStyle(element).fill;
  // A bar's tooltip: `March 2025, Killed, according to Ukraine: 12`, or `March 2025: 12` in a chart of one series.
  const seriesOf = (title) => title.includes(', ') ? title.slice(title.indexOf(', ') + 2, title.lastIndexOf(': ')) : 'the one series';
  const bars = [...figure.querySelectorAll('svg rect:not(.stripes-over)')].filter(rect => !rect.closest('pattern'));
  return {
    figure: box(figure), svg: box(figure.querySelector('svg')),
    labels: [...figure.querySelectorAll('.x-labels span, .y-ticks li, svg text')].filter(e => e.getClientRects().length)
      .map(e => ({text: e.textContent, inSvg: e.closest('svg') !== null, ...box(e),
                  x: e.closest('.x-labels') !== null || e.getAttribute('text-anchor') === 'middle'})),
    grid: [...figure.querySelectorAll('line.grid')].map(line => box(line).top),
    legend: [...figure.querySelectorAll('.legend li')].map(li => ({name: li.textContent,
      colour: getComputedStyle(li.querySelector('.swatch')).backgroundColor,
      striped: getComputedStyle(li.querySelector('.swatch')).backgroundImage !== 'none'})),
    bars: bars.map(rect => ({name: seriesOf(rect.querySelector('title').textContent), fill: fill(rect),
      striped: rect.nextElementSibling !== null && rect.nextElementSibling.classList.contains('stripes-over')})),
  };
}"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_charts_in_a_browser(browser, chart_site, width, theme):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []

    def record(message) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.goto(chart_site)
    page.evaluate("(theme) => document.documentElement.setAttribute('data-theme', theme)", theme)
    figures = page.locator("figure.chart")
    assert figures.count() == 2
    for index in range(2):
        chart = figures.nth(index).evaluate(MEASURE_CHART)
        styles: dict[str, tuple[str, bool]] = {}
        for bar in chart["bars"]:
            assert bar["fill"] not in ("none", "rgb(0, 0, 0)", "rgba(0, 0, 0, 0)"), bar
            assert styles.setdefault(bar["name"], (bar["fill"], bar["striped"])) == (bar["fill"], bar["striped"])
        assert len(set(styles.values())) == len(styles)  # every series looks different
        if index == 1:  # eight series in seven colours: one at least is striped
            assert len(styles) == 8 and any(striped for _, striped in styles.values())
            assert sorted(entry["name"] for entry in chart["legend"]) == sorted(styles)
            for entry in chart["legend"]:
                assert (entry["colour"], entry["striped"]) == styles[entry["name"]], entry
        # Labels: readable on a phone, never clipped (an SVG clips its text), apart from each other,
        # ticks level with their grid lines.
        labels = chart["labels"]
        assert len([label for label in labels if label["x"]]) >= 2
        for label in labels:
            assert label["height"] >= 11, label
            within = chart["svg"] if label["inSvg"] else chart["figure"]
            assert within["left"] <= label["left"] and label["right"] <= within["right"], label
        row = sorted((label for label in labels if label["x"]), key=lambda label: label["left"])
        for left, right in itertools.pairwise(row):
            assert left["right"] + 4 <= right["left"], (left, right)
        ticks = [label for label in labels if not label["x"]]
        for tick, line in zip(ticks, chart["grid"], strict=True):
            assert abs((tick["top"] + tick["bottom"]) / 2 - line) <= 1.5, (tick, line)
    page.evaluate("document.querySelectorAll('figure.chart details').forEach(details => details.open = true)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#timeline-heading").locator("..").screenshot(path=str(SCREENSHOTS / f"charts-{width}-{theme}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == []
    context.close()


def test_the_map_outlines_are_simplified_within_their_tolerance():
    import json
    import math

    from archive.charts import MAP_PATH, MAP_TOLERANCE, _map_data, _rings

    original = json.loads(MAP_PATH.read_text(encoding="utf-8"))["regions"]
    drawn = _map_data()["regions"]
    assert sum(len(entry["path"]) for entry in drawn.values()) < sum(len(entry["path"]) for entry in original.values()) / 3
    for code, entry in original.items():
        rings, simple = _rings(entry["path"]), _rings(drawn[code]["path"])
        assert len(rings) == len(simple), code  # no island or hole lost
        for ring, kept in zip(rings, simple, strict=True):
            assert len(kept) >= 3
            # every point drawn is one of the original's (to the tenth it is written in)
            assert all(min(math.hypot(x - a, y - b) for a, b in ring) < 0.1 for x, y in kept), code
            assert MAP_TOLERANCE <= 1


def test_serve_draws_the_regions_map_once_for_every_later_build_and_a_one_shot_build_leaves_it_to_its_page():
    from archive import charts
    from archive.pipeline import prepare_for_edits

    charts._map_data.cache_clear()
    assert charts.map_codes() and charts._map_data.cache_info().currsize == 0  # the codes alone: nothing drawn
    prepare_for_edits(None)  # serve's, once the site is on view
    assert charts._map_data.cache_info().currsize == 1
