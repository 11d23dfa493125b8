"""The published JSON Schema: editors use it, so it must accept every shipped incident and reject bad input."""

import json

import jsonschema
import pytest
import yaml

from archive.load import TooLongNumber
from archive.validate import SCHEMA_PATH, schema_accepts, schema_errors, schema_validator
from conftest import REPO, VALID_INCIDENT

SCHEMA = json.loads(SCHEMA_PATH.read_text())


def as_editor_sees(text: str):
    """YAML as an editor's schema validator loads it: dates become plain text."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


@pytest.mark.parametrize("path", sorted((REPO / "incidents").rglob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_every_shipped_incident(path):
    jsonschema.validate(as_editor_sees(path.read_text(encoding="utf-8")), SCHEMA)


def test_every_shipped_incident_points_editors_at_the_schema():
    for path in (REPO / "incidents").rglob("*.yaml"):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../../schema/incident.schema.json\n"), path


BAD_INPUT = [
    ("    source: mt\n    excerpt", "    sorce: mt\n    excerpt"),
    ("    value: 4\n", "    value: -4\n"),
    ("    value: 4\n", "    value: 4.5\n"),
    ("qualifier: at least", "qualifier: roughly"),
    ("regions: [UA-30, UA-32]", "regions: [Kyiv]"),
    ("date: 2025-06-06", "date: 6 June 2025"),
    ("    url: https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360", "    url: javascript:alert(1)"),
    ("title: Drone strike on Kyiv\n", ""),
    ("{name: Boryspil, region: UA-32}", "{name: Boryspil, region: UA-32, lat: 50.35051}"),  # lat, lon and precision go together
    ("{name: Boryspil, region: UA-32}", "{name: Boryspil, region: UA-32, lat: 50.35051, lon: 30.95263, precision: city}"),
]


@pytest.mark.parametrize("old, new", BAD_INPUT)
def test_schema_rejects_bad_input(old, new):
    assert old in VALID_INCIDENT
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(as_editor_sees(VALID_INCIDENT.replace(old, new)), SCHEMA)


def test_schema_is_published_with_the_site(shipped_site):
    assert json.loads((shipped_site / "schema" / "incident.json").read_text()) == SCHEMA


@pytest.mark.parametrize("old, new", [*BAD_INPUT, ("", "")])
def test_the_quick_check_accepts_and_refuses_as_the_full_validator_does(old, new):
    """The check of every file asks schema_accepts first, and the full validator only when it refuses."""
    document = as_editor_sees(VALID_INCIDENT.replace(old, new))
    assert schema_accepts()(document) == (not list(schema_validator().iter_errors(document)))
    assert [error.message for error in schema_errors(document)] == [error.message for error in schema_validator().iter_errors(document)]


def test_where_the_quick_check_refuses_what_python_accepts_the_full_validator_decides():
    document = as_editor_sees(VALID_INCIDENT)
    document["date"] += "\n"  # Python's `$` matches before a final line break; the quick check's does not
    assert not schema_accepts()(document) and schema_errors(document) == []
    figure = {**as_editor_sees(VALID_INCIDENT)["figures"][0], "value": TooLongNumber("1" * 30)}  # (as the loader keeps it)
    document = {**as_editor_sees(VALID_INCIDENT), "figures": [figure]}  # a str of its own class: the quick check cannot take it
    assert [error.validator for error in schema_errors(document)] == ["type"]
