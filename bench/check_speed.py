#!/usr/bin/env python3
"""Time `build.py check` with no cache on generated archives, against the target of issue 14 (5 s at 10,000 incidents).

    python bench/check_speed.py                        # 10,000 incidents, every kind of bench/generate.py
    python bench/check_speed.py --before HEAD          # the same, the last commit's code beside this tree's
    python bench/check_speed.py --before /tmp/old-tree --kinds uniform --runs 5
    python bench/check_speed.py --archive /tmp/archive10k   # an archive that is there already
    python bench/check_speed.py --before HEAD --also mine=/tmp/tree   # a third tree of code beside them

Each archive is checked `--runs` times by each tree of code, in turn (before, after, before,
after ... so that a busy machine weighs on both alike), each run in its own process with the
check cache (ARCHIVE/.cache/) deleted first: `python TREE/build.py --root ARCHIVE check`.
It prints, for each archive and tree: incident files, the median wall seconds, the median CPU
seconds (the check and its worker processes), whether the median meets the target, and what
check said. With several trees it also says whether each printed the same problems as the first.
The load average is printed before and after: other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from build_speed import export_head  # noqa: E402
from generate import KINDS, generate  # noqa: E402

TARGET_SECONDS = 5.0  # issue 14: check of 10,000 incident files, no cache, on a 2-core machine


@dataclass
class Run:
    wall: float
    cpu: float
    output: str  # the problems check printed (stdout)
    verdict: str  # its last line on stderr: "OK: ... incidents, ... warning(s)" or the error count


def check_once(tree: Path, archive: Path) -> Run:
    """One `check` of `archive` by the code in `tree`, in its own process, with no cache."""
    shutil.rmtree(archive / ".cache", ignore_errors=True)
    command = [sys.executable, str(tree / "build.py"), "--root", str(archive), "check"]
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=tree, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = process.communicate()  # read as it runs: thousands of warnings would fill a pipe
    wall = time.perf_counter() - started
    cpu = _children_cpu()
    lines = stderr.decode(errors="replace").strip().splitlines()
    return Run(wall, cpu, stdout.decode(errors="replace"), lines[-1] if lines else f"exit status {process.returncode}")


_cpu_seen = 0.0


def _children_cpu() -> float:
    """CPU seconds of the child processes waited for since the last call (each check and its workers)."""
    global _cpu_seen
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _cpu_seen = total - _cpu_seen, total
    return spent


def incident_files(archive: Path) -> int:
    return sum(1 for _ in (archive / "incidents").rglob("*.yaml"))


def time_archive(name: str, archive: Path, trees: dict[str, Path], runs: int) -> list[str]:
    """Rows of the table for one archive: each tree's median of `runs` checks."""
    results: dict[str, list[Run]] = {tree: [] for tree in trees}
    _children_cpu()
    for _ in range(runs):
        for tree_name, tree in trees.items():
            results[tree_name].append(check_once(tree, archive))
    files = incident_files(archive)
    rows = []
    for tree_name, done in results.items():
        wall = statistics.median(run.wall for run in done)
        cpu = statistics.median(run.cpu for run in done)
        met = "met" if wall <= TARGET_SECONDS else "NOT met"
        each = ", ".join(f"{run.wall:.2f}" for run in done)
        rows.append(f"| {name} | {tree_name} | {files:,} | {wall:.2f} | {cpu:.2f} | ≤ {TARGET_SECONDS:g} s: {met} | {done[0].verdict} | {each} |")
    first_name, *others = trees
    first = results[first_name][0].output.splitlines()
    for other_name in others:
        other = results[other_name][0].output.splitlines()
        same = "yes" if first == other else f"no: {len(set(first) ^ set(other))} line(s) in one only"
        rows.append(f"| {name} | same problems printed by {first_name} and {other_name} | | | | | {same} | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--kinds", default=",".join(sorted(KINDS)), help=f"comma-separated kinds of bench/generate.py (default: all, {', '.join(sorted(KINDS))})")
    parser.add_argument("--archive", type=Path, action="append", default=[], help="time this archive (a folder with incidents/) instead of generated ones; repeatable")
    parser.add_argument("--before", help="code to time beside this tree's: a folder holding build.py, or HEAD for the last commit")
    parser.add_argument("--after", type=Path, default=REPO, help="the code after (default: this working tree)")
    parser.add_argument("--also", action="append", default=[], metavar="NAME=DIR", help="another tree of code to time beside them; repeatable")
    parser.add_argument("--runs", type=int, default=3, help="checks of each archive by each tree; medians are shown (default 3)")
    parser.add_argument("--work", type=Path, help="folder for generated archives (default: a temporary one, removed after)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="check-speed-") as temporary:
        work = (args.work or Path(temporary)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        trees = {"after": args.after.resolve()}
        if args.before:
            before = export_head(work / "before-code") if args.before == "HEAD" else Path(args.before).resolve()
            trees = {"before": before, **trees}
        for also in args.also:
            name, _, folder = also.partition("=")
            trees[name] = Path(folder).resolve()
        archives = {path.name: path.resolve() for path in args.archive}
        if not archives:
            for kind in args.kinds.split(","):
                archives[kind] = work / f"archive-{kind}"
                generate(args.incidents, archives[kind], kind=kind)
        print("code: " + ", ".join(f"{name} = {tree}" for name, tree in trees.items()))
        print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; load average before: {os.getloadavg()[0]:.2f}")
        print(f"\n## `build.py check` with no cache (medians of {args.runs})\n")
        print("| archive | code | incident files | wall s | CPU s | target | check said | wall s of each run |")
        print("| --- | --- | ---: | ---: | ---: | --- | --- | --- |")
        for name, archive in archives.items():
            for row in time_archive(name, archive, trees, args.runs):
                print(row, flush=True)
        print(f"\nload average after: {os.getloadavg()[0]:.2f} (above about 0.5, other work on the machine slowed these figures)")


if __name__ == "__main__":
    main()
