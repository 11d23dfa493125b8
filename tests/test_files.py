"""files.py: only regular files inside the repository are read; links out, FIFOs and odd names are
located problems, and never opened, so nothing of theirs is printed or published."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from archive.files import Repository, UnsafeFile
from archive.pipeline import APP_DIR, Project, build, check
from archive.problems import BuildError
from conftest import TODAY, VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"
SECRET = "root:x:0:0:SECRET-CONTENTS-NEVER-SHOWN\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the archive's folder, standing for /etc/passwd."""
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_text(SECRET)
    return path


@pytest.fixture
def own_copy(tiny):
    """The archive with its own templates/, static/ and data/, so tests can plant entries there."""
    for folder in ("templates", "static", "data"):
        shutil.copytree(APP_DIR / folder, tiny.root / folder)
    tiny.project = Project(root=tiny.root, templates_dir=tiny.root / "templates", static_dir=tiny.root / "static",
                           data_dir=tiny.root / "data")
    tiny.write(NAME)
    return tiny


def everything_written(root: Path) -> str:
    """Every byte the build wrote, zip members included, as text."""
    texts = []
    for folder in ("site", "site-offline"):
        for path in (root / folder).rglob("*"):
            if path.is_file():
                raw = path.read_bytes()
                if path.suffix == ".zip":
                    with zipfile.ZipFile(path) as archive:
                        raw = b"".join(archive.read(name) for name in archive.namelist())
                texts.append(raw.decode("utf-8", "replace"))
    return "\n".join(texts)


def run_cli(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(APP_DIR / "build.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("place", ["content/leak.md", "incidents/2025/2025-06-07-leak.yaml", "static/leak.css",
                                   "templates/leak.html", "data/people.yaml", "site.yaml"])
def test_a_link_out_of_the_repository_is_refused_and_never_shown(own_copy, secret, place):
    link = own_copy.root / place
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.exists():
        link.unlink()
    link.symlink_to(secret)
    archive, problems = check(own_copy.project, today=TODAY)
    assert archive is None
    assert any(p.path == place and p.is_error and "is a symbolic link to" in p.message and "outside the repository" in p.message
               for p in problems), problems
    assert all("SECRET" not in str(problem) for problem in problems)
    with pytest.raises(BuildError):
        build(own_copy.project, today=TODAY, with_search=False)
    if place.startswith(("content/", "incidents/", "site.yaml")):  # the command line reads templates, static and data of its own
        for command in (["check"], ["check", "--format", "github"], ["build"]):
            result = run_cli(own_copy.root, *command)
            assert result.returncode == 1 and "SECRET-CONTENTS" not in result.stdout + result.stderr
            assert "Traceback" not in result.stderr
    assert not (own_copy.root / "site").exists()


@pytest.mark.parametrize("target", ["../.git/config", "../.env"])
def test_a_link_into_a_hidden_folder_of_the_repository_is_refused(own_copy, target):
    (own_copy.root / ".git").mkdir()
    (own_copy.root / ".git" / "config").write_text(SECRET)
    (own_copy.root / ".env").write_text(SECRET)
    (own_copy.root / "content" / "leak.md").symlink_to(target)
    _, problems = check(own_copy.project, today=TODAY)
    assert [p.path for p in problems if p.is_error] == ["content/leak.md"]


def test_a_linked_folder_leading_out_is_refused(own_copy, secret):
    (own_copy.root / "static" / "linked").symlink_to(secret.parent, target_is_directory=True)
    (own_copy.root / "incidents" / "2024").symlink_to(secret.parent, target_is_directory=True)
    _, problems = check(own_copy.project, today=TODAY)
    assert sorted(p.path for p in problems if p.is_error) == ["incidents/2024", "static/linked"]


def test_a_folder_replaced_by_a_link_between_two_checks_is_refused(own_copy, secret):
    """serve checks again and again with one project: folders are resolved once per check, not once for good."""
    assert check(own_copy.project, today=TODAY)[0] is not None
    folder = own_copy.root / "incidents" / "2025"
    outside = secret.parent / "2025"
    shutil.move(folder, outside)
    folder.symlink_to(outside, target_is_directory=True)
    archive, problems = check(own_copy.project, today=TODAY)
    assert archive is None
    assert [p.path for p in problems if p.is_error] == ["incidents/2025"]


def test_folders_are_resolved_once_within_a_check_and_again_in_the_next(tmp_path, secret):
    folder = tmp_path / "archive" / "incidents"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text("title: inside\n")
    (tmp_path / "archive" / "linked").symlink_to(secret.parent, target_is_directory=True)
    repository = Repository((tmp_path / "archive",))
    with repository.folders_resolved_once():
        assert repository.read_bytes(folder / "a.yaml") == b"title: inside\n"
        for _ in range(2):  # the second time, the folder's real path is the one found the first time
            with pytest.raises(UnsafeFile, match="outside the repository"):
                repository.read_bytes(tmp_path / "archive" / "linked" / "passwd")
    shutil.move(folder, secret.parent / "incidents")  # the folder becomes a link out, as a later edit could make it
    folder.symlink_to(secret.parent / "incidents", target_is_directory=True)
    with repository.folders_resolved_once(), pytest.raises(UnsafeFile, match="outside the repository"):
        repository.read_bytes(folder / "a.yaml")


def test_links_inside_the_repository_still_work(own_copy):
    shared = own_copy.root / "shared-notes.md"
    shared.write_text("# Notes\n\nShared text of the notes page.\n")
    (own_copy.root / "content" / "notes.md").symlink_to(shared)
    build(own_copy.project, today=TODAY, with_search=False)
    assert "Shared text of the notes page." in (own_copy.root / "site" / "notes" / "index.html").read_text()


@pytest.mark.parametrize("place", ["incidents/2025/2025-06-07-pipe.yaml", "content/pipe.md", "content/about.md", "site.yaml"])
def test_a_fifo_is_reported_and_never_opened(own_copy, place):
    fifo = own_copy.root / place
    if fifo.exists():
        fifo.unlink()
    os.mkfifo(fifo)
    for command in ("check", "build"):
        result = run_cli(own_copy.root, command, timeout=60)  # opening the FIFO would block for ever
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{place}:1:1: error: is a FIFO (named pipe), not a file" in result.stdout
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("place", ["incidents/2025/2025-06-07-gone.yaml", "content/gone.md", "static/gone.js"])
def test_a_dangling_link_is_reported(own_copy, place):
    (own_copy.root / place).symlink_to(own_copy.root / "nowhere")
    _, problems = check(own_copy.project, today=TODAY)
    assert any(p.path == place and "which does not exist" in p.message for p in problems), problems


def test_a_file_name_that_is_not_utf8_is_located_not_a_crash(own_copy):
    folder = os.fsencode(own_copy.root / "incidents" / "2025")
    with open(os.path.join(folder, b"2025-06-07-bad\xff.yaml"), "wb") as handle:
        handle.write(VALID_INCIDENT.encode())
    for command in ("check", "build"):
        result = run_cli(own_copy.root, command)
        assert result.returncode == 1
        assert "incidents/2025/2025-06-07-bad\\xff.yaml:1:1: error: file name is not valid UTF-8" in result.stdout
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("suffix", [".YAML", ".Yaml", ".yml", ".YML"])
def test_wrong_case_extensions_are_errors(own_copy, suffix):
    own_copy.write("2025-06-07-other").rename(own_copy.root / "incidents" / "2025" / f"2025-06-07-other{suffix}")
    _, problems = check(own_copy.project, today=TODAY)
    assert [p.message for p in problems if p.is_error] == [f"incident files end in `.yaml` (lower case), not `{suffix}`; rename it"]


@pytest.mark.parametrize("make", [
    lambda folder: (folder / "2025-06-07-folder.yaml").mkdir(),
    lambda folder: (folder / "2025-06-07-dangling.yaml").symlink_to(folder / "nowhere"),
    lambda folder: os.mkfifo(folder / "2025-06-07-pipe.yaml"),
    lambda folder: (folder / "2025-06-07-upper.YAML").write_text(VALID_INCIDENT.replace("2025-06-06", "2025-06-07")),
    lambda folder: (folder / "2025-06-07-out.yaml").symlink_to("/etc/hostname"),
])
def test_the_up_to_date_shortcut_never_hides_an_error(own_copy, make):
    """After a good build, any entry check would refuse makes the next build check, and fail, like check."""
    build(own_copy.project, today=TODAY, with_search=False)
    make(own_copy.root / "incidents" / "2025")
    result = run_cli(own_copy.root, "build", "--no-search")
    assert result.returncode == 1 and "up to date" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert run_cli(own_copy.root, "check").returncode == 1


@pytest.mark.parametrize("place", ["static/pipe.css", "templates/pipe.html", "data/pipe.yaml"])
def test_a_fifo_among_the_programs_own_files_is_reported(own_copy, place):
    os.mkfifo(own_copy.root / place)
    _, problems = check(own_copy.project, today=TODAY)
    assert [str(p) for p in problems if p.is_error] == [f"{place}:1:1: error: is a FIFO (named pipe), not a file; remove it or move it out of the way"]


def test_static_and_offline_copies_hold_only_regular_files(own_copy, secret):
    build(own_copy.project, today=TODAY, offline=True, with_search=False)
    (own_copy.root / "static" / "leak.txt").symlink_to(secret)
    with pytest.raises(BuildError):
        build(own_copy.project, today=TODAY, offline=True, with_search=False)
    (own_copy.root / "static" / "leak.txt").unlink()
    build(own_copy.project, today=TODAY, offline=True, with_search=False)
    assert "SECRET-CONTENTS" not in everything_written(own_copy.root)


def test_the_gate_reads_nothing_it_refuses(tmp_path, secret):
    repository = Repository((tmp_path / "archive",))
    (tmp_path / "archive").mkdir()
    link = tmp_path / "archive" / "x.yaml"
    link.symlink_to(secret)
    with pytest.raises(UnsafeFile) as refused:
        repository.read_bytes(link)
    assert "SECRET" not in str(refused.value)
    fifo = tmp_path / "archive" / "pipe"
    os.mkfifo(fifo)

    def read_fifo() -> None:
        with pytest.raises(UnsafeFile):
            repository.read_bytes(fifo)

    reader = threading.Thread(target=read_fifo)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive()


ENTRY_KINDS = ["regular", "link out", "link in", "link to hidden", "dangling link", "fifo", "folder", "bad name", "upper case"]
ENTRY_PLACES = ["incidents/2025", "incidents", "content", "static", "templates", "data"]


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ENTRY_KINDS), st.sampled_from(ENTRY_PLACES)), min_size=1, max_size=4))
def test_fuzz_any_entries_are_refused_or_read_never_hang_and_check_agrees_with_build(tmp_path_factory, entries):
    from conftest import TinyArchive

    tiny = TinyArchive(tmp_path_factory.mktemp("entries") / "archive")
    outside = tiny.root.parent / "passwd"
    outside.write_text(SECRET)
    for folder in ("templates", "static", "data"):
        shutil.copytree(APP_DIR / folder, tiny.root / folder)
    tiny.project = Project(root=tiny.root, templates_dir=tiny.root / "templates", static_dir=tiny.root / "static", data_dir=tiny.root / "data")
    tiny.write(NAME)
    (tiny.root / ".hidden").write_text(SECRET)
    for number, (kind, place) in enumerate(entries):
        folder = tiny.root / place
        name = f"2025-06-{10 + number:02d}-entry{number}.yaml"
        path = folder / name
        if kind == "regular":
            path.write_text(VALID_INCIDENT.replace("2025-06-06", name[:10]))
        elif kind == "link out":
            path.symlink_to(outside)
        elif kind == "link in":
            path.symlink_to(tiny.root / "incidents" / "2025" / f"{NAME}.yaml")
        elif kind == "link to hidden":
            path.symlink_to(tiny.root / ".hidden")
        elif kind == "dangling link":
            path.symlink_to(folder / "nowhere")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "bad name":
            with open(os.fsencode(folder) + b"/x\xfe" + str(number).encode() + b".yaml", "wb") as handle:
                handle.write(b"title: x\n")
        else:
            path.with_suffix(".YAML").write_text(VALID_INCIDENT)
    _, problems = check(tiny.project, today=TODAY)
    assert all("SECRET" not in str(problem) for problem in problems)
    errors = [str(problem) for problem in problems if problem.is_error]
    try:
        build(tiny.project, today=TODAY, with_search=False)
    except BuildError as failure:
        assert [str(p) for p in failure.problems if p.is_error] == errors and errors
        return
    assert errors == []
    assert "SECRET" not in everything_written(tiny.root)


def test_an_edit_to_the_file_a_link_leads_to_is_built(own_copy):
    """A link inside the repository counts by the bytes it leads to: editing them is no 'up to date'."""
    shared = own_copy.root / "shared-notes.md"
    shared.write_text("# Notes\n\nFirst text.\n")
    (own_copy.root / "content" / "notes.md").symlink_to(shared)
    build(own_copy.project, today=TODAY, with_search=False)
    shared.write_text("# Notes\n\nSecond text.\n")
    assert not build(own_copy.project, today=TODAY, with_search=False).up_to_date
    assert "Second text." in (own_copy.root / "site" / "notes" / "index.html").read_text()
