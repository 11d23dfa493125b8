"""Reference vocabularies from data/: regions (ISO 3166-2), figure measures and subjects."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml

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
    description: str
    order: int  # position in data/measures.yaml: pages list measures in this order


@dataclass
class Reference:
    measures: dict[str, Measure]
    subjects: dict[str, str]
    region_names: dict[str, dict] = field(repr=False)

    def region(self, code: str) -> Region | None:
        """The region for an ISO 3166-2 code, or None when pycountry does not know the code."""
        return _region(code, self)


def load_reference(data_dir: Path = DATA_DIR) -> Reference:
    measures_data = _read(data_dir / "measures.yaml")
    measures = {
        key: Measure(key, entry["label"], entry["description"], order)
        for order, (key, entry) in enumerate(measures_data.items())
    }
    return Reference(
        measures=measures,
        subjects=_read(data_dir / "subjects.yaml"),
        region_names=_read(data_dir / "regions.yaml"),
    )


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


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
