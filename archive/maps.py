"""Maps of located places drawn at build time as inline SVG: region outlines with marks for places, each linkable.

One function lays out a map (point_map: projection, outlines, marks sized by count) and one
draws it (svg). The text alternative is the map's `marks` and `left_out`, which the page lists
beside the picture. Every text that comes from the data (a place's name, an address) passes
through markupsafe's escaping, as a template's would: content is data, never markup. Nothing
is fetched and nothing runs in the browser; colours come from CSS classes (style.css), so the
map follows the page's theme, prints, and works in the offline copy.

A map's size is bounded whatever the archive's: at most MAX_MARKS marks (the places with the most
incidents; the rest are counted in `left_out`), and outlines simplified to the drawing's scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup, escape

from .charts import ring_path, simplify_line
from .places import Outline, boundaries_attribution, outline, outline_codes

WIDTH = 1000  # viewBox units across; the height follows from the area drawn
PADDING = 0.04  # of the larger side, around what is drawn
# How far (in viewBox units) a drawn outline may stray from the data's: a third of a pixel at the
# map's widest, as for the regions map (charts.MAP_TOLERANCE).
TOLERANCE = 1.0
# Marks are circles whose area is proportional to the number of incidents at the place, between
# these radii (viewBox units): the smallest stays visible and clickable on a phone, the largest
# does not hide a region.
MIN_RADIUS, MAX_RADIUS = 4.0, 22.0
# The whole-archive map must stay under 100 KB at 100,000 incidents: at most this many marks,
# about 190 bytes each with its link and tooltip, and as many rows in the page's list.
MAX_MARKS = 150
# Bytes of names and links a map may hold, per mark it may draw: a mark's name and link appear twice
# (the drawing and its table), so long names (150 characters, escaped, percent-encoded) draw fewer
# marks rather than make a page pass 100 KB. Real places' names and links take about 100 bytes.
TEXT_PER_MARK = 120
# The smallest area a map shows, in degrees (about 55 km north to south): one incident in a
# small town is shown among its surroundings, not as a dot filling the picture.
MIN_SPAN_DEGREES = 0.5


@dataclass(frozen=True)
class Mark:
    """A place to draw: where, how many incidents, and where its link leads ("" for no link)."""

    label: str  # "Lutsk, Volyn Oblast": shown in the tooltip and the text alternative
    lat: float
    lon: float
    count: int = 1
    href: str = ""


@dataclass(frozen=True)
class DrawnMark:
    mark: Mark
    x: float
    y: float
    r: float


@dataclass(frozen=True)
class DrawnOutline:
    code: str
    path: str
    focus: bool  # one of the regions the map is about (drawn stronger), or only around them


@dataclass
class PointMap:
    title: str  # the figure's caption, e.g. "Where the incidents happened"
    view_box: str
    outlines: list[DrawnOutline]
    marks: list[DrawnMark]  # largest first, so that small marks are drawn on top and stay clickable
    left_out: int = 0  # places not drawn (see MAX_MARKS)
    incidents: int = 0  # incidents at all the places, drawn or not
    attribution: str = ""
    legend: list[tuple[int, float]] = field(default_factory=list)  # (count, radius) of the sizes shown in the legend

    @property
    def places(self) -> int:
        return len(self.marks) + self.left_out


def _within_text_budget(marks: list[Mark], budget: int) -> list[Mark]:
    """The first of `marks` whose escaped names and links together take at most `budget` bytes."""
    kept = []
    for mark in marks:
        budget -= len(str(escape(mark.label)).encode()) + len(str(escape(mark.href or "")).encode())
        if budget < 0:
            break
        kept.append(mark)
    return kept


def point_map(title: str, marks: Iterable[Mark], focus: Sequence[str] = (), limit: int = MAX_MARKS,
              tolerance: float = TOLERANCE, radius: float | None = None, surroundings: bool = True) -> PointMap:
    """A map of `marks` over the outlines of the `focus` regions (ISO 3166-2 codes) and of the regions around them.

    The area drawn holds the focus regions and every mark drawn. Marks of one place should come
    merged (one mark per place, with its count): at most `limit` are drawn, those with the most
    incidents, and the others are counted in `left_out`. `tolerance`: how far (viewBox units) drawn
    outlines may stray from the data's; a locator map may take more than TOLERANCE, for fewer bytes.
    `radius`: one size for every mark, and no legend (an incident's map: each place is the one incident's).
    `surroundings`: whether the regions around the focus ones are drawn too (bytes: a map spanning European
    Russia would draw dozens of regions that hold nothing).
    """
    every = sorted(marks, key=lambda m: (-m.count, m.label, m.lat, m.lon))
    drawn = _within_text_budget(every[:limit], limit * TEXT_PER_MARK)
    left_out = every[len(drawn):]
    shapes = [found for code in focus if (found := outline(code)) is not None]
    west, south, east, north = _extent(shapes, drawn)
    mid_lat = (south + north) / 2
    kx = math.cos(math.radians(mid_lat))  # an equirectangular projection true to scale at the map's middle latitude
    pad = PADDING * max((east - west) * kx, north - south)
    west, east, south, north = west - pad / kx, east + pad / kx, south - pad, north + pad
    scale = WIDTH / ((east - west) * kx)
    height = round((north - south) * scale)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * kx * scale, (north - lat) * scale

    outlines = list(_drawn_outlines(frozenset(shape.code for shape in shapes), (west, south, east, north), kx, scale, tolerance, surroundings))
    largest = max((m.count for m in drawn), default=1)
    placed = []
    for mark in drawn:
        x, y = project(mark.lon, mark.lat)
        placed.append(DrawnMark(mark, round(x, 1), round(y, 1), radius if radius is not None else _radius(mark.count, largest)))
    return PointMap(title, f"0 0 {WIDTH} {height}", outlines, placed, len(left_out), sum(m.count for m in every),
                    boundaries_attribution(), [] if radius is not None else _legend(largest))


@lru_cache(maxsize=256)
def _drawn_outlines(focus_codes: frozenset[str], extent: tuple[float, float, float, float], kx: float, scale: float,
                    tolerance: float, surroundings: bool = True) -> tuple[DrawnOutline, ...]:
    """The outlines drawn for an area: worked out once per area, since the incidents of one region all
    have the same map around their places (tens of milliseconds each: hours at 100,000 incidents)."""
    west, north = extent[0], extent[3]

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * kx * scale, (north - lat) * scale

    outlines = []
    for code in sorted(outline_codes()):
        shape = outline(code)
        assert shape is not None
        if code in focus_codes or (surroundings and _overlaps(shape.bbox, extent)):
            path = _path(shape, project, tolerance)
            if path:
                outlines.append(DrawnOutline(code, path, code in focus_codes))
    return tuple(outlines)


def _extent(shapes: list[Outline], marks: list[Mark]) -> tuple[float, float, float, float]:
    lons = [v for shape in shapes for v in (shape.bbox[0], shape.bbox[2])] + [m.lon for m in marks]
    lats = [v for shape in shapes for v in (shape.bbox[1], shape.bbox[3])] + [m.lat for m in marks]
    if not lons:
        ukraine = [found.bbox for code in outline_codes() if code.startswith("UA-") and (found := outline(code))]
        lons = [v for box in ukraine for v in (box[0], box[2])]
        lats = [v for box in ukraine for v in (box[1], box[3])]
    west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    if north - south < MIN_SPAN_DEGREES:
        middle = (north + south) / 2
        south, north = middle - MIN_SPAN_DEGREES / 2, middle + MIN_SPAN_DEGREES / 2
    kx = math.cos(math.radians((south + north) / 2))
    if (east - west) * kx < MIN_SPAN_DEGREES:
        middle = (east + west) / 2
        west, east = middle - MIN_SPAN_DEGREES / kx / 2, middle + MIN_SPAN_DEGREES / kx / 2
    return west, south, east, north


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _path(shape: Outline, project: Callable[[float, float], tuple[float, float]], tolerance: float = TOLERANCE) -> str:
    """The outline as SVG path data at the drawing's scale: rings smaller than a unit left out, the rest
    simplified to within `tolerance` and written with relative whole tenths (charts.ring_path)."""
    written = []
    for ring in shape.rings:
        points = [project(lon, lat) for lon, lat in ring]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        if max(xs) - min(xs) < 1 and max(ys) - min(ys) < 1:
            continue  # an islet smaller than a unit: invisible, and not worth its bytes
        written.append(ring_path(simplify_line(points, tolerance) if len(points) > 3 else points))
    return "".join(written)


def _radius(count: int, largest: int) -> float:
    """Area proportional to the count, the largest place at MAX_RADIUS; never below MIN_RADIUS."""
    return round(max(MIN_RADIUS, MAX_RADIUS * math.sqrt(count / largest)), 1)


def _legend(largest: int) -> list[tuple[int, float]]:
    """Round counts to show the circles' scale: the largest, and round numbers below it whose circles differ."""
    if largest <= 1:
        return [(1, _radius(1, 1))]
    sizes = {largest}
    for value in (1, 10, 100, 1000, 10000, 100000):
        if value < largest and _radius(value, largest) < _radius(largest, largest) - 3:
            sizes.add(value)
    chosen = sorted(sizes)[-3:]
    return [(count, _radius(count, largest)) for count in chosen]


def svg(drawn: PointMap, title_id: str) -> Markup:
    """The map as an <svg> element, labelled by the element `title_id` (the figure's caption).

    Each mark with an address is a link named by its label and count; the outlines are decoration
    (the text alternative is the list of places beside the map).
    """
    parts = [Markup('<svg class="point-map" viewBox="{}" role="group" aria-labelledby="{}">').format(drawn.view_box, title_id)]
    parts.append(Markup('<g class="outlines" aria-hidden="true">'))
    for shape in drawn.outlines:
        parts.append(Markup('<path class="{}" d="{}"/>').format("focus" if shape.focus else "land", shape.path))
    parts.append(Markup("</g>"))
    for placed in drawn.marks:
        text = f"{placed.mark.label}: {placed.mark.count:,} incident{'' if placed.mark.count == 1 else 's'}"
        circle = Markup('<circle cx="{}" cy="{}" r="{}"><title>{}</title></circle>').format(_number(placed.x), _number(placed.y), _number(placed.r), text)
        if placed.mark.href:
            parts.append(Markup('<a href="{}" aria-label="{}">{}</a>').format(placed.mark.href, text, circle))
        else:
            parts.append(circle)
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _number(value: float) -> str:
    return f"{value:g}"


def merged(marks: Iterable[Mark]) -> list[Mark]:
    """One mark per label and position, counting the marks merged (the caller labels a place the same way each time)."""
    counts: dict[tuple[str, float, float, str], int] = {}
    for mark in marks:
        key = (mark.label, round(mark.lat, 4), round(mark.lon, 4), mark.href)
        counts[key] = counts.get(key, 0) + mark.count
    return [Mark(label, lat, lon, count, href) for (label, lat, lon, href), count in counts.items()]
