"""Reference vocabularies from data/: regions (ISO 3166-2), measures, subjects, weapons and people.

Each file is read as incident files are (positions, duplicate keys and unquoted yes/no refused),
checked against its JSON Schema in schema/data/ and against the rules below; a problem in any of
them is a located error that check and build report, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from .characters import hidden_character, name_problem
from .config import SCHEMA_DIR, read_settings_file
from .files import Repository
from .load import Document
from .problems import BuildError, Problem
from .wording import close_matches, field_name

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CLOSE_NAME = 0.8  # how alike (difflib's ratio) a name must be to a known one for the near-name warning


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2, e.g. "UA-30"
    name: str  # English display name, e.g. "Kyiv"
    country: str  # country name, e.g. "Ukraine"
    aliases: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return self.code.lower()

    def __hash__(self) -> int:  # by its code alone (equal regions share it): totals look regions up hundreds of thousands of times
        return hash(self.code)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    description: str
    summable: bool  # may totals across incidents add it up?
    order: int  # position in data/measures.yaml: pages list measures in this order

    def __hash__(self) -> int:  # by its key alone, as Region's by its code
        return hash(self.key)


@dataclass(frozen=True)
class Weapon:
    key: str  # e.g. "Shahed-136"
    type: str
    category: str  # e.g. "drone", "cruise missile"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    title: str
    start: dt.date | None = None  # `from` in data/people.yaml
    until: dt.date | None = None

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class Person:
    """Someone quoted or claiming figures: a person, an office or a body."""

    name: str  # canonical spelling, shown on pages
    aliases: tuple[str, ...] = ()
    party: str | None = None  # whose claims these are; None for the press
    roles: tuple[Role, ...] = ()

    def role_on(self, day: dt.date) -> str | None:
        """The title the person held on `day`, if the registry knows it."""
        return next((role.title for role in self.roles if role.holds_on(day)), None)


@dataclass
class Reference:
    measures: dict[str, Measure]
    subjects: dict[str, str]
    region_names: dict[str, dict] = field(repr=False)
    weapons: dict[str, Weapon] = field(default_factory=dict)  # by key and by each alias, case-folded
    people: dict[str, Person] = field(default_factory=dict)  # by name and by each alias, case-folded
    _regions: dict[str, Region | None] = field(default_factory=dict, repr=False)  # looked up once per code
    _known_names: list[str] | None = field(default=None, repr=False)
    # Looked up once per spelling: an archive names the same claimants over and over.
    _people_by_name: dict[str, Person | None] = field(default_factory=dict, repr=False, compare=False)
    _close_names: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    def region(self, code: object) -> Region | None:
        """The region for an ISO 3166-2 code, or None when pycountry does not know the code (or it is not text)."""
        if not isinstance(code, str):
            return None
        if code not in self._regions:
            self._regions[code] = _region(code, self)
        return self._regions[code]

    def weapon(self, name: object) -> Weapon | None:
        return self.weapons.get(name.casefold()) if isinstance(name, str) else None

    def person(self, name: object) -> Person | None:
        if not isinstance(name, str):
            return None
        if name not in self._people_by_name:
            self._people_by_name[name] = self.people.get(_fold(name))
        return self._people_by_name[name]

    def party_order(self) -> list[str]:
        """Parties in the order data/people.yaml first names them, then its claimants without a party."""
        people = list(dict.fromkeys(self.people.values()))  # spellings -> people, in file order
        names = [person.party for person in people if person.party] + [person.name for person in people if not person.party]
        return list(dict.fromkeys(names))

    def known_names(self) -> list[str]:
        """Every spelling of every person in the registry (worked out once: asked for every file)."""
        if self._known_names is None:
            self._known_names = sorted({spelling for person in self.people.values() for spelling in (person.name, *person.aliases)})
        return self._known_names

    def close_known_name(self, name: str) -> str | None:
        """The registry's spelling most like `name` (difflib's ratio CLOSE_NAME or more), or None."""
        if name not in self._close_names:
            near = close_matches(name, self.known_names(), 1, CLOSE_NAME)
            self._close_names[name] = near[0] if near else None
        return self._close_names[name]


class InvalidData(BuildError):
    """data/ cannot be used: every problem found in it, located. Check and build report them."""


# Each file of data/: what its top-level keys stand for (for messages) and its JSON Schema in schema/data/.
DATA_FILES = {"measures": "measure", "subjects": "subject", "regions": "region", "weapons": "weapon", "people": "person"}


def load_reference(data_dir: Path = DATA_DIR, repository: Repository | None = None) -> Reference:
    """The vocabularies of data/; InvalidData with every problem when a file cannot be read or breaks its schema or rules."""
    reference, problems = read_reference(data_dir, repository)
    if reference is None:
        raise InvalidData(problems, f"{sum(p.is_error for p in problems)} error(s) in data/; nothing was written")
    return reference


def read_reference(data_dir: Path = DATA_DIR, repository: Repository | None = None) -> tuple[Reference | None, list[Problem]]:
    """The vocabularies of data/, each file read with positions and checked against schema/data/<name>.schema.json
    and the rules a schema cannot express; None when any file has an error, and every problem found."""
    repository = repository or Repository((data_dir.parent,))
    documents: dict[str, Document] = {}
    problems: list[Problem] = []
    for name, noun in DATA_FILES.items():
        path = data_dir / f"{name}.yaml"
        document, found = read_settings_file(path, f"{data_dir.name}/{path.name}", SCHEMA_DIR / "data" / f"{name}.schema.json",
                                             repository, noun)
        problems += found
        if document is not None:
            documents[name] = document
    if "people" in documents:
        problems += _role_problems(documents["people"])
    for name, fold in (("people", _fold), ("weapons", str.casefold)):
        if name in documents:
            problems += _spelling_problems(documents[name], DATA_FILES[name], fold)
    if "regions" in documents:
        problems += _region_code_problems(documents["regions"])
    for name, document in documents.items():
        problems += _name_problems(document, DATA_FILES[name])
    problems = sorted(set(problems))
    if any(problem.is_error for problem in problems) or len(documents) < len(DATA_FILES):
        return None, problems
    return _reference({name: document.data for name, document in documents.items()}), problems


def _reference(data: dict[str, dict]) -> Reference:
    """The vocabularies from data that passed its checks."""
    measures = {
        key: Measure(key, entry["label"], entry["unit"], entry["description"], entry.get("summable") is True, order)
        for order, (key, entry) in enumerate(data["measures"].items())
    }
    weapons = {}
    for key, entry in data["weapons"].items():
        weapon = Weapon(key, entry["type"], entry["category"], tuple(entry.get("aliases") or ()))
        for spelling in (key, *weapon.aliases):
            weapons[spelling.casefold()] = weapon
    people = {}
    for name, entry in data["people"].items():
        entry = entry or {}
        roles = tuple(Role(role["title"], _date(role.get("from")), _date(role.get("until"))) for role in entry.get("roles") or ())
        person = Person(name, tuple(entry.get("aliases") or ()), entry.get("party"), roles)
        for spelling in (name, *person.aliases):
            people[_fold(spelling)] = person
    return Reference(measures=measures, subjects=data["subjects"], region_names=data["regions"], weapons=weapons, people=people)


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _fold(name: str) -> str:
    """Names compare without case and with straight apostrophes: Russia’s = Russia's."""
    return name.replace("\u2019", "'").casefold().strip()


# --- rules of data/ that a schema cannot express ----------------------------------------------

def _entries(document: Document) -> list[tuple[str, dict[str, Any]]]:
    """(key, entry) for every entry of a data file that is a mapping."""
    data = document.data if isinstance(document.data, dict) else {}
    return [(key, entry) for key, entry in data.items() if isinstance(entry, dict)]


def _role_problems(document: Document) -> list[Problem]:
    """Roles' dates are real days, and none ends before it starts."""
    problems = []
    for name, entry in _entries(document):
        roles = entry.get("roles")
        for index, role in enumerate(roles if isinstance(roles, list) else []):
            if not isinstance(role, dict):
                continue
            days = {}
            for part in ("from", "until"):
                text = role.get(part)
                if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    try:
                        days[part] = dt.date.fromisoformat(text)
                    except ValueError:
                        problems.append(document.problem((name, "roles", index, part), f"`roles[{index}].{part}` of person `{name}` "
                                                         f"is `{text}`, which is not a real date; check the month and day"))
            if len(days) == 2 and days["until"] < days["from"]:
                problems.append(document.problem((name, "roles", index, "until"), f"`roles[{index}].until` of person `{name}` is "
                                                 f"{days['until']}, before its `from` ({days['from']}); swap or fix them"))
    return problems


def _spelling_problems(document: Document, noun: str, fold: Callable[[str], str]) -> list[Problem]:
    """Every name and alias leads to one entry: two entries sharing a spelling would make files that use it ambiguous."""
    data = document.data if isinstance(document.data, dict) else {}
    owner: dict[str, tuple[str, int]] = {}  # folded spelling -> (entry, line of its first use)
    problems = []
    for name, entry in data.items():
        aliases = entry.get("aliases") if isinstance(entry, dict) else None
        spellings = [((name,), name)] + [((name, "aliases", index), alias) for index, alias in enumerate(aliases if isinstance(aliases, list) else [])
                                         if isinstance(alias, str)]
        for key, spelling in spellings:
            line = document.where(key, at_key=len(key) == 1)[0]
            first = owner.setdefault(fold(spelling), (name, line))
            if first[0] != name:
                what = f"{noun} `{name}`" if len(key) == 1 else f"alias `{spelling}` of {noun} `{name}`"
                problems.append(document.problem(key, f"{what} is already a spelling of {noun} `{first[0]}` (line {first[1]}); "
                                                      f"a name or alias must lead to one {noun}: remove or change one of them",
                                                 at_key=len(key) == 1))
    return problems


NAMED = {"people": (None, "party"), "weapons": (None,), "regions": ("name",)}  # None: the entry's key is its name


def _name_problems(document: Document, noun: str) -> list[Problem]:
    """Names, their aliases and parties hold what an incident file's names may (characters.name_problem):
    incident files name people and weapons by them, and parties group totals."""
    fields = next((fields for name, fields in NAMED.items() if DATA_FILES[name] == noun), ())
    problems = []
    for key, entry in _entries(document):
        named: list[tuple[tuple[str | int, ...], str]] = [((key,), key)] if None in fields else []
        named += [((key, field), entry[field]) for field in fields if field and isinstance(entry.get(field), str)]
        aliases = entry.get("aliases")
        named += [((key, "aliases", index), alias) for index, alias in enumerate(aliases if isinstance(aliases, list) else [])
                  if isinstance(alias, str)]
        for where, text in named:
            found = None if hidden_character(text) is not None else name_problem(text)  # hidden ones are reported apart
            if found:
                what = f"{noun} `{key}`" if len(where) == 1 else f"`{field_name(where[1:])}` of {noun} `{key}`"
                problems.append(document.problem(where, f"{what} {found}", at_key=len(where) == 1))
    return problems


def _region_code_problems(document: Document) -> list[Problem]:
    """Every code is one pycountry knows, or the names given for it would never show."""
    data = document.data if isinstance(document.data, dict) else {}
    return [document.problem((code,), f"region `{code}` is not an ISO 3166-2 code pycountry knows; check it (codes are listed "
                                      "at https://www.iso.org/obp/ui/#search) or remove the entry", at_key=True)
            for code in data if isinstance(code, str) and re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", code) and _subdivision(code) is None]


def _region(code: str, reference: Reference) -> Region | None:
    official = _subdivision(code)
    if official is None:
        return None
    country = pycountry.countries.get(alpha_2=official.country_code)
    country_name = getattr(country, "common_name", None) or getattr(country, "name", official.country_code)
    names = reference.region_names.get(code, {})
    display = names.get("name", official.name)
    aliases = [alias for alias in names.get("aliases", []) if alias != display]
    if official.name != display and official.name not in aliases:
        aliases.append(official.name)
    return Region(code, display, country_name, tuple(aliases))


@cache
def _subdivision(code: object) -> Any:
    if not isinstance(code, str) or "-" not in code:
        return None
    return pycountry.subdivisions.get(code=code)
