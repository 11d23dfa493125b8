#!/usr/bin/env python3
"""Time `build.py import` of a synthetic sheet of 5,000 rows (one row per figure), as CSV and as XLSX.

    python bench/import_rows.py [--rows 5000] [--seed 1]

The sheet is made in a temporary folder from bench/generate.py's synthetic vocabulary (region
codes of data/regions.yaml, made-up claimants and publishers, excerpts that state each number);
nothing in it describes a real event. Each run imports it into an empty archive and prints the
rows, incidents, figures and seconds; the CSV run writes the files, the XLSX run is a dry run
of the same rows (everything but the writing).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from archive.importer import FIELDS, ImportReport, import_sheets  # noqa: E402
from archive.pipeline import Project  # noqa: E402
from archive.reference import load_reference  # noqa: E402
from generate import PUBLISHERS, WORDS, local_claimants, realistic_figure, region_name, sentence, skewed_regions  # noqa: E402

TODAY = dt.date(2026, 11, 29)
COLUMNS = [name for name in FIELDS if name not in ("places", "assessment", "min", "max", "weapon", "as_of", "subject")]


def sheet_rows(count: int, seed: int) -> list[dict[str, object]]:
    """`count` rows: incidents of one to five figures, each figure a row; the incident's cells on its first row only."""
    rng = random.Random(seed)
    reference = load_reference()
    codes = sorted(reference.region_names, key=lambda code: (code != "UA-63", code))
    people = sorted({person.name for person in reference.people.values()})
    rows: list[dict[str, object]] = []
    number = 0
    while len(rows) < count:
        number += 1
        date = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(4 * 365))
        regions = skewed_regions(rng, codes)
        place = region_name(reference, regions[0])
        claimants = people + local_claimants(place, len(people))
        sources = [{"publisher": rng.choice(PUBLISHERS), "source_title": sentence(rng, rng.randint(5, 12))[:-1],
                    "url": f"https://news.example.org/{date:%Y/%m/%d}/synthetic-{number}-{i}", "published": date.isoformat()}
                   for i in range(rng.choice([1, 1, 2]))]
        for index in range(min(rng.randint(1, 5), count - len(rows))):
            source = sources[index % len(sources)]
            figure = realistic_figure(rng, "", rng.choice(claimants), regions, reference)
            row: dict[str, object] = {"incident": f"synthetic-{number}", "source": f"s{index % len(sources)}", **source,
                                      **{name: figure.get(name, "") for name in ("measure", "value", "qualifier", "region", "claimed_by", "excerpt")}}
            if index == 0:
                row.update({"date": date.isoformat(), "title": f"Synthetic incident {number} in {place}: {' '.join(rng.choice(WORDS) for _ in range(4))}",
                            "summary": " ".join(sentence(rng, rng.randint(8, 20)) for _ in range(3)), "regions": "; ".join(regions)})
            rows.append(row)
    return rows


def write_csv(rows: list[dict[str, object]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def write_xlsx(rows: list[dict[str, object]], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Figures")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(name) if row.get(name) != "" else None for name in COLUMNS])
    book.save(path)


def timed(folder: Path, name: str, sheet: Path, dry_run: bool) -> ImportReport:
    root = folder / name
    shutil.copytree(REPO / "content", root / "content")
    report = import_sheets(Project(root=root), [sheet], TODAY, dry_run=dry_run)
    if report.errors:
        raise SystemExit("\n".join(map(str, report.problems[:10])))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows = sheet_rows(args.rows, args.seed)
    with tempfile.TemporaryDirectory(prefix="import-bench-") as temporary:
        folder = Path(temporary)
        write_csv(rows, folder / "sheet.csv")
        write_xlsx(rows, folder / "sheet.xlsx")
        for kind, dry_run in (("csv", False), ("xlsx", True)):
            started = time.perf_counter()
            report = timed(folder, kind, folder / f"sheet.{kind}", dry_run)
            seconds = time.perf_counter() - started
            files = len(list((folder / kind / "incidents").rglob("*.yaml"))) if (folder / kind / "incidents").exists() else 0
            print(f"{kind}: {report.rows:,} rows, {report.incidents:,} incidents, {report.figures:,} figures, {len(report.problems)} warning(s); "
                  f"{'dry run' if dry_run else f'{files:,} files written'} in {seconds:.2f} s ({report.rows / seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main()
