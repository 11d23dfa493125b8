"""bench/: the generator makes archives that pass check, and the benchmark's smoke run works."""

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from archive.pipeline import Project, check
from conftest import REPO, TODAY, bench_module


def test_generated_archives_pass_check_and_are_deterministic(tmp_path):
    for name in ("one", "two"):
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--incidents", "40", "--out", str(tmp_path / name)],
                       check=True, capture_output=True)
    archive, problems = check(Project(root=tmp_path / "one"), today=TODAY)
    assert archive is not None, "\n".join(map(str, problems[:10]))
    assert problems == [] and len(archive.incidents) == 40
    assert len({region.code for incident in archive.incidents for region in incident.regions}) > 10
    first = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one" / "incidents").rglob("*.yaml")}
    second = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two" / "incidents").rglob("*.yaml")}
    assert first == second


@pytest.mark.slow
def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "results.md"
    result = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "20", "--quick", "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    text = out.read_text()
    assert "## 20 incidents" in text
    assert "files written to " in text  # and on which file system: on this machine's disk, making files costs 60 times more
    for run in ("ours: full build", "ours: no change", "ours: one edit", "ours: serve, one edit shown", "ours: serve, one edit searchable",
                "ours: full build, offline copy too"):
        assert f"| {run} |" in text
    assert not [line for line in text.splitlines() if line.startswith("| ours: serve") and "not run" in line]  # its build indexed the edit
    # Runs of a few seconds are repeated, and the median is reported with the spread: one run can be a third off.
    for run in ("ours: full build", "ours: no change", "ours: one edit", "ours: one edit, no search index", "ours: check, no cache"):
        rows = [line for line in text.splitlines() if line.startswith(f"| {run} |")]
        assert rows and all("median of 3 runs (" in row for row in rows)


def test_the_phases_of_a_build_after_an_edit_are_shown_in_order_with_the_steps_inside_them(tmp_path):
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--incidents", "30", "--out", str(tmp_path / "archive")],
                   check=True, capture_output=True)
    for run in ("first", "second"):  # an archive edited before is edited again: a build of its own, never "up to date"
        result = subprocess.run([sys.executable, str(REPO / "bench" / "build_phases.py"), "--archive", str(tmp_path / "archive"), "--edit",
                                 "--no-search"], capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)})
        assert result.returncode == 0, result.stdout + result.stderr
        rows = [line.split("|")[1:-1] for line in result.stdout.splitlines() if line.startswith("| ") and not line.startswith(("| step", "| ---"))]
        steps = [name.rstrip() for name, *_ in rows]
        assert steps.index(" read_build_inputs") < steps.index(" check") < steps.index(" write_site") < steps.index("   site_pages") < steps.index(" swap_in"), run
        starts = [float(start) for _, start, *_ in rows]
        assert starts == sorted(starts) and all(float(end) >= float(start) for _, start, end, *_ in rows)
        assert "## one edit of archive, without the search index" in result.stdout
        assert "Built 30 incidents" in result.stdout, run  # the edit's build


@pytest.mark.slow
def test_smaller_shards_make_a_heavier_first_search(tmp_path):
    # bench/shard_sizes.py weighs the shards' size: an edit indexes one shard again, and a first search
    # loads a part of every shard. Each limit is set in its builds' own processes and reported apart.
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("the first search is measured in Debian's chromium (apt-get install chromium)")
    out = tmp_path / "shards.md"
    result = subprocess.run([sys.executable, str(REPO / "bench" / "shard_sizes.py"), "--incidents", "40", "--kinds", "uniform",
                             "--records", "1000", "8", "--repeats", "1", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {int(line.split("|")[1].replace(",", "")): line.split("|")[2:] for line in out.read_text().splitlines()
            if line.startswith("| ") and line.split("|")[1].strip().replace(",", "").isdigit()}
    assert sorted(rows) == [8, 1000]
    shards = {limit: int(cells[0].split()[0]) for limit, cells in rows.items()}
    transfer_kb = {limit: float(cells[1].split(" KB")[0]) for limit, cells in rows.items()}
    assert shards[8] > shards[1000]
    assert transfer_kb[8] > transfer_kb[1000]


def test_the_realistic_archive_passes_check_and_is_shaped_like_real_data(tmp_path):
    from collections import Counter

    for name in ("one", "two"):
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--incidents", "400", "--kind", "realistic",
                        "--out", str(tmp_path / name)], check=True, capture_output=True)
    archive, problems = check(Project(root=tmp_path / "one"), today=TODAY)
    assert archive is not None and problems == [], "\n".join(map(str, problems[:10]))
    incidents = archive.incidents
    _busiest, count = Counter(region.code for i in incidents for region in i.regions).most_common(1)[0]
    assert count >= len(incidents) // 5  # one region holds about a quarter
    assert sum(len(i.figures) <= 2 for i in incidents) >= len(incidents) * 0.7  # most have 0-2 figures
    assert any(len(i.sources) > 1 and len({s.publisher for s in i.sources}) == 1 for i in incidents)  # one publisher, several sources
    assert any(f.claimant is None for i in incidents for f in i.figures)  # claimants outside the registry
    assert {i.title[-1] == "." for i in incidents} == {True, False}  # titles with and without end punctuation
    assert max(len(i.title) for i in incidents) > 100
    assert max(i.date for i in incidents).year - min(i.date for i in incidents).year >= 3  # four years of dates
    first = {p.name: p.read_bytes() for p in (tmp_path / "one" / "incidents").rglob("*.yaml")}
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "two" / "incidents").rglob("*.yaml")}


def test_the_varied_archive_passes_check_and_differs_from_the_others_where_it_should(tmp_path):
    from statistics import mean

    from archive.markup import _is_plain
    from archive.reference import load_reference

    for name in ("one", "two"):
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--incidents", "400", "--kind", "varied",
                        "--out", str(tmp_path / name)], check=True, capture_output=True)
    archive, problems = check(Project(root=tmp_path / "one"), today=TODAY)
    assert archive is not None and problems == [], "\n".join(map(str, problems[:10]))
    incidents = archive.incidents
    registry = {person.name for person in load_reference().people.values()}
    names = [f.claimed_by for i in incidents for f in i.figures] + [q.speaker for i in incidents for q in i.quotes]
    assert sum(name not in registry for name in names) >= len(names) * 0.8  # most claimants and speakers outside the registry
    assert len(set(names) - registry) >= 300  # ... and many distinct ones
    assert len({s.publisher for i in incidents for s in i.sources}) >= 200  # many publishers
    sizes = [len(i.summary.encode()) for i in incidents]
    assert 800 <= mean(sizes) <= 1300 and min(sizes) < 400 and max(sizes) > 3000  # about 1 KB, and varying
    assert sum(not _is_plain(i.summary) for i in incidents) > len(incidents) / 2  # Markdown: emphasis, links, lists
    assert all("synthetic" in i.title.lower() for i in incidents)  # plainly made up
    first = {p.name: p.read_bytes() for p in (tmp_path / "one" / "incidents").rglob("*.yaml")}
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "two" / "incidents").rglob("*.yaml")}


@pytest.fixture
def bench_run() -> ModuleType:
    return bench_module("run")


def test_a_failed_run_says_why_though_its_log_is_deleted(tmp_path, bench_run):
    """The benchmark deletes its work folder, logs included, when it stops: the error carries the log's end."""
    failing = [sys.executable, "-c", "import sys; print('Pagefind stopped before replying', file=sys.stderr); sys.exit(1)"]
    with pytest.raises(RuntimeError, match=r"exit status 1[\s\S]*Pagefind stopped before replying"):
        bench_run.measure(failing, log=tmp_path / "build.log")


def test_every_edit_changes_the_same_incident_of_a_full_shard(tmp_path, bench_run):
    """The edited incident is the middle one in date order, whatever order the folders list their files in:
    the first one listed could sit in the newest, smallest shard, and make an edit look cheap."""
    for year in ("2022", "2023", "2024"):
        (tmp_path / "incidents" / year).mkdir(parents=True)
        for day in ("01", "15"):
            (tmp_path / "incidents" / year / f"{year}-03-{day}-synthetic.yaml").write_text("{}\n")
    assert bench_run.incident_to_edit(tmp_path) == tmp_path / "incidents" / "2023" / "2023-03-15-synthetic.yaml"


def test_timed_runs_take_no_memory_samples_and_a_memory_run_adds_up_the_whole_tree(bench_run):
    """Sampling the PSS of a build's processes takes CPU from the build (2.6 s in an 18 s build), so a timed
    run reports the largest process's peak alone; a memory run adds up the processes that run together."""
    two_children = [sys.executable, "-c", (
        "import subprocess, sys\n"
        "child = 'x = bytearray(150 * 2**20); import time; time.sleep(1.5)'\n"
        "for process in [subprocess.Popen([sys.executable, '-c', child]) for _ in range(2)]: process.wait()")]
    timed = bench_run.measure(two_children)
    whole_tree = bench_run.measure(two_children, whole_tree_memory=True)
    assert 150 <= timed["rss_mb"] < 250
    assert whole_tree["rss_mb"] >= 300


def test_at_100000_incidents_the_build_with_the_offline_copy_is_judged_by_the_same_limits(bench_run):
    """Issue 14: 'the offline index within the same limits' as the build's, 4 GB and 3 minutes."""
    results = {"ours: full build": {"wall": 150.0, "rss_mb": 3900.0}, "first search transfer": {"kb": 300.0},
               "ours: full build, offline copy too": {"wall": 200.0, "rss_mb": 4200.0}}
    rows = bench_run.targets(100000, results)
    assert "| full build, index included | 2.50 min | ≤ 3 min | met |" in rows
    assert "| full build, offline copy and its index too | 3.33 min | ≤ 3 min | NOT met |" in rows
    assert "| peak memory of the whole build, offline copy and its index too | 4.10 GB | ≤ 4 GB | NOT met |" in rows
    del results["ours: full build, offline copy too"]
    assert "| full build, offline copy and its index too | not measured | ≤ 3 min | |" in bench_run.targets(100000, results)


def test_the_first_search_row_says_what_it_loaded_by_kind(bench_run):
    """bench/results.md says where a first search's kilobytes go, so that what makes it heavy is in the figures."""
    search_transfer = bench_module("search_transfer")
    kinds = [search_transfer.kind_of(f"http://127.0.0.1:8000/{path}") for path in (
        "search-index/shards/2024-01-1a2b3c4d5e/words/3.js", "search-index/shards/2024-01-1a2b3c4d5e/docs/12.js",
        "search-index/filters/0123456789ab.js", "search-index/index.js?1733380000000", "static/search.js", "search/?q=strike")]
    assert kinds == ["words", "documents", "filters", "index.js", "scripts", "page and styles"]
    process = {"wall": 5.0, "cpu": 6.0, "rss_mb": 400.0}
    results = {"ours: full build": process, "ours: full build, no search index": process,
               "first search transfer": {"kb": 288.2, "requests": 50, "query": "strike", "by_kind": {"words": 126.1, "documents": 43.1}}}
    text = bench_run.report({(10000, "varied"): results}, {"python": "3.11"})
    assert "| first search transfer | | | | | | 288 KB in 50 requests, for \u201cstrike\u201d: words 126 KB, documents 43 KB |" in text
