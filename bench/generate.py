#!/usr/bin/env python3
"""Write a deterministic synthetic archive of realistic incidents, for benchmarks.

    python bench/generate.py --incidents 10000 --out /tmp/archive10k [--seed 1]

The output is a folder with incidents/ and content/ that passes `python build.py check`:
real region codes, claimants from data/people.yaml, excerpts that state each figure's
number and qualifier. Nothing in it describes a real event.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archive.reference import load_reference  # noqa: E402

WORDS = ("drone missile strike overnight region city residential building energy infrastructure damaged "
         "rescuers fire debris air defence shelter emergency services warehouse school hospital windows "
         "roof power outage railway station apartment block officials reported injured killed district "
         "village market street car park factory bridge").split()
PUBLISHERS = ["Synthetic Wire", "Example News", "Placeholder Times", "Sample Daily", "Test Broadcaster"]
QUALIFIER_WORDS = {"exactly": "", "at least": "at least ", "more than": "more than ", "about": "about ", "up to": "up to "}
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
SUMMABLE = ["killed", "injured", "drones_launched", "missiles_launched", "drones_destroyed", "missiles_destroyed", "buildings_damaged"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def incident(rng: random.Random, number: int, reference, codes: list[str], people: list[str]) -> tuple[str, dict]:
    date = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(1345))
    regions = rng.sample(codes, rng.randint(1, 4))
    names = [reference.region(code).name for code in regions]
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
        region = rng.choice(regions + [None])
        where = f" in {reference.region(region).name}" if region else ""
        excerpt = f"{QUALIFIER_WORDS[qualifier]}{stated} {measure.replace('_', ' ')}{where}, {claimant} said."
        figure = {"measure": measure, "value": value, "qualifier": qualifier, "claimed_by": claimant,
                  "source": rng.choice(list(sources)), "excerpt": excerpt[0].upper() + excerpt[1:]}
        if region:
            figure["region"] = region
        figures.append(figure)
    quotes = [{"speaker": rng.choice(people), "text": sentence(rng, rng.randint(8, 30)), "source": rng.choice(list(sources))}
              for _ in range(rng.randint(0, 5))]
    for figure, source in zip(figures, sources):  # every source is cited, as a curator would make sure
        figure["source"] = source
    summary = "\n\n".join(" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 3)))
    title = f"{rng.choice(['Drone', 'Missile', 'Drone and missile'])} strike on {names[0]}"
    slug = f"{date.isoformat()}-synthetic-{number}"
    data = {"title": title, "date": date.isoformat(), "summary": summary, "regions": regions, "sources": sources,
            "figures": figures, "quotes": quotes, "corrections": []}
    return slug, data


def generate(count: int, out: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    reference = load_reference()
    codes = sorted(reference.region_names)
    people = sorted({person.name for person in reference.people.values()})
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "content", out / "content")
    for number in range(count):
        slug, data = incident(rng, number, reference, codes, people)
        path = out / "incidents" / slug[:4] / f"{slug}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        # JSON is YAML: quick to write, and every string is quoted, so nothing is read as a yes/no.
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.incidents, args.out, args.seed)
    print(f"wrote {args.incidents} incidents to {args.out}")


if __name__ == "__main__":
    main()
