#!/usr/bin/env python3
"""Benchmark our build against mkdocs-material and Hugo on the same generated archive.

    python bench/run.py                       # 1,000 and 10,000 incidents, two kinds of archive
    python bench/run.py --sizes 100000 --quick  # memory and scaling, ours only
    python bench/run.py --sizes 50 --quick    # the smoke run the tests use

For each size and each kind of generated archive (bench/generate.py: `uniform`, the project's
own, and `varied`, whose claimants, speakers and publishers are mostly unknown to the registry
and whose texts vary in size), it measures, each in its own process: our full build, the same
build again with nothing changed, a build after editing one incident, `check` with no cache,
the full build with the offline copy and its zip (`--offline`, as `make site` builds),
mkdocs-material on the same pages (navigation pruned so that it finishes; the unpruned
navigation too, once, at the smallest size) and Hugo (Debian's `hugo`) on the same pages, both
in turns with our build without the index, the median of each shown; and what
the first search transfers (bench/search_transfer.py, with Chromium). Wall time, CPU time, peak
memory (of our full build: of the whole process tree, our process and its workers together, in
a run of its own that is not timed), output size and file count; ratios ours/baseline, and the
targets of issue 14, met or not.
Writes bench/results.md (or --out). Baselines that are not installed are reported as such:
mkdocs-material comes from bench/requirements.txt into .venv-bench, Hugo from `apt-get install hugo`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH_VENV = REPO / ".venv-bench"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from markupsafe import escape  # noqa: E402

from archive.search_index import script_data  # noqa: E402
from generate import generate  # noqa: E402

LOG_LINES_SHOWN = 30  # of a failed command's output


def measure(command: list[str], cwd: Path | None = None, log: Path | None = None, whole_tree_memory: bool = False) -> dict:
    """Run `command` as a child process; wall seconds, CPU seconds (it and the processes it waited for) and
    peak memory: the largest one process's peak RSS.

    With `whole_tree_memory`, the peak memory is of it and all its descendants together (PSS), sampled
    every 0.1 s: the build's worker processes run beside it, and the largest single process
    would understate what the machine needs. Such a run is not for timing: reading a process's PSS walks
    its page tables (26 ms for a process of 1.2 GB), and the sampler took 2.6 s of CPU during an 18 s build
    of 10,000 incidents, on the two cores the build runs on (see full_build)."""
    log = log or Path(os.devnull)
    started = time.perf_counter()
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        peak = [0]
        done = threading.Event()
        sampler = threading.Thread(target=sample_tree_rss, args=(process.pid, peak, done), daemon=True) if whole_tree_memory else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        done.set()
        if sampler:
            sampler.join()
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:  # the log is in the work folder, deleted on the way out: its end goes with the error
        ending = "".join(log.read_text(errors="replace").splitlines(keepends=True)[-LOG_LINES_SHOWN:]) if log != Path(os.devnull) else ""
        raise RuntimeError(f"{' '.join(command)} failed (exit status {code}); the end of {log}:\n{ending}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": max(peak[0], usage.ru_maxrss * 1024) / 2**20}  # the largest one process, at least


def sample_tree_rss(root: int, peak: list[int], done: threading.Event) -> None:
    """Keep in peak[0] the largest memory of `root` and its descendants together (Linux /proc): the
    sum of their proportional set sizes (PSS), so that pages forked workers share with their parent
    count once."""
    while not done.wait(0.1):
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree = {root}
        grew = True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        peak[0] = max(peak[0], sum(proportional_set_size(pid) for pid in tree))


def proportional_set_size(pid: int) -> int:
    """Bytes of memory process `pid` holds, its share of shared pages included; 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_size(folder: Path) -> dict:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {"mb": sum(p.stat().st_size for p in files) / 1e6, "files": len(files)}


# --- the same incidents as Markdown pages for mkdocs-material and Hugo -----------------------

def incident_markdown(data: dict, front_matter: bool) -> str:
    lines = []
    if front_matter:
        lines += ["---", f"title: {json.dumps(data['title'])}", f"date: {data['date']}", "---", ""]
    else:
        lines += [f"# {data['title']}", ""]
    lines += [f"*{data['date']}* · Regions: {', '.join(data['regions'])}", "", data["summary"], "", "## Figures", "",
              "| Measure | Value | Claimed by | Source | Excerpt |", "| --- | --- | --- | --- | --- |"]
    for figure in data["figures"]:
        source = data["sources"][figure["source"]]
        lines.append(f"| {figure['measure']} | {figure['qualifier']} {figure['value']} | {figure['claimed_by']} | "
                     f"[{source['publisher']}]({source['url']}) | {figure['excerpt']} |")
    if data["quotes"]:
        lines += ["", "## Quotes", ""]
        lines += [f"> {quote['text']}\n>\n> — {quote['speaker']}\n" for quote in data["quotes"]]
    return "\n".join(lines) + "\n"


def incidents_of(archive: Path) -> Iterator[tuple[str, dict]]:
    for path in sorted((archive / "incidents").rglob("*.yaml")):
        yield path.stem, json.loads(path.read_text(encoding="utf-8"))


def write_mkdocs_project(archive: Path, target: Path, pruned: bool) -> None:
    docs = target / "docs"
    (docs / "incidents").mkdir(parents=True)
    names = []
    for ident, data in incidents_of(archive):
        (docs / "incidents" / f"{ident}.md").write_text(incident_markdown(data, front_matter=False), encoding="utf-8")
        names.append(ident)
    (docs / "index.md").write_text("# Incident Archive\n\nSynthetic benchmark archive.\n", encoding="utf-8")
    nav = ["index.md"] if pruned else ["index.md", {"Incidents": [f"incidents/{name}.md" for name in names]}]
    config = {"site_name": "Incident Archive", "theme": {"name": "material"}, "nav": nav,
              "plugins": ["search"], "markdown_extensions": ["tables"]}
    (target / "mkdocs.yml").write_text(json.dumps(config), encoding="utf-8")


HUGO_LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><header><a href="{{ "/" | relURL }}">Incident Archive</a></header><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
"""
HUGO_LIST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></main></body></html>
"""


def write_hugo_project(archive: Path, target: Path) -> None:
    content = target / "content" / "incidents"
    content.mkdir(parents=True)
    for ident, data in incidents_of(archive):
        (content / f"{ident}.md").write_text(incident_markdown(data, front_matter=True), encoding="utf-8")
    layouts = target / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_LAYOUT, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (target / "config.toml").write_text('baseURL = "/"\ntitle = "Incident Archive"\ndisableKinds = ["taxonomy", "term"]\n', encoding="utf-8")


# --- running ---------------------------------------------------------------------------------

def bench_python() -> Path | None:
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        result = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REPO / "bench" / "requirements.txt")])
        if result.returncode != 0:
            shutil.rmtree(BENCH_VENV)
            return None
    return python


TITLE_LIMIT = 200  # characters: schema/incident.schema.json's maxLength


def retitle(path: Path, suffix: str) -> str:
    """Add `suffix` to an incident's title, shortening the title first if it would pass the limit (an edit check accepts)."""
    data = json.loads(path.read_text())
    title: str = data["title"][:TITLE_LIMIT - len(suffix)].rstrip() + suffix
    data["title"] = title
    path.write_text(json.dumps(data, indent=1) + "\n")
    return title


def index_seconds(log: Path) -> float | None:
    match = re.search(r"search index ([\d.]+) s", log.read_text())
    return float(match.group(1)) if match else None


def serve_latency(build: list[str], archive: Path, edited: Path) -> tuple[dict, dict]:
    """Seconds from saving an incident file to `serve` serving its page with the change, and to its build
    with the search index in place (checked: the index's record of the page has the new title).
    Medians of REPEATS edits in one `serve`, the first one included."""
    server = subprocess.Popen([*build, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    printed = ServerOutput(server)
    try:
        url = printed.wait_for(r"Serving (http://\S+)", after=0.0, seconds=1800).group(1)
        indexed_build(printed, after=printed.last_seen, seconds=1800, what="the site")  # serve indexes after serving
        shown: list[dict] = []
        searchable: list[dict] = []
        for number in range(1, REPEATS + 1):
            time.sleep(1)  # let the watcher settle
            page = f"{url}incidents/{edited.stem}/"
            title = retitle(edited, f" (edited in serve {number})")
            started = time.perf_counter()
            while time.perf_counter() - started < 120 and len(shown) < number:
                with urllib.request.urlopen(page) as response:
                    if str(escape(title)) in response.read().decode():  # escaped as the templates escape it (' is &#39;)
                        shown.append({"wall": time.perf_counter() - started})
                time.sleep(0.02)
            if len(shown) < number:
                raise RuntimeError("serve never showed the edit")
            indexed_build(printed, after=started, seconds=600, what="the edit")
            searchable.append({"wall": printed.last_seen - started})
            if indexed_title(archive / "site" / "search-index", f"incidents/{edited.stem}/") != title:
                raise RuntimeError("serve's build did not index the edit")
        return ({**median_run(shown), "note": "from saving the file to the page served with the change"},
                {**median_run(searchable), "note": "from saving the file to its build done, the search index included"})
    finally:
        server.terminate()
        server.wait(timeout=30)


def indexed_build(printed: ServerOutput, after: float, seconds: float, what: str) -> None:
    """Wait for serve's next build (or its word that the site is up to date); an error when the build failed."""
    done = printed.wait_for(r"^(Built |site/ is up to date|error: |Build failed)", after=after, seconds=seconds)
    if not done.group(1).startswith(("Built", "site/")):
        raise RuntimeError(f"serve could not build {what}: {done.string.strip()}")


class ServerOutput:
    """The lines a server prints, each with when it was read (perf_counter), read as they come."""

    def __init__(self, server: subprocess.Popen):
        self.lines: list[tuple[float, str]] = []
        self.last_seen = 0.0  # when the line wait_for last found was read
        self.arrived = threading.Condition()
        threading.Thread(target=self._read, args=(server,), daemon=True).start()

    def _read(self, server: subprocess.Popen) -> None:
        assert server.stdout is not None  # stdout=PIPE
        for line in server.stdout:
            with self.arrived:
                self.lines.append((time.perf_counter(), line))
                self.arrived.notify_all()
        with self.arrived:
            self.lines.append((time.perf_counter(), ""))  # the end: the server stopped
            self.arrived.notify_all()

    def wait_for(self, pattern: str, after: float, seconds: float) -> re.Match:
        """The first line read after `after` that matches `pattern`."""
        deadline = time.perf_counter() + seconds
        with self.arrived:
            while True:
                for when, line in self.lines:
                    if when > after and (match := re.search(pattern, line)):
                        self.last_seen = when
                        return match
                if self.lines and self.lines[-1][1] == "":
                    raise RuntimeError(f"serve stopped before printing {pattern!r}")
                if not self.arrived.wait(timeout=max(0.0, deadline - time.perf_counter())):
                    raise RuntimeError(f"serve did not print {pattern!r} within {seconds:.0f} s")


def indexed_title(index: Path, url: str) -> str | None:
    """The title the search index holds for the page at `url` (from its document's file), None when it holds none."""
    for path in index.glob("shards/*/docs/*.js"):
        text = path.read_text(encoding="ascii")
        if json.dumps(url) in text:
            document: Any = script_data(text)[2]
            if document[0] == url:
                return document[1] if isinstance(document[1], str) else None
    return None


def settle(archive: Path, timeout: float = 300) -> None:
    """Wait until the site trees replaced by earlier builds are deleted: a build hands that to a
    background process, which would otherwise slow down the next measurement."""
    deadline = time.monotonic() + timeout
    while any(archive.glob(".site-old-*")) and time.monotonic() < deadline:
        time.sleep(0.2)


# Runs of each measurement of a few seconds (no change, one edit, check): the median one is reported. This machine's
# speed drifts by a third from minute to minute, so a ratio of two single runs minutes apart says more of the drift than of the builds.
REPEATS = 3
# Turns of our full build without the index, Hugo's and mkdocs-material's (pruned navigation), taken one after the other:
# the ratios of their medians are targets, which two runs of the benchmark an hour apart put on either side of their limits
# with three turns each (bench/results.md of 2026-12-05 and the run before it).
TURNS = 5


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time, with the fastest and slowest walls: on a shared machine one run
    of a few seconds can be a third off, which one full build of a minute is not."""
    ordered = sorted(runs, key=lambda run: run["wall"])
    return {**ordered[len(ordered) // 2], "spread": (ordered[0]["wall"], ordered[-1]["wall"]), "runs": len(runs)}


def full_build(archive: Path, build: list[str], log_stem: Path, repeats: int) -> dict:
    """Our full build from a clean start: the median of `repeats` timed runs, with the search index's time and
    the output's size, and the peak memory of the whole process tree, from one more build before them,
    not timed (at 100,000 incidents, 3 to 4 minutes more)."""
    def from_clean(log: Path, whole_tree_memory: bool = False) -> dict:
        for name in ("site", "site-offline", ".cache"):
            shutil.rmtree(archive / name, ignore_errors=True)
        settle(archive)
        return {**measure(build, log=log, whole_tree_memory=whole_tree_memory), "index": index_seconds(log)}

    memory = from_clean(Path(f"{log_stem}-memory.log"), whole_tree_memory=True)["rss_mb"]
    runs = [from_clean(Path(f"{log_stem}-{number}.log")) for number in range(1, repeats + 1)]
    timed = median_run(runs) if repeats > 1 else runs[0]
    return {**timed, "rss_mb": memory, **tree_size(archive / "site")}  # (the last run's site/ stays, for the runs after)


def incident_to_edit(archive: Path) -> Path:
    """The incident the edits change: the middle one in date order, whose shard of the search index is a full
    one (the first and the last may be smaller), and the same one in every run (a folder's own order is not)."""
    files = sorted((archive / "incidents").rglob("*.yaml"))
    return files[len(files) // 2]


def edit_and_build(archive: Path, edited: Path, suffix: str, build: list[str], log: Path) -> dict:
    """One edit (`suffix` added to a title) and the build that follows, with the search index's time."""
    retitle(edited, suffix)
    measured = measure(build, log=log)
    measured["index"] = index_seconds(log)
    settle(archive)
    return measured


def check_without_cache(archive: Path, build: list[str], log: Path) -> dict:
    shutil.rmtree(archive / ".cache", ignore_errors=True)
    return measure([*build, "check"], log=log)


UNPRUNED_UP_TO = 2000  # incidents: mkdocs-material's full navigation grows with the square of the pages


def commit_as_generated(archive: Path) -> None:
    """Make the archive a git repository with one commit, as a real archive is: edit dates come from git."""
    subprocess.run(["git", "init", "-q"], cwd=archive, check=True)
    subprocess.run(["git", "add", "-A"], cwd=archive, check=True)
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "commit", "-q", "-m", "generated"],
                   cwd=archive, check=True)


def run_size(size: int, kind: str, work: Path, unpruned_too: bool, baselines: bool) -> dict:
    archive = work / f"archive-{kind}-{size}"
    generate(size, archive, kind=kind)
    commit_as_generated(archive)
    results: dict[str, dict] = {}
    build = [sys.executable, str(REPO / "build.py"), "--root", str(archive)]
    results["ours: full build"] = full_build(archive, build, work / f"ours-{kind}-{size}", REPEATS if size <= TARGETS else 1)
    results["ours: no change"] = median_run([measure(build, log=work / f"ours-nochange-{kind}-{size}.log") for _ in range(REPEATS)])
    edited = incident_to_edit(archive)
    results["ours: one edit"] = median_run([edit_and_build(archive, edited, f" (edit {number})", build, work / f"ours-edit-{kind}-{size}-{number}.log")
                                            for number in range(1, REPEATS + 1)])
    results["first search transfer"] = search_transfer(archive / "site", work / f"transfer-{kind}-{size}.log")
    # The same two builds without the index: our own time and memory; the full build in turns with Hugo's and
    # mkdocs-material's (pruned navigation), so that each ratio is of medians taken in the same minutes.
    hugo = shutil.which("hugo") if baselines else None
    python = bench_python() if baselines else None
    pruned_project = work / f"mkdocs-{kind}-{size}-pruned"
    ours_runs: list[dict] = []
    hugo_runs: list[dict] = []
    mkdocs_runs: list[dict] = []
    if hugo:
        write_hugo_project(archive, work / f"hugo-{kind}-{size}")
    if python:
        write_mkdocs_project(archive, pruned_project, pruned=True)
    for number in range(1, (TURNS if baselines and size <= TARGETS else 1) + 1):  # (as full_build: once beyond TARGETS)
        shutil.rmtree(archive / "site")
        shutil.rmtree(archive / ".cache")
        ours_runs.append(measure([*build, "build", "--no-search"], log=work / f"ours-nosearch-{kind}-{size}-{number}.log"))
        if hugo:
            hugo_runs.append(hugo_build(hugo, work / f"hugo-{kind}-{size}", work / f"hugo-{kind}-{size}-{number}.log"))
        if python:
            mkdocs_runs.append(mkdocs_build(python, pruned_project, work / f"mkdocs-{kind}-{size}-{number}.log"))
    results["ours: full build, no search index"] = median_run(ours_runs) if baselines else ours_runs[0]
    results["ours: one edit, no search index"] = median_run([
        edit_and_build(archive, edited, f" (again {number})", [*build, "build", "--no-search"], work / f"ours-edit-nosearch-{kind}-{size}-{number}.log")
        for number in range(1, REPEATS + 1)])
    results["ours: check, no cache"] = median_run([check_without_cache(archive, build, work / f"ours-check-{kind}-{size}.log") for _ in range(REPEATS)])
    try:
        results["ours: serve, one edit shown"], results["ours: serve, one edit searchable"] = serve_latency(build, archive, edited)
    except RuntimeError as failure:  # reported, and the other measurements kept
        results["ours: serve, one edit shown"] = results["ours: serve, one edit searchable"] = {"missing": str(failure)}
    settle(archive)
    # Last, as the other builds are without it: `make site` builds the offline copy and its zip too.
    results["ours: full build, offline copy too"] = full_build(archive, [*build, "build", "--offline"], work / f"ours-offline-{kind}-{size}",
                                                              REPEATS if size <= TARGETS else 1)
    if not baselines:
        return results
    if python:
        results["mkdocs-material (pruned nav)"] = median_run(mkdocs_runs)
        if unpruned_too:  # (once: it is shown for what full navigation costs, not compared with a target)
            full_nav_project = work / f"mkdocs-{kind}-{size}-full-nav"
            write_mkdocs_project(archive, full_nav_project, pruned=False)
            results["mkdocs-material (full nav)"] = mkdocs_build(python, full_nav_project, work / f"mkdocs-{kind}-{size}-full-nav.log")
    else:
        results["mkdocs-material (pruned nav)"] = {"missing": "pip install -r bench/requirements.txt failed"}
    results["Hugo"] = median_run(hugo_runs) if hugo_runs else {"missing": "apt-get install hugo"}
    return results


def mkdocs_build(python: Path, project: Path, log: Path) -> dict:
    """One build of the mkdocs-material project, with the size of what it wrote."""
    return baseline_build([str(python), "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(project / "site")],
                          project / "site", log)


def hugo_build(hugo: str, project: Path, log: Path) -> dict:
    """One build of the Hugo project, with the size of what it wrote."""
    return baseline_build([hugo, "--quiet", "-s", str(project), "-d", str(project / "public")], project / "public", log)


def baseline_build(command: list[str], output: Path, log: Path) -> dict:
    """One run of a baseline's build `command`, which writes `output` (deleted first), with the size of what it wrote."""
    shutil.rmtree(output, ignore_errors=True)
    return {**measure(command, log=log), **tree_size(output)}


def search_transfer(site: Path, log: Path) -> dict:
    """What the first search on the search page transfers (bench/search_transfer.py, in Chromium), or why it was not measured."""
    found = subprocess.run([sys.executable, str(REPO / "bench" / "search_transfer.py"), str(site)], capture_output=True, text=True)
    log.write_text(found.stdout + found.stderr, encoding="utf-8")
    if found.returncode != 0:
        return {"missing": (found.stderr.strip().splitlines() or ["failed"])[-1]}
    measured: dict = json.loads(found.stdout)
    return measured


def file_system(folder: Path) -> str:
    """The type of the file system `folder` is on (as /proc/mounts names it), or "unknown"."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    real = os.path.realpath(folder)
    on = [(point, kind) for _, point, kind, *_ in mounts if real == point or real.startswith(point.rstrip("/") + "/")]
    return max(on, key=lambda mount: len(mount[0]))[1] if on else "unknown"


def yaml_read_in(tree: Path) -> str:
    """Whether the code of `tree` reads YAML files in C (archive/_fastload.c, which `make` compiles where it can;
    a tree exported with git archive has none) or, more slowly, in Python."""
    found = subprocess.run([sys.executable, "-c", "import archive.load as load; print('C' if getattr(load, '_fastload', None) else 'Python')"],
                           cwd=tree, capture_output=True, text=True).stdout.strip()
    return found or "unknown"


def versions(work: Path) -> dict:
    found = {"python": platform.python_version(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
             # Creating files and folders cost 60 times more on this machine's disk than in memory, and varied from run to run.
             "files written to": f"{work.parent} ({file_system(work)})"}
    reading = yaml_read_in(REPO)
    found["YAML files read in"] = reading + ("" if reading == "C" else " (archive/_fastload.c not compiled: run make first)")
    python = BENCH_VENV / "bin" / "python"
    if python.exists():
        found["mkdocs-material"] = subprocess.run([str(python), "-m", "pip", "show", "mkdocs-material"], capture_output=True, text=True).stdout.split("Version: ")[-1].split()[0]
    if shutil.which("hugo"):
        found["hugo"] = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    return found


TARGETS = 10000  # incidents: the size issue 14's targets are set at


def with_python_defaults() -> None:
    """Time Python programs as a machine with Python's defaults runs them: with their compiled modules cached
    in __pycache__. Where PYTHONDONTWRITEBYTECODE is set (some sandboxes and containers set it), our code, which
    is not installed, was compiled again by every build (0.1 s of each), while the installed packages (mkdocs-material's)
    kept the modules pip compiled for them."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def report(all_results: dict[tuple[int, str], dict], found: dict) -> str:
    lines = [f"# Benchmark results ({dt.date.today().isoformat()})", "",
             "Machine and versions: " + "; ".join(f"{k} {v}" for k, v in found.items()), "",
             "Peak memory of `ours: full build` (and of the one with the offline copy) is of the whole process tree: our process and its workers "
             "together (the sum of their PSS, sampled every 0.1 s; at least the largest process's peak RSS), "
             "in a build of its own that is not timed: the sampling takes CPU from the build. In the other rows it is "
             "the largest one process's peak RSS. Our full build of up to 10,000 incidents is timed "
             f"{REPEATS} times, from a clean start each time, and the median is shown; without the index, it is timed {TURNS} times in turns with Hugo and "
             "mkdocs-material (pruned navigation), whose medians are shown. Python caches the modules it compiles, "
             "as it does by default (PYTHONDONTWRITEBYTECODE is unset for every run).", ""]
    for (size, kind), results in all_results.items():
        lines += [f"## {size:,} incidents, `{kind}` archive", "", "| run | wall s | CPU s | peak memory MB | output MB | files | notes |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for name, r in results.items():
            if "missing" in r:
                lines.append(f"| {name} | | | | | | not run: {r['missing']} |")
            elif "kb" in r:
                kinds = ", ".join(f"{what} {kb:.0f} KB" for what, kb in r.get("by_kind", {}).items())
                lines.append(f"| {name} | | | | | | {r['kb']:.0f} KB in {r['requests']} requests, for \u201c{r['query']}\u201d{': ' + kinds if kinds else ''} |")
            elif "cpu" not in r:  # a latency, not a process
                spread = f"; median of {r['runs']} edits ({r['spread'][0]:.2f}–{r['spread'][1]:.2f} s)" if "spread" in r else ""
                lines.append(f"| {name} | {r['wall']:.2f} | | | | | {r['note']}{spread} |")
            else:
                notes = [f"search index {r['index']:.1f} s of it (beside the pages)"] if r.get("index") else []
                if "spread" in r:
                    notes.append(f"median of {r['runs']} runs ({r['spread'][0]:.2f}–{r['spread'][1]:.2f} s)")
                note = "; ".join(notes)
                lines.append(f"| {name} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss_mb']:.0f} | {r.get('mb', 0):.1f} | {r.get('files', '')} | {note} |")
        for ours_name in ("ours: full build", "ours: full build, no search index"):
            ours = results[ours_name]["wall"]
            ratios = [f"ours/{name}: {ours / r['wall']:.2f}" for name, r in results.items()
                      if not name.startswith("ours") and "cpu" in r]
            if ratios:
                lines += ["", f"Wall time ratios of `{ours_name}` (below 1: ours is faster): " + "; ".join(ratios)]
        lines += ["", *targets(size, results), ""]
    return "\n".join(lines)


def targets(size: int, results: dict[str, dict]) -> list[str]:
    """Issue 14's targets, met or not, with the figures they are judged on."""
    def wall(name: str) -> float | None:
        return results.get(name, {}).get("wall")

    rows = []

    def target(what: str, figure: float | None, limit: float, unit: str, at_most: bool = True) -> None:
        if figure is None:
            rows.append(f"| {what} | not measured | {'≤' if at_most else '≥'} {limit:g}{unit} | |")
            return
        met = figure <= limit if at_most else figure >= limit
        rows.append(f"| {what} | {figure:.2f}{unit} | {'≤' if at_most else '≥'} {limit:g}{unit} | {'met' if met else 'NOT met'} |")

    hugo, mkdocs, no_index = wall("Hugo"), wall("mkdocs-material (pruned nav)"), wall("ours: full build, no search index")
    if size == TARGETS:
        target("one edit, search index included: `build`", wall("ours: one edit"), 3, " s")
        target("one edit, search index included: `serve`", wall("ours: serve, one edit searchable"), 3, " s")
        target("full build without the index, ours/Hugo", no_index / hugo if no_index and hugo else None, 2, "x")
        target("full build without the index, mkdocs-material/ours", mkdocs / no_index if mkdocs and no_index else None, 5, "x", at_most=False)
        target("full build with the index", wall("ours: full build"), 20, " s")
        target("check with no cache", wall("ours: check, no cache"), 5, " s")
    if size == TARGETS or size >= 100000:  # the issue sets the first search's limit at any size
        transfer = results.get("first search transfer", {}).get("kb")
        target("first search transfer", transfer, 350, " KB")
    if size >= 100000:
        for row, what in (("ours: full build", "index included"), ("ours: full build, offline copy too", "offline copy and its index too")):
            full = results.get(row, {})
            target(f"peak memory of the whole build, {what}", full["rss_mb"] / 1024 if "rss_mb" in full else None, 4, " GB")
            target(f"full build, {what}", full["wall"] / 60 if "wall" in full else None, 3, " min")
    if not rows:
        return []
    return ["Targets of issue 14:", "", "| target | measured | limit | |", "| --- | ---: | ---: | --- |", *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--kinds", nargs="+", default=["uniform", "varied"], help="kinds of generated archive (bench/generate.py)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results.md")
    parser.add_argument("--quick", action="store_true", help="ours only, no baselines (the tests' smoke run)")
    parser.add_argument("--keep", action="store_true", help="keep the generated archives and outputs")
    args = parser.parse_args()
    with_python_defaults()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        all_results = {(size, kind): run_size(size, kind, work, unpruned_too=size == min(args.sizes) and size <= UNPRUNED_UP_TO,
                                               baselines=not args.quick)
                       for size in args.sizes for kind in args.kinds}
        text = report(all_results, versions(work))
        args.out.write_text(text, encoding="utf-8")
        print(text)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
