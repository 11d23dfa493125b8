"""Pictures computed at build time for inline SVG: the monthly timeline and the map of Ukraine's regions.

Only geometry and numbers are worked out here; templates/_charts.html draws them, so every
label passes through the template's escaping. Nothing runs in the browser.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .figures import lower_bounds
from .model import Incident
from .reference import Measure, Region

MAP_PATH = Path(__file__).resolve().parent.parent / "data" / "ukraine-regions-map.json"
# Bars are drawn in a viewBox stretched to the plot's width and a fixed CSS height
# (preserveAspectRatio="none"). The axis labels are HTML beside the SVG, so they keep their
# CSS size on a phone (an SVG's own text shrinks with its width) and the SVG never clips them.
CHART_WIDTH, CHART_HEIGHT = 640, 160
MAX_BAR_WIDTH = 36
# An archive spanning more months than this is charted per year: a chart's size depends on the
# span of its dates, and one incident dated decades early must not draw a bar per month since.
MAX_MONTHLY_PERIODS = 72
MAX_LABELS = 8  # labelled periods under a chart; style.css hides every other one on narrow screens
# Thousands of incidents bring hundreds of claimants, each its own series (claims of different
# parties are never added up): 439 series for 3,000 generated incidents, a 3.8 MB home page.
# A chart draws the series with the largest totals, at most MAX_SERIES and no more than keep its
# bars MIN_BAR_WIDTH wide (of CHART_WIDTH), and says how many it leaves out.
MAX_SERIES = 8
MIN_BAR_WIDTH = 3
CHARTED_MEASURES = ("killed", "injured")
# A chart repeats a series' name in every bar's tooltip and data-table cell: a party's name is
# shortened to this many characters there (the totals give it in full), so a chart stays small.
NAME_LENGTH = 40

# Series styles: PALETTE_SIZE colours (.series-0 ... in style.css: Okabe–Ito hues, lightness set
# per theme for 3:1 against the page and to stay apart under each colour-vision deficiency),
# each solid or striped in one of the directions of STRIPE_ANGLES (.pattern-1 ...).
PALETTE_SIZE = 7
STRIPE_ANGLES = (None, 45, -45, 0, 90)  # pattern number -> rotation of vertical stripes
STYLES = PALETTE_SIZE * len(STRIPE_ANGLES)


@dataclass(frozen=True)
class Series:
    """One series of a chart: what it is, its name, and how it is drawn."""

    key: str  # what the series is, e.g. "killed/Ukraine": its style follows from it, not its position
    name: str  # "Killed, according to Ukraine", with a long party name shortened (see NAME_LENGTH)
    colour: str  # CSS class of the fill: series-0 ... series-6, or series-count
    pattern: int = 0  # 0 solid, else stripes in direction STRIPE_ANGLES[pattern]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: Series
    label: str  # for the tooltip


@dataclass
class Label:
    text: str  # "" for a period without a label
    minor: bool = False  # hidden on narrow screens, where only every other label fits


@dataclass
class Chart:
    title: str
    series: list[Series]
    periods: list[str]  # "March 2025", or "2025" when charted per year
    rows: list[list[int]]  # one row per period, one value per series
    bars: list[Bar] = field(default_factory=list)
    ticks: list[int] = field(default_factory=list)  # axis values at the top, middle and bottom of the plot
    labels: list[Label] = field(default_factory=list)  # one per period
    left_out: int = 0  # series not drawn (see MAX_SERIES)
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    period_name: str = "Month"

    @property
    def patterns(self) -> list[tuple[int, int]]:
        """(pattern, angle) of each stripe pattern the bars use, for the SVG's <defs>."""
        return [(p, angle) for p in sorted({s.pattern for s in self.series}) if (angle := STRIPE_ANGLES[p]) is not None]  # 0: solid


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + dt.timedelta(days=32)).replace(day=1)
    return months


def timelines(incidents: list[Incident], measures: Iterable[Measure], parties: Sequence[str] = (),
              region: Region | None = None) -> list[Chart]:
    """Incidents per month (per year over a long span), and the lower bounds of killed and injured, per party.

    `parties`: the registry's parties in order (Reference.party_order), which take the first colours.
    `region`: of a region's page, whose killed and injured are those of its own totals: an incident of several
    regions adds its figures for that region, not those of the whole incident.
    """
    if not incidents:
        return []
    first, last = min(i.date for i in incidents), max(i.date for i in incidents)
    periods = month_range(first, last)
    yearly = len(periods) > MAX_MONTHLY_PERIODS
    if yearly:
        periods = [dt.date(year, 1, 1) for year in range(first.year, last.year + 1)]
    by_period: dict[dt.date, list[Incident]] = {period: [] for period in periods}
    for incident in incidents:
        by_period[incident.date.replace(month=1, day=1) if yearly else incident.date.replace(day=1)].append(incident)
    word = "year" if yearly else "month"
    count = Series("incidents", "Incidents", "series-count")
    charts = [_bars(f"Incidents per {word}", [count], periods, [[len(by_period[p])] for p in periods], yearly)]
    wanted = {m.key: m for m in measures if m.key in CHARTED_MEASURES}
    lowers = {p: lower_bounds(by_period[p], wanted.values(), region) for p in periods}
    found = {key for values in lowers.values() for key in values}
    if found:
        room = int(CHART_WIDTH / len(periods) * 0.8 / MIN_BAR_WIDTH)
        drawn = _largest(found, lowers, wanted, max(1, min(MAX_SERIES, room)))
        series = styled([(f"{measure}/{party}", f"{wanted[measure].label}, according to {shortened(party)}") for measure, party in drawn], parties)
        rows = [[lowers[p].get(key, 0) for key in drawn] for p in periods]
        charts.append(_bars(f"Killed and injured per {word} (lower bounds of the readings)", series, periods, rows, yearly,
                            left_out=len(found) - len(drawn)))
    return charts


def _largest(found: set[tuple[str, str]], lowers: dict, wanted: dict[str, Measure], limit: int) -> list[tuple[str, str]]:
    """The `limit` (measure, party) series with the largest sums, in measure then party order."""
    total: dict[tuple[str, str], int] = dict.fromkeys(found, 0)
    for values in lowers.values():  # (thousands of series over a hundred periods, most absent from most)
        for key, value in values.items():
            total[key] += value
    largest = sorted(found, key=lambda key: (-total[key], wanted[key[0]].order, key[1]))[:limit]
    return sorted(largest, key=lambda key: (wanted[key[0]].order, key[1]))


def shortened(name: str) -> str:
    return name if len(name) <= NAME_LENGTH else name[:NAME_LENGTH - 1].rstrip() + "…"


def styled(series: list[tuple[str, str]], parties: Sequence[str] = ()) -> list[Series]:
    """Series (key, name) of one chart with their styles: distinct colours first, stripes beyond them.

    Each key has a preferred colour that follows from the key alone (_slot), never from its place
    in the chart, so a series keeps its colour from page to page. Within a chart, a series whose
    colour is taken (two parties hashed to one colour, or a fourth party) takes the next free one;
    only when all PALETTE_SIZE colours are drawn does a series get stripes over a colour.
    """
    numbers = {party: number for number, party in enumerate(parties)}
    taken: set[tuple[int, int]] = set()
    chosen: dict[str, tuple[int, int]] = {}
    for key in sorted((key for key, _ in series), key=lambda key: (_slot(key, numbers), key)):
        preferred = _slot(key, numbers)
        colours = [(preferred + step) % PALETTE_SIZE for step in range(PALETTE_SIZE)]
        options = [(colour, pattern) for pattern in range(len(STRIPE_ANGLES)) for colour in colours]
        chosen[key] = next((option for option in options if option not in taken), options[0])
        taken.add(chosen[key])
    return [Series(key, name, f"series-{chosen[key][0]}", chosen[key][1]) for key, name in series]


def _slot(key: str, parties: dict[str, int]) -> int:
    """A series' preferred style, from its measure and party.

    Parties are numbered in the order data/people.yaml first names them (so Ukraine, the United
    States and Russia take the first, solid colours), then the registry's claimants without a
    party; other claimants get a number from a hash of their name. A party's killed and injured
    take neighbouring slots: different colours, as long as the palette lasts.
    """
    measure, _, party = key.partition("/")
    number = parties.get(party, len(parties) + zlib.crc32(party.encode()) % STYLES)
    return number * len(CHARTED_MEASURES) + CHARTED_MEASURES.index(measure)


def _bars(title: str, series: list[Series], periods: list[dt.date], rows: list[list[int]], yearly: bool = False,
          left_out: int = 0) -> Chart:
    names = [f"{p:%Y}" if yearly else f"{p:%B %Y}" for p in periods]
    chart = Chart(title, series, names, rows, left_out=left_out, period_name="Year" if yearly else "Month")
    top = _nice_ceiling(max((value for row in rows for value in row), default=0))
    slot = CHART_WIDTH / len(periods)
    bar_width = min(MAX_BAR_WIDTH, max(1.0, slot * 0.8 / len(series)))
    for index, row in enumerate(rows):
        left = index * slot + (slot - bar_width * len(series)) / 2
        for number, (one, value) in enumerate(zip(series, row, strict=True)):
            if value:  # a zero draws nothing; the data table has it
                height = CHART_HEIGHT * value / top
                chart.bars.append(Bar(round(left + number * bar_width, 2), round(CHART_HEIGHT - height, 2),
                                      round(bar_width, 2), round(height, 2), one,
                                      f"{names[index]}: {value:,}" if len(series) == 1 else f"{names[index]}, {one.name}: {value:,}"))
    chart.ticks = [top, top // 2, 0]
    chart.labels = _labels(periods, yearly)
    return chart


def _labels(periods: list[dt.date], yearly: bool) -> list[Label]:
    """A label slot per period; at most MAX_LABELS have text, counted back from the latest period, which always has one."""
    step = math.ceil(len(periods) / MAX_LABELS)
    labelled = math.ceil(len(periods) / step)
    labels = []
    for index, period in enumerate(periods):
        back = len(periods) - 1 - index
        text = (f"{period:%Y}" if yearly else f"{period:%b %Y}") if back % step == 0 else ""
        labels.append(Label(text, minor=bool(text) and labelled > MAX_LABELS // 2 and back % (2 * step) != 0))
    return labels


def _nice_ceiling(value: int) -> int:
    """A round, even axis maximum at or above `value` (2, 4, 6, 8, 10, 20, 40 ...): its half is a round middle tick."""
    scale = 1
    while True:
        for step in (2, 4, 6, 8, 10):
            if step * scale >= value:
                return step * scale
        scale *= 10


# --- the map ------------------------------------------------------------------------------

# Counts of incidents per region are very skewed: a few regions hold hundreds, many a handful.
# Classes on a log scale tell 12 from 435 and 1 from 9 whatever the other regions hold, where
# quantiles lump 12 with 435 once most regions are small. The bounds are round numbers a third
# of a decade apart (1, 2, 5, 10, 20, 50 ...), or two thirds (1, 5, 20, 100, 500 ...) and so on
# when the counts span more than MAP_CLASSES classes. Classes no region falls in are merged into
# the class below, so the legend has no empty entry and its ranges join up.
MAP_CLASSES = 6  # shades .level-1 ... .level-6 in style.css; .level-0 is a region without incidents


@dataclass
class MapRegion:
    code: str
    name: str
    path: str
    count: int
    level: int  # shade: 0 (no incidents), 1 (fewest) to MAP_CLASSES (most)
    slug: str


@dataclass
class RegionMap:
    view_box: str
    attribution: str
    regions: list[MapRegion]
    legend: list[tuple[int, str]]  # (level, range of counts), "none" first


# How far (in viewBox units, 1/1000 of the map's width) a simplified outline may stray from the
# original: about a third of a pixel at the map's widest, and the map page stays under 100 KB.
MAP_TOLERANCE = 0.5


@lru_cache(maxsize=1)
def _map_file() -> dict:
    """The map's data as the file has it (read once: map_codes and _map_data both start from it; not to be changed)."""
    data: dict = json.loads(MAP_PATH.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def _map_data() -> dict:
    """The map's data, its outlines simplified (see MAP_TOLERANCE): the original path data is 140 KB."""
    data = _map_file()
    return {**data, "regions": {code: {**entry, "path": simplified_path(entry["path"], MAP_TOLERANCE)}
                                for code, entry in data["regions"].items()}}


def simplified_path(path: str, tolerance: float) -> str:
    """An SVG path of straight lines (M, m, l, z) with every point dropped that lies within `tolerance`
    of the outline without it (Douglas-Peucker), written with relative whole tenths."""
    return "".join(ring_path(simplify_line(ring, tolerance) if len(ring) > 3 else ring) for ring in _rings(path))


def ring_path(points: list[tuple[float, float]]) -> str:
    """A closed ring as SVG path data in relative whole tenths (`M12.3 4.5l1 -0.2 ...z`), a point
    that rounds onto the one before it left out."""
    tenths = [(round(x * 10), round(y * 10)) for x, y in points]
    tenths = [point for index, point in enumerate(tenths) if index == 0 or point != tenths[index - 1]]
    numbers = [f"{(b - a) / 10:g}" for previous, point in itertools.pairwise(tenths) for a, b in zip(previous, point, strict=True)]
    steps = "".join(number if number.startswith("-") or not index else " " + number for index, number in enumerate(numbers))
    return f"M{tenths[0][0] / 10:g} {tenths[0][1] / 10:g}l{steps}z"


def _rings(path: str) -> list[list[tuple[float, float]]]:
    """The closed outlines of a path made of M, m, l and z commands, as absolute points."""
    rings: list[list[tuple[float, float]]] = []
    x = y = 0.0
    command = "M"
    tokens = re.findall(r"[MmLlZz]|-?[\d.]+(?:e-?\d+)?", path)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in "MmLlZz":
            command, index = token, index + 1
            if command in "Zz":
                x, y = rings[-1][0]
            continue
        dx, dy = float(tokens[index]), float(tokens[index + 1])
        index += 2
        relative = command.islower()
        x, y = (x + dx, y + dy) if relative else (dx, dy)
        if command in "Mm":
            rings.append([])
            command = "l" if relative else "L"  # coordinates after a moveto are lines
        rings[-1].append((x, y))
    return rings


def simplify_line(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker: the fewest of `points` that keep the line within `tolerance` of where it was."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            px, py = points[index]
            away = (abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length if length
                    else math.hypot(px - ax, py - ay))
            if away > distance:
                farthest, distance = index, away
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def region_map(counts: dict[str, int], regions_by_code: dict[str, Region]) -> RegionMap:
    """Ukraine's regions shaded by their number of incidents; names from the archive's own regions."""
    data = _map_data()
    classes = map_classes([count for code, count in counts.items() if count and code in data["regions"]])
    drawn = []
    for code, entry in sorted(data["regions"].items()):
        region = regions_by_code.get(code)
        count = counts.get(code, 0)
        level = next((level for level, low, _ in reversed(classes) if count >= low), 0) if count else 0
        drawn.append(MapRegion(code, region.name if region else entry["name"], entry["path"], count, level, code.lower()))
    legend = [(0, "none")] + [(level, f"{low:,}" if low == high else f"{low:,}–{high:,}") for level, low, high in classes]
    return RegionMap(data["viewBox"], data["attribution"], drawn, legend)


def map_classes(counts: list[int]) -> list[tuple[int, int, int]]:
    """(level, lowest, highest count) of each class: together exactly the range of `counts`, no class empty."""
    if not counts:
        return []
    decades = 1 / 3
    while True:
        lows = sorted({_log_floor(count, decades) for count in counts})
        if len(lows) <= MAP_CLASSES:
            break
        decades *= 2
    lows[0] = min(counts)
    highs = [low - 1 for low in lows[1:]] + [max(counts)]
    return [(level, low, high) for level, low, high in zip(_shades(len(lows)), lows, highs, strict=True)]


def _log_floor(count: int, decades: float) -> int:
    """The largest bound 1, 10**decades, 10**(2*decades) ... (to one digit: 2, 5, 20, 50) at or below count."""
    bound, step = 1, 1
    while (following := int(float(f"{10 ** (step * decades):.1g}"))) <= count:
        bound, step = following, step + 1
    return bound


def _shades(classes: int) -> list[int]:
    """Shades for this many classes, spread over the whole ramp so that few classes differ the most."""
    if classes == 1:
        return [MAP_CLASSES // 2 + 1]
    return [1 + round(index * (MAP_CLASSES - 1) / (classes - 1)) for index in range(classes)]


@lru_cache(maxsize=1)
def map_codes() -> frozenset[str]:
    """The codes of the regions the map draws, without drawing them: a build's main process needs only these."""
    return frozenset(_map_file()["regions"])


def draw_map_ahead() -> None:
    """Simplify the map's outlines now, for the processes forked from this one (serve's page writers): 65 ms."""
    _map_data()
