"""Name the folders and files a build reads and writes: the archive's own and the program's."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .files import Repository

APP_DIR = Path(__file__).resolve().parent.parent  # the program: archive/, templates/, static/, data/, schema/


@dataclass
class Project:
    """Where the content lives (incidents/, content/) and where the site goes (site/)."""

    root: Path
    templates_dir: Path = APP_DIR / "templates"
    static_dir: Path = APP_DIR / "static"
    data_dir: Path = APP_DIR / "data"

    @property
    def incidents_dir(self) -> Path:
        return self.root / "incidents"

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def out_dir(self) -> Path:
        return self.root / "site"

    @property
    def offline_dir(self) -> Path:
        return self.root / "site-offline"

    @property
    def config_path(self) -> Path:
        return self.root / "site.yaml"

    @cached_property
    def repository(self) -> Repository:
        """Where inputs may be read from: the archive's folder and the program's own (templates, static, data)."""
        return Repository((self.root, APP_DIR))

    def watched_dirs(self) -> list[Path]:
        """Every folder and file a build reads: serve watches them, check scans them for entries it must not read."""
        return [self.incidents_dir, self.content_dir, self.templates_dir, self.static_dir, self.data_dir, self.config_path]
