"""serve.py: the preview rebuilds on every change, reloads the page, and shows errors instead of dying."""

import contextlib
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from archive.pipeline import build
from archive.serve import PreviewHandler
from conftest import REPO, TODAY, VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"


@contextlib.contextmanager
def start_preview(tiny):
    """Run `build.py serve` on a free port for the archive in `tiny`; yields its URL."""
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(tiny.root), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url = None
        for _ in range(20):
            match = re.search(r"Serving (http://\S+)", process.stdout.readline())
            if match:
                url = match.group(1)
                break
        assert url, "the server did not start"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def preview(tiny):
    tiny.write(NAME)
    with start_preview(tiny) as url:
        yield tiny, url


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"


def wait_for(url, predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = fetch(url)
        if predicate(text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{url} never changed as expected; last:\n{text[-2000:]}")


def test_serves_the_site_with_the_reload_script(preview):
    _, url = preview
    page = fetch(url + f"incidents/{NAME}/")
    assert "<h1>Drone strike on Kyiv</h1>" in page
    assert '<script src="/__preview/reload.js"></script></body>' in page
    assert "EventSource" in fetch(url + "__preview/reload.js")


def test_an_edit_is_rebuilt_and_an_error_is_shown_on_the_page(preview):
    tiny, url = preview
    page_url = url + f"incidents/{NAME}/"
    tiny.write(NAME, VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strike on central Kyiv"))
    wait_for(page_url, lambda text: "<h1>Drone strike on central Kyiv</h1>" in text)

    tiny.write(NAME, VALID_INCIDENT.replace("measure: killed", "measure: kiled"))
    page = wait_for(page_url, lambda text: "build-errors" in text)
    assert "unknown measure `kiled`" in page
    assert "<h1>Drone strike on central Kyiv</h1>" in page  # the last good site stays on view

    tiny.write(NAME)
    wait_for(page_url, lambda text: "build-errors" not in text and "<h1>Drone strike on Kyiv</h1>" in text)


def test_a_page_read_while_a_rebuild_swaps_the_site_in_is_still_served(tiny, monkeypatch):
    tiny.write(NAME)
    build(tiny.project, today=TODAY, with_search=False)
    handler = PreviewHandler.__new__(PreviewHandler)  # no socket: only the page lookup is exercised
    handler.directory = str(tiny.root / "site")
    handler.preview = SimpleNamespace(built_once=True, problems=[])
    read_text, swapped = Path.read_text, []

    def read_during_swap(path, *args, **kwargs):
        if path.name == "index.html" and not swapped:  # site/ renamed away just after the page was found
            swapped.append(path)
            raise FileNotFoundError(path)
        return read_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_during_swap)
    page = handler._read_page(f"/incidents/{NAME}/")
    assert swapped and "<h1>Drone strike on Kyiv</h1>" in page
