"""git.py: git's answers about real temporary repositories, with paths from the archive's folder, and clear errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archive import git
from archive.diff import content_diff
from archive.git import GitError, GitMissing, commit_of, files_at, head_commit, in_a_checkout, last_commit_dates, read_files_at, run_git, tracked_files
from archive.incremental import cache_usable
from archive.pipeline import build
from conftest import TODAY

NAME = "2025-06-06-drone-strike-on-kyiv"


def commit(repository: Path, message: str, date: str) -> None:
    """Commit everything in `repository` as if on `date` (YYYY-MM-DD)."""
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{date}T12:00:00Z", "GIT_COMMITTER_DATE": f"{date}T12:00:00Z"}
    for args in (["add", "-A"], ["-c", "user.email=t@example.org", "-c", "user.name=T", "-c", "commit.gpgsign=false",
                                 "commit", "-q", "-m", message]):
        subprocess.run(["git", "-C", str(repository), *args], check=True, env=env, capture_output=True)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose archive is a folder inside it (as with `--root`): two files, changed on two dates."""
    top = tmp_path / "repository"
    subprocess.run(["git", "init", "-q", str(top)], check=True)
    archive = top / "archive"
    write(archive / "incidents/2025/a.yaml", "title: A\n")
    write(archive / "incidents/2025/b.yaml", "title: B\n")
    write(top / "incidents/2025/elsewhere.yaml", "title: not the archive's\n")
    commit(top, "first", "2025-06-01")
    write(archive / "incidents/2025/b.yaml", "title: B, corrected\n")
    commit(top, "second", "2025-06-08")
    return archive


@pytest.fixture
def no_git(tmp_path, monkeypatch):
    """git is not installed: nothing named git on PATH."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


# --- answers, with paths from the archive's folder -----------------------------------------

def test_last_commit_dates_give_each_files_latest_commit_by_its_path_from_the_archive(repository):
    assert last_commit_dates(repository) == {"incidents/2025/a.yaml": "2025-06-01", "incidents/2025/b.yaml": "2025-06-08"}
    assert last_commit_dates(repository.parent) == {"incidents/2025/elsewhere.yaml": "2025-06-01"}  # only under incidents/


def test_last_commit_dates_are_read_from_the_log_once_for_each_commit_checked_out(repository, monkeypatch):
    """serve checks the archive at every edit: the log of the whole history is read again only after a commit."""
    logs: list[tuple[str, ...]] = []
    real_run_git = git.run_git

    def counting(root, *args, **options):
        if args[0] == "log":
            logs.append(args)
        return real_run_git(root, *args, **options)

    monkeypatch.setattr(git, "run_git", counting)
    first = last_commit_dates(repository)
    assert last_commit_dates(repository) == first and len(logs) == 1
    write(repository / "incidents/2025/a.yaml", "title: A, corrected\n")
    assert last_commit_dates(repository) == first and len(logs) == 1  # an edit not committed changes no date
    commit(repository.parent, "third", "2025-06-15")
    assert last_commit_dates(repository) == {"incidents/2025/a.yaml": "2025-06-15", "incidents/2025/b.yaml": "2025-06-08"}
    assert len(logs) == 2


def test_files_at_a_revision_are_read_from_the_archives_folder_not_the_top_of_the_repository(repository):
    first = commit_of(repository, "HEAD~1")
    assert files_at(repository, first, "incidents") == ["incidents/2025/a.yaml", "incidents/2025/b.yaml"]
    assert read_files_at(repository, first, ["incidents/2025/b.yaml", "incidents/2025/a.yaml"]) == [b"title: B\n", b"title: A\n"]
    assert read_files_at(repository, commit_of(repository, "HEAD"), ["incidents/2025/b.yaml"]) == [b"title: B, corrected\n"]
    assert read_files_at(repository, first, []) == []


def test_diff_reads_an_archive_kept_in_a_folder_of_a_larger_repository(repository):
    write(repository / "incidents/2025/c.yaml", "title: C\n")
    commit(repository.parent, "third", "2025-06-09")
    report, changed = content_diff(repository, "HEAD~1", "HEAD")
    assert changed and "**Added** c: C" in report


def test_head_commit_and_tracked_files(repository):
    assert head_commit(repository) == run_git(repository, "rev-parse", "HEAD").decode().strip() != ""
    assert tracked_files(repository, "incidents/2025") == ["incidents/2025/a.yaml", "incidents/2025/b.yaml"]
    assert tracked_files(repository, ".cache") == []
    assert in_a_checkout(repository)


# --- no repository, no git: clear answers, never a traceback -----------------------------

def test_a_folder_outside_any_repository(tmp_path):
    outside = tmp_path / "outside"
    write(outside / "incidents/2025/a.yaml", "title: A\n")
    assert not in_a_checkout(outside)
    assert last_commit_dates(outside) == {}  # pages show no "last changed" date
    assert head_commit(outside) == ""
    with pytest.raises(GitError, match="not a git repository"):  # git's own words
        tracked_files(outside, ".cache")
    with pytest.raises(GitError, match="`HEAD~1` is not a commit of the repository at "):
        content_diff(outside, "HEAD~1")


def test_an_unknown_revision_is_named_in_the_error(repository):
    with pytest.raises(GitError) as failure:
        commit_of(repository, "no-such-branch")
    assert str(failure.value) == f"`no-such-branch` is not a commit of the repository at {repository}"


def test_git_missing_is_a_clear_error(repository, no_git):
    with pytest.raises(GitMissing, match="git is not installed, or not on PATH") as failure:
        run_git(repository, "status")
    assert isinstance(failure.value, GitError)  # build.py reports every GitError in one line
    with pytest.raises(GitError, match="git is not installed"):  # not "not a commit": the revision may be fine
        content_diff(repository, "HEAD~1")
    assert last_commit_dates(repository) == {} and head_commit(repository) == ""
    assert not cache_usable(repository)  # without git, nobody can say whether the cache came with the content


def test_a_build_without_git_installed_builds_without_dates(tiny, no_git):
    tiny.write(NAME)
    report = build(tiny.project, today=TODAY, with_search=False)
    assert report.incidents == 1
    assert "Last changed" not in (tiny.root / "site" / "incidents" / NAME / "index.html").read_text(encoding="utf-8")


def test_git_that_hangs_is_stopped_after_the_timeout(tmp_path, monkeypatch):
    fake = tmp_path / "bin" / "git"
    write(fake, f"#!{sys.executable}\nimport time\ntime.sleep(30)\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setattr(git, "TIMEOUT", 0.2)
    with pytest.raises(GitError, match=r"git log took longer than 0.2 s in "):
        run_git(tmp_path, "log")
    assert last_commit_dates(tmp_path) == {}


def test_a_failing_command_reports_gits_message(repository):
    with pytest.raises(GitError, match=r"ambiguous argument|unknown revision"):
        run_git(repository, "log", "no-such-revision")
