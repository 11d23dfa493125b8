"""Remember what a build works out from the model for the next build in the same process (serve's), and no longer."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

R = TypeVar("R")
_all: list[LastBuilds] = []


class LastBuilds(Generic[R]):
    """A function whose results are remembered by its arguments for this build and the next.

    For what grows with the archive and changes with every edit (the totals of the whole archive,
    their pages), where an lru_cache would keep a copy of it for each of the last thousand edits:
    a result that a build does not ask for again is dropped when the next build starts
    (`next_build`), so no more than two builds' results are held, however long serve runs.
    """

    def __init__(self, function: Callable[..., R]):
        self.function = function
        self.this_build: dict[tuple, R] = {}
        self.last_build: dict[tuple, R] = {}
        _all.append(self)

    def __call__(self, *arguments: Hashable) -> R:
        try:
            return self.this_build[arguments]
        except KeyError:
            result = self.last_build.pop(arguments) if arguments in self.last_build else self.function(*arguments)
            self.this_build[arguments] = result
            return result

    def cache_clear(self) -> None:
        self.this_build, self.last_build = {}, {}


def next_build() -> None:
    """A build starts: what the one before it did not ask for is dropped."""
    for remembered in _all:
        remembered.this_build, remembered.last_build = {}, remembered.this_build
