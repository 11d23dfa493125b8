#!/usr/bin/env python3
"""Where a build's time goes: each step of one build, when it started and ended, and how busy the cores were meanwhile.

    python bench/build_phases.py                          # a full build of 10,000 uniform incidents, search index included
    python bench/build_phases.py --edit --kind varied     # one edit, and the build after it
    python bench/build_phases.py --archive /tmp/a10k --no-search
    python bench/build_phases.py --offline --incidents 100000 --kind realistic   # the offline copy and its zip too

The build runs in this process, with the code of this tree, on a generated archive
(bench/generate.py) or on `--archive` (whose site/ and .cache/ are deleted first for a full
build). With --edit, the archive is built in full first (by `build.py`, in a process of its own),
then the middle incident in date order gets a longer title (as bench/run.py's edit does), and the
build after that is the one shown: like `build.py build` after an edit, it starts from the caches
in .cache/ and nothing else.

Each step is a function of the pipeline, timed where it is called (steps inside steps are
indented); the busy cores are read from /proc/stat every 0.1 s, for the whole machine: the
build's worker processes count, and so does anything else running. A step on one core with
the other idle is time a second core could take; the figures are of one run, on a noisy machine.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from archive import incremental, offline, pipeline, render  # noqa: E402
from archive.project import Project  # noqa: E402
from generate import KINDS, generate  # noqa: E402
from run import incident_to_edit, retitle, settle  # noqa: E402

# The steps shown: functions each module looks up by name when the build calls them.
STEPS = {
    pipeline: ["check", "convert_ahead", "read_ahead", "entries_of", "write_site", "swap_in", "write_offline"],
    incremental: ["read_build_inputs", "read_checked_files", "previous_build", "write_page_keys", "write_index_identity", "write_last_build"],
    render: ["compiled_environment", "site_pages"],
    offline: ["write_zip"],  # with --offline; its files are written before the zip
}
SAMPLE_SECONDS = 0.1


@dataclass
class Step:
    name: str
    start: float
    end: float
    depth: int  # steps open when it started


class CoreUse:
    """The busy cores of the machine over time, from /proc/stat (none where there is no /proc/stat)."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []  # (time, busy cores since the sample before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> CoreUse:
        self._thread.start()
        return self

    def __exit__(self, *exception: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        last = _cpu_ticks()
        if last is None:
            return
        while not self._stop.wait(SAMPLE_SECONDS):
            now = _cpu_ticks()
            if now is None:
                return
            busy, total, cores = now[0] - last[0], now[1] - last[1], now[2]
            self.samples.append((time.perf_counter(), busy / total * cores if total else 0.0))
            last = now

    def during(self, start: float, end: float) -> float | None:
        """The mean busy cores of the samples taken between `start` and `end` (None: too short to tell)."""
        if end - start < SAMPLE_SECONDS:
            return None
        inside = [busy for moment, busy in self.samples if start < moment <= end + SAMPLE_SECONDS / 2]
        return sum(inside) / len(inside) if inside else None


def _cpu_ticks() -> tuple[int, int, int] | None:
    """Busy ticks, all ticks and cores, as /proc/stat counts them since the machine started."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return None
    ticks = [int(value) for value in lines[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and waiting for input or output
    return sum(ticks) - idle, sum(ticks), sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())


def timing_steps(steps: list[Step], started: float) -> Callable[[], None]:
    """Wrap the functions of STEPS so that each call is recorded in `steps`; returns the function that unwraps them."""
    open_steps = [0]
    originals = []
    for module, names in STEPS.items():
        for name in names:
            function = getattr(module, name)
            originals.append((module, name, function))
            setattr(module, name, _timed(function, name, steps, started, open_steps))

    def unwrap() -> None:
        for module, name, function in originals:
            setattr(module, name, function)
    return unwrap


def _timed(function: Callable, name: str, steps: list[Step], started: float, open_steps: list[int]) -> Callable:
    @functools.wraps(function)
    def timed(*arguments, **keywords):
        step = Step(name, time.perf_counter() - started, 0.0, open_steps[0])
        open_steps[0] += 1
        try:
            return function(*arguments, **keywords)
        finally:
            open_steps[0] -= 1
            step.end = time.perf_counter() - started
            steps.append(step)
    return timed


def build_once(archive: Path, search: bool, with_offline: bool = False) -> tuple[pipeline.BuildReport, list[Step], CoreUse, float]:
    """One build of `archive`, timed step by step."""
    steps: list[Step] = []
    started = time.perf_counter()
    unwrap = timing_steps(steps, started)
    try:
        with CoreUse() as cores:
            report = pipeline.build(Project(root=archive), with_search=search, offline=with_offline)
    finally:
        unwrap()
    return report, sorted(steps, key=lambda step: step.start), cores, started


def table(steps: list[Step], cores: CoreUse, started: float) -> str:
    lines = ["| step | from s | to s | s | busy cores |", "| --- | ---: | ---: | ---: | ---: |"]
    for step in steps:
        busy = cores.during(started + step.start, started + step.end)
        lines.append(f"| {'  ' * step.depth}{step.name} | {step.start:.2f} | {step.end:.2f} | {step.end - step.start:.2f} | "
                     f"{'' if busy is None else f'{busy:.1f}'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--kind", choices=KINDS, default="uniform")
    parser.add_argument("--archive", type=Path, help="an archive to build instead of a generated one")
    parser.add_argument("--edit", action="store_true", help="time the build after one edit, not the full build")
    parser.add_argument("--no-search", action="store_true", help="leave the search index out")
    parser.add_argument("--offline", action="store_true", help="build the offline copy and its zip too, as `make site` does")
    options = parser.parse_args()
    search = not options.no_search
    with tempfile.TemporaryDirectory(prefix="build-phases-") as scratch:
        archive = options.archive or Path(scratch) / "archive"
        if options.archive is None:
            generate(options.incidents, archive, kind=options.kind)
        for folder in ("site", "site-offline", ".cache"):
            shutil.rmtree(archive / folder, ignore_errors=True)
        what = archive.name if options.archive else f"{options.incidents:,} {options.kind} incidents"
        if options.edit:  # built in full by a process of its own: the timed build starts from the caches on disk only, as build.py's does
            subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(archive), "build", *([] if search else ["--no-search"]),
                            *(["--offline"] if options.offline else [])],
                           check=True, capture_output=True)
            settle(archive)
            retitle(incident_to_edit(archive), f" (edit {time.time_ns() % 100_000})")  # never the title it had: an archive may be edited again
            what = f"one edit of {what}"
        report, steps, cores, started = build_once(archive, search, options.offline)
        print(f"## {what}, {'with' if search else 'without'} the search index{', offline copy too' if options.offline else ''}\n")
        print(table(steps, cores, started))
        print(f"\n{report.summary()}")


if __name__ == "__main__":
    main()
