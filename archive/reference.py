"""Reference vocabularies from data/: regions (ISO 3166-2), measures, subjects, weapons and people."""

from __future__ import annotations

import datetime as dt

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml

from .files import Repository

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2, e.g. "UA-30"
    name: str  # English display name, e.g. "Kyiv"
    country: str  # country name, e.g. "Ukraine"
    aliases: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return self.code.lower()


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    description: str
    summable: bool  # may totals across incidents add it up?
    order: int  # position in data/measures.yaml: pages list measures in this order


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

    def region(self, code: str) -> Region | None:
        """The region for an ISO 3166-2 code, or None when pycountry does not know the code."""
        if not isinstance(code, str):
            return None
        if code not in self._regions:
            self._regions[code] = _region(code, self)
        return self._regions[code]

    def weapon(self, name: str) -> Weapon | None:
        return self.weapons.get(name.casefold()) if isinstance(name, str) else None

    def person(self, name: str) -> Person | None:
        return self.people.get(_fold(name)) if isinstance(name, str) else None

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


def load_reference(data_dir: Path = DATA_DIR, repository: Repository | None = None) -> Reference:
    """The vocabularies of data/; UnsafeFile when one of them is not a regular file inside the repository."""
    repository = repository or Repository((data_dir.parent,))
    measures_data = _read(data_dir / "measures.yaml", repository)
    measures = {
        key: Measure(key, entry["label"], entry["unit"], entry["description"], bool(entry.get("summable")), order)
        for order, (key, entry) in enumerate(measures_data.items())
    }
    weapons = {}
    for key, entry in _read(data_dir / "weapons.yaml", repository).items():
        weapon = Weapon(key, entry["type"], entry["category"], tuple(entry.get("aliases") or ()))
        for spelling in (key, *weapon.aliases):
            weapons[spelling.casefold()] = weapon
    people = {}
    for name, entry in _read(data_dir / "people.yaml", repository).items():
        entry = entry or {}
        roles = tuple(Role(role["title"], _date(role.get("from")), _date(role.get("until"))) for role in entry.get("roles") or ())
        person = Person(name, tuple(entry.get("aliases") or ()), entry.get("party"), roles)
        for spelling in (name, *person.aliases):
            people[_fold(spelling)] = person
    return Reference(
        measures=measures,
        subjects=_read(data_dir / "subjects.yaml", repository),
        region_names=_read(data_dir / "regions.yaml", repository),
        weapons=weapons,
        people=people,
    )


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(str(value)) if value else None


def _fold(name: str) -> str:
    """Names compare without case and with straight apostrophes: Russia’s = Russia's."""
    return name.replace("\u2019", "'").casefold().strip()


def _read(path: Path, repository: Repository) -> dict:
    raw = repository.read_bytes(path, f"{path.parent.name}/{path.name}")
    return yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _region(code: str, reference: Reference) -> Region | None:
    official = _subdivision(code)
    if official is None:
        return None
    country = pycountry.countries.get(alpha_2=official.country_code)
    country_name = getattr(country, "common_name", None) or country.name
    names = reference.region_names.get(code, {})
    display = names.get("name", official.name)
    aliases = [alias for alias in names.get("aliases", []) if alias != display]
    if official.name != display and official.name not in aliases:
        aliases.append(official.name)
    return Region(code, display, country_name, tuple(aliases))


@lru_cache(maxsize=None)
def _subdivision(code: str):
    if not isinstance(code, str) or "-" not in code:
        return None
    return pycountry.subdivisions.get(code=code)
