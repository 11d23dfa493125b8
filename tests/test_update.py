"""update: `import --update` fills a file's empty fields and changes no other line of it."""

from __future__ import annotations

from pathlib import Path

from archive.load import Document, parse_yaml_bytes
from archive.update import fill_empty_fields

FILE = """\
# yaml-language-server: $schema=../../schema/incident.schema.json
title: Drone strike on Kyiv
date: 2025-06-06
# What happened, as the curator wrote it.
summary: |
  TODO: what happened, in a few sentences of Markdown. No raw HTML.
regions: [UA-30]
# The reports:
sources:
  wire:
    publisher: Example Wire   # checked
    title: Drones hit Kyiv

  daily:
    publisher: Sample Daily
figures: []
quotes: []
corrections: []
"""
IMPORTED: dict = {
    "title": "Another title", "summary": "Drones hit Kyiv overnight.\n", "regions": ["UA-46"],
    "places": [{"name": "Kyiv", "region": "UA-30"}], "assessment": "fair",
    "sources": {"example-wire": {"publisher": "Example Wire", "url": "https://news.example.org/1"},
                "daily": {"publisher": "Another Daily"}},
    "figures": [{"measure": "killed", "value": 4, "qualifier": "exactly", "claimed_by": "Example official", "source": "example-wire",
                 "excerpt": "Four were killed."},
                {"measure": "injured", "value": 2, "qualifier": "exactly", "claimed_by": "Example official", "source": "daily",
                 "excerpt": "Two were injured."}],
}


def document(text: str) -> Document:
    found = Document(Path("x.yaml"), "x.yaml")
    assert parse_yaml_bytes(text.encode("utf-8"), found) == []
    return found


def test_only_empty_fields_are_filled_and_every_other_line_stays():
    filled = fill_empty_fields(FILE, document(FILE), IMPORTED)
    assert not isinstance(filled, str)
    assert filled.changes == ["summary", "places", "assessment", "figures (2)", "sources.wire.url", "sources.daily-2 (new)"]
    assert filled.text == """\
# yaml-language-server: $schema=../../schema/incident.schema.json
title: Drone strike on Kyiv
date: 2025-06-06
# What happened, as the curator wrote it.
summary: |
  Drones hit Kyiv overnight.
regions: [UA-30]
places:
  - {name: Kyiv, region: UA-30}
assessment: fair
# The reports:
sources:
  wire:
    publisher: Example Wire   # checked
    title: Drones hit Kyiv
    url: https://news.example.org/1

  daily:
    publisher: Sample Daily
  daily-2:
    publisher: Another Daily
figures:
  - measure: killed
    value: 4
    qualifier: exactly
    claimed_by: Example official
    source: wire
    excerpt: "Four were killed."
  - measure: injured
    value: 2
    qualifier: exactly
    claimed_by: Example official
    source: daily-2
    excerpt: "Two were injured."
quotes: []
corrections: []
"""
    assert document(filled.text).data == filled.data
    assert filled.origin[("figures",)] == ("figures",) and filled.origin[("sources", "wire", "url")] == ("sources", "example-wire", "url")


def test_a_file_with_nothing_empty_is_left_alone():
    text = FILE.replace("figures: []", "figures:\n  - {measure: killed, value: 1, qualifier: exactly, claimed_by: X, source: wire, excerpt: One.}")
    text = text.replace("summary: |\n  TODO: what happened, in a few sentences of Markdown. No raw HTML.", "summary: Written.")
    imported = {key: value for key, value in IMPORTED.items() if key in ("title", "summary", "figures", "regions")}
    filled = fill_empty_fields(text, document(text), imported)
    assert not isinstance(filled, str) and filled.changes == [] and filled.text == text


def test_a_source_written_on_one_line_is_not_edited():
    text = FILE.replace("  daily:\n    publisher: Sample Daily\n", "").replace(
        "  wire:\n    publisher: Example Wire   # checked\n    title: Drones hit Kyiv\n", "  wire: {publisher: Example Wire}\n")
    assert fill_empty_fields(text, document(text), IMPORTED) == "cannot fill source `wire`: it is written on one line; fill its fields by hand"


def test_missing_fields_go_where_the_documented_order_puts_them():
    text = "title: T\ndate: 2025-06-06\nregions: [UA-30]\nsources:\n  wire:\n    publisher: Example Wire\nquotes: []\n"
    filled = fill_empty_fields(text, document(text), {"summary": "S.\n", "figures": IMPORTED["figures"][:1], "sources": IMPORTED["sources"]})
    assert not isinstance(filled, str)
    keys = [line.split(":")[0] for line in filled.text.splitlines() if line and not line.startswith((" ", "#"))]
    assert keys == ["title", "date", "summary", "regions", "sources", "figures", "quotes"]
    assert document(filled.text).data == filled.data
