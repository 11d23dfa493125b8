"""Write new incident files: the skeleton `new` writes, and whole incidents (`import`) in the same style.

Both name and date the file correctly and put the schema line first and the fields in the
order README.md documents.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import places as gazetteer
from .characters import INVISIBLE
from .reference import Reference

SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/incident.schema.json"
PLACEHOLDER_SUMMARY = "TODO: what happened, in a few sentences of Markdown. No raw HTML.\n"
SKELETON = SCHEMA_LINE + """
# A new incident. Replace every TODO, add figures and quotes from your sources, then run
#   python build.py check
# The format is described in README.md; schema/incident.schema.json lets editors check it.
title: {title}
date: {date}
summary: |
  """ + PLACEHOLDER_SUMMARY + """regions: [{regions}]
{places}sources:
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


# Without --place: the field, commented out, with what fills it in.
PLACES_COMMENT = """\
# places:                       # optional: settlements the sources name; `new --place NAME` locates them
#   - {name: Lutsk, region: UA-07, lat: 50.75784, lon: 25.35024, precision: settlement, located_by: GeoNames 702569}
"""
MAX_CANDIDATES_SHOWN = 8  # `new --place` lists at most this many other places of the name


class ScaffoldError(ValueError):
    pass


@dataclass(frozen=True)
class Located:
    """A place `new --place` found in the gazetteer: the entry it writes, and what it tells the curator."""

    entry: dict[str, object]  # name, region, lat, lon, precision, located_by
    notes: list[str]


def locate_places(names: Sequence[str], region: str | None, reference: Reference) -> list[Located]:
    """Each name's place in the gazetteer, in `region` first when given (places.lookup), precision
    `settlement`; a name the gazetteer does not hold stops with the names spelt most like it."""
    located: list[Located] = []
    for name in names:
        found = gazetteer.lookup(name.strip(), region)
        chosen = found.chosen
        if chosen is None:
            close = gazetteer.close_names(name)
            hint = ("; did you mean " + " or ".join(f"{place.name} ({place.region})" for place in close) + "?") if close else "."
            raise ScaffoldError(f"--place {name!r}: no settlement of that name in the gazetteer (data/gazetteer.json: GeoNames places of "
                                f"Ukraine and Russia with 500 or more people){hint} Check the spelling, or leave --place out and write "
                                "the place with its coordinates by hand (see the contribute page)")
        if reference.region(chosen.region) is None:
            raise ScaffoldError(f"--place {name!r}: the gazetteer puts {chosen.name} in {chosen.region}, which data/regions.yaml does not list")
        entry: dict[str, object] = {"name": chosen.name, "region": chosen.region, "lat": chosen.lat, "lon": chosen.lon,
                                    "precision": "settlement", "located_by": f"GeoNames {chosen.geonameid}"}
        if any(earlier.entry["located_by"] == entry["located_by"] for earlier in located):
            continue  # the same place named twice (Kyiv and Kiev)
        notes = [f"--place {name}: {chosen.name}, {_region_words(chosen.region, reference)} at {chosen.lat}, {chosen.lon}: {found.reason}"]
        if region and chosen.region != region:
            notes.append(f"  (outside {region}: the file lists {chosen.region} among its `regions`)")
        others = found.matches[1:]
        if others:
            notes.append(f"  the other {len(others)}, if the sources mean another (then edit `region`, `lat`, `lon` and `located_by`):")
            notes += [f"  - {match.place.name}, {_region_words(match.place.region, reference)}, {_population(match.place.population)}, "
                      f"at {match.place.lat}, {match.place.lon} (GeoNames {match.place.geonameid}"
                      f"{', by another spelling' if match.by != 'name' else ''})" for match in others[:MAX_CANDIDATES_SHOWN]]
            if len(others) > MAX_CANDIDATES_SHOWN:
                notes.append(f"  - and {len(others) - MAX_CANDIDATES_SHOWN} more")
        located.append(Located(entry, notes))
    return located


def _population(people: int) -> str:
    return f"population {people:,}" if people else "population not given"  # GeoNames writes 0 when it has no figure


def _region_words(code: str, reference: Reference) -> str:
    region = reference.region(code)
    return f"{region.name} ({code})" if region else code


def slugify(title: str, limit: int = 60) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


def new_incident(incidents_dir: Path, date_text: str, regions: list[str], title: str, reference: Reference,
                 places: Sequence[Located] = ()) -> Path:
    """Write incidents/<year>/<date>-<slug>.yaml and return its path; refuses to overwrite.

    `places` (from locate_places) are written located, and their regions added to `regions` when missing."""
    try:
        date = dt.date.fromisoformat(date_text)
    except ValueError:
        raise ScaffoldError(f"--date {date_text!r} is not a date written YYYY-MM-DD") from None
    unknown = [code for code in regions if reference.region(code) is None]
    if unknown:
        raise ScaffoldError(f"not ISO 3166-2 region codes: {', '.join(unknown)} (see data/regions.yaml)")
    regions = list(dict.fromkeys([*regions, *(str(place.entry["region"]) for place in places)]))
    if not regions:
        raise ScaffoldError("name at least one region with --region, e.g. --region UA-30 (or a place with --place)")
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
        places="\n".join(field_lines("places", [place.entry for place in places])) + "\n" if places else PLACES_COMMENT,
        first_region=regions[0],
    ), encoding="utf-8")
    return path


# --- whole incidents, as `import` writes them ------------------------------------------

# The order README.md documents ("The incident file"), within an incident and within each entry.
FIELD_ORDER = ("title", "date", "summary", "regions", "places", "assessment", "sources", "figures", "quotes", "corrections", "previous_ids")
ENTRY_ORDER = {
    "places": ("name", "region", "lat", "lon", "precision", "located_by"),
    "sources": ("publisher", "title", "url", "published", "archive_url", "language", "kind"),
    "figures": ("measure", "value", "min", "max", "qualifier", "region", "subject", "weapon", "claimed_by", "as_of", "source", "excerpt"),
    "quotes": ("speaker", "role", "text", "lang", "translation", "source"),
    "corrections": ("date", "change", "reason", "source"),
}
QUOTED_FIELDS = {"excerpt", "text", "translation"}  # word-for-word texts: always in quotes, as the shipped files write them
_RESOLVER = yaml.resolver.Resolver()
_TEXT_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}  # the loader keeps dates as text


def incident_path(incidents_dir: Path, ident: str) -> Path:
    """incidents/<year>/<id>.yaml: the year is the first four characters of the id (its date)."""
    return incidents_dir / ident[:4] / f"{ident}.yaml"


def incident_yaml(data: dict) -> str:
    """The text of an incident file holding `data`: the schema line, then the fields in the documented order.

    Every text that YAML could read as something else (`no`, `12:30`, `4`) or that holds a line
    break or an invisible character is written in double quotes with escapes, so the file reads
    back as exactly `data`, and check sees every character the data holds.
    """
    return "\n".join([SCHEMA_LINE, *(line for name in _ordered(data, FIELD_ORDER) for line in field_lines(name, data[name]))]) + "\n"


def field_lines(name: str, value: object) -> list[str]:
    """The lines of one top-level field: block style as the shipped files write them, flow style for short lists."""
    if name == "summary" and isinstance(value, str) and _literal_block_ok(value):
        return ["summary: |", *[f"  {line}" if line else "" for line in value[:-1].split("\n")]]
    if name == "regions" and isinstance(value, list) and all(isinstance(code, str) for code in value):
        return [f"regions: {flow(value)}"]
    if name == "places" and isinstance(value, list) and value:
        return ["places:", *[f"  - {flow(_ordered_dict(place, ENTRY_ORDER['places']))}" for place in value]]
    if name == "sources" and isinstance(value, dict) and value:
        return ["sources:", *[line for key, source in value.items() for line in source_lines(key, source, "  ")]]
    if name in ENTRY_ORDER and isinstance(value, list) and value:
        return [f"{name}:", *[line for entry in value for line in entry_lines(entry, ENTRY_ORDER[name], "  ")]]
    return [f"{scalar(name)}: {flow(value)}"]


def source_lines(key: object, source: object, indent: str) -> list[str]:
    """`key:` and the source's fields below it, one a line."""
    if not isinstance(source, dict) or not source:
        return [f"{indent}{scalar(key)}: {flow(source)}"]
    return [f"{indent}{scalar(key)}:", *[f"{indent}  {scalar(field)}: {flow(value, field in QUOTED_FIELDS)}"
                                         for field, value in _ordered_dict(source, ENTRY_ORDER["sources"]).items()]]


def entry_lines(entry: object, order: tuple[str, ...], indent: str) -> list[str]:
    """One entry of a list of mappings (a figure, quote or correction): `- first: ...`, then one field a line."""
    if not isinstance(entry, dict) or not entry:
        return [f"{indent}- {flow(entry)}"]
    lines = []
    for number, (field, value) in enumerate(_ordered_dict(entry, order).items()):
        lines.append(f"{indent}{'- ' if number == 0 else '  '}{scalar(field)}: {flow(value, field in QUOTED_FIELDS)}")
    return lines


def flow(value: object, quoted: bool = False) -> str:
    """A value on one line: a scalar, or `[a, b]` and `{key: value}` (JSON-like flow style)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(key, True)}: {flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return scalar(value, in_flow=True, quoted=quoted) if isinstance(value, str) else scalar(value)


def scalar(value: object, in_flow: bool = False, quoted: bool = False) -> str:
    """One value as YAML that reads back as the same value: plain when nothing in it can be misread."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        mantissa, _, exponent = repr(value).partition("e")  # YAML reads 1e+20 as text: it takes 1.0e+20
        return f"{mantissa}{'' if '.' in mantissa or not mantissa[-1:].isdigit() else '.0'}{'e' + exponent if exponent else ''}"
    text = str(value)
    return text if not quoted and _plain_ok(text, in_flow) else double_quoted(text)


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar: quotes and backslashes escaped, and every character that is not
    printable (line breaks, tabs, invisible characters) written as an escape, which keeps it visible."""
    if '"' not in text and "\\" not in text and _visible(text):  # nearly every text: nothing to escape
        return f'"{text}"'
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif not char.isprintable() or INVISIBLE.match(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _visible(text: str) -> bool:
    return text.isprintable() and INVISIBLE.search(text) is None


def _plain_ok(text: str, in_flow: bool) -> bool:
    """Whether `text` can be written without quotes and read back as the same text."""
    if not text or not text[0].isalnum() or text[-1] in " :" or not _visible(text):
        return False
    if ": " in text or " #" in text or (in_flow and any(char in text for char in ",[]{}")):
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) in _TEXT_TAGS


def _literal_block_ok(text: str) -> bool:
    """A summary can be a `|` block when it ends in one line break and every line reads back as it is."""
    if not text.endswith("\n") or text.endswith("\n\n") or text.startswith((" ", "\n")):
        return False
    return all(_visible(line) and line == line.rstrip() for line in text[:-1].split("\n"))


def _ordered(mapping: dict, order: tuple[str, ...]) -> list:
    """The keys of `mapping`: those of `order` first, in its order, then any others as they come."""
    return [key for key in order if key in mapping] + [key for key in mapping if key not in order]


def _ordered_dict(mapping: dict, order: tuple[str, ...]) -> dict:
    return {key: mapping[key] for key in _ordered(mapping, order)}
