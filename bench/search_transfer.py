#!/usr/bin/env python3
"""What a reader's first search transfers: the search page opened with a word, in Chromium, until its results show.

    python bench/search_transfer.py SITE_DIR [--query strike]

Serves SITE_DIR as a static host does (text files gzip-compressed when the browser asks), opens
search/?q=QUERY in a fresh browser (nothing cached) and adds up the bytes of every response from
the page itself to the results: HTML, styles, scripts and the search index's files (index.js, the
shards' words files, the documents shown, filters). Prints one JSON object: {"kb", "requests",
"index_kb", "query", "by_kind"}, the last the kilobytes of each kind of file (words, documents,
filters, scripts ...).
Needs Playwright (requirements-test.txt) and Debian's chromium.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
COMPRESSED_TYPES = (".html", ".js", ".css", ".json", ".svg", ".xml")


class StaticHost(http.server.SimpleHTTPRequestHandler):
    """Files as a static host serves them: text gzip-compressed for a browser that accepts it."""

    def send_head(self):  # http.server's own signature
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSED_TYPES or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def log_message(self, *args: object) -> None:
        pass


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, *_: object) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def first_search(site: Path, query: str) -> dict:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(StaticHost, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    responses = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
            page = browser.new_page()
            page.on("requestfinished", lambda request: responses.append((request.url, request.sizes()["responseBodySize"])))
            page.goto(f"http://127.0.0.1:{server.server_port}/search/?q={query}")
            page.locator("#search-results li").first.wait_for(timeout=60_000)
            page.wait_for_load_state("networkidle")
            browser.close()
    finally:
        server.shutdown()
    total = sum(size for _, size in responses)
    index = sum(size for url, size in responses if "/search-index/" in url)
    by_kind: dict[str, float] = {}
    for url, size in responses:
        kind = kind_of(url)
        by_kind[kind] = by_kind.get(kind, 0) + size / 1024
    return {"kb": total / 1024, "requests": len(responses), "index_kb": index / 1024, "query": query,
            "by_kind": dict(sorted(by_kind.items(), key=lambda item: -item[1]))}


INDEX_KINDS = {"words": "words", "docs": "documents", "filters": "filters"}  # by folder below search-index/


def kind_of(url: str) -> str:
    """What a response is, for the breakdown: a kind of index file, a script, or the page with its styles and icon."""
    path = urlsplit(url).path
    if "/search-index/" in path:
        parts = path.split("/search-index/", 1)[1].split("/")
        return "index.js" if parts == ["index.js"] else INDEX_KINDS.get(parts[2] if parts[0] == "shards" and len(parts) > 2 else parts[0], "index")
    return "scripts" if path.endswith(".js") else "page and styles"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--query", default="strike")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    print(json.dumps(first_search(args.site, args.query)))


if __name__ == "__main__":
    main()
