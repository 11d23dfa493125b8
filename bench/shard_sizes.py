#!/usr/bin/env python3
"""How the size of the search index's shards trades a reader's first search against the cost of an edit.

    TMPDIR=/dev/shm python bench/shard_sizes.py [--incidents 10000] [--kind uniform] [--records 3000 1000 600]

archive/search.py splits the index in shards of at most SHARD_RECORDS records: an edit indexes its
shard again, and a first search loads a part of every shard. This builds copies of one generated
archive, one for each limit given (set in the build's own process), then edits one incident in
each copy, in turns (so that a drift of the machine's speed falls on every limit alike), and
measures what a first search transfers on each site (bench/search_transfer.py, in Chromium).
Prints a Markdown table, and writes it to --out when given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate
from run import REPEATS, REPO, edit_and_build, file_system, incident_to_edit, measure, median_run, pagefind_seconds, search_transfer

# A build whose shards hold at most sys.argv[1] records; the rest of the arguments are build.py's.
BUILD_WITH_LIMIT = ("import sys; sys.path.insert(0, sys.argv[1]); import archive.search, build; "
                    "archive.search.SHARD_RECORDS = int(sys.argv[2]); sys.exit(build.main(sys.argv[3:]))")


def build_command(archive: Path, limit: int) -> list[str]:
    return [sys.executable, "-c", BUILD_WITH_LIMIT, str(REPO), str(limit), "--root", str(archive)]


def shards_of(site: Path) -> list[int]:
    """The number of records of each shard of a built site's index."""
    manifest = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    return [shard["records"] for shard in manifest["shards"]]


def compare(incidents: int, kind: str, limits: list[int], repeats: int, work: Path) -> str:
    source = work / "archive"
    generate(incidents, source, kind=kind)
    archives = {limit: work / f"archive-{limit}" for limit in limits}
    full = {}
    for limit, archive in archives.items():
        shutil.copytree(source, archive)
        subprocess.run(["git", "init", "-q"], cwd=archive, check=True)  # edit dates come from git, as in a real archive
        subprocess.run(["git", "add", "-A"], cwd=archive, check=True)
        subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "generated"],
                       cwd=archive, check=True)
        log = work / f"full-{limit}.log"
        full[limit] = {**measure(build_command(archive, limit), log=log), "pagefind": pagefind_seconds(log)}
    edits: dict[int, list[dict]] = {limit: [] for limit in limits}
    for number in range(1, repeats + 1):
        for limit, archive in archives.items():
            edits[limit].append(edit_and_build(archive, incident_to_edit(archive), f" (edit {number})", build_command(archive, limit),
                                               work / f"edit-{limit}-{number}.log"))
    lines = [f"Shard sizes: {incidents:,} incidents, `{kind}` archive; files written to {work.parent} ({file_system(work)}).", "",
             "| most records a shard | shards (records) | first search | one edit (median) | Pagefind in the edit | full build |",
             "| ---: | --- | --- | --- | ---: | ---: |"]
    for limit, archive in archives.items():
        sizes = shards_of(archive / "site")
        transfer = search_transfer(archive / "site", work / f"transfer-{limit}.log")
        searched = (f"{transfer['kb']:.0f} KB in {transfer['requests']} requests" if "kb" in transfer
                    else f"not measured: {transfer['missing']}")
        edit = median_run(edits[limit])
        lines.append(f"| {limit:,} | {len(sizes)} ({min(sizes):,}–{max(sizes):,}) | {searched} | {edit['wall']:.2f} s "
                     f"({edit['spread'][0]:.2f}–{edit['spread'][1]:.2f}) | {edit['pagefind'] or 0:.2f} s | {full[limit]['wall']:.2f} s |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10000)
    parser.add_argument("--kind", default="uniform", help="kind of generated archive (bench/generate.py)")
    parser.add_argument("--records", type=int, nargs="+", default=[3000, 1000, 600], help="shard limits to compare")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="edits of each copy (the median is reported)")
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-shards-"))
    try:
        table = compare(args.incidents, args.kind, args.records, args.repeats, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
