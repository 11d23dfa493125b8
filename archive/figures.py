"""Reconcile figures: keep every claim, set superseded ones aside, read a range, add up totals.

The rules (also on the methodology page):

- Claims are grouped by measure, region (or the whole incident), subject and weapon.
- Each claim gives bounds: `exactly n` -> n..n; `at least n` -> n..open; `more than n` ->
  n+1..open; `up to n` -> 0..n; a range -> min..max; `about n` -> n..n, approximate.
- A claimant's claim with a later `as_of` supersedes their claims with an earlier `as_of`
  in the group: superseded claims are shown, never counted. Undated claims are never
  superseded, since nothing says they are older.
- Claims of different parties (Ukraine, Russia, ...) are never combined: each party gets
  its own reading, shown side by side. A claimant with no party in data/people.yaml (the
  press, or a name the registry does not know) speaks only for itself: its claims are read
  and totalled apart from everyone else's.
- A party's reading intersects its precise claims: lower = the largest lower bound, upper =
  the smallest upper bound. If that is empty (an exact 3 beside "at least 4") the claims
  conflict: the reading is flagged and widened to cover all of them. Approximate claims
  count only when a party has no precise claim.
- Totals add readings across incidents, per party, for summable measures and figures about
  everyone (no subject). Per incident, an incident-wide reading and the sum of its region
  readings are not added twice: the larger lower bound is taken. Figures about one
  weapon (Shahed-136 launched) are shown per weapon but not added to the totals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from .memo import LastBuilds
from .model import Figure, Incident
from .reference import Measure, Region, Weapon


class Bounds(NamedTuple):  # (a tuple: made for every claim of every build, and a tuple is quicker to make than a frozen dataclass)
    lower: int
    upper: int | None  # None: the claim sets no upper bound


def claim_bounds(figure: Figure) -> Bounds:
    if figure.value is None:  # a stated range: validation lets no figure through without both ends
        if figure.min is None or figure.max is None:
            raise ValueError("a figure needs a value, or both min and max")
        return Bounds(figure.min, figure.max)
    value, qualifier = figure.value, figure.qualifier
    if qualifier in ("exactly", "about"):
        return Bounds(value, value)
    if qualifier == "at least":
        return Bounds(value, None)
    if qualifier == "more than":
        return Bounds(value + 1, None)
    if qualifier == "up to":
        return Bounds(0, value)
    raise ValueError(f"unknown qualifier {qualifier!r}")


@dataclass(slots=True)
class Reading:
    """What a party's current claims in one group add up to."""

    party: str  # the claimant's party, or the claimant (see party_of)
    lower: int
    upper: int | None
    approximate: bool = False
    conflict: bool = False
    counted: list[Figure] = field(default_factory=list)

    @property
    def text(self) -> str:
        return range_text(self.lower, self.upper, self.approximate)


def range_text(lower: int, upper: int | None, approximate: bool = False) -> str:
    """`4`, `at least 4`, `up to 3`, `4–10`, `about 200`."""
    if upper is None:
        return f"at least {lower:,}"
    if lower == upper:
        return f"about {lower:,}" if approximate else f"{lower:,}"
    if lower == 0:
        return f"up to {upper:,}"
    return f"{'about ' if approximate else ''}{lower:,}–{upper:,}"


@dataclass(slots=True)
class FigureGroup:
    """All claims about one measure, for one region (or the whole incident), subject and weapon."""

    measure: Measure
    region: Region | None
    subject: str | None
    weapon: Weapon | None
    claims: list[Figure]  # newest first
    superseded: list[Figure]
    readings: list[Reading]  # one per party

    def is_superseded(self, figure: Figure) -> bool:
        return any(figure is old for old in self.superseded)

    def reading_for(self, party: str | None) -> Reading | None:
        return next((reading for reading in self.readings if reading.party == party), None)

    @property
    def has_conflict(self) -> bool:
        return any(reading.conflict for reading in self.readings)


def reconcile(figures: list[Figure]) -> list[FigureGroup]:
    """Group an incident's figures and read each group; groups in measure order, incident-wide first.

    Pages, totals, charts and downloads all ask for the same incidents' readings, so results
    are remembered (by the figures themselves, which are immutable). Treat them as read-only.
    """
    return _reconcile(tuple(figures))


@lru_cache(maxsize=250_000)
def _reconcile(figures: tuple[Figure, ...]) -> list[FigureGroup]:
    # Grouped by the keys of measure, region and weapon, whose hashes Python keeps (a Measure's and a Region's
    # are worked out by a method each time): this runs for every incident of every build.
    grouped: dict[tuple[str, str | None, str | None, str | None], list[Figure]] = defaultdict(list)
    for figure in figures:
        region, weapon = figure.region, figure.weapon
        grouped[(figure.measure.key, region.code if region else None, figure.subject, weapon.key if weapon else None)].append(figure)
    groups = [_read_group(claims) for claims in grouped.values()]
    if len(groups) > 1:
        groups.sort(key=_group_order)
    return groups


def _group_order(group: FigureGroup) -> tuple[int, bool, str, str, str]:
    return (group.measure.order, group.region is not None, group.region.name if group.region else "",
            group.subject or "", group.weapon.key if group.weapon else "")


def _read_group(claims: list[Figure]) -> FigureGroup:
    """The group of `claims` (of one measure, region, subject and weapon, in file order) read."""
    first = claims[0]
    if len(claims) == 1:  # most groups: one claim, superseding nothing, read for its party alone
        return FigureGroup(first.measure, first.region, first.subject, first.weapon, claims, [], [read_claims(claims, party_of(first))])
    claims = sorted(claims, key=_newest_first)
    superseded = _superseded(claims)
    current = [claim for claim in claims if not any(claim is old for old in superseded)] if superseded else claims
    by_party: dict[str, list[Figure]] = {}
    for claim in current:
        by_party.setdefault(party_of(claim), []).append(claim)
    readings = [read_claims(by_party[party], party) for party in sorted(by_party)]
    return FigureGroup(first.measure, first.region, first.subject, first.weapon, claims, superseded, readings)


def party_of(figure: Figure) -> str:
    """Whose claim it is: the claimant's party, or the claimant alone when the registry names none."""
    return figure.party or figure.claimed_by


def _newest_first(figure: Figure) -> tuple[bool, float, int]:
    """Dated claims newest first, then undated ones in file order."""
    return (figure.as_of is None, -(figure.as_of - dt.datetime.min).total_seconds() if figure.as_of else 0, figure.position)


def _superseded(claims: list[Figure]) -> list[Figure]:
    if all(claim.as_of is None for claim in claims):  # most groups: nothing is dated, nothing superseded
        return []
    by_claimant: dict[str, list[Figure]] = defaultdict(list)
    for claim in claims:
        by_claimant[claim.claimed_by].append(claim)
    old = []
    for own in by_claimant.values():
        latest = max((claim.as_of for claim in own if claim.as_of), default=None)
        if latest is not None:
            old += [claim for claim in own if claim.as_of is not None and claim.as_of < latest]
    return old


def read_claims(claims: list[Figure], party: str = "") -> Reading:
    """One party's reading of its current claims in a group (see the module docstring)."""
    if len(claims) == 1:  # most readings: one claim, read as the rules below read it
        claim = claims[0]
        lower, upper = claim_bounds(claim)
        if claim.qualifier == "about":
            high = lower if upper is None else upper
            return Reading(party, min(lower, high), max(lower, high), approximate=True, counted=[claim])
        if upper is not None and lower > upper:
            return Reading(party, lower, upper, conflict=True, counted=[claim])
        return Reading(party, lower, upper, counted=[claim])
    precise = [claim for claim in claims if claim.qualifier != "about"]
    if not precise:
        values = [bound for claim in claims for bound in claim_bounds(claim) if bound is not None]
        return Reading(party, min(values), max(values), approximate=True, counted=list(claims))
    bounds = [claim_bounds(claim) for claim in precise]
    lower = max(bound.lower for bound in bounds)
    uppers = [bound.upper for bound in bounds if bound.upper is not None]
    upper = min(uppers) if uppers else None
    if upper is not None and lower > upper:
        lower = min(bound.lower for bound in bounds)
        upper = None if len(uppers) < len(bounds) else max(uppers)
        return Reading(party, lower, upper, conflict=True, counted=precise)
    return Reading(party, lower, upper, counted=precise)


# --- totals across incidents ------------------------------------------------------

@dataclass(eq=False, slots=True)  # identity is equality, as an Incident's: the pages of a total are remembered by its contributions
class Contribution:
    """What one incident adds to a total, and the claims behind it."""

    incident: Incident
    lower: int
    upper: int | None
    approximate: bool
    conflict: bool
    claims: list[Figure]

    @property
    def text(self) -> str:
        return range_text(self.lower, self.upper, self.approximate)


@dataclass(eq=False, slots=True)  # identity is equality, as an Incident's: render remembers the pages of a list of totals by it
class Total:
    """What a party's claims add up to for one measure, from its contributions (which are not changed afterwards)."""

    measure: Measure
    party: str
    contributions: list[Contribution]
    suffix: str = ""  # tells apart totals whose parties make the same key (see `totals`)
    # Added up once: a total's pages show these on every one of them, and a total can have thousands of contributions.
    lower: int = field(init=False)
    upper: int | None = field(init=False)
    approximate: bool = field(init=False)
    conflict: bool = field(init=False)
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.lower = sum(c.lower for c in self.contributions)
        uppers = [c.upper for c in self.contributions if c.upper is not None]
        self.upper = sum(uppers) if len(uppers) == len(self.contributions) else None
        self.approximate = any(c.approximate for c in self.contributions)
        self.conflict = any(c.conflict for c in self.contributions)
        self.text = range_text(self.lower, self.upper, self.approximate)

    @property
    def key(self) -> str:
        """A stable name for the total's page: `total-killed-ukraine` for a party of the people registry;
        `total-killed-anna-proba-5d41402a` for a claimant outside it, whose name alone makes the suffix,
        so that no other claimant's spelling (Anna-Proba) can take or change its address."""
        return "-".join(part for part in ("total", self.measure.key, party_slug(self.party), self.suffix) if part)

    @property
    def registered(self) -> bool:
        return any(claim.claimant is not None for contribution in self.contributions for claim in contribution.claims)


@lru_cache(maxsize=250_000)  # asked for each total's key, and a party has totals of several measures and regions
def party_slug(party: str) -> str:
    """`Russia's Defence Ministry` -> `russia-s-defence-ministry`; empty for a name without Latin letters or digits."""
    return re.sub(r"[^a-z0-9]+", "-", party.lower()).strip("-")


def totals(incidents: list[Incident], measures: list[Measure], region: Region | None = None) -> list[Total]:
    """Totals of summable measures across `incidents`, per party; for one region when given.

    Remembered for the next build (memo.LastBuilds): `serve` keeps the unchanged incidents from one
    build to the next, and an edit changes the totals of the whole archive and of its incident's
    regions only. Treat them as read-only.
    """
    return _totals(tuple(incidents), tuple(measures), region)


@LastBuilds
def _totals(incidents: tuple[Incident, ...], measures: tuple[Measure, ...], region: Region | None) -> list[Total]:
    found: dict[tuple[str, str], list[Contribution]] = defaultdict(list)  # by measure key: a key's hash is kept, a Measure's worked out each time
    for measure, party, contribution in _contributions(incidents, measures, region):
        found[(measure.key, party)].append(contribution)
    measure_of = {measure.key: measure for measure in measures}
    ordered = sorted(found.items(), key=lambda item: (measure_of[item[0][0]].order, item[0][1]))
    return _distinct_keys([Total(measure_of[key], party, contributions) for (key, party), contributions in ordered])


def lower_bounds(incidents: Iterable[Incident], measures: Iterable[Measure], region: Region | None = None) -> dict[tuple[str, str], int]:
    """The lower bound of each total of the incidents (in `region`, or in all), by (measure key, party), as
    `totals` would give it, without making the totals (their pages' keys, the digests of claimants' names):
    charts draw a hundred periods' worth of them."""
    found: dict[tuple[str, str], int] = defaultdict(int)
    for measure, party, contribution in _contributions(incidents, measures, region):
        found[(measure.key, party)] += contribution.lower
    return dict(found)


def _contributions(incidents: Iterable[Incident], measures: Iterable[Measure], region: Region | None) -> Iterator[tuple[Measure, str, Contribution]]:
    """What each of `incidents` adds to the totals of `measures` (in `region`, or in all), by measure and party."""
    wanted = {measure.key for measure in measures}  # (a key's hash is kept; a Measure's is worked out each time)
    code = region.code if region else None
    for incident in incidents:
        for (measure, party), contribution in incident_contributions(incident).get(code, _NONE).items():
            if measure.key in wanted:
                yield measure, party, contribution


_NONE: dict = {}  # (never written to)


def _distinct_keys(found: list[Total]) -> list[Total]:
    """Suffix the keys of claimants outside the registry, and of registry parties whose names make the
    same key (`Anna-Proba` and `Anna Proba`, two names in Cyrillic), with a digest of their names."""
    sharing = Counter(total.key for total in found)
    for total in found:
        if not total.registered or sharing[total.key] > 1 or not party_slug(total.party):
            total.suffix = hashlib.sha256(total.party.encode()).hexdigest()[:8]
    return found


@lru_cache(maxsize=250_000)
def incident_contributions(incident: Incident) -> dict[str | None, dict[tuple[Measure, str], Contribution]]:
    """What the incident adds to totals, by region code (None: the whole incident), then by (measure, party).

    By region first: the totals of a region ask for its own contributions alone (by code, whose hash is
    kept, where a Region's is worked out again each time).
    """
    by_measure: dict[str, list[FigureGroup]] = {}  # groups come in measure order, incident-wide first (see reconcile)
    for group in reconcile(incident.figures):
        if group.subject is None and group.weapon is None and group.measure.summable:
            by_measure.setdefault(group.measure.key, []).append(group)
    result: dict[str | None, dict[tuple[Measure, str], Contribution]] = {}
    alone_region = len(incident.regions) == 1
    for mine in by_measure.values():
        measure = mine[0].measure
        wide_group = mine[0] if mine[0].region is None else None
        regional_groups = [(group.region.code, group) for group in mine if group.region is not None]
        # A group has one reading per party, in party order: with one group, its parties are in order already.
        parties = [r.party for r in mine[0].readings] if len(mine) == 1 else sorted({r.party for group in mine for r in group.readings})
        for party in parties:
            wide = wide_group.reading_for(party) if wide_group else None
            regional = {code: reading for code, group in regional_groups if (reading := group.reading_for(party))}
            whole = _whole_contribution(incident, wide, regional)
            if whole:
                result.setdefault(None, {})[(measure, party)] = whole
            alone = wide if alone_region else None  # an incident-wide reading is its one region's
            for region in incident.regions:
                reading = regional.get(region.code) or alone
                if reading:
                    result.setdefault(region.code, {})[(measure, party)] = Contribution(
                        incident, reading.lower, reading.upper, reading.approximate, reading.conflict, reading.counted)
    return result


def _whole_contribution(incident: Incident, wide: Reading | None, regional: dict[str, Reading]) -> Contribution | None:
    """What the incident adds for one party in all, from its incident-wide reading and its regional ones (by region code)."""
    if wide is None and not regional:
        return None
    # One pass over the regional readings (most incidents have none: an incident-wide reading alone).
    summed_lower, uppers = 0, []
    claims = list(wide.counted) if wide else []
    approximate, conflict = bool(wide and wide.approximate), bool(wide and wide.conflict)
    for reading in regional.values():
        summed_lower += reading.lower
        if reading.upper is not None:
            uppers.append(reading.upper)
        claims += reading.counted
        approximate = approximate or reading.approximate
        conflict = conflict or reading.conflict
    covers_all = len(regional) == len(incident.regions) and len(uppers) == len(regional)
    summed_upper = sum(uppers) if covers_all else None
    if wide is None:
        return Contribution(incident, summed_lower, summed_upper, approximate, conflict, claims)
    lower = max(wide.lower, summed_lower)
    upper = wide.upper
    if upper is not None and lower > upper:  # the regions add up to more than the incident-wide claim
        lower, upper, conflict = min(wide.lower, summed_lower), None if summed_upper is None else max(upper, summed_upper), True
    return Contribution(incident, lower, upper, approximate, conflict, claims)


def forget_readings() -> None:
    """Empty the caches above: a check that keeps no incident of an earlier model (in `serve`, after a
    change of the reference data or code) makes new objects, and these caches would hold the old ones."""
    _reconcile.cache_clear()
    incident_contributions.cache_clear()
    _totals.cache_clear()
    key_readings.cache_clear()


KEY_MEASURES = ("killed", "injured")
KEY_READINGS_PER_MEASURE = 2  # a row in a list shows this many parties' readings of a measure, then "+n more"


@dataclass(frozen=True, slots=True)
class KeyReading:
    """An incident's reading of a key measure (killed, injured) for one party, as lists and search results show it."""

    measure: Measure
    party: str
    text: str
    conflict: bool


@lru_cache(maxsize=250_000)  # asked for every list an incident is a row of: its month, its regions' years, its totals
def key_readings(incident: Incident) -> tuple[tuple[KeyReading, ...], int]:
    """The incident's whole readings of killed and injured, a few parties each, and how many were left out.

    Parties with the most claims come first, so a row shows the best-attested readings.
    """
    by_measure: dict[Measure, list[tuple[str, Contribution]]] = defaultdict(list)
    for (measure, party), contribution in incident_contributions(incident).get(None, {}).items():
        if measure.key in KEY_MEASURES:
            by_measure[measure].append((party, contribution))
    shown: list[KeyReading] = []
    left_out = 0
    for measure in sorted(by_measure, key=lambda m: m.order):
        ranked = sorted(by_measure[measure], key=lambda item: (-len(item[1].claims), item[0]))
        shown += [KeyReading(measure, party, contribution.text, contribution.conflict)
                  for party, contribution in ranked[:KEY_READINGS_PER_MEASURE]]
        left_out += max(0, len(ranked) - KEY_READINGS_PER_MEASURE)
    return tuple(shown), left_out


def read_ahead(incidents: Iterable[Incident]) -> None:
    """Work out each incident's readings, and what it adds to totals, now: the processes a build forks next
    (the search index's, the downloads') then inherit them, where in a full build each worked them all out
    again (0.7 s of CPU each at 10,000 incidents)."""
    for incident in incidents:
        key_readings(incident)


def readings_text(incident: Incident) -> str:
    """The incident's key readings as one line: `Killed: at least 4 (Ukraine) · Injured: 20 (Ukraine)`."""
    shown, left_out = key_readings(incident)
    parts = [f"{reading.measure.label}: {reading.text} ({reading.party}{', conflicting claims' if reading.conflict else ''})"
             for reading in shown]
    if left_out:
        parts.append(f"{left_out} more reading{'' if left_out == 1 else 's'}")
    return " \u00b7 ".join(parts)
