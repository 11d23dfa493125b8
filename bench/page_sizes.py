#!/usr/bin/env python3
"""The largest HTML page of each kind, on realistic generated archives of growing size.

    python bench/page_sizes.py                      # 2,000, 10,000 and 100,000 incidents
    python bench/page_sizes.py --sizes 2000 --out /tmp/sizes.md

Each archive comes from `bench/generate.py --kind realistic` (one region a quarter of all
incidents, most incidents with 0-2 figures) and is built without the search index, which
does not change the pages. No page may pass 100 KB at any size: the table says which is
largest, per kind of page, and how many pages there are. Writes bench/page-sizes.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from generate import generate  # noqa: E402

LIMIT = 100 * 1024
# The kind of a page, from its path: the first pattern that matches names it.
KINDS = [
    ("home", r"^index\.html$"),
    ("incident", r"^incidents/\d{4}-\d\d-\d\d-[^/]+/index\.html$"),
    ("month", r"^incidents/\d{4}/\d\d/(page/\d+/)?index\.html$"),
    ("incident index", r"^incidents/index\.html$"),
    ("region", r"^regions/[^/]+/index\.html$"),
    ("region year", r"^regions/[^/]+/\d{4}/(page/\d+/)?index\.html$"),
    ("region totals", r"^regions/[^/]+/totals/(page/\d+/)?index\.html$"),
    ("region total", r"^regions/[^/]+/totals/[^/]+/(page/\d+/)?index\.html$"),
    ("regions map", r"^regions/index\.html$"),
    ("places map", r"^map/index\.html$"),
    ("totals", r"^totals/(page/\d+/)?index\.html$"),
    ("total", r"^totals/[^/]+/(page/\d+/)?index\.html$"),
    ("other", r""),
]


def kind_of(path: str) -> str:
    return next(name for name, pattern in KINDS if re.search(pattern, path))


def largest_pages(site: Path) -> tuple[dict[str, tuple[int, str]], int]:
    """The largest page of each kind (bytes, path) and the number of HTML pages."""
    largest: dict[str, tuple[int, str]] = defaultdict(lambda: (0, ""))
    count = 0
    for page in site.rglob("*.html"):
        path = page.relative_to(site).as_posix()
        count += 1
        kind = kind_of(path)
        largest[kind] = max(largest[kind], (page.stat().st_size, path))
    return dict(largest), count


def representative_pages(site: Path) -> dict[str, str]:
    """The address of the biggest page of each kind a reader opens, worked out from the site's own data download."""
    incidents = json.loads((site / "data" / "incidents.json").read_text(encoding="utf-8"))
    by_region = Counter(region["code"] for incident in incidents for region in incident["regions"])
    busiest = by_region.most_common(1)[0][0]
    busiest_year = Counter(incident["date"][:4] for incident in incidents
                           if any(region["code"] == busiest for region in incident["regions"])).most_common(1)[0][0]
    busy_month = Counter(incident["date"][:7] for incident in incidents).most_common(1)[0][0]
    fullest = max(incidents, key=lambda incident: (len(incident["figures"]), len(incident["sources"]), incident["id"]))
    slug = busiest.lower()
    pages = {
        "home": "", "busiest region": f"regions/{slug}/", "region year": f"regions/{slug}/{busiest_year}/",
        "busy month": f"incidents/{busy_month.replace('-', '/')}/", "incident": fullest["url"], "regions map": "regions/",
        "totals": "totals/", "region totals": f"regions/{slug}/totals/", "incident index": "incidents/", "search": "search/?q=strike",
        "places map": "map/",
    }
    # The biggest page of a total (only totals of several incidents have one), where there is any.
    for kind, folder in (("total", "totals/"), ("region total", f"regions/{slug}/totals/")):
        biggest = max((site / folder).glob("total-*/index.html"), key=lambda page: page.stat().st_size, default=None)
        if biggest is not None:
            pages[kind] = f"{folder}{biggest.parent.name}/"
    return pages


def measure(size: int, work: Path, seed: int) -> dict:
    archive = work / f"realistic-{size}"
    generate(size, archive, seed=seed, kind="realistic")
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(archive), "build", "--no-search"],
                   check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    largest, count = largest_pages(archive / "site")
    shutil.rmtree(archive)
    return {"largest": largest, "pages": count, "seconds": seconds}


def report(results: dict[int, dict]) -> str:
    lines = [f"# Largest HTML pages ({dt.date.today().isoformat()})", "",
             "Realistic generated archives (`bench/generate.py --kind realistic`), built without the search index. "
             f"Limit: {LIMIT // 1024} KB a page at any size.", ""]
    for size, result in results.items():
        worst = max(result["largest"].values())
        verdict = "within the limit" if worst[0] <= LIMIT else "OVER THE LIMIT"
        lines += [f"## {size:,} incidents", "",
                  f"{result['pages']:,} HTML pages, built in {result['seconds']:.1f} s. Largest: {worst[0] / 1024:.1f} KB "
                  f"(`{worst[1]}`), {verdict}.", "", "| kind of page | largest KB | page |", "| --- | ---: | --- |"]
        for kind, (size_bytes, path) in sorted(result["largest"].items(), key=lambda item: -item[1][0]):
            lines.append(f"| {kind} | {size_bytes / 1024:.1f} | `{path}` |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000, 100000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "page-sizes.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="page-sizes-"))
    try:
        results = {size: measure(size, work, args.seed) for size in args.sizes}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(results)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    if any(max(result["largest"].values())[0] > LIMIT for result in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
