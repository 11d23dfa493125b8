"""Index the built site for search with Pagefind, run from the pagefind-bin package's binary."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pagefind_bin


class SearchIndexError(RuntimeError):
    pass


def index_site(site_dir: Path, output_dir: Path | None = None) -> None:
    """Write Pagefind's index and UI into `site_dir/pagefind/` (or `output_dir`). Only pages marked
    data-pagefind-body are indexed."""
    executable = pagefind_bin.get_executable()
    output = ["--output-path", str(output_dir)] if output_dir else []
    result = subprocess.run(
        [str(executable), "--site", str(site_dir), "--silent", *output],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise SearchIndexError(f"Pagefind failed (exit {result.returncode}): {output}")
