"""Run one function over many items on every core, in forked workers that share the parent's memory."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TypeVar, cast

T = TypeVar("T")
PARALLEL_FROM = 400  # items: below this, starting worker processes costs more than it saves
CHUNKS_PER_CORE = 8  # parallel_map's work (each turn of it), cut small enough that the workers finish together
YIELDING_NICENESS = 10  # added to the niceness of a worker that yields to the others (see in_background)
_task: tuple[Callable, Sequence] | None = None  # what forked workers run: set just before forking, read by them
_background: Callable[[], object] | None = None  # what in_background's worker runs, likewise


def parallel_map(function: Callable, items: Sequence, progress: Callable[[int, int], None] = lambda done, total: None,
                 workers: int | None = None, turns: int = 1, meanwhile: Callable[[], object] = lambda: None) -> list:
    """`[function(item) for item in items]`, on every core when there are enough items; `meanwhile()`
    is called in this process while the workers run (else before the items are done here).

    Workers are forked, so `function` may be a closure over large objects (the archive
    model): nothing is pickled on the way in, only the results on the way back.
    `progress(done, total)` is called in this process as chunks complete.

    With `turns`, the items are done in that many parts, one after the other, each by workers
    forked for it: a worker gives back the memory it made its own (the pages of the model it
    copied by reading them, what it remembered), which otherwise grows until the end. They are
    forked here, in this thread, as the first ones are. (Pool's maxtasksperchild forks them from a
    thread of its own, which could copy a lock held by this one at that moment, such as standard
    error's while progress is written, and leave the new worker waiting for it forever.)
    """
    global _task
    workers = workers or os.cpu_count() or 1
    if not _forks(workers, len(items)):
        meanwhile()
        results = []
        for done, item in enumerate(items, 1):
            results.append(function(item))
            progress(done, len(items))
        return results
    size = max(50, len(items) // (workers * CHUNKS_PER_CORE))
    chunks = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    # The same chunks whatever the turns: smaller ones would have both workers of a turn read its heaviest pages
    # (the lists of totals, which show incidents from all over the model) and copy the model twice over.
    per_turn = -(-len(chunks) // max(turns, 1))
    _task = (function, items)
    results = []
    try:
        for first in range(0, len(chunks), per_turn):
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.imap(_run_chunk, chunks[first:first + per_turn])
                if first == 0:
                    meanwhile()
                for part in parts:
                    results += part
                    progress(len(results), len(items))
    finally:
        _task = None
    return results


def _run_chunk(indices: range) -> list:
    if _task is None:
        raise RuntimeError("_run_chunk runs only in the workers parallel_map forks")
    function, items = _task
    return [function(items[index]) for index in indices]


def in_background(function: Callable[[], T], items: int, yielding: bool = False) -> Callable[[], T]:
    """Start `function()` in a forked process and go on; returns `wait`, which gives its result.

    `wait()` must be called (in a `finally`): it re-raises what the function raised. The worker
    exits as soon as the function returns, so the memory it made its own (copies of the model's
    pages it touched) is given back then, not when `wait` is called. When the function's work is
    small (it handles fewer than PARALLEL_FROM `items`), or there is one core or no fork, it
    simply runs now. A worker `yielding` runs at a lower priority, so that the build's own work, which
    it waits for, gets the cores first (it then has them when that work is done).
    """
    global _background
    if not forks_for(items):
        result = function()
        return lambda: result
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    _background = function
    try:
        worker = context.Process(target=_run_background, args=(sending, yielding), daemon=True)
        worker.start()  # forked here, with `function`
    finally:
        _background = None
        sending.close()
    outcome: list[tuple[bool, object]] = []
    # Read at once, so that a worker with a large result does not wait, holding its memory, for `wait`.
    reader = threading.Thread(target=_receive, args=(receiving, outcome), daemon=True)
    reader.start()

    def wait() -> T:
        reader.join()
        worker.join()
        receiving.close()
        if not outcome:
            raise RuntimeError(f"a background worker stopped without a result (exit code {worker.exitcode})")
        finished, value = outcome[0]
        if not finished:
            raise cast(BaseException, value)
        return cast(T, value)

    return wait


def forks_for(items: int) -> bool:
    """Whether in_background forks a worker for work of `items` items (else the work is done at once, in this process)."""
    return _forks(os.cpu_count() or 1, items)


def _forks(workers: int, items: int) -> bool:
    """Whether work of `items` items is worth forking `workers` processes for, and this system can fork them."""
    return workers >= 2 and items >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods()


def _receive(receiving: Connection, outcome: list[tuple[bool, object]]) -> None:
    try:
        outcome.append(receiving.recv())
    except EOFError:  # the worker died: `wait` says so
        pass
    except Exception as problem:  # an exception class that cannot be rebuilt here
        outcome.append((False, RuntimeError(f"a background worker's outcome could not be read: {problem!r}")))


def _run_background(sending: Connection, yielding: bool) -> None:
    if _background is None:
        raise RuntimeError("_run_background runs only in the worker in_background forks")
    if yielding:
        with contextlib.suppress(OSError):  # (where the system refuses it, the work is done all the same)
            os.nice(YIELDING_NICENESS)
    try:
        outcome: tuple[bool, object] = (True, _background())
    except BaseException as problem:  # whatever it is, `wait` raises it in the parent
        # Where it was raised, which the parent's traceback cannot show (ARCHIVE_DEBUG prints notes too).
        problem.add_note("In the background worker:\n" + "".join(traceback.format_exception(problem)).rstrip())
        outcome = (False, problem)
    try:
        sending.send(outcome)
    except Exception as problem:  # a result or an exception that cannot be pickled
        sending.send((False, RuntimeError(f"a background worker's outcome could not be sent back: {problem!r}")))
    sending.close()
