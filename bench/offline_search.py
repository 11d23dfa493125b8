#!/usr/bin/env python3
"""Benchmark the offline copy's search: time to first result in headless Chromium, from file://.

    python bench/offline_search.py --incidents 10000        # generate, build --offline, measure
    python bench/offline_search.py --root /tmp/archive10k   # measure an archive already built

Prints, per query, the milliseconds from opening the search page to a usable form (index.js
loaded), from typing to the first result on screen in that fresh page (cold: its word shards
and document blocks still to load) and again once loaded (warm); then the index and zip sizes.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = ["Kharkiv", "drone", "Klymenko", "missiles launched", "Zaporizhzhia strike"]


def measure(root: Path, runs: int) -> None:
    from playwright.sync_api import sync_playwright

    offline = root / "site-offline"
    search = (offline / "search" / "index.html").as_uri()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        print(f"{'query':<22} {'results':>8} {'open ms':>8} {'cold ms':>8} {'warm ms':>8}   (medians of {runs})")
        for query in QUERIES:
            cold: list[float] = []
            warm: list[float] = []
            opened: list[float] = []
            count = 0
            for _ in range(runs):
                page = browser.new_page()
                page.goto(search)
                page.wait_for_function("document.getElementById('offline-search').hidden === false")
                opened.append(page.evaluate("performance.now()"))  # navigation start to a usable search form
                for bucket in (cold, warm):
                    page.fill("#offline-q", "")
                    page.wait_for_function("document.querySelectorAll('#offline-results li').length === 0")
                    started = page.evaluate("performance.now()")
                    page.fill("#offline-q", query)
                    page.wait_for_selector("#offline-results li")
                    bucket.append(page.evaluate("performance.now()") - started)
                    count = int(page.locator("#offline-status").inner_text().split()[0])
                page.close()
            print(f"{query:<22} {count:>8} {statistics.median(opened):>8.0f} {statistics.median(cold):>8.0f} {statistics.median(warm):>8.0f}")
        browser.close()
    index = offline / "search-index"
    files = [p for p in index.rglob("*.js")]
    print(f"index: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB in all; "
          f"index.js {(index / 'index.js').stat().st_size / 1e3:.0f} kB; "
          f"largest file {max(p.stat().st_size for p in files) / 1e3:.0f} kB")
    tree = sum(p.stat().st_size for p in offline.rglob("*") if p.is_file())
    zip_size = (root / "site" / "downloads" / "archive-offline.zip").stat().st_size
    print(f"site-offline: {tree / 1e6:.1f} MB; archive-offline.zip: {zip_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10000)
    parser.add_argument("--root", type=Path, help="an archive already built with --offline")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = args.root
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="offline-bench-"))
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--incidents", str(args.incidents), "--out", str(root)], check=True)
        subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "--offline"], check=True)
    measure(root, args.runs)


if __name__ == "__main__":
    main()
