"""Check loaded incident files against the JSON Schema and the archive's own rules.

Every problem carries the file, line and column it is about and says how to fix it.
Validation never stops at the first problem: `check` shows them all at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import jsonschema_rs
from jsonschema import ValidationError

from . import places
from .characters import character_name, hidden_character, name_problem
from .dates import parse_timestamp
from .load import Document, Key, TooLongNumber
from .markup import markdown_problem
from .problems import Problem
from .provenance import appears_in, closest_passage, figure_problems, normalize, snapshot_name
from .reference import Reference
from .wording import TYPE_WORDS, describe_value, field_name, schema_message, suggest

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "incident.schema.json"

FILE_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*")
# Raw HTML in Markdown: a tag opener such as <b>, </p> or <img ...>; <https://...> autolinks are fine.
RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9-]*(?:\s[^>]*)?/?\s*>|<!--|<!\w")
AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^>\s]+>")
WHITE_SPACE = re.compile(r"\s")  # exactly the characters str.isspace() takes, found without a loop in Python
# An http(s) address whose host is letters, digits, dots and hyphens alone, up to its path, query or end:
# urlsplit finds that host (no user, port or brackets to read).
PLAIN_HOST = re.compile(r"https?://[A-Za-z0-9.-]+(?:[/?#]|\Z)")

PATTERN_WORDS = {
    "^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$": "a date written YYYY-MM-DD in the years 1900 to 2099",
    "^[A-Z]{2}-[A-Z0-9]{1,3}$": "an ISO 3166-2 region code such as UA-30 (Kyiv) or RU-TUL (Tula Oblast)",
    "^[a-z0-9][a-z0-9_-]*$": "a source key: lower-case letters, digits, - and _",
    "^https?://": "an http:// or https:// address",
    "^[a-z_]+$": "a measure key from data/measures.yaml, such as killed or injured",
    "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$": "a language tag such as en, uk or ru",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$": "an incident id: a file name without .yaml, such as 2025-06-06-kyiv-strike",
}
COORDINATE_WORDS = {"lat": "a latitude", "lon": "a longitude"}  # what a `maximum` of these keys bounds: degrees, not a count
TIMESTAMP_WORDS = "a date (YYYY-MM-DD, 1900 to 2099) or date and time (YYYY-MM-DDTHH:MM, optionally with +03:00)"


@lru_cache(maxsize=1)
def incident_schema() -> dict[str, Any]:
    """schema/incident.schema.json, read once for both validators."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@lru_cache(maxsize=1)
def schema_validator() -> jsonschema.protocols.Validator:
    """The full validator: slow, but it reports every error with its path."""
    schema = incident_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=1)
def schema_accepts() -> Callable[[object], bool]:
    """A compiled check (jsonschema-rs, in Rust) that only says whether a document is valid: 5 us for a file of
    the `uniform` archive, where fastjsonschema took 25 us and the full validator (jsonschema) 50 times as long.

    It refuses whatever the full validator refuses. It may refuse more, and then the full validator decides
    (and says why): a value it cannot take raises ValueError (a number too long to read, which the loader
    keeps as a TooLongNumber, a str of its own class), and where a pattern ends in `$`, Python's also matches
    before a line break at the end of the text; the schema's patterns are otherwise of ASCII classes and
    anchors, which both read alike, and it asserts no `format`.
    """
    return jsonschema_rs.validator_for(incident_schema()).is_valid


def schema_errors(data: Any) -> list[ValidationError]:
    """Every schema error; the fast check first, since almost every file is valid."""
    accepts = schema_accepts()
    with contextlib.suppress(ValueError):  # a value the fast check cannot take: the full validator decides
        if accepts(data):
            return []
    return list(schema_validator().iter_errors(data))


def incident_id(document: Document) -> str:
    """An incident's id is its file name without `.yaml`: the permanent part of its URL."""
    return document.path.stem


def validate_document(document: Document, reference: Reference, today: dt.date) -> list[Problem]:
    """Every problem in one incident file: schema first, then the archive's rules."""
    problems = [
        problem
        for error in schema_errors(document.data)
        for problem in _describe_schema_error(document, error, reference)
    ]
    if isinstance(document.data, dict):
        problems += _check_rules(document, reference, today)
    return problems


def validate_archive(documents: list[Document]) -> list[Problem]:
    """Problems that only show across files: two incidents with the same id, or claiming the same old id."""
    by_id: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        by_id[incident_id(document)].append(document)
    problems = []
    for ident, same in by_id.items():
        for document in same[1:]:
            problems.append(Problem(
                document.display_path, 1, 1,
                f"incident id `{ident}` is also used by {same[0].display_path}; "
                "ids are file names and must be unique across years: change the slug of one of them",
            ))
    claimed: dict[str, Document] = {}
    for document in documents:
        for index, old in enumerate(_list(document.data.get("previous_ids")) if isinstance(document.data, dict) else []):
            if not isinstance(old, str):
                continue
            key = ("previous_ids", index)
            if old in by_id:
                problems.append(document.problem(key, f"previous id `{old}` is the id of {by_id[old][0].display_path}; an old address cannot redirect while an incident still uses it"))
            elif old in claimed:
                problems.append(document.problem(key, f"previous id `{old}` is also listed by {claimed[old].display_path}; an old address can redirect to one incident only"))
            claimed.setdefault(old, document)
    return problems


# --- schema errors, said for people -------------------------------------------------

def _describe_schema_error(document: Document, error: ValidationError, reference: Reference) -> list[Problem]:
    key = tuple(error.absolute_path)
    name = field_name(key)
    kind = error.validator
    # Every error iter_errors yields has these set (jsonschema's stubs also allow "unset").
    value: Any = error.validator_value
    instance: Any = error.instance
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties":
        return _unknown_fields(document, schema, instance, key)
    if kind == "required":
        missing = [field for field in value if field not in instance]
        return [document.problem(key, f"{'' if not key else name + ': '}missing required field `{field}`") for field in missing]
    if kind == "type" and isinstance(instance, TooLongNumber):
        return []  # reported where the file was read
    if kind == "type":
        wanted: list[str] = value if isinstance(value, list) else [value]
        expected = " or ".join(TYPE_WORDS.get(kind_name, kind_name) for kind_name in wanted)
        return [document.problem(key, f"`{name}` must be {expected}, not {describe_value(instance)}")]
    if kind == "pattern":
        return [_pattern_problem(document, key, name, value, instance, reference)]
    if kind == "propertyNames":
        return [document.problem(key, f"`{name}`: key `{instance}` is not {PATTERN_WORDS.get(schema.get('pattern', ''), 'allowed')}")]
    if kind == "minimum":
        return [document.problem(key, f"`{name}` must be {value} or more, not {instance}")]
    if kind == "maximum" and key and key[-1] in COORDINATE_WORDS:
        return [document.problem(key, f"`{name}` is {instance}; {COORDINATE_WORDS[key[-1]]} lies between -{value} and {value} degrees "
                                      "(lat is north, lon is east, in decimal degrees): check the number, or whether lat and lon are swapped")]
    if kind == "maximum":
        return [document.problem(key, f"`{name}` is {instance:,}; no count in an incident is larger than {value:,} "
                                      "(more than the people of Ukraine and Russia's border regions together): check the number")]
    return [document.problem(key, schema_message(kind, f"`{name}`", value, instance) or f"`{name}`: {error.message}")]


def _unknown_fields(document: Document, schema: dict[str, Any], instance: Any, key: Key) -> list[Problem]:
    allowed = list(schema.get("properties", {}))
    problems = []
    for field in instance:
        if field in allowed:
            continue
        hint = suggest(field, allowed) or f"; allowed fields here: {', '.join(allowed)}"
        where = f" in `{field_name(key)}`" if key else ""
        problems.append(document.problem((*key, field), f"unknown field `{field}`{where}{hint}", at_key=True))
    return problems


def _pattern_problem(document: Document, key: Key, name: str, pattern: str, instance: Any, reference: Reference) -> Problem:
    expected = PATTERN_WORDS.get(pattern, TIMESTAMP_WORDS if "T ]" in pattern else f"text matching {pattern}")
    hint = ""
    if pattern.startswith("^[A-Z]{2}-"):
        hint = _region_code_for_name(instance, reference)
    return document.problem(key, f"`{name}` is `{instance}`, which is not {expected}{hint}")


def _region_code_for_name(text: object, reference: Reference) -> str:
    wanted = str(text).casefold()
    for code, names in reference.region_names.items():
        spellings = [names.get("name", ""), *names.get("aliases", [])]
        if any(spelling.casefold() == wanted for spelling in spellings):
            return f"; did you mean `{code}` ({names.get('name')})?"
    return "; see data/regions.yaml for codes and names"


# --- the archive's own rules ---------------------------------------------------------

def _check_rules(document: Document, reference: Reference, today: dt.date) -> list[Problem]:
    data = document.data
    source_keys = set(data.get("sources") or {}) if isinstance(data.get("sources"), dict) else set()
    regions = [code for code in _list(data.get("regions")) if isinstance(code, str)]
    problems = _check_dates(document, today)
    problems += _check_location(document)
    problems += _check_regions(document, regions, reference)
    problems += _check_place_locations(document, reference)
    problems += _check_sources(document)
    problems += _check_citations(document, source_keys, regions, reference)
    problems += _check_figures(document, reference, today)
    problems += _check_names(document, reference)
    problems += _check_summary(document)
    problems += _check_placeholders(document)
    problems += _check_hidden_characters(document)
    return problems


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _items(document: Document, field: str) -> Iterator[tuple[Key, dict]]:
    """(key, entry) for each mapping in a top-level list field."""
    for index, entry in enumerate(_list(document.data.get(field))):
        if isinstance(entry, dict):
            yield (field, index), entry


def _parse_date(document: Document, key: Key, text: object) -> tuple[dt.date | None, list[Problem]]:
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None, []  # the schema already said it is not a YYYY-MM-DD date
    try:
        return dt.date.fromisoformat(text), []
    except ValueError:
        return None, [document.problem(key, f"`{field_name(key)}` is `{text}`, which is not a real date; check the month and day")]


def _check_dates(document: Document, today: dt.date) -> list[Problem]:
    keys: list[Key] = [("date",)]
    keys += [("sources", name, "published") for name, source in _mapping(document.data.get("sources")).items()
             if isinstance(source, dict) and "published" in source]
    keys += [(*key, "date") for key, _ in _items(document, "corrections")]
    problems = []
    for key in keys:
        date, found = _parse_date(document, key, _value_at(document.data, key))
        problems += found
        if date and date > today:
            problems.append(document.problem(key, f"`{field_name(key)}` is {date}, in the future (today is {today}); record incidents after they happen"))
    return problems


def _value_at(data: object, key: Key) -> object:
    """The value at a path of mapping keys, or None where the path leads nowhere."""
    for part in key:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _check_location(document: Document) -> list[Problem]:
    stem = document.path.stem
    date = document.data.get("date")
    match = FILE_NAME.fullmatch(stem)
    if not match:
        return [document.problem((), f"file name `{document.path.name}` must be `<date>-<slug>.yaml`, e.g. `2025-06-06-kyiv-strike.yaml`, "
                                     "with a slug of lower-case letters, digits and single hyphens")]
    problems = []
    if isinstance(date, str) and not stem.startswith(date + "-"):
        problems.append(document.problem(("date",), f"date {date} does not match the file name `{document.path.name}`; "
                                                   f"rename the file to `{date}-{stem[11:]}.yaml` or fix the date"))
    year_folder = document.path.parent.name
    if re.fullmatch(r"\d{4}", year_folder) and year_folder != match.group(1):
        problems.append(document.problem((), f"file is in folder `{year_folder}/` but its name says {match.group(1)}; move it to `incidents/{match.group(1)}/`"))
    return problems


def _check_regions(document: Document, regions: list[str], reference: Reference) -> list[Problem]:
    problems = []
    for index, code in enumerate(regions):
        if re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code) and reference.region(code) is None:
            problems.append(document.problem(("regions", index), f"`{code}` is not an ISO 3166-2 region code; see data/regions.yaml for codes and names"))
    for key, place in _items(document, "places"):
        problems += _region_listed(document, key, place.get("region"), regions)
    return problems


def _region_listed(document: Document, key: Key, code: object, regions: list[str]) -> list[Problem]:
    if isinstance(code, str) and code not in regions:
        listed = ", ".join(regions) or "none"
        return [document.problem((*key, "region"), f"`{field_name((*key, 'region'))}` is {code}, which is not in the incident's `regions` ({listed}); add it there or fix the code")]
    return []


def _check_place_locations(document: Document, reference: Reference) -> list[Problem]:
    """A located place's point must lie in its region (an error) and near the gazetteer's point for its name
    (a warning), both said at its `lat`; see places.check_place. Places without coordinates, or with ones
    the schema refuses, are left alone: the outlines and the gazetteer are read only when a place has them."""
    problems = []
    region_names: dict[str, str] = {}  # code -> display name, made for the first located place
    for key, place in _items(document, "places"):
        name, region, lat, lon, precision = (place.get(field) for field in ("name", "region", "lat", "lon", "precision"))
        if not isinstance(name, str) or not isinstance(region, str) or lat is None or places.coordinate_problem(lat, lon, precision):
            continue
        assert isinstance(lat, int | float) and isinstance(lon, int | float) and isinstance(precision, str)  # coordinate_problem said so
        region_names = region_names or {code: str(names.get("name", "")) for code, names in reference.region_names.items()}
        for finding in places.check_place(name, region, float(lat), float(lon), precision, region_names):
            problems.append(document.problem((*key, "lat"), f"`{field_name(key)}` ({name}): {finding.message}", severity=finding.severity))
    return problems


def _check_sources(document: Document) -> list[Problem]:
    problems = []
    for name, source in _mapping(document.data.get("sources")).items():
        for field in ("url", "archive_url"):
            url = source.get(field) if isinstance(source, dict) else None
            if (isinstance(url, str) and url.startswith(("http://", "https://"))
                    and (not _has_host(url) or WHITE_SPACE.search(url))):
                problems.append(document.problem(("sources", name, field), f"`sources.{name}.{field}` is not a usable web address: it needs a host name and no spaces"))
    cited = {entry.get("source") for field in ("figures", "quotes", "corrections") for _, entry in _items(document, field)
             if isinstance(entry.get("source"), str)}
    cited |= {place.get("located_by") for _, place in _items(document, "places")}  # a report that gives coordinates is cited by them
    for name in _mapping(document.data.get("sources")):
        if name not in cited:
            problems.append(document.problem(("sources", name), f"source `{name}` is not cited by any figure, quote or correction", at_key=True, severity="warning"))
    return problems


def _has_host(url: str) -> bool:
    """Whether an http(s) address names a host; most do plainly, and PLAIN_HOST tells so without urlsplit's work."""
    return PLAIN_HOST.match(url) is not None or bool(_host_of(url))


def _host_of(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        return None


def _check_citations(document: Document, source_keys: set[str], regions: list[str], reference: Reference) -> list[Problem]:
    problems = []
    known = ", ".join(sorted(source_keys)) or "none"
    for field in ("figures", "quotes", "corrections"):
        for key, entry in _items(document, field):
            cited = entry.get("source")
            if isinstance(cited, str) and cited not in source_keys:
                problems.append(document.problem((*key, "source"), f"`{field_name((*key, 'source'))}` cites `{cited}`, which is not a key under `sources` ({known}){suggest(cited, source_keys)}"))
    for key, figure in _items(document, "figures"):
        measure = figure.get("measure")
        if isinstance(measure, str) and measure not in reference.measures:
            problems.append(document.problem((*key, "measure"), f"unknown measure `{measure}`{suggest(measure, reference.measures)}; measures are listed in data/measures.yaml"))
        subject = figure.get("subject")
        if isinstance(subject, str) and subject not in reference.subjects:
            problems.append(document.problem((*key, "subject"), f"unknown subject `{subject}`{suggest(subject, reference.subjects)}; subjects are listed in data/subjects.yaml"))
        problems += _region_listed(document, key, figure.get("region"), regions)
    return problems


def _check_figures(document: Document, reference: Reference, today: dt.date) -> list[Problem]:
    problems = []
    for key, figure in _items(document, "figures"):
        for field in ("value", "min", "max"):
            number = figure.get(field)
            if isinstance(number, float) and number.is_integer():  # the schema takes 4.0 for an integer; we do not
                problems.append(document.problem((*key, field), f"`{field_name((*key, field))}` must be a whole number written without a decimal point, not {number}"))
        has_value, has_range = "value" in figure, "min" in figure or "max" in figure
        if has_value == has_range or (has_range and not ("min" in figure and "max" in figure)):
            problems.append(document.problem(key, f"`{field_name(key)}` needs either `value`, or both `min` and `max` for a stated range"))
        elif has_range:
            low, high = figure.get("min"), figure.get("max")
            if isinstance(low, int) and isinstance(high, int) and low > high:
                problems.append(document.problem((*key, "min"), f"`{field_name(key)}`: min {low} is larger than max {high}"))
            if figure.get("qualifier") not in ("exactly", "about"):
                problems.append(document.problem((*key, "qualifier"), f"a range takes `qualifier: exactly` (as stated) or `about`, not `{figure.get('qualifier')}`"))
        weapon = figure.get("weapon")
        if isinstance(weapon, str) and reference.weapon(weapon) is None:
            names = sorted({w.key for w in reference.weapons.values()})
            problems.append(document.problem((*key, "weapon"), f"unknown weapon `{weapon}`{suggest(weapon, names)}; weapons and their aliases are listed in data/weapons.yaml"))
        problems += _check_as_of(document, (*key, "as_of"), figure.get("as_of"), today)
        problems += [document.problem((*key, field), message) for field, message in figure_problems(figure)]
    return problems


def _check_as_of(document: Document, key: Key, text: object, today: dt.date) -> list[Problem]:
    if not isinstance(text, str) or not text:
        return []  # the schema already said what is wrong
    try:
        moment = parse_timestamp(text)
    except (ValueError, OverflowError):  # OverflowError: a time zone moves it out of the years Python knows
        return [document.problem(key, f"`{field_name(key)}` is `{text}`, which is not a real date or time")]
    if moment is not None and moment.date() > today:  # (None only for an empty text)
        return [document.problem(key, f"`{field_name(key)}` is {text}, in the future (today is {today})")]
    if re.search(r"[T ]\d", text) and dt.datetime.fromisoformat(text).tzinfo is None:
        return [document.problem(key, f"`{field_name(key)}` gives a time without its UTC offset; write it as e.g. {text[:16]}+03:00 (Kyiv summer time)")]
    return []


NAME_FIELDS = (("figures", "claimed_by"), ("quotes", "speaker"), ("places", "name"))
def _check_names(document: Document, reference: Reference) -> list[Problem]:
    """Names hold only what names need; warn about one close to, but not, a name the registry knows."""
    problems = []
    for field, name_field in NAME_FIELDS:
        for key, entry in _items(document, field):
            name = entry.get(name_field)
            if not isinstance(name, str) or not name or hidden_character(name) is not None:
                continue  # an invisible character is reported by _check_hidden_characters
            found = name_problem(name)
            if found:
                problems.append(document.problem((*key, name_field), f"`{field_name((*key, name_field))}` {found}"))
                continue
            if field == "places" or reference.person(name) is not None:
                continue
            near = reference.close_known_name(name)
            if near:
                problems.append(document.problem((*key, name_field), f"`{name}` is not in data/people.yaml but is close to `{near}`; "
                                                 "fix the spelling, or add it there as an alias if it is another transliteration", severity="warning"))
    return problems


MULTI_LINE_FIELDS = {"summary", "excerpt", "text", "translation", "change", "reason"}


def _check_hidden_characters(document: Document) -> list[Problem]:
    """Invisible and control characters anywhere, and line breaks in one-line fields."""
    problems = []
    for key, text in _unusual_texts(document.data, ()):
        field = next((part for part in reversed(key) if isinstance(part, str)), "")
        if "\n" in text and field not in MULTI_LINE_FIELDS:
            problems.append(document.problem(key, f"`{field_name(key)}` must be on one line; remove the line break"))
            continue
        index = hidden_character(text)
        if index is not None:
            char = text[index]
            kind = "the control character" if unicodedata.category(char) == "Cc" else "an invisible"
            problems.append(document.problem(key, f"`{field_name(key)}` contains {kind} {character_name(char)} at character {index + 1}; "
                                                  "remove it (see the contribute page for when such characters are allowed)"))
    return problems


def _unusual_texts(value: object, key: Key) -> list[tuple[Key, str]]:
    """(key, text) for each text value (not mapping key: an incident file's keys are field names and
    source keys, which the schema holds to patterns) that is not plain printable ASCII, in file order.

    load.texts_in without the keys, and with the key paths of the few texts found only: this
    walk runs over every value of every file.
    """
    found: list[tuple[Key, str]] = []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for name, child in children:
        if isinstance(child, str):
            if not (child.isascii() and child.isprintable()):  # nearly every text is: nothing to look for
                found.append(((*key, name), child))
        elif isinstance(child, (dict, list)):
            found += _unusual_texts(child, (*key, name))
    return found


def _check_placeholders(document: Document) -> list[Problem]:
    """`build.py new` writes TODO where a curator must fill in; warn until it is gone."""
    keys: list[Key] = [("title",), ("summary",)]
    keys += [("sources", name, "publisher") for name in _mapping(document.data.get("sources"))]
    problems = []
    for key in keys:
        value = _value_at(document.data, key)
        if isinstance(value, str) and "TODO" in value:
            problems.append(document.problem(key, f"`{field_name(key)}` still has a TODO placeholder", severity="warning"))
    return problems


def _check_summary(document: Document) -> list[Problem]:
    summary = document.data.get("summary")
    if not isinstance(summary, str):
        return []
    match = RAW_HTML.search(AUTOLINK.sub("", summary))
    if match:
        return [document.problem(("summary",), f"`summary` contains raw HTML (`{match.group(0)[:40]}`); use Markdown only, e.g. **bold** or [text](https://...)")]
    too_complex = markdown_problem(summary)
    if too_complex:
        offset, message = too_complex
        line, col = text_position(summary, offset)
        return [document.problem(("summary",), f"`summary`, line {line}, column {col} of its text: {message}")]
    return []


def text_position(text: str, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of a character offset in a text."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def validate_against_snapshots(document: Document, snapshots: dict[str, str]) -> list[Problem]:
    """Every excerpt and quote must appear word for word in its source's snapshot, when there is one.

    Word for word as provenance.appears_in reads it: a quote's final full stop may stand for the
    comma before a closing quotation mark (news style), nothing else may differ.
    """
    sources = _mapping(document.data.get("sources"))
    texts = {}
    for key, source in sources.items():
        url = source.get("url") if isinstance(source, dict) else None
        name = next((name for name in snapshot_name(key, url) if name in snapshots), None)
        if name:
            texts[key] = (name, snapshots[name], normalize(snapshots[name]))
    problems = [
        document.problem(("sources", key), f"no snapshot for source `{key}`: its excerpts and quotes were not compared (add {key}.txt)",
                         at_key=True, severity="warning")
        for key in sources if key not in texts
    ]
    for field, text_field in (("figures", "excerpt"), ("quotes", "text")):
        for key, entry in _items(document, field):
            cited, text = entry.get("source"), entry.get(text_field)
            if cited in texts and isinstance(text, str) and not appears_in(text, texts[cited][2], quote=field == "quotes"):
                name, raw, _ = texts[cited]
                problems.append(document.problem((*key, text_field), f"`{field_name((*key, text_field))}` is not word for word in snapshot {name}.txt; "
                                                 f"closest passage: \"{closest_passage(raw, text)}\""))
    return problems
