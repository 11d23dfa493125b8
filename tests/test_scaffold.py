"""scaffold: the files `new` and `import` write read back as exactly the data they were written from, in the documented order."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from archive.load import Document, parse_yaml_bytes
from archive.reference import load_reference
from archive.scaffold import FIELD_ORDER, SCHEMA_LINE, incident_yaml, new_incident

FUZZ = int(os.environ.get("FUZZ_EXAMPLES", "300"))


def read_back(text: str) -> tuple[object, list]:
    document = Document(Path("x.yaml"), "x.yaml")
    problems = parse_yaml_bytes(text.encode("utf-8"), document)
    return document.data, problems


def test_fields_are_written_in_the_documented_order_after_the_schema_line():
    data = {"corrections": [], "figures": [], "sources": {"mt": {"url": "https://example.org/a", "publisher": "Example Wire"}},
            "regions": ["UA-30"], "summary": "Text.\n", "date": "2025-06-06", "title": "Drone strike on Kyiv"}
    text = incident_yaml(data)
    lines = text.splitlines()
    assert lines[0] == SCHEMA_LINE
    assert [line.split(":")[0] for line in lines[1:] if line and not line.startswith(" ")] == [name for name in FIELD_ORDER if name in data]
    assert "  mt:\n    publisher: Example Wire\n    url: https://example.org/a\n" in text  # a source's fields in their order too
    assert read_back(text) == (data, [])


def test_texts_yaml_would_misread_are_quoted():
    data = {"title": "no", "date": "2025-06-06", "summary": "12:30", "regions": ["UA-30", "a, b"],
            "places": [{"name": "Kyiv: centre", "region": "UA-30"}],
            "sources": {"yes": {"publisher": "4", "title": "# not a comment", "url": "https://example.org/#x"}},
            "figures": [{"measure": "killed", "value": 4, "qualifier": "at least", "claimed_by": "null", "source": "yes",
                         "excerpt": 'He said "four".\n\u202eHidden'}]}
    text = incident_yaml(data)
    assert 'title: "no"' in text and '"Kyiv: centre"' in text and "\\u202e" in text  # an invisible character stays visible in the file
    assert read_back(text) == (data, [])


texts = st.text(st.characters(codec="utf-8"), max_size=40)  # every character but surrogates


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=texts, summary=texts, excerpt=texts, key=texts, region=texts, value=st.one_of(st.integers(-5, 10**9), st.floats(allow_nan=False, allow_infinity=False), texts))
@example(title="no", summary="1:2", excerpt="\u2028", key="yes", region="~", value=1e20)
@example(title="", summary=" a\n", excerpt="", key="", region="", value=5e-324)
def test_any_text_reads_back_as_it_was_written(title, summary, excerpt, key, region, value):
    data = {"title": title, "date": "2025-06-06", "summary": summary, "regions": [region], "places": [{"name": title, "region": region}],
            "sources": {key: {"publisher": title}}, "figures": [{"measure": "killed", "value": value, "excerpt": excerpt, "source": key}]}
    assert read_back(incident_yaml(data)) == (data, [])


def test_new_still_writes_its_skeleton(tmp_path):
    path = new_incident(tmp_path, "2025-06-07", ["UA-30"], "Drone strike", load_reference())
    text = path.read_text(encoding="utf-8")
    assert text.startswith(SCHEMA_LINE + "\n# A new incident.") and "summary: |\n  TODO: what happened" in text
    data, problems = read_back(text)
    assert problems == [] and isinstance(data, dict) and data["summary"].startswith("TODO")


# --- new --place: places located from the gazetteer ------------------------------------

def test_new_place_lutsk_writes_lutsks_coordinates_and_passes_check(tmp_path):
    from archive.pipeline import Project, check
    from archive.scaffold import locate_places
    from conftest import TODAY, TinyArchive

    tiny = TinyArchive(tmp_path / "archive")
    reference = load_reference()
    [lutsk] = locate_places(["Lutsk"], None, reference)
    assert "only place of that name" in lutsk.notes[0] and "GeoNames 702569" in lutsk.notes[0]
    path = new_incident(tiny.project.incidents_dir, "2025-06-07", ["UA-30"], "Drone strike", reference, [lutsk])
    data, problems = read_back(path.read_text(encoding="utf-8"))
    assert problems == [] and isinstance(data, dict)
    assert data["places"] == [{"name": "Lutsk", "region": "UA-07", "lat": 50.75784, "lon": 25.35024, "precision": "settlement",
                               "located_by": "GeoNames 702569"}]
    assert data["regions"] == ["UA-30", "UA-07"]  # the place's region is added
    archive, found = check(Project(root=tiny.root), today=TODAY)
    assert archive is not None and [problem for problem in found if problem.is_error] == []
    assert (archive.incidents[0].places[0].lat, archive.incidents[0].places[0].lon) == (50.75784, 25.35024)


def test_new_place_says_which_of_several_it_chose_and_lists_the_others():
    [chosen] = locate_places_for("Mykolaivka", "UA-48")
    assert chosen.entry["region"] == "UA-48"  # the one in the first --region, not the most populous of all
    assert "the only one in UA-48 with that main name" in chosen.notes[0]
    assert any("Donetsk Oblast (UA-14)" in line for line in chosen.notes[1:])  # the others, for the curator to choose from


def test_new_place_refuses_an_unknown_name_and_suggests_close_ones():
    import pytest

    from archive.scaffold import ScaffoldError

    with pytest.raises(ScaffoldError, match=r"--place 'Lutzk': no settlement of that name in the gazetteer .*did you mean Lutsk \(UA-07\)\?"):
        locate_places_for("Lutzk", None)


def locate_places_for(name: str, region: str | None) -> list:
    from archive.scaffold import locate_places

    return locate_places([name], region, load_reference())
