#!/usr/bin/env python3
"""Lighthouse's four scores for each kind of page, on a realistic generated archive.

    python bench/lighthouse.py                        # 10,000 incidents, phone and desktop
    python bench/lighthouse.py --incidents 2000 --form-factors desktop

Generates the archive (`bench/generate.py --kind realistic`), builds it with its search
index, serves it on localhost and runs Lighthouse 12.2.3 (pinned in bench/lighthouse/,
installed there with `npm ci` on first use) in Debian's Chromium on the biggest page of each
kind (see page_sizes.representative_pages). Target: 100 in every category. Writes
bench/lighthouse.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOOL = REPO / "bench" / "lighthouse"
sys.path.insert(0, str(REPO / "bench"))

from generate import generate  # noqa: E402
from page_sizes import representative_pages  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def lighthouse() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOL, check=True)
    return binary


def scores(binary: Path, url: str, form_factor: str, work: Path) -> dict[str, int]:
    report = work / "report.json"
    command = [str(binary), url, "--quiet", "--output=json", f"--output-path={report}", f"--chrome-flags={CHROME_FLAGS}",
               f"--only-categories={','.join(CATEGORIES)}"]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"})
    categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def report(incidents: int, results: dict[tuple[str, str], dict[str, int]]) -> str:
    lines = [f"# Lighthouse scores ({dt.date.today().isoformat()})", "",
             f"{incidents:,} realistic generated incidents, Lighthouse 12.2.3 in Debian's Chromium, served from localhost. Target: 100 each.", "",
             "| page | form factor | " + " | ".join(CATEGORIES) + " |", "| --- | --- |" + " ---: |" * len(CATEGORIES)]
    for (page, form_factor), found in results.items():
        lines.append(f"| {page} | {form_factor} | " + " | ".join(str(found[name]) for name in CATEGORIES) + " |")
    below = [f"{page} ({form_factor}) {name} {value}" for (page, form_factor), found in results.items()
             for name, value in found.items() if value < 100]
    lines += ["", "Below 100: " + ("; ".join(below) if below else "none"), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--form-factors", nargs="+", choices=["mobile", "desktop"], default=["mobile", "desktop"])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "lighthouse.md")
    args = parser.parse_args()
    binary = lighthouse()
    work = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    try:
        archive = work / "archive"
        generate(args.incidents, archive, kind="realistic")
        subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(archive), "build"], check=True, stdout=subprocess.DEVNULL)
        server, url = serve(archive / "site")
        try:
            results = {(label, form_factor): scores(binary, url + path, form_factor, work)
                       for label, path in representative_pages(archive / "site").items() for form_factor in args.form_factors}
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(args.incidents, results)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
