"""Where places are: the gazetteer's points for a settlement's name, and which region a point lies in.

Two data files, both read only when first needed (a build whose places carry no coordinates,
and a `check` of such files, never open them):
- data/region-boundaries.json: outlines of Ukraine's and Russia's first-level regions, keyed by
  ISO 3166-2 code (Natural Earth, simplified; see its "attribution");
- data/gazetteer.json: Ukraine's and Russia's populated places from GeoNames, with their
  ISO 3166-2 region and population.
Both are regenerated from pinned registry packages by data/sources/make_places.py.

Distances are great-circle distances on a sphere (haversine); outlines are tested in an
equirectangular projection around the point, accurate to metres at these sizes.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from .wording import close_matches

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BOUNDARIES_PATH = DATA_DIR / "region-boundaries.json"
GAZETTEER_PATH = DATA_DIR / "gazetteer.json"
ATTRIBUTION_WITHIN = 16_384  # characters at the start of the gazetteer that hold its attribution
CLOSE_PLACE_NAME = 0.75  # how alike (difflib's ratio) a gazetteer name must be to be offered as "did you mean"

PRECISIONS = ("exact", "street", "settlement", "district", "region")
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
# A point this close to a region's outline counts as inside it: Natural Earth's 1:10m lines are
# generalised by about a kilometre, the file simplifies them by half a kilometre more, and a town on
# a border must not be refused for either. The two errors the check is for (a town in Kyiv Oblast
# filed under Kyiv, a town in Belgorod Oblast filed under Kharkiv Oblast) lie farther out than this.
BORDER_MARGIN_KM = 2.0
# How far a place's coordinates may lie from the gazetteer's point for its name before `check`
# warns: the settlement's own size (SETTLEMENT_DENSITY) plus an allowance for the precision given.
# "region" has no allowance: a region-wide point says nothing about where the named settlement is.
PRECISION_ALLOWANCE_KM: dict[str, float | None] = {"exact": 3.0, "street": 3.0, "settlement": 5.0, "district": 30.0, "region": None}
# A settlement's radius is estimated from its population at about this many people per square
# kilometre of built-up area (an order of magnitude for Ukrainian and Russian towns: Kyiv's 2.9
# million live on about 840 km², Lutsk's 216,000 on about 42 km²), and never less than MIN_RADIUS_KM.
SETTLEMENT_DENSITY = 3500.0
MIN_RADIUS_KM = 1.0


@dataclass(frozen=True)
class Place:
    """One entry of the gazetteer."""

    geonameid: int
    name: str
    alternate_names: tuple[str, ...]
    lat: float
    lon: float
    region: str  # ISO 3166-2 code of its first-level region, e.g. "UA-07"
    population: int


@dataclass(frozen=True)
class Match:
    """A gazetteer entry found for a name, and how it was found."""

    place: Place
    by: str  # "name" (its main name), or "alternate name"


@dataclass(frozen=True)
class Lookup:
    """What the gazetteer holds for a name: every match, best first, and why the first was chosen."""

    name: str
    matches: tuple[Match, ...]
    reason: str  # "" when nothing matched

    @property
    def chosen(self) -> Place | None:
        return self.matches[0].place if self.matches else None


@dataclass(frozen=True)
class Outline:
    """A region's outline: its rings (outer edges and holes alike) as (lon, lat) points, and its bounding box."""

    code: str
    name: str
    bbox: tuple[float, float, float, float]  # west, south, east, north
    rings: tuple[tuple[tuple[float, float], ...], ...]


# --- distances -----------------------------------------------------------------------------

def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def settlement_radius_km(population: int) -> float:
    """The rough radius of a settlement of this population (see SETTLEMENT_DENSITY)."""
    return max(MIN_RADIUS_KM, math.sqrt(max(population, 0) / (math.pi * SETTLEMENT_DENSITY)))


def warning_distance_km(precision: str, population: int = 0) -> float | None:
    """How far coordinates of this precision may lie from the gazetteer's point for a settlement of
    this population before `check` warns; None: no warning at this precision."""
    allowance = PRECISION_ALLOWANCE_KM.get(precision)
    return None if allowance is None else settlement_radius_km(population) + allowance


def coordinate_problem(lat: object, lon: object, precision: object = "settlement") -> str | None:
    """What is wrong with a place's lat, lon and precision, in words for a person; None if nothing."""
    for key, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return f"{key} must be a number of decimal degrees (WGS 84), for example 50.75784"
        if not -limit <= value <= limit:
            return f"{key} {value} is out of range: it must lie between -{limit} and {limit}"
    if precision not in PRECISIONS:
        return f"precision must be one of {', '.join(PRECISIONS)}"
    return None


# --- regions -------------------------------------------------------------------------------

@cache
def _outlines() -> dict[str, Outline]:
    data = json.loads(BOUNDARIES_PATH.read_text(encoding="utf-8"))
    return {code: Outline(code, entry["name"], tuple(entry["bbox"]), tuple(_decoded(ring) for ring in entry["rings"]))
            for code, entry in data["regions"].items()}


def _decoded(ring: list[int]) -> tuple[tuple[float, float], ...]:
    """A ring written as whole thousandths of a degree, each point relative to the one before (see make_places.py)."""
    # (sums of whole numbers, then divided: the very floats of adding point by point, in a fifth of the time)
    return tuple(zip([x / 1000 for x in accumulate(ring[0::2])], [y / 1000 for y in accumulate(ring[1::2])], strict=True))


@cache  # read once: every map shows it
def boundaries_attribution() -> str:
    return str(json.loads(BOUNDARIES_PATH.read_text(encoding="utf-8"))["attribution"])


def outline(code: str) -> Outline | None:
    return _outlines().get(code)


def outline_codes() -> set[str]:
    return set(_outlines())


def point_in_region(code: str, lat: float, lon: float, margin_km: float = BORDER_MARGIN_KM) -> bool | None:
    """Whether the point lies in the region, or within `margin_km` of its outline; None: no outline for that code."""
    found = _outlines().get(code)
    if found is None:
        return None
    return distance_outside_km(found, lat, lon) <= margin_km


def distance_outside_km(region: Outline, lat: float, lon: float) -> float:
    """0 for a point inside the region, else how far it lies from the region's outline."""
    west, south, east, north = region.bbox
    if west <= lon <= east and south <= lat <= north and _inside(region.rings, lat, lon):
        return 0.0
    return _distance_to_rings(region.rings, lat, lon)


def region_of(lat: float, lon: float) -> str | None:
    """The code of the region the point lies in; a point within BORDER_MARGIN_KM of none (at sea, in a gap
    between simplified outlines) gets the nearest region within that margin; None beyond it."""
    nearest, nearest_km = None, BORDER_MARGIN_KM
    for code, region in sorted(_outlines().items()):
        west, south, east, north = region.bbox
        pad = BORDER_MARGIN_KM / 80  # degrees, generously (a degree of longitude is 80 km at 44°N, less farther north)
        if not (west - pad * 2 <= lon <= east + pad * 2 and south - pad <= lat <= north + pad):
            continue
        if _inside(region.rings, lat, lon):
            return code
        away = _distance_to_rings(region.rings, lat, lon)
        if away <= nearest_km:
            nearest, nearest_km = code, away
    return nearest


def _inside(rings: tuple[tuple[tuple[float, float], ...], ...], lat: float, lon: float) -> bool:
    """Even-odd rule over every ring: holes (Kyiv inside Kyiv Oblast) count as outside."""
    inside = False
    for ring in rings:
        x0, y0 = ring[-1]
        for x1, y1 in ring:
            if (y1 > lat) != (y0 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
            x0, y0 = x1, y1
    return inside


def _distance_to_rings(rings: tuple[tuple[tuple[float, float], ...], ...], lat: float, lon: float) -> float:
    """The shortest distance from the point to any edge, in an equirectangular projection centred on the point."""
    kx, ky = 111.32 * math.cos(math.radians(lat)), 110.57
    best = math.inf
    for ring in rings:
        ax, ay = (ring[-1][0] - lon) * kx, (ring[-1][1] - lat) * ky
        for x, y in ring:
            bx, by = (x - lon) * kx, (y - lat) * ky
            dx, dy = bx - ax, by - ay
            length = dx * dx + dy * dy
            t = 0.0 if not length else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
            best = min(best, math.hypot(ax + t * dx, ay + t * dy))
            ax, ay = bx, by
    return best


# --- the gazetteer -------------------------------------------------------------------------

def fold(name: str) -> str:
    """A name as the gazetteer compares it: case, accents, apostrophes and hyphens ignored ("Luts'k" = "Lutsk")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c) and c not in "'’\u02bc`‘")  # \u02bc: the modifier letter apostrophe of Ukrainian spelling
    return " ".join(letters.replace("-", " ").split())


@cache
def _gazetteer() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    """Places by folded main name, and by folded alternate name."""
    data: dict[str, Any] = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    by_name: dict[str, list[Place]] = {}
    by_alternate: dict[str, list[Place]] = {}
    for geonameid, name, alternates, lat, lon, region, population in data["places"]:
        place = Place(geonameid, name, tuple(alternates), lat, lon, region, population)
        by_name.setdefault(fold(name), []).append(place)
        for alternate in {fold(a) for a in alternates} - {fold(name)}:
            by_alternate.setdefault(alternate, []).append(place)
    return by_name, by_alternate


@cache  # read once: every map shows it
def gazetteer_attribution() -> str:
    """The gazetteer's attribution, read from the start of the file where make_places.py writes it: the 1.6 MB of
    places after it took a build's main process 45 ms to parse, and it needs only this."""
    with GAZETTEER_PATH.open(encoding="utf-8") as file:
        head = file.read(ATTRIBUTION_WITHIN)
    start = re.match(r'\{\s*"attribution"\s*:\s*', head)
    if start:
        with contextlib.suppress(ValueError):  # (not all of it within the head: the whole file is read below)
            attribution, _ = json.JSONDecoder().raw_decode(head, start.end())
            if isinstance(attribution, str):
                return attribution
    return str(json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))["attribution"])


def lookup(name: str, region: str | None = None) -> Lookup:
    """The gazetteer's places for a name, best first: in `region` before elsewhere, by main name before
    alternate name, then the most populous; with the reason the first was chosen, in words."""
    by_name, by_alternate = _gazetteer()
    key = fold(name)
    matches = [Match(p, "name") for p in by_name.get(key, [])]
    matches += [Match(p, "alternate name") for p in by_alternate.get(key, []) if p not in {m.place for m in matches}]
    matches.sort(key=lambda m: (region is not None and m.place.region != region, m.by != "name", -m.place.population, m.place.geonameid))
    return Lookup(name, tuple(matches), _reason(matches, region))


def close_names(name: str, limit: int = 3) -> list[Place]:
    """The gazetteer's places whose main name is spelt most like `name` (for "did you mean"), closest first;
    of several places of one name, the most populous."""
    by_name, _ = _gazetteer()
    return [max(by_name[key], key=lambda place: (place.population, -place.geonameid))
            for key in close_matches(fold(name), list(by_name), limit, CLOSE_PLACE_NAME)]


def _reason(matches: list[Match], region: str | None) -> str:
    if not matches:
        return ""
    first = matches[0]
    if len(matches) == 1:
        return f"the only place of that name in the gazetteer ({_described(first.place)})"
    rivals = matches[1:]
    if region and first.place.region == region and all(m.place.region != region for m in rivals):
        why = f"the only one in {region}"
    elif first.by == "name" and all(m.by != "name" for m in rivals if not region or m.place.region == first.place.region):
        where = f" in {first.place.region}" if region else ""
        why = f"the only one{where} with that main name (the others{' there' if where else ''} have it as another spelling)"
    else:
        why = "the most populous" + (f" in {region}" if region and first.place.region == region else "")
    return f"{why}, of {len(matches)} places of that name: {_described(first.place)}"


def _described(place: Place) -> str:
    return f"{place.name}, {place.region}, population {place.population:,}, GeoNames {place.geonameid}"


def far_from_gazetteer(name: str, region: str, lat: float, lon: float, precision: str) -> tuple[Place, float, float] | None:
    """(the gazetteer's nearest place of that name, its distance, the allowed distance) when the coordinates lie
    farther from every place of that name than `warning_distance_km` allows; None when near one, when the
    gazetteer has no such name, or at a precision that allows any distance."""
    candidates = [m.place for m in lookup(name, region).matches]
    in_region = [p for p in candidates if p.region == region]
    candidates = in_region or candidates
    if not candidates or warning_distance_km(precision) is None:
        return None
    scored = []
    for place in candidates:
        allowed = warning_distance_km(precision, place.population)
        assert allowed is not None  # precision allows a distance (checked above)
        away = distance_km(lat, lon, place.lat, place.lon)
        if away <= allowed:
            return None
        scored.append((away, allowed, place))
    away, allowed, place = min(scored, key=lambda item: (item[0], item[2].geonameid))
    return place, away, allowed


# --- what `check` says about a located place -------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """Something wrong or doubtful about a place's coordinates; validate.py locates it at the place's `lat`."""

    severity: str  # "error" or "warning"
    message: str


def check_place(name: str, region: str, lat: float, lon: float, precision: str, names: dict[str, str] | None = None) -> list[Finding]:
    """The point must lie in its region (an error, unless the gazetteer itself puts a place of that name in that
    region at those coordinates: then the outline is too coarse there, as around Slavutych, an exclave of Kyiv
    Oblast that Natural Earth's 1:10m outlines leave out); a warning when the gazetteer puts the name in another
    region near the point and in none near it in this one, or when the point lies far from every place of that name.

    `names`: display names of region codes (data/regions.yaml), for the messages.
    """
    def called(code: str) -> str:
        shown = (names or {}).get(code) or (found.name if (found := outline(code)) else code)
        return f"{shown} ({code})"

    findings = []
    where = f"({lat:g}, {lon:g})"
    region_outline = outline(region)
    nearby = _nearby(name, lat, lon, precision)
    vouched = any(place.region == region for place in nearby)
    if region_outline is not None:
        away = distance_outside_km(region_outline, lat, lon)
        if away > BORDER_MARGIN_KM and not vouched:
            actual = region_of(lat, lon)
            inside = f", in {called(actual)}" if actual else ""
            findings.append(Finding("error", f"{where} lies {away:,.1f} km outside {called(region)}{inside}; fix the coordinates or the place's `region` "
                                             f"(lat is north, lon is east, in decimal degrees)"))
            return findings
    if nearby and not vouched:
        other = nearby[0]
        findings.append(Finding("warning", f"the gazetteer puts {other.name} in {called(other.region)}, {distance_km(lat, lon, other.lat, other.lon):,.1f} km "
                                           f"from {where}, and no {name} near there in {called(region)}; is the place's `region` right?"))
        return findings
    far = far_from_gazetteer(name, region, lat, lon, precision)
    if far:
        place, away_km, allowed = far
        findings.append(Finding("warning", f"{where} is {away_km:,.0f} km from {place.name}, {called(place.region)} in the gazetteer "
                                           f"(GeoNames {place.geonameid}, at {place.lat:g}, {place.lon:g}); more than the {allowed:,.0f} km allowed at "
                                           f"precision `{precision}`. Check the coordinates, or set `precision` to what they are"))
    return findings


def _nearby(name: str, lat: float, lon: float, precision: str) -> list[Place]:
    """The gazetteer's places of that name within the warning distance of the point, nearest first."""
    found = []
    for match in lookup(name).matches:
        allowed = warning_distance_km(precision if precision != "region" else "district", match.place.population)
        away = distance_km(lat, lon, match.place.lat, match.place.lon)
        if allowed is not None and away <= allowed:
            found.append((away, match.place.geonameid, match.place))
    return [place for _, _, place in sorted(found)]
