"""Shared test helpers: tiny archives written into tmp_path."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import http.server
import importlib
import json
import os
import shutil
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from archive.pipeline import Project

REPO = Path(__file__).resolve().parent.parent


def bench_module(name: str) -> ModuleType:
    """A script of bench/ as a module (bench/ is no package), imported without leaving bench/ on the import path."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "bench"))


TODAY = dt.date(2026, 11, 29)

VALID_INCIDENT = """\
title: Drone strike on Kyiv
date: 2025-06-06
summary: |
  Drones hit **Kyiv** overnight.
regions: [UA-30, UA-32]
places:
  - {name: Boryspil, region: UA-32}
sources:
  mt:
    publisher: The Moscow Times
    title: Russian Air Barrage Kills 4 in Kyiv
    url: https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360
    published: 2025-06-06
figures:
  - measure: killed
    value: 4
    qualifier: at least
    region: UA-30
    claimed_by: Vitali Klitschko
    source: mt
    excerpt: "At least four people were killed and 20 wounded in the capital."
quotes:
  - speaker: Ihor Klymenko
    role: Interior Minister of Ukraine
    text: "They worked under fire to help people."
    source: mt
corrections: []
"""


class TinyArchive:
    """A throw-away archive: content pages plus whatever incident files a test writes."""

    def __init__(self, root: Path):
        self.root = root
        self.project = Project(root=root)
        content = root / "content"
        content.mkdir(parents=True)
        for name in ("about", "methodology", "contribute"):
            (content / f"{name}.md").write_text(f"# {name.title()}\n\nText of the {name} page.\n", encoding="utf-8")
        with (content / "methodology.md").open("a", encoding="utf-8") as methodology:
            methodology.write("\n## Reconciliation\n\n## Totals\n\n## Assessments\n")

    def write(self, name: str, text: str = VALID_INCIDENT, year: str | None = None) -> Path:
        """Write incidents/<year>/<name>.yaml; the year folder defaults to the name's first four characters."""
        folder = self.root / "incidents" / (year or name[:4])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, name: str, data: bytes) -> Path:
        folder = self.root / "incidents" / name[:4]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.yaml"
        path.write_bytes(data)
        return path


@pytest.fixture
def tiny(tmp_path) -> TinyArchive:
    return TinyArchive(tmp_path / "archive")


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own incidents and content pages, built once into a temporary folder."""
    from archive.pipeline import build

    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(REPO / "incidents", root / "incidents")
    shutil.copytree(REPO / "content", root / "content")
    build(Project(root=root))
    return root / "site"


@pytest.fixture(scope="session", autouse=True)
def no_settings_from_the_environment():
    """Builds in the tests read only their own site.yaml: a CI runner's GITHUB_REPOSITORY or ARCHIVE_SITE_URL
    (see archive/config.py) would otherwise give every page links the tests do not expect."""
    from archive.config import ENVIRONMENT_VARIABLES

    saved = {name: os.environ.pop(name) for name in ENVIRONMENT_VARIABLES if name in os.environ}
    yield
    os.environ.update(saved)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `browser` every test that drives Chromium: through the `browser` fixture, or one that uses it (`page`, ...)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files like SimpleHTTPRequestHandler, without a log line for every request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """`folder` on a local web server, for the browser tests: its address, ending in `/`."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM = Path("/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page: Any, tags: list[str] = WCAG_TAGS) -> list[tuple[str, str, list]]:
    """What axe finds wrong with the page as it is now: (rule, help, first three elements) of each
    violation. The page's context needs bypass_csp=True: axe is injected as a script the site's policy would refuse."""
    from axe_playwright_python.base import AXE_FILE_PATH

    page.add_script_tag(path=str(AXE_FILE_PATH))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", tags)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright; Playwright never downloads a browser here."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing; .ci/run installs Debian's chromium package", pytrace=False)
        pytest.skip("browser tests need Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and any request to another host than this machine."""
    from urllib.parse import urlsplit

    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.foreign_requests = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("request", lambda request: urlsplit(request.url).hostname not in (None, "", "127.0.0.1", "localhost")
            and page.foreign_requests.append(request.url))
    yield page
    assert page.console_errors == []
    assert page.foreign_requests == []
    context.close()


INDEX_KEYS = {"shards", "filters"}  # the only object keys the search index may have (index.js's)


def index_file_data(script: str) -> tuple[str, str, Any]:
    """The arguments of one search index file's ArchiveSearch.receive(...) call, checking that every object in it
    has only the index's own fixed keys: a word, a filter value or a title is never a property name."""
    assert script.startswith("ArchiveSearch.receive(") and script.endswith(");\n"), script[:80]

    def fixed_keys(pairs):
        assert {key for key, _ in pairs} <= INDEX_KEYS, pairs
        return dict(pairs)
    kind, key, data = json.loads("[" + script.removeprefix("ArchiveSearch.receive(").removesuffix(");\n") + "]", object_pairs_hook=fixed_keys)
    return kind, key, data
