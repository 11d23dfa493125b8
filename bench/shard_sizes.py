#!/usr/bin/env python3
"""How the size of the search index's shards trades a reader's first search against the cost of an edit.

    TMPDIR=/dev/shm python bench/shard_sizes.py [--incidents 10000] [--kinds uniform varied] [--records 3000 1000 600]

archive/search.py splits the index in shards of at most SHARD_RECORDS records: an edit indexes its
shard again, and a first search loads a part of every shard. This builds copies of one generated
archive, one for each limit given (set in the build's own process), then edits one incident in
each copy, in turns (so that a drift of the machine's speed falls on every limit alike), and
measures what a first search transfers on each site (bench/search_transfer.py, in Chromium);
for each kind of generated archive in turn. Writes bench/shard-sizes.md (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.search_index import script_data
from generate import generate
from run import REPEATS, REPO, commit_as_generated, edit_and_build, file_system, incident_to_edit, measure, median_run, search_transfer

# A build whose shards hold at most sys.argv[1] records; the rest of the arguments are build.py's.
BUILD_WITH_LIMIT = ("import sys; sys.path.insert(0, sys.argv[1]); import archive.search, build; "
                    "archive.search.SHARD_RECORDS = int(sys.argv[2]); sys.exit(build.main(sys.argv[3:]))")


def build_command(archive: Path, limit: int) -> list[str]:
    return [sys.executable, "-c", BUILD_WITH_LIMIT, str(REPO), str(limit), "--root", str(archive)]


def shards_of(site: Path) -> list[int]:
    """The number of records of each shard of a built site's index."""
    index: Any = script_data((site / "search-index" / "index.js").read_text(encoding="ascii"))[2]
    return [count for name, count, _words in index["shards"] if not name.startswith("pages")]


def compare(incidents: int, kind: str, limits: list[int], repeats: int, work: Path) -> str:
    source = work / f"archive-{kind}"
    generate(incidents, source, kind=kind)
    archives = {limit: work / f"archive-{kind}-{limit}" for limit in limits}
    full = {}
    for limit, archive in archives.items():
        shutil.copytree(source, archive)
        commit_as_generated(archive)
        full[limit] = measure(build_command(archive, limit), log=work / f"full-{kind}-{limit}.log")
    edits: dict[int, list[dict]] = {limit: [] for limit in limits}
    for number in range(1, repeats + 1):
        for limit, archive in archives.items():
            edits[limit].append(edit_and_build(archive, incident_to_edit(archive), f" (edit {number})", build_command(archive, limit),
                                               work / f"edit-{kind}-{limit}-{number}.log"))
    lines = [f"## {incidents:,} incidents, `{kind}` archive", "",
             "| most records a shard | shards (records) | first search | one edit (median) | search index in the edit | full build (one run) |",
             "| ---: | --- | --- | --- | ---: | ---: |"]
    for limit, archive in archives.items():
        sizes = shards_of(archive / "site")
        transfer = search_transfer(archive / "site", work / f"transfer-{kind}-{limit}.log")
        searched = (f"{transfer['kb']:.0f} KB in {transfer['requests']} requests" if "kb" in transfer
                    else f"not measured: {transfer['missing']}")
        edit = median_run(edits[limit])
        lines.append(f"| {limit:,} | {len(sizes)} ({min(sizes):,}–{max(sizes):,}) | {searched} | {edit['wall']:.2f} s "
                     f"({edit['spread'][0]:.2f}–{edit['spread'][1]:.2f}) | {edit['index'] or 0:.2f} s | {full[limit]['wall']:.2f} s |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10000)
    parser.add_argument("--kinds", nargs="+", default=["uniform", "varied"], help="kinds of generated archive (bench/generate.py)")
    parser.add_argument("--records", type=int, nargs="+", default=[3000, 1000, 600], help="shard limits to compare")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="edits of each copy (the median is reported)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "shard-sizes.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-shards-"))
    try:
        tables = [compare(args.incidents, kind, args.records, args.repeats, work) for kind in args.kinds]
        text = "\n".join([f"# Shard sizes ({dt.date.today().isoformat()})", "",
                          f"`bench/shard_sizes.py`; files written to {work.parent} ({file_system(work)}). The limits of one table "
                          "were measured side by side; the edited incident is the middle one in date order.", "", *tables])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
