"""swap.py: site/ is replaced in one step and never missing; dead builds' folders are cleared away."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import swap
from archive.pipeline import APP_DIR, build
from archive.swap import remove_leftovers, staging_folder, swap_in
from conftest import TODAY, VALID_INCIDENT


def site_with(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(text)
    return folder


@contextlib.contextmanager
def locked_by_another_process(lock: Path) -> Iterator[None]:
    """`lock` held (flock) by a process of its own, as a running build or deleting process holds it, until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'w'); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                               str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_site_is_never_missing_while_it_is_swapped(tmp_path):
    site = site_with(tmp_path / "site", "0")
    missing, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            if not (site / "index.html").exists():
                missing.append(time.monotonic())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for number in range(1, 200):
            with staging_folder(tmp_path, ".site-build-") as staging:
                site_with(staging, str(number))
                swap_in(staging, site)
    finally:
        stop.set()
        watcher.join()
    assert (site / "index.html").read_text() == "199"
    assert missing == []
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]  # no staging, lock or old tree left


def test_without_an_atomic_exchange_a_swap_killed_halfway_is_undone_by_the_next_build(tmp_path, monkeypatch):
    monkeypatch.setattr(swap, "_exchange", lambda first, second: False)
    site = site_with(tmp_path / "site", "old")
    retired = tmp_path / ".site-old-123-abcd"
    site.rename(retired)  # killed here: between the two renames
    assert not site.exists()
    remove_leftovers([site, tmp_path / "site-offline"])
    assert (site / "index.html").read_text() == "old"
    staging = site_with(tmp_path / ".site-build-x", "new")
    swap_in(staging, site)
    assert (site / "index.html").read_text() == "new"


def test_dead_builds_leave_nothing_behind_but_running_builds_keep_their_folders(tmp_path):
    site = site_with(tmp_path / "site", "live")
    dead = site_with(tmp_path / ".site-build-dead1", "half")
    (tmp_path / ".site-build-dead1.lock").write_text("")
    (tmp_path / ".site-build-swapped4.lock").write_text("")  # killed after its folder was swapped in: a lock alone
    unlocked_old = site_with(tmp_path / ".site-offline-build-old2", "half")
    old_tree = site_with(tmp_path / ".site-old-99-0000", "older")
    running = site_with(tmp_path / ".site-build-live3", "in progress")
    with locked_by_another_process(tmp_path / ".site-build-live3.lock"):
        remove_leftovers([site, tmp_path / "site-offline"])
        assert not dead.exists() and not unlocked_old.exists() and not old_tree.exists()
        assert not (tmp_path / ".site-build-dead1.lock").exists() and not (tmp_path / ".site-build-swapped4.lock").exists()
        assert running.is_dir() and (tmp_path / ".site-build-live3.lock").exists()
        assert running.is_dir() and (site / "index.html").read_text() == "live"
    remove_leftovers([site, tmp_path / "site-offline"])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]


def test_an_old_site_being_deleted_in_the_background_is_left_to_the_process_deleting_it(tmp_path):
    """serve builds again a second after a build of a large site: the next build deleted the old site
    itself, beside the process already deleting it (a second at 30,000 pages)."""
    site = site_with(tmp_path / "site", "first")
    for number in range(300):
        site_with(site / f"page-{number}", str(number))
    swap_in(site_with(tmp_path / ".site-build-a", "second"), site, large=True)
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]  # the old tree and its lock are gone

    being_deleted = site_with(tmp_path / ".site-old-7-beef", "old")
    with locked_by_another_process(tmp_path / ".site-old-7-beef.lock"):
        remove_leftovers([site, tmp_path / "site-offline"])
        assert (being_deleted / "index.html").read_text() == "old"
    remove_leftovers([site, tmp_path / "site-offline"])  # its deleting process was killed: the next build deletes it
    assert sorted(path.name for path in tmp_path.iterdir()) == ["site"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs kill -9")
def test_builds_killed_at_random_moments_never_leave_site_missing_and_the_next_build_cleans_up(tiny):
    for day in range(1, 29):
        tiny.write(f"2025-05-{day:02d}-strike", VALID_INCIDENT.replace("2025-06-06", f"2025-05-{day:02d}"))
    build(tiny.project, today=TODAY, with_search=False, offline=True)
    command = [sys.executable, str(APP_DIR / "build.py"), "--root", str(tiny.root), "build", "--offline", "--no-search"]
    for attempt in range(6):
        (tiny.root / "content" / "about.md").write_text(f"# About\n\nVersion {attempt}.\n")  # so that the build has work to do
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.15 + 0.25 * attempt)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert (tiny.root / "site" / "index.html").is_file(), attempt
        assert (tiny.root / "site-offline" / "index.html").is_file(), attempt
    build(tiny.project, today=TODAY, with_search=False, offline=True)
    leftovers = [path.name for path in tiny.root.iterdir() if path.name.startswith(".site")]
    assert leftovers == []
    assert "Version 5." in (tiny.root / "site" / "about" / "index.html").read_text()
