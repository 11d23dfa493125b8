#!/usr/bin/env python3
"""Time the full build without the search index, or one edit, code before and after a change, side by side.

    python bench/build_speed.py                          # 10,000 incidents, uniform and varied archives
    python bench/build_speed.py --incidents 2000 --kinds varied --repeat 3
    python bench/build_speed.py --before /tmp/old-tree --after .
    python bench/build_speed.py --search                 # the full build with the search index
    python bench/build_speed.py --offline                # the full build with the search index and the offline copy
    python bench/build_speed.py --edit --repeat 3        # one edit and the build after it, search index included

For each kind of generated archive (bench/generate.py) it builds the same incidents with each
tree of code, in turn (before, after, before, after ... so that a busy machine weighs on both
alike), each build from a clean start (no site/, no .cache/), each in its own process:
`python TREE/build.py --root ARCHIVE build --no-search` (with --search: `build`; with --offline:
`build --offline`, and site-offline/ is compared too). It prints wall seconds, CPU seconds
(the build and its worker processes) and peak RSS of each build, the ratio after/before, and
whether the two trees wrote the same site/ byte for byte (files that differ are listed).

With --edit, each tree first builds its copy of the archive in full, search index included, then
edits and builds again `--repeat` times, in turn: each edit adds to the title of the middle
incident in date order (as bench/run.py's edit does), and the build that follows is timed
(`python TREE/build.py --root ARCHIVE build`). The search index is left out of the byte-for-byte
comparison: a change of its layout is what such a run may measure.

--before defaults to the last commit (`git archive HEAD`), --after to this working tree.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from generate import generate  # noqa: E402
from run import commit_as_generated, incident_to_edit, retitle, settle, with_python_defaults, yaml_read_in  # noqa: E402


def measure(command: list[str]) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of a child process and the processes it waited for."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{errors[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def build(tree: Path, archive: Path, search: bool, offline: bool = False) -> dict[str, float]:
    for name in ("site", "site-offline", ".cache"):
        shutil.rmtree(archive / name, ignore_errors=True)
    return measure([sys.executable, str(tree / "build.py"), "--root", str(archive), "build", *([] if search else ["--no-search"]),
                    *(["--offline"] if offline else [])])


def differing_files(left: Path, right: Path) -> list[str]:
    """Paths (relative) that are in one tree only or whose bytes differ."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp, prefix: str) -> None:
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only + comparison.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files, shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return sorted(found)


def shard_contents(site: Path) -> dict[str, list[tuple[str, bytes]]]:
    """Each search shard's files and their bytes, by the shard's first month."""
    shards = sorted((site / "search-index" / "shards").iterdir())
    return {shard.name[:7]: sorted((path.relative_to(shard).as_posix(), path.read_bytes()) for path in shard.rglob("*") if path.is_file())
            for shard in shards}


def export_head(target: Path) -> Path:
    """The last commit's files, as `git archive HEAD` gives them."""
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "HEAD"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def medians_of(runs: dict[str, list[dict[str, float]]]) -> dict[str, dict[str, float]]:
    """Each tree's median wall seconds, CPU seconds and peak RSS."""
    return {name: {key: statistics.median(result[key] for result in results) for key in ("wall", "cpu", "rss")} for name, results in runs.items()}


def walls(results: list[dict[str, float]]) -> str:
    return ", ".join(f"{result['wall']:.1f}" for result in results)


def copies(kind: str, count: int, trees: dict[str, Path], work: Path) -> dict[str, Path]:
    """A generated archive of `kind`, copied once for each tree of code."""
    source = work / f"archive-{kind}"
    generate(count, source, kind=kind)
    roots = {name: work / f"{name}-{kind}" for name in trees}
    for root in roots.values():
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(source, root)
    return roots


def run_kind(kind: str, count: int, trees: dict[str, Path], work: Path, repeat: int, search: bool, offline: bool = False) -> None:
    roots = copies(kind, count, trees, work)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for _ in range(repeat):
        for name, tree in trees.items():
            runs[name].append(build(tree, roots[name], search, offline))
    print(f"\n## {count:,} incidents, {kind} archive: full build {'with' if search else 'without'} the search index"
          f"{', offline copy too' if offline else ''}\n")
    print("| code | wall s | CPU s | peak RSS MB | runs |")
    print("| --- | ---: | ---: | ---: | --- |")
    medians = medians_of(runs)
    for name, results in runs.items():
        print(f"| {name} | {medians[name]['wall']:.2f} | {medians[name]['cpu']:.2f} | {medians[name]['rss']:.0f} | wall s: {walls(results)} |")
    before, after = medians["before"], medians["after"]
    print(f"\nafter/before: wall {after['wall'] / before['wall']:.2f}, CPU {after['cpu'] / before['cpu']:.2f}, "
          f"peak RSS {after['rss'] / before['rss']:.2f} (medians of {repeat})")
    different = differing_files(roots["before"] / "site", roots["after"] / "site")
    if search:  # a shard's name holds a digest of the code (search.records_digest): compare shards by first month and bytes
        different = [path for path in different if not path.startswith(("search-index/shards/", "search-index/index.js"))]
        different += [] if shard_contents(roots["before"] / "site") == shard_contents(roots["after"] / "site") else ["search-index/shards/"]
    pages = sum(1 for _ in (roots["after"] / "site").rglob("*.html"))
    if different:
        print(f"site/ differs in {len(different)} file(s): " + ", ".join(different[:20]) + (" ..." if len(different) > 20 else ""))
    else:
        print(f"site/ is the same byte for byte ({pages:,} HTML pages)")
    if offline:
        different = differing_files(roots["before"] / "site-offline", roots["after"] / "site-offline")
        print(f"site-offline/ differs in {len(different)} file(s): {', '.join(different[:20])}" if different else "site-offline/ is the same byte for byte")


def run_edits(kind: str, count: int, trees: dict[str, Path], work: Path, repeat: int) -> None:
    roots = copies(kind, count, trees, work)
    full: dict[str, dict[str, float]] = {}
    for name, root in roots.items():
        commit_as_generated(root)
        full[name] = measure([sys.executable, str(trees[name] / "build.py"), "--root", str(root), "build"])
        settle(root)
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    for number in range(1, repeat + 1):
        for name, tree in trees.items():
            retitle(incident_to_edit(roots[name]), f" (edit {number})")
            runs[name].append(measure([sys.executable, str(tree / "build.py"), "--root", str(roots[name]), "build"]))
            settle(roots[name])
    print(f"\n## {count:,} incidents, {kind} archive: one edit, search index included\n")
    print("| code | full build s | edit: wall s | edit: CPU s | edit: peak RSS MB | edits |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    medians = medians_of(runs)
    for name, results in runs.items():
        print(f"| {name} | {full[name]['wall']:.1f} | {medians[name]['wall']:.2f} | {medians[name]['cpu']:.2f} | {medians[name]['rss']:.0f} "
              f"| wall s: {walls(results)} |")
    before, after = medians["before"], medians["after"]
    print(f"\nafter/before: wall {after['wall'] / before['wall']:.2f}, CPU {after['cpu'] / before['cpu']:.2f} (medians of {repeat})")
    different = [path for path in differing_files(roots["before"] / "site", roots["after"] / "site") if not path.startswith("search-index/")]
    print(f"site/ outside search-index/ differs in {len(different)} file(s)" + (": " + ", ".join(different[:20]) if different else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--kinds", default="uniform,varied", help="comma-separated kinds of bench/generate.py (default: uniform,varied)")
    parser.add_argument("--before", type=Path, help="the code before (default: the last commit, exported)")
    parser.add_argument("--after", type=Path, default=REPO, help="the code after (default: this working tree)")
    parser.add_argument("--repeat", type=int, default=1, help="builds of each tree per archive; medians are shown")
    parser.add_argument("--work", type=Path, help="folder for archives and outputs (default: a temporary one, removed after)")
    parser.add_argument("--search", action="store_true", help="time the full build with the search index")
    parser.add_argument("--edit", action="store_true", help="time one edit and the build after it, search index included")
    parser.add_argument("--offline", action="store_true", help="time the full build with the search index and the offline copy")
    args = parser.parse_args()
    with_python_defaults()
    if args.edit and (args.search or args.offline):
        parser.error("--edit times builds with the search index and without the offline copy: leave out --search and --offline")
    with tempfile.TemporaryDirectory(prefix="build-speed-") as temporary:
        work = (args.work or Path(temporary)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        before = args.before.resolve() if args.before else export_head(work / "before-code")
        trees = {"before": before, "after": args.after.resolve()}
        print(f"before: {before}\nafter: {trees['after']}\nmachine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
        print("YAML files read in: " + ", ".join(f"{name} {yaml_read_in(tree)}" for name, tree in trees.items()))
        for kind in args.kinds.split(","):
            if args.edit:
                run_edits(kind, args.incidents, trees, work, args.repeat)
            else:
                run_kind(kind, args.incidents, trees, work, args.repeat, args.search or args.offline, args.offline)


if __name__ == "__main__":
    main()
