"""maps.py: point maps as inline SVG — bounded in size at any archive size, names escaped, marks linked."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

from archive.maps import MAX_MARKS, Mark, merged, point_map, svg
from archive.places import lookup, outline_codes

SVG = "{http://www.w3.org/2000/svg}"
UKRAINE = sorted(code for code in outline_codes() if code.startswith("UA-"))


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(str(markup).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def synthetic_marks(count: int, places: int, seed: int = 15) -> list[Mark]:
    """Clearly synthetic incidents: random points in Ukraine's bounding box at `places` invented places, skewed like real archives."""
    rng = random.Random(seed)
    spots = [(f"Synthetic place {n}", rng.uniform(44.4, 52.3), rng.uniform(22.2, 40.2)) for n in range(places)]
    weights = [1 / (rank + 1) for rank in range(places)]
    chosen = rng.choices(spots, weights=weights, k=count)
    return [Mark(label, lat, lon, 1, f"../search/?place={label.rsplit(' ', 1)[1]}") for label, lat, lon in chosen]


def test_whole_archive_map_of_100000_incidents_stays_under_100_kb():
    marks = merged(synthetic_marks(100_000, 20_000))
    drawn = point_map("Where the incidents happened", marks, UKRAINE)
    markup = svg(drawn, "map-title")
    assert len(str(markup).encode()) < 100_000
    assert len(drawn.marks) == MAX_MARKS and drawn.places == len(marks) and drawn.incidents == 100_000
    assert drawn.left_out == len(marks) - MAX_MARKS
    counts = [placed.mark.count for placed in drawn.marks]
    assert counts == sorted(counts, reverse=True), "the places with most incidents are drawn, largest first (small marks on top)"
    assert len(parsed(markup).findall(f"{SVG}a")) == MAX_MARKS


def test_names_and_addresses_are_escaped():
    label = '<script>alert("x")</script> & Co'
    href = '../search/?place="><img src=x onerror=alert(1)>'
    markup = str(svg(point_map("t", [Mark(label, 50.75, 25.35, 3, href)], ["UA-07"]), "t"))
    assert "<script" not in markup and "<img" not in markup
    link = parsed(markup).find(f"{SVG}a")
    assert link is not None and link.get("href") == href
    assert link.get("aria-label") == f"{label}: 3 incidents"
    assert link.findtext(f"{SVG}circle/{SVG}title") == f"{label}: 3 incidents"


def test_an_incident_map_draws_its_places_inside_its_regions():
    lutsk, kyiv = lookup("Lutsk").chosen, lookup("Kyiv").chosen
    assert lutsk and kyiv
    drawn = point_map("Where it happened", [Mark("Lutsk", lutsk.lat, lutsk.lon), Mark("Kyiv", kyiv.lat, kyiv.lon)], ["UA-07", "UA-30"])
    width, height = (float(v) for v in drawn.view_box.split()[2:])
    by_label = {placed.mark.label: placed for placed in drawn.marks}
    assert all(0 < placed.x < width and 0 < placed.y < height for placed in drawn.marks)
    assert by_label["Lutsk"].x < by_label["Kyiv"].x, "west is left"
    assert by_label["Lutsk"].y < by_label["Kyiv"].y, "Lutsk (50.76°N) is north of Kyiv (50.45°N): higher up"
    assert {o.code for o in drawn.outlines if o.focus} == {"UA-07", "UA-30"}
    root = parsed(svg(drawn, "t"))
    assert root.findall(f"{SVG}a") == [], "a mark without an address is not a link"
    assert len(root.findall(f"{SVG}circle")) == 2


def test_a_single_place_is_shown_among_its_surroundings():
    drawn = point_map("t", [Mark("Synthetic place", 50.0, 30.0)])
    assert drawn.outlines, "regions around the point are drawn"
    assert len(drawn.outlines) < 10


def test_circles_grow_with_the_count_and_the_legend_matches_them():
    drawn = point_map("t", [Mark("a", 50.0, 30.0, 1), Mark("b", 49.0, 32.0, 100), Mark("c", 48.0, 34.0, 10)], UKRAINE)
    radius = {placed.mark.label: placed.r for placed in drawn.marks}
    assert radius["a"] < radius["c"] < radius["b"]
    assert drawn.legend[-1] == (100, radius["b"]) and drawn.legend[0] == (1, radius["a"])


def test_marks_of_one_place_are_merged_with_their_count():
    marks = merged([Mark("Lutsk", 50.75784, 25.35024, 1, "x"), Mark("Lutsk", 50.75784, 25.35024, 2, "x"), Mark("Kyiv", 50.45, 30.52, 1, "y")])
    assert sorted((m.label, m.count) for m in marks) == [("Kyiv", 1), ("Lutsk", 3)]
