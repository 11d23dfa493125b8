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

    def as_github_annotation(self) -> str:
        """A GitHub Actions workflow command, shown on the changed line of a pull request."""
        kind = "error" if self.is_error else "warning"
        return f"::{kind} file={_escape_property(self.path)},line={self.line},col={self.col}::{_escape_data(self.message)}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class BuildError(Exception):
    """Raised when the archive cannot be built; carries every problem found."""

    def __init__(self, problems: list[Problem], summary: str = ""):
        self.problems = sorted(problems)
        errors = sum(p.is_error for p in self.problems)
        super().__init__(summary or f"{errors} error(s) found; nothing was written")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
