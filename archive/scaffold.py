"""Write the skeleton of a new incident file, named and dated correctly, with comments to fill in."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from .reference import Reference

SKELETON = """\
# yaml-language-server: $schema=../../schema/incident.schema.json
# A new incident. Replace every TODO, add figures and quotes from your sources, then run
#   python build.py check
# The format is described in README.md; schema/incident.schema.json lets editors check it.
title: {title}
date: {date}
summary: |
  TODO: what happened, in a few sentences of Markdown. No raw HTML.
regions: [{regions}]
# places:                       # optional: settlements the sources name
#   - {{name: Lutsk, region: UA-07}}
sources:
  src:                          # a short key for each report; figures and quotes cite it
    publisher: TODO publisher
    # title: headline of the report
    # url: https://...
    # published: YYYY-MM-DD
figures: []
# figures:
#   - measure: killed           # a key of data/measures.yaml
#     value: 0                  # or min: and max: for a stated range
#     qualifier: exactly        # exactly | at least | more than | about | up to
#     region: {first_region}           # optional: one of `regions`
#     claimed_by: TODO          # who says so (see data/people.yaml for known names)
#     source: src
#     excerpt: "The sentence of the report that states the number, word for word."
quotes: []
# quotes:
#   - speaker: TODO
#     role: TODO                # optional
#     text: "Word for word, as the report quotes it."
#     source: src
corrections: []
"""


class ScaffoldError(ValueError):
    pass


def slugify(title: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


def new_incident(incidents_dir: Path, date_text: str, regions: list[str], title: str, reference: Reference) -> Path:
    """Write incidents/<year>/<date>-<slug>.yaml and return its path; refuses to overwrite."""
    try:
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        raise ScaffoldError(f"--date {date_text!r} is not a date written YYYY-MM-DD") from None
    unknown = [code for code in regions if reference.region(code) is None]
    if unknown:
        raise ScaffoldError(f"not ISO 3166-2 region codes: {', '.join(unknown)} (see data/regions.yaml)")
    if not regions:
        raise ScaffoldError("name at least one region with --region, e.g. --region UA-30")
    if not title.strip():
        raise ScaffoldError("give the incident a title")
    path = incidents_dir / str(date.year) / f"{date.isoformat()}-{slugify(title)}.yaml"
    if path.exists():
        raise ScaffoldError(f"{path} already exists; choose another title")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SKELETON.format(
        title=json.dumps(title.strip(), ensure_ascii=False),
        date=date.isoformat(),
        regions=", ".join(regions),
        first_region=regions[0],
    ), encoding="utf-8")
    return path
