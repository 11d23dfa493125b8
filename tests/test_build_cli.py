"""build.py, the command line: exit codes and the `path:line:col: message` output people read."""

import subprocess
import sys

from conftest import REPO, VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"


def run(*args):
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], capture_output=True, text=True, timeout=120)


def test_check_prints_every_problem_and_exits_1(tiny):
    tiny.write(NAME, VALID_INCIDENT.replace("measure: killed", "measure: kiled").replace("title: Drone strike on Kyiv", "title: yes"))
    result = run("--root", str(tiny.root), "check")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"incidents/2025/{NAME}.yaml:1:8: error: unquoted `yes`")
    assert lines[1] == f"incidents/2025/{NAME}.yaml:15:14: error: unknown measure `kiled`; did you mean `killed`?; measures are listed in data/measures.yaml"
    assert "2 error(s), 0 warning(s)" in result.stderr


def test_check_exits_0_on_a_clean_archive(tiny):
    tiny.write(NAME)
    result = run("--root", str(tiny.root), "check")
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
    assert "OK: 1 incidents" in result.stderr


def test_build_prints_a_one_line_summary(tiny):
    tiny.write(NAME)
    result = run("--root", str(tiny.root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Built 1 incidents, 2 regions, 18 pages in ")
    assert (tiny.root / "site" / "index.html").is_file()


def test_build_with_errors_fails_and_writes_nothing(tiny):
    tiny.write(NAME, VALID_INCIDENT.replace("regions: [UA-30, UA-32]", "regions: [UA-30, UA-32, UA-99]"))
    result = run("--root", str(tiny.root), "build")
    assert result.returncode == 1
    assert "UA-99" in result.stdout
    assert "site/ was left as it was" in result.stderr
    assert not (tiny.root / "site").exists()


def test_the_shipped_archive_passes_check():
    result = run("check")
    assert result.returncode == 0, result.stdout
    assert "error" not in result.stdout


def test_check_with_snapshots_reports_a_quote_not_in_its_source(tiny, tmp_path):
    tiny.write(NAME)
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    (snapshots / "mt.txt").write_text(
        "At least four people were killed and 20 wounded in the capital.\n"
        "\u201cThey worked under fire to save people,\u201d he wrote.\n", encoding="utf-8")
    result = run("--root", str(tiny.root), "check", "--snapshots", str(snapshots))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"incidents/2025/{NAME}.yaml:25:11: error: `quotes[0].text` is not word for word in snapshot mt.txt; "
        "closest passage: \"\"They worked under fire to save people,\" he wrote.\""]


def test_shipped_archive_matches_the_shared_source_texts(tmp_path):
    sources = REPO.parent / "shared" / "sources"
    if not sources.is_dir():
        import pytest
        pytest.skip("../shared/sources is not present")
    snapshots = tmp_path / "snapshots"
    snapshots.mkdir()
    (snapshots / "mt.txt").write_bytes((sources / "moscow-times-afp-2025-06-06.txt").read_bytes())
    (snapshots / "aj.txt").write_bytes((sources / "al-jazeera-2025-06-06.txt").read_bytes())
    result = run("check", "--snapshots", str(snapshots))
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""


def test_check_format_github_prints_workflow_annotations(tiny):
    tiny.write(NAME, VALID_INCIDENT.replace("measure: killed", "measure: kiled"))
    result = run("--root", str(tiny.root), "check", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"::error file=incidents/2025/{NAME}.yaml,line=15,col=14::unknown measure `kiled`; did you mean `killed`?; measures are listed in data/measures.yaml"]


def test_new_writes_a_skeleton_that_passes_check(tiny):
    result = run("--root", str(tiny.root), "new", "--date", "2025-06-07", "--region", "UA-30", "--region", "UA-32", "Drone strike: Kyiv & region")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "incidents/2025/2025-06-07-drone-strike-kyiv-region.yaml"
    text = (tiny.root / result.stdout.strip()).read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schema/incident.schema.json\n")
    checked = run("--root", str(tiny.root), "check")
    assert checked.returncode == 0, checked.stdout
    assert "still has a TODO placeholder" in checked.stdout  # warnings until the curator fills it in
    again = run("--root", str(tiny.root), "new", "--date", "2025-06-07", "--region", "UA-30", "Drone strike: Kyiv & region")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_new_place_lutsk_writes_lutsks_coordinates_and_says_why(tiny):
    result = run("--root", str(tiny.root), "new", "--date", "2025-06-07", "--place", "Lutsk", "Strike on Lutsk")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "incidents/2025/2025-06-07-strike-on-lutsk.yaml"  # stdout stays the path; the choice is on stderr
    assert "--place Lutsk: Lutsk, Volyn Oblast (UA-07) at 50.75784, 25.35024: the only place of that name" in result.stderr
    text = (tiny.root / result.stdout.strip()).read_text()
    assert "regions: [UA-07]\nplaces:\n  - {name: Lutsk, region: UA-07, lat: 50.75784, lon: 25.35024, precision: settlement, located_by: GeoNames 702569}\n" in text
    assert run("--root", str(tiny.root), "check").returncode == 0
    unknown = run("--root", str(tiny.root), "new", "--date", "2025-06-07", "--place", "Lutzk", "Other")
    assert unknown.returncode == 2 and "did you mean Lutsk (UA-07)?" in unknown.stderr


def test_new_refuses_bad_dates_and_regions(tiny):
    result = run("--root", str(tiny.root), "new", "--date", "2025-02-30", "--region", "UA-30", "Title")
    assert result.returncode == 2 and "is not a date" in result.stderr
    result = run("--root", str(tiny.root), "new", "--date", "2025-06-07", "--region", "Kyiv", "Title")
    assert result.returncode == 2 and "not ISO 3166-2 region codes: Kyiv" in result.stderr


def test_diff_command_prints_markdown(tmp_path):
    import shutil
    import subprocess as sp

    root = tmp_path / "repo"
    shutil.copytree(REPO / "incidents", root / "incidents")
    for args in (["init", "-q", "-b", "main"], ["-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-q", "--allow-empty", "-m", "empty"]):
        sp.run(["git", "-C", str(root), *args], check=True)
    sp.run(["git", "-C", str(root), "add", "-A"], check=True)
    sp.run(["git", "-C", str(root), "-c", "user.email=t@example.org", "-c", "user.name=T", "commit", "-q", "-m", "seed"], check=True)
    result = run("--root", str(root), "diff", "HEAD~1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## Content changes HEAD\\~1..HEAD")  # revisions are escaped like content
    assert "- **Added** 2025\\-06\\-06\\-ukrainian\\-drone\\-strikes\\-on\\-tula\\-region\\-and\\-moscow:" in result.stdout
    assert run("--root", str(root), "diff", "nope").returncode == 2


def test_a_write_failure_is_one_line_and_leaves_the_site_as_it_was(tiny):
    """A full disk, simulated with a file size limit: the build fails with one line, site/ untouched."""
    import resource
    import signal

    tiny.write(NAME)
    assert run("--root", str(tiny.root), "build", "--no-search").returncode == 0
    home = (tiny.root / "site" / "index.html").read_bytes()
    (tiny.root / "content" / "about.md").write_text("# About\n\n" + ("Changed text. " * 100 + "\n\n") * 20)

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))

    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(tiny.root), "build", "--no-search"],
                            capture_output=True, text=True, timeout=120, preexec_fn=small_disk)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: cannot read or write"), result.stderr
    assert "File too large" in result.stderr
    assert (tiny.root / "site" / "index.html").read_bytes() == home
