"""geojson.py: data/incidents.geojson is a valid RFC 7946 FeatureCollection of the located places, each linking to its page."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema

from archive.exports import write_downloads
from archive.pipeline import build, check
from conftest import REPO, TODAY, VALID_INCIDENT

# The official JSON Schema of a FeatureCollection (npm geojson-schema 1.0.5; see its LICENSE.txt).
SCHEMA = json.loads((REPO / "tests" / "geojson-schema" / "FeatureCollection.json").read_text(encoding="utf-8"))
BORYSPIL = "  - {name: Boryspil, region: UA-32}\n"
LOCATED = ("  - {name: Boryspil, region: UA-32, lat: 50.35051, lon: 30.95263, precision: settlement, located_by: GeoNames 711660}\n"
           "  - {name: Kyiv, region: UA-30, lat: 50.45466, lon: 30.5238, precision: settlement, located_by: GeoNames 703448}\n"
           "  - {name: Brovary, region: UA-32}\n")  # not located: no Feature


def feature_collection(archive, folder: Path) -> str:
    """The text of data/incidents.geojson, as write_downloads writes it."""
    write_downloads(archive, folder)
    return (folder / "data" / "incidents.geojson").read_text(encoding="utf-8")


def write_incidents(tiny) -> None:
    tiny.write("2025-06-06-drone-strike-on-kyiv", VALID_INCIDENT.replace(BORYSPIL, LOCATED))
    tiny.write("2025-06-07-strike-without-places", VALID_INCIDENT.replace("2025-06-06", "2025-06-07").replace("places:\n" + BORYSPIL, ""))


def test_the_download_is_a_feature_collection_whose_features_link_to_pages_the_build_wrote(tiny):
    write_incidents(tiny)
    build(tiny.project, today=TODAY, with_search=False)
    site = tiny.root / "site"
    collection = json.loads((site / "data" / "incidents.geojson").read_text(encoding="utf-8"))
    jsonschema.validate(collection, SCHEMA)
    assert [feature["properties"]["place"] for feature in collection["features"]] == ["Boryspil", "Kyiv"]
    boryspil = collection["features"][0]
    assert boryspil["geometry"] == {"type": "Point", "coordinates": [30.95263, 50.35051]}  # longitude first (RFC 7946, 3.1.1)
    assert boryspil["properties"] == {
        "id": "2025-06-06-drone-strike-on-kyiv", "title": "Drone strike on Kyiv", "date": "2025-06-06",
        "url": "incidents/2025-06-06-drone-strike-on-kyiv/", "place": "Boryspil", "region": {"code": "UA-32", "name": "Kyiv Oblast"},
        "precision": "settlement", "located_by": "GeoNames 711660", "readings": "Killed: at least 4 (Ukraine)"}
    for feature in collection["features"]:
        assert (site / feature["properties"]["url"] / "index.html").is_file(), feature["properties"]["url"]
    assert "crs" not in collection  # RFC 7946 dropped it: coordinates are WGS 84


def test_addresses_are_absolute_with_the_sites_url(tiny, tmp_path):
    write_incidents(tiny)
    (tiny.root / "site.yaml").write_text("url: https://example.org/archive/\n", encoding="utf-8")
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    urls = {feature["properties"]["url"] for feature in json.loads(feature_collection(archive, tmp_path / "out"))["features"]}
    assert urls == {"https://example.org/archive/incidents/2025-06-06-drone-strike-on-kyiv/"}


def test_an_archive_without_located_places_is_an_empty_collection(tiny, tmp_path):
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    collection = json.loads(feature_collection(archive, tmp_path / "out"))
    jsonschema.validate(collection, SCHEMA)
    assert collection == {"type": "FeatureCollection", "features": []}


def test_names_are_data_a_hostile_place_name_stays_a_json_string(tiny, tmp_path):
    write_incidents(tiny)
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    hostile = '"},{"type":"Feature"}]}</script><img src=x onerror=alert(1)>\u2028\\'
    incident = archive.incidents[-1]
    incident.places[0] = dataclasses.replace(incident.places[0], name=hostile)  # past validation, which refuses it
    incident.title = hostile
    collection = json.loads(feature_collection(archive, tmp_path / "out"))
    jsonschema.validate(collection, SCHEMA)
    assert len(collection["features"]) == 2
    assert collection["features"][0]["properties"]["place"] == hostile and collection["features"][0]["properties"]["title"] == hostile


def test_the_shipped_archive_locates_every_named_place(tmp_path):
    from archive.pipeline import Project

    archive, _ = check(Project(root=REPO))
    assert archive is not None
    collection = json.loads(feature_collection(archive, tmp_path / "out"))
    jsonschema.validate(collection, SCHEMA)
    named = [(incident.id, place.name) for incident in archive.incidents for place in incident.places]
    assert [(f["properties"]["id"], f["properties"]["place"]) for f in collection["features"]] == named
    assert {f["properties"]["precision"] for f in collection["features"]} == {"settlement"}
