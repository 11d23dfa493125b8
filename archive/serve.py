"""Preview server: build, serve site/ on localhost, rebuild on every change and reload the page.

Build problems never stop the server: they are printed in the terminal and shown over the
page in the browser, and the last good site stays on view until the files are fixed.
"""

from __future__ import annotations

import html
import http.server
import os
import shutil
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

from .model import Archive
from .pipeline import Project, build, check, preview_edits
from .problems import BuildError
from .search import SearchIndexError, index_site

POLL_SECONDS = 0.25
EVENTS_PATH = "/__preview/events"
RELOAD_SCRIPT_PATH = "/__preview/reload.js"
RELOAD_SCRIPT = """// Preview only: reload the page when the site has been rebuilt.
new EventSource("%s").onmessage = function () { window.location.reload(); };
""" % EVENTS_PATH


class Preview:
    """The state shared by the watcher and the request handlers: the last build's outcome."""

    def __init__(self, project: Project):
        self.project = project
        self.generation = 0
        self.problems: list[str] = []
        self.built_once = False
        self.archive: Archive | None = None  # the model of the site on view, for quick previews of edits
        self.changed = threading.Condition()

    def rebuild(self, changed: list[Path] | None = None) -> None:
        """Show the change: edited incident pages at once when possible, then the full build, then search."""
        if changed and self.archive and self._preview_edits(changed):
            self._announce([])
        problems: list[str] = []  # shown over every page until a build succeeds
        try:
            report = build(self.project, with_search=False)
            self.built_once = True
            # An up-to-date site comes with no model: work it out once, so that edits can be shown at once.
            self.archive = report.archive or self.archive or check(self.project)[0]
            print("\n".join([str(warning) for warning in report.warnings] + [report.summary()]), flush=True)
        except BuildError as failure:
            problems = [str(problem) for problem in failure.problems]
            print("\n".join(problems + [f"Build failed: {failure}. Still showing the last good site."]), flush=True)
        except Exception as failure:  # keep serving whatever went wrong; say it loudly
            problems = [f"error: build crashed: {failure!r}"]
            print(problems[0], flush=True)
        self._announce(problems)
        if not problems:
            self._index_for_search()

    def _preview_edits(self, changed: list[Path]) -> bool:
        incidents_dir = self.project.incidents_dir
        if not all(path.suffix == ".yaml" and path.is_relative_to(incidents_dir) for path in changed):
            return False
        try:
            edited = preview_edits(self.project, self.archive, changed)
        except Exception as failure:  # the full build that follows reports it properly
            print(f"(quick preview skipped: {failure!r})", flush=True)
            return False
        if edited is not None:
            self.archive = edited
        return edited is not None

    def _index_for_search(self) -> None:
        """Pagefind after the page is on view: an edit shows at once, search catches up seconds later.

        The index is written beside site/ and renamed into it when complete, so that a
        build never finds (and reuses) a half-written one.
        """
        site = self.project.out_dir
        if (site / "pagefind").is_dir():
            return  # the build reused the index: no page changed
        fresh = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site.parent))
        try:
            index_site(site, fresh / "pagefind")
            (fresh / "pagefind").rename(site / "pagefind")
        except (SearchIndexError, OSError) as failure:
            print(f"warning: search index not updated: {failure}", flush=True)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)

    def _announce(self, problems: list[str]) -> None:
        """Tell every open page to reload (they show `problems` over the page when there are any)."""
        with self.changed:
            self.problems = problems
            self.generation += 1
            self.changed.notify_all()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen, timeout=timeout)
            return self.generation


def snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file in `paths` (files, or folders walked in full)."""
    state = {}
    for top in paths:
        files = [str(top)] if top.is_file() else [os.path.join(folder, name) for folder, _, names in os.walk(top) for name in names]
        for path in files:
            try:
                info = os.stat(path)
            except FileNotFoundError:
                continue
            state[path] = (info.st_mtime_ns, info.st_size)
    return state


def watch(preview: Preview, before: dict[str, tuple[int, int]], stop: threading.Event) -> None:
    """Rebuild whenever the files differ from `before`, the state the last build saw."""
    directories = preview.project.watched_dirs()
    while not stop.wait(POLL_SECONDS):
        now = snapshot(directories)
        if now != before:
            changed = [Path(path) for path in now.keys() | before.keys() if now.get(path) != before.get(path)]
            before = now
            preview.rebuild(changed)


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # requests are not news while editing

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            return self._stream_events()
        if path == RELOAD_SCRIPT_PATH:
            return self._send(200, RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        self._wait_for_swap()
        page = self._html_file(path)
        if page is not None:
            return self._send(200, self._inject(page.read_text(encoding="utf-8")).encode(), "text/html; charset=utf-8")
        if not Path(self.directory).exists():
            return self._send(503, self._inject(_placeholder()).encode(), "text/html; charset=utf-8")
        return super().do_GET()

    def _wait_for_swap(self, seconds: float = 2.0) -> None:
        """A rebuild swaps site/ in with two renames; a request in between waits for the new one."""
        deadline = time.monotonic() + seconds
        while self.preview.built_once and not Path(self.directory).exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def _html_file(self, url_path: str) -> Path | None:
        local = Path(self.translate_path(url_path))
        if local.is_dir():
            if not url_path.endswith("/"):
                return None  # let the base class redirect to the slash form
            local = local / "index.html"
        return local if local.suffix == ".html" and local.is_file() else None

    def _inject(self, page: str) -> str:
        extra = f'<script src="{RELOAD_SCRIPT_PATH}"></script>'
        if self.preview.problems:
            listing = html.escape("\n".join(self.preview.problems))
            extra = f'<pre class="build-errors" role="alert">Build failed; showing the last good site.\n{listing}</pre>' + extra
        marker = page.rfind("</body>")
        return page[:marker] + extra + page[marker:] if marker >= 0 else page + extra

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.preview.generation
        try:
            while True:
                now = self.preview.wait_for_change(seen, timeout=15)
                self.wfile.write(b"data: reload\n\n" if now != seen else b": still here\n\n")
                self.wfile.flush()
                if now != seen:
                    return
        except (BrokenPipeError, ConnectionResetError):
            return


def _placeholder() -> str:
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>No site yet</title></head>"
            "<body><h1>The site has not been built yet</h1><p>Fix the problems below; this page reloads by itself.</p></body></html>")


def serve_forever(project: Project, host: str = "127.0.0.1", port: int = 8000) -> int:
    preview = Preview(project)
    before = snapshot(project.watched_dirs())  # taken before building, so no edit slips between
    preview.rebuild()
    handler = type("Handler", (PreviewHandler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer((host, port), partial(handler, directory=str(project.out_dir)))
    server.daemon_threads = True
    stop = threading.Event()
    threading.Thread(target=watch, args=(preview, before, stop), daemon=True).start()
    print(f"Serving http://{host}:{server.server_port}/ (Ctrl+C to stop); rebuilding on changes", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        stop.set()
        server.server_close()
    return 0
