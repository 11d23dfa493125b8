"""Progress of long builds on the terminal: one line, redrawn in place.

It says nothing during the first second (small builds stay quiet), and nothing at all in CI
or when standard error is not a terminal (logs stay clean).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Protocol, TextIO

QUIET_SECONDS = 1.0
REDRAW_SECONDS = 0.1


class ReportProgress(Protocol):
    """What a build tells its progress to: a Progress, or no_progress."""

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None: ...


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty() and not os.environ.get("CI")
        self.enabled = enabled
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.width = 0

    def __call__(self, phase: str, done: int = 0, total: int = 0) -> None:
        """Report `done` of `total` steps of `phase` (total 0: a phase without steps)."""
        now = time.monotonic()
        if not self.enabled or now - self.started < QUIET_SECONDS or (now - self.drawn_at < REDRAW_SECONDS and done < total):
            return
        self.drawn_at = now
        line = f"{phase} {done:,}/{total:,} ({100 * done // total}%)" if total else f"{phase}…"
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def finish(self) -> None:
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def no_progress(phase: str, done: int = 0, total: int = 0) -> None:
    pass
