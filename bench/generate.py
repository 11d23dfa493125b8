#!/usr/bin/env python3
"""Write a deterministic synthetic archive of realistic incidents, for benchmarks.

    python bench/generate.py --incidents 10000 --out /tmp/archive10k [--seed 1] [--kind realistic|varied]

The output is a folder with incidents/ and content/ that passes `python build.py check`:
real region codes, excerpts that state each figure's number and qualifier. Nothing in it
describes a real event. Two kinds:

- `uniform` (the default): regions, claimants (all from data/people.yaml) and figures
  (3 to 12 an incident) spread evenly; the archive the speed benchmark has always used.
- `realistic`: shaped like a real civilian-harm dataset. One region holds a quarter of
  the incidents and the rest fall off steeply; most incidents have 0 to 2 figures; many
  have several sources from one publisher; titles are long, some end in a full stop and
  most in none; half the claimants and speakers are not in the people registry; four
  years of dates; most incidents name one or two real towns of their regions, at the
  gazetteer's points for them (so that the maps have places at size).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import random
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.places import GAZETTEER_PATH  # noqa: E402
from archive.reference import Reference, load_reference  # noqa: E402

WORDS = ["drone", "missile", "strike", "overnight", "region", "city", "residential", "building", "energy", "infrastructure",
         "damaged", "rescuers", "fire", "debris", "air", "defence", "shelter", "emergency", "services", "warehouse", "school",
         "hospital", "windows", "roof", "power", "outage", "railway", "station", "apartment", "block", "officials", "reported",
         "injured", "killed", "district", "village", "market", "street", "car", "park", "factory", "bridge"]
PUBLISHERS = ["Synthetic Wire", "Example News", "Placeholder Times", "Sample Daily", "Test Broadcaster"]
QUALIFIER_WORDS = {"exactly": "", "at least": "at least ", "more than": "more than ", "about": "about ", "up to": "up to "}
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
SUMMABLE = ["killed", "injured", "drones_launched", "missiles_launched", "drones_destroyed", "missiles_destroyed", "buildings_damaged"]


def region_name(reference: Reference, code: str) -> str:
    region = reference.region(code)
    if region is None:
        raise ValueError(f"no region {code} in data/regions.yaml")
    return region.name


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def incident(rng: random.Random, number: int, reference: Reference, codes: list[str], people: list[str]) -> tuple[str, dict]:
    date = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(1345))
    regions = rng.sample(codes, rng.randint(1, 4))
    names = [region_name(reference, code) for code in regions]
    sources = {f"s{i}": {"publisher": rng.choice(PUBLISHERS), "title": sentence(rng, 6)[:-1],
                         "url": f"https://news.example.org/{date.isoformat()}/{number}-{i}", "published": date.isoformat()}
               for i in range(rng.randint(1, 4))}
    figures = []
    for _ in range(rng.randint(max(3, len(sources)), 12)):
        measure = rng.choice(SUMMABLE)
        qualifier = rng.choice(list(QUALIFIER_WORDS))
        value = rng.randint(0, 10) if rng.random() < 0.5 else rng.randint(11, 900)
        stated = NUMBER_WORDS[value] if value <= 10 and rng.random() < 0.5 else f"{value:,}"
        claimant = rng.choice(people)
        region = rng.choice([*regions, None])
        where = f" in {region_name(reference, region)}" if region else ""
        excerpt = f"{QUALIFIER_WORDS[qualifier]}{stated} {measure.replace('_', ' ')}{where}, {claimant} said."
        figure = {"measure": measure, "value": value, "qualifier": qualifier, "claimed_by": claimant,
                  "source": rng.choice(list(sources)), "excerpt": excerpt[0].upper() + excerpt[1:]}
        if region:
            figure["region"] = region
        figures.append(figure)
    quotes = [{"speaker": rng.choice(people), "text": sentence(rng, rng.randint(8, 30)), "source": rng.choice(list(sources))}
              for _ in range(rng.randint(0, 5))]
    for figure, source in zip(figures, sources, strict=False):  # every source is cited, as a curator would make sure
        figure["source"] = source
    summary = "\n\n".join(" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 3)))
    title = f"{rng.choice(['Drone', 'Missile', 'Drone and missile'])} strike on {names[0]}"
    slug = f"{date.isoformat()}-synthetic-{number}"
    data = {"title": title, "date": date.isoformat(), "summary": summary, "regions": regions, "sources": sources,
            "figures": figures, "quotes": quotes, "corrections": []}
    return slug, data


# Names for the realistic kind's claimants and speakers outside the registry: plainly made up.
GIVEN_NAMES = ["Anna", "Borys", "Daryna", "Ivan", "Kateryna", "Mykola", "Olena", "Petro", "Sofiia", "Taras"]
FAMILY_NAMES = ["Testenko", "Prykladova", "Zrazok", "Sampleuk", "Modelenko", "Vyhadana", "Proba", "Fiktyvna"]
OFFICES = ["regional military administration", "city council", "emergency service", "police department", "health department"]
TITLE_ENDS = ["", "", "", "."]  # most titles end without punctuation, some with a full stop


def skewed_regions(rng: random.Random, codes: list[str]) -> list[str]:
    """One to three regions: the busiest a quarter of the time, the others by a steep (Zipf-like) fall-off."""
    busiest, others = codes[0], codes[1:]
    first = busiest if rng.random() < 0.25 else rng.choices(others, weights=[1 / (rank + 1) for rank in range(len(others))])[0]
    extra = rng.sample([code for code in codes if code != first], rng.choice([0, 0, 0, 1, 2]))
    return [first, *extra]


def realistic_incident(rng: random.Random, number: int, reference: Reference, codes: list[str], people: list[str]) -> tuple[str, dict]:
    date = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(4 * 365))
    regions = skewed_regions(rng, codes)
    names = [region_name(reference, code) for code in regions]
    one_publisher = rng.random() < 0.5
    house = rng.choice(PUBLISHERS)
    sources = {}
    for i in range(rng.choice([1, 1, 2, 3, 4, 6])):
        published = date + dt.timedelta(days=rng.choice([0, 0, 1, 2]))
        sources[f"s{i}"] = {"publisher": house if one_publisher else rng.choice(PUBLISHERS),
                            "title": sentence(rng, rng.randint(6, 14))[:-1],
                            "url": f"https://news.example.org/{published:%Y/%m/%d}/{sentence(rng, 5)[:-1].lower().replace(' ', '-')}-{number}-{i}",
                            "published": published.isoformat()}
    claimants = people + local_claimants(names[0], len(people))
    figure_count = rng.choices([0, 1, 2, 3, 5, 8], weights=[35, 30, 20, 8, 5, 2])[0]
    figures = [realistic_figure(rng, rng.choice(list(sources)), rng.choice(claimants), regions, reference)
               for _ in range(figure_count)]
    quotes = [{"speaker": rng.choice(claimants), "text": sentence(rng, rng.randint(8, 40)), "source": rng.choice(list(sources))}
              for _ in range(rng.choice([0, 0, 1, 2]) or (0 if figures else 1))]
    citing = figures + quotes
    sources = dict(list(sources.items())[:len(citing)])  # as a curator would, every source listed is cited
    for item, key in zip(citing, [*sources, *rng.choices(list(sources), k=len(citing))], strict=False):
        item["source"] = key
    summary = "\n\n".join(" ".join(sentence(rng, rng.randint(8, 24)) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3)))
    weapon = rng.choice(["Drone", "Missile", "Drone and missile", "Artillery", "Glide bomb"])
    title = (f"{weapon} strike on {names[0]} {rng.choice(['damages', 'hits', 'destroys'])} "
             f"{' '.join(rng.choice(WORDS) for _ in range(rng.randint(2, 14)))}{rng.choice(TITLE_ENDS)}")
    data = {"title": title, "date": date.isoformat(), "summary": summary, "regions": regions, "sources": sources,
            "figures": figures, "quotes": quotes, "corrections": []}
    located = gazetteer_places(number, regions)
    if located:
        data = {**dict(list(data.items())[:4]), "places": located, **dict(list(data.items())[4:])}  # after `regions`, as curators write it
    return f"{date.isoformat()}-synthetic-{number}", data


# How many of a region's most populous gazetteer places the realistic kind names, and how often an incident names
# none, one or two: real archives name a few towns over and over, and many villages once.
PLACES_PER_REGION = 60
PLACE_COUNTS, PLACE_COUNT_WEIGHTS = [0, 1, 1, 2], [3, 5, 4, 2]


def gazetteer_places(number: int, regions: list[str]) -> list[dict]:
    """Settlements for a realistic incident: real towns of its regions at the gazetteer's own points (located_by their
    GeoNames entry), chosen by a generator of the incident's own, so that the rest of the archive is as it was."""
    rng = random.Random(f"places-{number}")
    by_region = _gazetteer_by_region()
    choices = [code for code in regions if by_region.get(code)]
    located: list[dict] = []
    for _ in range(rng.choices(PLACE_COUNTS, weights=PLACE_COUNT_WEIGHTS)[0] if choices else 0):
        code = rng.choice(choices)
        towns = by_region[code]
        geonameid, name, lat, lon = rng.choices(towns, weights=[1 / (rank + 1) for rank in range(len(towns))])[0]
        if all(place["name"] != name for place in located):
            located.append({"name": name, "region": code, "lat": lat, "lon": lon, "precision": "settlement", "located_by": f"GeoNames {geonameid}"})
    return located


@functools.cache
def _gazetteer_by_region() -> dict[str, list[tuple[int, str, float, float]]]:
    """Each region's most populous gazetteer places with plain Latin names, most populous first."""
    rows = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))["places"]
    by_region: dict[str, list[tuple[int, int, str, float, float]]] = {}
    for geonameid, name, _alternates, lat, lon, region, population in rows:
        if re.fullmatch(r"[A-Za-z][A-Za-z' -]*", name):
            by_region.setdefault(region, []).append((-population, geonameid, name, lat, lon))
    return {code: [(geonameid, name, lat, lon) for _, geonameid, name, lat, lon in sorted(rows)[:PLACES_PER_REGION]]
            for code, rows in by_region.items()}


def local_claimants(region_name: str, count: int) -> list[str]:
    """Claimants outside the registry, as many as there are in it: a region's made-up officials and its offices.

    As in real reports, the officials who speak about a region are mostly the same few people.
    """
    local = random.Random(region_name)  # the same people for a region in every incident
    people = [f"{local.choice(GIVEN_NAMES)} {local.choice(FAMILY_NAMES)}" for _ in range(3)]
    offices = [f"{region_name} {office}" for office in OFFICES]
    return [local.choice(people + offices) for _ in range(count)]


def realistic_figure(rng: random.Random, source: str, claimant: str, regions: list[str], reference: Reference) -> dict:
    """Mostly killed and injured, small numbers, an excerpt that states the number as a source would."""
    measure = rng.choices(["killed", "injured", "buildings_damaged", "drones_launched"], weights=[45, 45, 7, 3])[0]
    qualifier = rng.choice(["exactly", "exactly", "at least", "about"])
    value = rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 7, 12, 25, 60])
    stated = NUMBER_WORDS[value] if value <= 10 and rng.random() < 0.5 else f"{value:,}"
    region = rng.choice([*regions, None, None])
    where = f" in {region_name(reference, region)}" if region else ""
    excerpt = f"{QUALIFIER_WORDS[qualifier]}{stated} {measure.replace('_', ' ')}{where}, {claimant} said."
    figure = {"measure": measure, "value": value, "qualifier": qualifier, "claimed_by": claimant,
              "source": source, "excerpt": excerpt[0].upper() + excerpt[1:]}
    if region:
        figure["region"] = region
    return figure


# The varied kind's made-up names, publishers and phrases: plainly synthetic, many distinct ones.
NAME_STEMS = ["Test", "Prykl", "Zrazk", "Sampl", "Model", "Vyhad", "Prob", "Fiktyv", "Shablon", "Makett", "Eskiz", "Chernet"]
NAME_ENDS = ["enko", "uk", "ova", "ych", "iak", "ets", "ska", "ko", "yn", "ar"]
VARIED_GIVEN = [*GIVEN_NAMES, "Halyna", "Yurii", "Larysa", "Oksana", "Roman", "Stepan", "Vira", "Zenon", "Iryna", "Dmytro"]
PUBLISHER_PARTS = (["Synthetic", "Example", "Placeholder", "Sample", "Mock", "Dummy", "Fictional", "Imaginary"],
                   ["Valley", "Harbour", "Plains", "Ridge", "Steppe", "River", "Lakeside", "Hills", "Coast"],
                   ["Wire", "Daily", "Herald", "Radio", "Bulletin", "Post", "Review", "Observer"])
LINK_HOSTS = ["reports.example.org", "archive.example.net", "statements.example.com"]


def varied_name(rng: random.Random) -> str:
    """A made-up person, sometimes with a middle initial: 20 x 120 x 27 names, none close to a registry name."""
    initial = f" {rng.choice('ABDHKLMNOPRSTVZ')}." if rng.random() < 0.3 else ""
    return f"{rng.choice(VARIED_GIVEN)}{initial} {rng.choice(NAME_STEMS)}{rng.choice(NAME_ENDS)}"


def varied_claimant(rng: random.Random, people: list[str], region: str) -> str:
    """One claimant or speaker in ten from the registry; the rest made-up people and offices."""
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(people)
    if roll < 0.3:
        return f"{region} {rng.choice(OFFICES)}"
    return varied_name(rng)


def varied_paragraph(rng: random.Random, number: int) -> str:
    """A paragraph of Markdown: sentences, sometimes emphasis and a link; or a short list."""
    if rng.random() < 0.12:
        return "\n".join(f"- {sentence(rng, rng.randint(3, 10))}" for _ in range(rng.randint(2, 5)))
    sentences = [sentence(rng, rng.randint(6, 26)) for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.3:
        sentences[0] = f"**{sentences[0][:-1]}**."
    if rng.random() < 0.3:
        words = sentences[-1][:-1].split(" ")
        at = rng.randrange(len(words))
        words[at] = f"*{words[at]}*"
        sentences[-1] = " ".join(words) + "."
    if rng.random() < 0.25:
        link = f"https://{rng.choice(LINK_HOSTS)}/synthetic/{number}/{rng.randrange(1000)}"
        sentences.append(f"See [{' '.join(rng.choice(WORDS) for _ in range(rng.randint(1, 4)))}]({link}).")
    return " ".join(sentences)


def varied_summary(rng: random.Random, number: int) -> str:
    """About 1 KB on average; from one short paragraph to several KB (a long tail)."""
    target = min(6000, int(rng.lognormvariate(6.5, 0.6)))  # median ~700 characters, mean ~1 KB
    paragraphs = [varied_paragraph(rng, number)]
    while sum(map(len, paragraphs)) < target:
        paragraphs.append(varied_paragraph(rng, number))
    return "\n\n".join(paragraphs)


def varied_incident(rng: random.Random, number: int, reference: Reference, codes: list[str], people: list[str]) -> tuple[str, dict]:
    date = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(4 * 365))
    regions = skewed_regions(rng, codes)
    names = [region_name(reference, code) for code in regions]
    sources = {}
    for i in range(rng.choice([1, 1, 2, 2, 3, 5, 8])):
        published = date + dt.timedelta(days=rng.choice([0, 0, 1, 3]))
        sources[f"s{i}"] = {"publisher": " ".join(rng.choice(part) for part in PUBLISHER_PARTS),
                            "title": sentence(rng, rng.randint(3, 24))[:-1],
                            "url": f"https://news.example.org/{published:%Y/%m/%d}/synthetic-{number}-{i}",
                            "published": published.isoformat()}
    figures = [realistic_figure(rng, rng.choice(list(sources)), varied_claimant(rng, people, names[0]), regions, reference)
               for _ in range(rng.choices([0, 1, 2, 4, 6, 10], weights=[25, 30, 20, 12, 8, 5])[0])]
    quotes = [{"speaker": varied_claimant(rng, people, names[0]), "text": sentence(rng, rng.randint(4, 80)),
               "source": rng.choice(list(sources))}
              for _ in range(rng.choice([0, 1, 1, 2, 4]) or (0 if figures else 1))]
    citing = figures + quotes
    sources = dict(list(sources.items())[:len(citing)])  # every source listed is cited
    for item, key in zip(citing, [*sources, *rng.choices(list(sources), k=len(citing))], strict=False):
        item["source"] = key
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 20))]
    title = f"Synthetic incident {number} in {names[0]}: {' '.join(words)}"
    while len(title) > 200:  # the schema's limit
        words.pop()
        title = f"Synthetic incident {number} in {names[0]}: {' '.join(words)}"
    data = {"title": title, "date": date.isoformat(), "summary": varied_summary(rng, number), "regions": regions,
            "sources": sources, "figures": figures, "quotes": quotes, "corrections": []}
    return f"{date.isoformat()}-synthetic-{number}", data


KINDS = {"uniform": incident, "realistic": realistic_incident, "varied": varied_incident}


def generate(count: int, out: Path, seed: int = 1, kind: str = "uniform") -> None:
    rng = random.Random(seed)
    reference = load_reference()
    codes = sorted(reference.region_names)
    if kind in ("realistic", "varied"):  # the busiest region first: Kharkiv, as in the real dataset the issue describes
        codes = sorted(codes, key=lambda code: (code != "UA-63", code))
    people = sorted({person.name for person in reference.people.values()})
    make = KINDS[kind]
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "content", out / "content")
    for number in range(count):
        slug, data = make(rng, number, reference, codes, people)
        path = out / "incidents" / slug[:4] / f"{slug}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: quick to write, and every string is quoted, so nothing is read as a yes/no.
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", choices=sorted(KINDS), default="uniform", help="uniform (default), realistic or varied")
    args = parser.parse_args()
    generate(args.incidents, args.out, args.seed, args.kind)
    print(f"wrote {args.incidents} incidents to {args.out}")


if __name__ == "__main__":
    main()
