"""bench/: the generator makes archives that pass check, and the benchmark's smoke run works."""

import subprocess
import sys

from archive.pipeline import Project, check
from conftest import REPO, TODAY


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


def test_benchmark_smoke_run(tmp_path):
    out = tmp_path / "results.md"
    result = subprocess.run([sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "20", "--quick", "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    text = out.read_text()
    assert "## 20 incidents" in text
    for run in ("ours: full build", "ours: no change", "ours: one edit", "ours: serve, one edit shown"):
        assert f"| {run} |" in text
