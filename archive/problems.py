"""Located problems: what is wrong, in which file, at which line and column."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class BuildError(Exception):
    """Raised when the archive cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem], summary: str = ""):
        self.problems = sorted(problems)
        errors = sum(p.is_error for p in self.problems)
        super().__init__(summary or f"{errors} error(s) found; nothing was written")
