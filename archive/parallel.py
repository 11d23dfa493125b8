"""Run one function over many items on every core, in forked workers that share the parent's memory."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

T = TypeVar("T")
PARALLEL_FROM = 400  # items: below this, starting worker processes costs more than it saves
_task: tuple[Callable, Sequence] | None = None  # what forked workers run: set just before forking, read by them
_background: Callable[[], object] | None = None  # what in_background's worker runs, likewise


def parallel_map(function: Callable, items: Sequence, progress: Callable[[int, int], None] = lambda done, total: None,
                 workers: int | None = None) -> list:
    """`[function(item) for item in items]`, on every core when there are enough items.

    Workers are forked, so `function` may be a closure over large objects (the archive
    model): nothing is pickled on the way in, only the results on the way back.
    `progress(done, total)` is called in this process as chunks complete.
    """
    global _task
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(items) < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        results = []
        for done, item in enumerate(items, 1):
            results.append(function(item))
            progress(done, len(items))
        return results
    size = max(50, len(items) // (workers * 8))
    chunks = [range(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _task = (function, items)
    results = []
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap(_run_chunk, chunks):
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


def in_background(function: Callable[[], T], items: int) -> Callable[[], T]:
    """Start `function()` in a forked process and go on; returns `wait`, which gives its result.

    `wait()` must be called (in a `finally`): it re-raises what the function raised. When
    the function's work is small (it handles fewer than PARALLEL_FROM `items`), or there is
    one core or no fork, it simply runs now.
    """
    global _background
    if items < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        result = function()
        return lambda: result
    _background = function
    try:
        pool = multiprocessing.get_context("fork").Pool(1)  # the worker is forked here, with `function`
    finally:
        _background = None
    pending = pool.apply_async(_run_background)

    def wait() -> T:
        try:
            return cast(T, pending.get())  # what `function` returned, pickled back
        finally:
            pool.close()
            pool.join()

    return wait


def _run_background() -> object:
    if _background is None:
        raise RuntimeError("_run_background runs only in the worker in_background forks")
    return _background()
