"""Tests for archive/parallel.py: forked workers give the same results as a plain loop, and let go of their memory."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from archive.parallel import PARALLEL_FROM, YIELDING_NICENESS, in_background, parallel_map

forking = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="work runs in this process on one core")


def has_exited(pid: int) -> bool:
    """True once the process is gone or a zombie (exited, not yet waited for)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def test_parallel_map_gives_the_results_of_a_loop_in_order():
    items = list(range(PARALLEL_FROM * 3))
    shared = {item: item * item for item in items}  # a closure over a large object, as the model is
    assert parallel_map(lambda item: shared[item] + 1, items) == [item * item + 1 for item in items]


def test_parallel_map_reports_progress_up_to_the_total():
    seen: list[tuple[int, int]] = []
    parallel_map(str, list(range(PARALLEL_FROM * 2)), progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (PARALLEL_FROM * 2, PARALLEL_FROM * 2)


@forking
def test_parallel_map_works_meanwhile_in_this_process_while_the_workers_run():
    """A build works out the readings while the summaries are converted: `meanwhile` runs here, once, after a
    worker has started (it waits for one) and before the workers are done (the first item of each waits for it);
    and before a loop that is not worth the workers."""
    import multiprocessing

    started, ran = multiprocessing.get_context("fork").Event(), multiprocessing.get_context("fork").Event()
    calls: list[tuple[int, bool]] = []
    waited_here: list[int] = []  # (in each worker, its own copy: only its first item waits)

    def work(item: int) -> tuple[bool, int]:
        started.set()
        if not waited_here:
            waited_here.append(item)
            return ran.wait(10), os.getpid()
        return ran.is_set(), os.getpid()

    def meanwhile() -> None:
        calls.append((os.getpid(), started.wait(10)))
        ran.set()
    done = parallel_map(work, list(range(PARALLEL_FROM)), meanwhile=meanwhile)
    assert calls == [(os.getpid(), True)]  # here, once, with a worker at work
    assert all(after for after, _ in done) and os.getpid() not in {pid for _, pid in done}  # no item was done before it
    order: list[str] = []
    parallel_map(order.append, ["item"], meanwhile=lambda: order.append("meanwhile"))
    assert order == ["meanwhile", "item"]


_forked_by: list[int] | None = None  # while a test listens: the thread each fork was made from
os.register_at_fork(before=lambda: _forked_by.append(threading.get_ident()) if _forked_by is not None else None)


@forking
def test_parallel_map_in_turns_forks_fresh_workers_for_each_turn_from_this_thread():
    """Workers give back what they copied at the end of each turn: the page writers of a build of
    100,000 incidents each grew to 0.8-1.0 GB otherwise. Each is forked by the thread that called,
    never by a thread of Pool's own, which could copy a lock this one holds (standard error's,
    while it writes progress) and leave the worker waiting for it forever."""
    global _forked_by
    items = list(range(PARALLEL_FROM * 4))
    _forked_by = []
    try:
        done_by = parallel_map(lambda item: (item, os.getpid()), items, workers=2, turns=4)
        forked_by, _forked_by = _forked_by, None
    finally:
        _forked_by = None
    assert [item for item, _ in done_by] == items
    turns_of: dict[int, set[int]] = {}
    for item, pid in done_by:
        turns_of.setdefault(pid, set()).add(item // PARALLEL_FROM)  # (four turns of PARALLEL_FROM items)
    assert os.getpid() not in turns_of
    assert sorted(set().union(*turns_of.values())) == [0, 1, 2, 3]
    assert all(len(turns) == 1 for turns in turns_of.values())  # none went on to the next turn
    assert len(forked_by) == 8 and set(forked_by) == {threading.get_ident()}
    assert len(Counter(pid for _, pid in parallel_map(lambda item: (item, os.getpid()), items, workers=2))) <= 2  # (the same two at most, otherwise)


@forking
def test_background_work_runs_in_another_process_and_gives_its_result():
    wait = in_background(lambda: ("done", os.getpid()), items=PARALLEL_FROM)
    word, pid = wait()
    assert word == "done" and pid != os.getpid()


@forking
def test_background_work_that_yields_runs_at_a_lower_priority_than_the_build_and_only_there():
    """The search index's worker yields the cores to the pages the build is waiting for; this process keeps its priority."""
    mine = os.nice(0)
    wait = in_background(lambda: (os.getpid(), os.nice(0)), items=PARALLEL_FROM, yielding=True)
    pid, niceness = wait()
    assert pid != os.getpid() and niceness == min(19, mine + YIELDING_NICENESS) and os.nice(0) == mine
    assert in_background(lambda: os.nice(0), items=PARALLEL_FROM - 1, yielding=True)() == mine  # run here: never lowered


def test_small_background_work_runs_at_once_here():
    wait = in_background(lambda: os.getpid(), items=PARALLEL_FROM - 1)
    assert wait() == os.getpid()


@forking
def test_background_work_raises_its_error_when_waited_for():
    def fail() -> None:
        raise ValueError("the downloads could not be written")

    wait = in_background(fail, items=PARALLEL_FROM)
    with pytest.raises(ValueError, match="could not be written"):
        wait()


@forking
def test_a_background_worker_that_dies_is_reported():
    wait = in_background(lambda: os._exit(3), items=PARALLEL_FROM)
    with pytest.raises(RuntimeError, match="exit code 3"):
        wait()


@forking
def test_a_background_worker_exits_when_its_work_is_done_not_when_waited_for(tmp_path):
    """Its copies of the parent's memory are given back as soon as it has finished: at 100,000
    incidents the downloads' worker held 0.8 GB until the end of the build."""
    pid_file = tmp_path / "pid"

    def work() -> int:
        pid_file.write_text(str(os.getpid()))
        return 1

    wait = in_background(work, items=PARALLEL_FROM)
    deadline = time.monotonic() + 30
    while not (pid_file.exists() and pid_file.read_text() and has_exited(int(pid_file.read_text()))):
        assert time.monotonic() < deadline, "the worker was still running long after its work was done"
        time.sleep(0.05)
    assert wait() == 1


@forking
def test_background_work_says_where_its_error_was_raised():
    def read_first(items: list) -> None:
        items[0]  # the IndexError is the point

    wait = in_background(lambda: read_first([]), items=PARALLEL_FROM)
    with pytest.raises(IndexError) as raised:
        wait()
    assert any("In the background worker" in note and "read_first" in note for note in raised.value.__notes__)
