"""How long reading one incident file takes: in C (archive/_fastload.c), in Python (load._Builder), and libyaml's own parse.

    python bench/yaml_reading.py [ARCHIVE]

Reads every incident file of ARCHIVE (default: a generated `uniform` archive of 300 incidents) both ways,
five times over, and prints the best time per file of each. libyaml's own parse is PyYAML's CParser.raw_parse,
which makes no Python objects: what neither reading can go below.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from yaml._yaml import CParser  # noqa: E402

from archive import load  # noqa: E402
from archive.load import Document, parse_yaml_bytes  # noqa: E402
from generate import generate  # noqa: E402

ROUNDS = 5


def best_per_file(read: object, files: list[bytes]) -> float:
    """The best of ROUNDS rounds over `files`, in µs a file."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for raw in files:
            read(raw)  # type: ignore[operator]
        best = min(best, (time.perf_counter() - started) / len(files))
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", nargs="?", type=Path)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        archive = options.archive
        if archive is None:
            archive = Path(scratch) / "uniform"
            generate(300, archive)
        files = [path.read_bytes() for path in sorted((archive / "incidents").rglob("*.yaml"))]
    reading_in_c = load._fastload
    if reading_in_c is None:
        sys.exit("archive/_fastload.c is not compiled (or is older than its source): run make first")

    def read(raw: bytes) -> None:
        parse_yaml_bytes(raw, Document(Path("x.yaml"), "x.yaml"))

    in_c = best_per_file(read, files)
    load._fastload = None
    in_python = best_per_file(read, files)
    load._fastload = reading_in_c
    libyaml = best_per_file(lambda raw: CParser(raw.decode()).raw_parse(), files)
    size = sum(map(len, files)) / len(files)
    print(f"{len(files)} incident files of {size / 1024:.1f} KB on average, best of {ROUNDS} rounds:")
    print(f"  read in C:       {in_c:6.1f} µs a file")
    print(f"  read in Python:  {in_python:6.1f} µs a file ({in_python / in_c:.1f} times as long)")
    print(f"  libyaml's parse: {libyaml:6.1f} µs a file (no Python objects made)")


if __name__ == "__main__":
    main()
