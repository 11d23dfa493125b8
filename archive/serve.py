"""Preview server: build, serve site/ on localhost, rebuild on every change and reload the page.

Build problems never stop the server: they are printed in the terminal and shown over the
page in the browser, and the last good site stays on view until the files are fixed.
"""

from __future__ import annotations

import contextlib
import html
import http.server
import os
import re
import stat
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .model import Archive
from .pipeline import Project, build, check, prepare_for_edits, preview_edits
from .problems import BuildError

SETTLE_SECONDS = 0.05
EVENTS_PATH = "/__preview/events"
RELOAD_SCRIPT_PATH = "/__preview/reload.js"
RELOAD_SCRIPT = f"""// Preview only: reload the page when the site has been rebuilt.
new EventSource("{EVENTS_PATH}").onmessage = function () {{ window.location.reload(); }};
"""


class Preview:
    """The state shared by the watcher and the request handlers: the last build's outcome."""

    def __init__(self, project: Project):
        self.project = project
        self.generation = 0
        self.problems: list[str] = []
        self.built_once = False
        self.archive: Archive | None = None  # the model of the site on view, for quick previews of edits
        self.model_from_check = False  # `archive` came from check, with no build: its pages are not worked out (see prepare_for_edits)
        self.prepared = False  # prepare_for_edits is done (it is tried once)
        self.changed = threading.Condition()

    def rebuild(self, changed: list[Path] | None = None, with_search: bool = True) -> None:
        """Show the change: edited incident pages at once when possible, then the full build.

        Its search index is updated with it: only the shards whose records changed are indexed
        again (see search.write_index), and the model's unchanged incidents are kept (see pipeline.check).
        """
        if changed and self.archive and self._preview_edits(self.archive, changed):
            self._announce(self.problems)  # other files' problems stand until the build below says otherwise
        self._announce(self._build(with_search))

    def _build(self, with_search: bool) -> list[str]:
        """Build the site; the problems to show over every page until a build succeeds."""
        try:
            report = build(self.project, with_search=with_search, earlier=self.archive)
            self.built_once = True
            if report.archive is not None:
                self.archive, self.model_from_check = report.archive, False
            elif self.archive is None:
                # An up-to-date site comes with no model: work it out once, so that edits can be shown at once.
                self.archive, self.model_from_check = check(self.project)[0], True
        except BuildError as failure:
            problems = [str(problem) for problem in failure.problems]
            print("\n".join([*problems, f"Build failed: {failure}. Still showing the last good site."]), flush=True)
            return problems
        except Exception as failure:  # keep serving whatever went wrong; say it loudly
            problems = [f"error: build crashed: {failure!r}"]
            print(problems[0], flush=True)
            return problems
        print("\n".join([str(warning) for warning in report.warnings] + [report.summary()]), flush=True)
        return []

    def prepare_for_edits(self) -> None:
        """Once, after the first build: what every edit's build would work out again (see pipeline.prepare_for_edits),
        and the pages of a model that came without a build (the site was up to date), as a build would: the first
        edit's build then reuses what it can of them, as the builds of later edits do."""
        if self.prepared:
            return
        self.prepared = True
        from_check, self.model_from_check = self.model_from_check, False
        try:
            prepare_for_edits(self.archive if from_check else None)
        except Exception as failure:  # only a head start for the first edit: its build does the work anyway
            print(f"(working out the pages ahead of the first edit skipped: {failure!r})", flush=True)

    def _preview_edits(self, archive: Archive, changed: list[Path]) -> bool:
        """Rebuild the pages of the edited incidents from `archive`, the model on view; False when that cannot be done."""
        incidents_dir = self.project.incidents_dir
        if not all(path.suffix == ".yaml" and path.is_relative_to(incidents_dir) for path in changed):
            return False
        try:
            edited = preview_edits(self.project, archive, changed)
        except Exception as failure:  # the full build that follows reports it properly
            print(f"(quick preview skipped: {failure!r})", flush=True)
            return False
        if edited is not None:
            self.archive = edited
        return edited is not None

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


WRITES = {"created", "modified", "deleted", "moved", "closed"}  # not "opened" or "closed_no_write": reads


class Changes(FileSystemEventHandler):
    """The files written under the watched folders since the watcher last looked (watchdog's events)."""

    def __init__(self, project: Project):
        self.folders = [folder for folder in project.watched_dirs() if folder != project.config_path]
        self.config_path = project.config_path
        self.paths: set[Path] = set()
        self.arrived = threading.Event()
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in WRITES or (event.is_directory and event.event_type == "modified"):
            return
        for name in (event.src_path, getattr(event, "dest_path", "")):
            path = Path(os.fsdecode(name)) if name else None
            if path and (path == self.config_path or any(path.is_relative_to(folder) for folder in self.folders)):
                with self.lock:
                    self.paths.add(path)
                self.arrived.set()

    def take(self) -> list[Path]:
        with self.lock:
            paths, self.paths = sorted(self.paths), set()
            self.arrived.clear()
        return paths


def start_observer(project: Project, changes: Changes) -> BaseObserver:
    """Watch with the system's file events (inotify, FSEvents ...); by polling where they are not available."""
    for observer_class in (Observer, PollingObserver):
        observer = observer_class()
        for folder in changes.folders:
            if folder.is_dir():
                observer.schedule(changes, str(folder), recursive=True)
        observer.schedule(changes, str(project.root), recursive=False)  # for site.yaml
        try:
            observer.start()
            return observer
        except OSError:  # e.g. the inotify watch limit is reached
            continue
    raise RuntimeError("cannot watch the files for changes")


def watch(preview: Preview, changes: Changes, stop: threading.Event) -> None:
    """Index the site for search, then rebuild whenever files change, with what changed."""
    preview.rebuild()
    preview.prepare_for_edits()  # here, once the site is on view and searchable
    while not stop.is_set():
        if changes.arrived.wait(timeout=0.2):
            time.sleep(SETTLE_SECONDS)  # an editor's save can be several writes
            preview.rebuild(changes.take())


class NotServed(Exception):
    """A request path that names no file to serve, and the answer for it: an error status, or a redirect."""

    def __init__(self, status: HTTPStatus, reason: str = "", location: str | None = None):
        super().__init__(f"{status.value} {reason}".strip())
        self.status, self.reason, self.location = status, reason, location


RAW_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # in the request target as sent
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # in the decoded path: C0, DEL and C1
BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def split_target(target: str) -> tuple[str, str]:
    """A request target's path and its query (with its `?`, or ""); any fragment left off."""
    path, mark, query = target.split("#", 1)[0].partition("?")
    return path, mark + query


def url_names(target: str) -> list[str]:
    """The names in the path of a request target (query and fragment left off), percent-decoded.

    Raises NotServed(400) for a path no browser sends: not starting with `/`, control characters
    (raw or %-encoded, NUL among them), bad %-escapes, bytes that are not UTF-8, backslashes,
    `.` or `..` segments (browsers resolve those before sending, %2e%2e too).
    """
    path, _ = split_target(target)
    if not path.startswith("/"):
        raise NotServed(HTTPStatus.BAD_REQUEST, "the path must start with /")
    if RAW_CONTROL.search(target):
        raise NotServed(HTTPStatus.BAD_REQUEST, "control character in the URL")
    raw = path.encode("latin-1")  # http.server decodes the request line as Latin-1: these are the bytes sent
    if BAD_PERCENT.search(raw):
        raise NotServed(HTTPStatus.BAD_REQUEST, "invalid percent-encoding")
    try:
        path = urllib.parse.unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise NotServed(HTTPStatus.BAD_REQUEST, "the path is not UTF-8") from None
    if CONTROL.search(path):
        raise NotServed(HTTPStatus.BAD_REQUEST, "control character in the path")
    if "\\" in path:
        raise NotServed(HTTPStatus.BAD_REQUEST, "backslash in the path")
    names = [name for name in path.split("/") if name]
    if any(name in (".", "..") for name in names):
        raise NotServed(HTTPStatus.BAD_REQUEST, "`.` or `..` in the path")
    return names


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the regular files inside site/ (pages with the reload script added) and nothing else.

    Every request gets an answer with a status line, hostile ones too: a path that cannot name
    a file of the site is a short plain-text 400 or 404, and a bug in here is a 500 and one line
    in the terminal, never a connection dropped with a traceback.
    """

    preview: Preview
    # Answer a malformed request line with a status line too (http.server's default, HTTP/0.9, sends bare HTML).
    default_request_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # `format`: the base class's name for it
        pass  # requests are not news while editing

    def handle_one_request(self) -> None:
        self._answered = False
        try:
            super().handle_one_request()
        except ConnectionError:  # the browser went away in the middle (a reload, a closed tab)
            self.close_connection = True
        except Exception as failure:  # a bug in here: answer it, say so in one line, keep serving
            self.close_connection = True
            request = f"{self.command or ''} {getattr(self, 'path', '')[:200]!r}"
            print(f"error: request {request} failed: {failure!r}"[:500], file=sys.stderr, flush=True)
            if not self._answered:
                self._headers_buffer: list[bytes] = []  # whatever was begun and not sent
                with contextlib.suppress(OSError):
                    self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR)

    def flush_headers(self) -> None:
        self._answered = True
        super().flush_headers()

    def end_headers(self) -> None:
        # No answer of a preview is kept by the browser. Files served as they are (the search index,
        # scripts, styles) came with no Cache-Control, so browsers kept them for a tenth of their age,
        # and a search after an edit could read the index of before; revalidating would not be enough
        # either, as Last-Modified counts whole seconds.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A short plain-text answer: the status and its reason (never http.server's HTML echoing the request)."""
        phrase = self.responses.get(code, ("Error",))[0]
        body = f"{int(code)} {phrase}\n{(explain or '')[:200]}".rstrip("\n").encode() + b"\n"
        self.close_connection = True
        self.send_response(code, phrase)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS_PATH:
            return self._stream_events()
        if path == RELOAD_SCRIPT_PATH:
            return self._send(200, RELOAD_SCRIPT.encode(), "text/javascript; charset=utf-8")
        page = self._read_page(self.path)
        if page is not None:
            return self._send(200, self._inject(page).encode(), "text/html; charset=utf-8")
        if not Path(self.directory).exists():
            return self._send(503, self._inject(_placeholder()).encode(), "text/html; charset=utf-8")
        return self._answer_not_served(super().do_GET)

    def do_HEAD(self) -> None:
        return self._answer_not_served(super().do_HEAD)

    def _answer_not_served(self, serve: Callable[[], None]) -> None:
        """`serve`, or the answer for a path that names no file to serve (from translate_path)."""
        try:
            return serve()
        except NotServed as refusal:
            if refusal.location is None:
                return self.send_error(refusal.status, explain=refusal.reason)
            self.send_response(refusal.status)
            self.send_header("Location", refusal.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def translate_path(self, path: str) -> str:
        """The regular file inside site/ that the URL names (a folder: its index.html), symlinks resolved.

        Raises NotServed: 400 for a path no browser sends (see url_names), 404 for one that
        names nothing to serve: not there, not a regular file, a name too long for the file
        system, or a symlink out of site/; a redirect to the slash form for a folder.
        """
        names = url_names(path)
        root = Path(self.directory).resolve()
        local, status = self._inside(root, root.joinpath(*names))
        if stat.S_ISDIR(status.st_mode):
            url_path, query = split_target(path)
            if not url_path.endswith("/"):
                slash_form = "/" + "".join(urllib.parse.quote(name) + "/" for name in names)
                raise NotServed(HTTPStatus.MOVED_PERMANENTLY, location=slash_form + query)
            local, status = self._inside(root, local / "index.html")
        if not stat.S_ISREG(status.st_mode):
            raise NotServed(HTTPStatus.NOT_FOUND)
        return str(local)

    @staticmethod
    def _inside(root: Path, local: Path) -> tuple[Path, os.stat_result]:
        """`local` with its symlinks resolved, and its status; NotServed(404) unless it is there inside `root`."""
        try:
            local = local.resolve(strict=True)
            status = local.stat()
        except OSError:  # not there, a name longer than the file system allows, a symlink loop ...
            raise NotServed(HTTPStatus.NOT_FOUND) from None
        if not local.is_relative_to(root):
            raise NotServed(HTTPStatus.NOT_FOUND)  # a symlink out of site/
        return local, status

    def _read_page(self, url_path: str) -> str | None:
        """The HTML page at `url_path`, or None when it is not an HTML page (or not there)."""
        for _ in range(3):  # a rebuild can swap site/ away between finding the page and reading it
            self._wait_for_swap()
            local = self._html_file(url_path)
            if local is None:
                return None
            try:
                return local.read_text(encoding="utf-8")
            except FileNotFoundError:
                continue
        return None

    def _wait_for_swap(self, seconds: float = 2.0) -> None:
        """A rebuild swaps site/ in with two renames; a request in between waits for the new one."""
        deadline = time.monotonic() + seconds
        while self.preview.built_once and not Path(self.directory).exists() and time.monotonic() < deadline:
            time.sleep(0.02)

    def _html_file(self, url_path: str) -> Path | None:
        try:
            local = Path(self.translate_path(url_path))
        except NotServed:
            return None  # answered by do_GET's file serving: an error, or the redirect to the slash form
        return local if local.suffix == ".html" else None

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
        self.end_headers()
        self.wfile.write(body)

    def _stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
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
    changes = Changes(project)
    observer = start_observer(project, changes)  # watching before the first build, so no edit slips between
    preview.rebuild(with_search=False)  # on view as soon as the pages are written: indexing a large archive takes a minute
    handler = type("Handler", (PreviewHandler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer((host, port), partial(handler, directory=str(project.out_dir)))
    server.daemon_threads = True
    stop = threading.Event()
    threading.Thread(target=watch, args=(preview, changes, stop), daemon=True).start()
    print(f"Serving http://{host}:{server.server_port}/ (Ctrl+C to stop); rebuilding on changes", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nStopped.")
    finally:
        stop.set()
        observer.stop()
        server.server_close()
    return 0
