"""Read YAML files into plain Python data, keeping the line and column of every value.

We build the data ourselves from PyYAML's (C) event stream, in one pass with an explicit
stack, instead of using PyYAML's composer and constructor. That way we keep every position,
and we refuse what PyYAML would silently accept or could not survive: duplicate keys, YAML 1.1
booleans such as an unquoted `no`, numbers in sexagesimal (`12:30`) or octal notation,
anchors and aliases (a few lines can expand to gigabytes), and deep nesting (the composer
recurses, and a file of 50,000 `[` crashes the interpreter).

Where the Makefile could compile it, archive/_fastload.c reads the plain files (most of them)
the same way, three times faster, straight from libyaml's events; it gives every file that has
anything to report to the reading here, which reports it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import yaml

from .files import Repository, UnsafeFile, is_text_name
from .problems import Problem

try:  # The C parser (libyaml) is several times faster; fall back quietly where it is missing.
    from yaml._yaml import CParser as _Parser  # (what yaml.CSafeLoader parses with)
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]


def c_source_digest() -> str | None:
    """The SHA-256 of archive/_fastload.c, which the Makefile compiles into the module (None: the source is missing)."""
    try:
        return hashlib.sha256(Path(__file__).with_name("_fastload.c").read_bytes()).hexdigest()
    except OSError:
        return None


def _reading_in_c() -> ModuleType | None:
    """archive/_fastload.c, when the Makefile could compile it, from the file as it is now (an older build of it
    could read differently), against the libyaml PyYAML parses with (which decides what _Builder accepts)."""
    try:
        from yaml._yaml import get_version

        from . import _fastload
    except ImportError:
        return None
    compiled_from = getattr(_fastload, "source_digest", lambda: "")()  # (a module compiled before it said what from)
    source = c_source_digest()  # (None in a copy of the code without the C source: nothing says what it was compiled from)
    return _fastload if source and compiled_from == source and _fastload.version_of_libyaml() == get_version() else None


_fastload = _reading_in_c()

MAX_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class FileKind:
    """What the loader's messages call a kind of YAML file, what one should hold, and how large it may be."""

    plural: str
    shape: str  # what a file of the kind is, for a file that holds nothing
    when_too_large: str
    one_per_file: str
    max_bytes: int


INCIDENT_FILES = FileKind("incident files", "an incident file is a mapping of fields such as title, date, regions",
                          "Split the incident or shorten its texts", "keep one incident per file", MAX_FILE_BYTES)
# site.yaml and data/*.yaml: a registry of thousands of people is larger than any incident file.
SETTINGS_FILES = FileKind("settings and vocabulary files", "it is a mapping of `name: value` lines",
                          "Move what is no longer needed out of it", "keep one document per file", 16 * MAX_FILE_BYTES)
MAX_DEPTH = 16
MAX_INTEGER_DIGITS = 18  # far beyond any count; Python refuses to read integers of over 4,300 digits

Key = tuple  # a path into the data, e.g. ("figures", 0, "value")

class TooLongNumber(str):
    """The text of an integer too long to read, kept as text once the problem is reported."""


_STR = "tag:yaml.org,2002:str"
_ScalarEvent, _AliasEvent, _DocumentStartEvent, _StreamEndEvent = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent, yaml.StreamEndEvent
_MappingStartEvent, _MappingEndEvent = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStartEvent, _SequenceEndEvent = yaml.SequenceStartEvent, yaml.SequenceEndEvent
# A quoted or block scalar is text, and so is a plain one starting with any other character
# (the resolver has no wildcard resolvers): _Builder.build takes them as text at once.
_RESOLVED_BY_FIRST_CHARACTER = frozenset(first for first in yaml.resolver.Resolver.yaml_implicit_resolvers if first is not None)
_PLAIN_INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_TRUE_FALSE = {"true", "false"}
_intern = sys.intern


@dataclass
class Document:
    """One YAML file: its data and where each value and key stands in the file."""

    path: Path
    display_path: str
    data: Any = None
    value_positions: dict[Key, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def where(self, key: Key, *, at_key: bool = False) -> tuple[int, int]:
        """Line and column of the value (or its key) at `key`, or of its nearest parent."""
        key = tuple(key)
        if at_key and key in self.key_positions:
            return self.key_positions[key]
        while key not in self.value_positions and key:
            key = key[:-1]
        return self.value_positions.get(key, (1, 1))

    def problem(self, key: Key, message: str, *, at_key: bool = False, severity: str = "error") -> Problem:
        line, col = self.where(key, at_key=at_key)
        return Problem(self.display_path, line, col, message, severity)


def texts_in(value: object, key: Key = ()) -> Iterator[tuple[Key, str, bool]]:
    """(key, text, whether it is a mapping's key) for every string in a document's data, keys included."""
    if isinstance(value, str):
        yield key, value, False
    elif isinstance(value, dict):
        for name, child in value.items():
            if isinstance(name, str):
                yield (*key, name), name, True
            yield from texts_in(child, (*key, name))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from texts_in(child, (*key, index))


def read_bytes(path: Path, display_path: str, repository: Repository,
               kind: FileKind = INCIDENT_FILES) -> tuple[bytes | None, list[Problem]]:
    """A file's bytes (no more than one byte over the size limit), or None and the problem that kept it from being read."""
    try:
        return repository.read_bytes(path, display_path, limit=kind.max_bytes), []
    except UnsafeFile as refused:
        return None, [refused.problem]


def parse_yaml_bytes(raw: bytes, document: Document, kind: FileKind = INCIDENT_FILES) -> list[Problem]:
    """Fill `document` from the bytes of a YAML file of `kind` and return the problems found."""
    where = document.display_path
    if len(raw) > kind.max_bytes:
        return [Problem(where, 1, 1, f"file is over {kind.max_bytes:,} bytes, the limit. {kind.when_too_large}")]
    text, problem = _decode(raw, where)
    if problem:
        return [problem]
    if not text.strip():
        return [Problem(where, 1, 1, f"file is empty; {kind.shape}")]
    problems = [] if _read_in_c(text, document) else _read_with_builder(text, document, kind)
    if document.data is None and not problems:
        return [Problem(where, 1, 1, f"file holds no data; {kind.shape}")]
    return problems


def _read_in_c(text: str, document: Document) -> bool:
    """Whether archive/_fastload.c read `text` into `document` (a file it reads has nothing to report); else it
    gave up, and left nothing in `document`, or is not compiled here."""
    if _fastload is None:
        return False
    data = _fastload.build(text.encode(), document.value_positions, document.key_positions, _plain_value,
                           _RESOLVED_FIRST_BYTES, _GIVE_UP, MAX_DEPTH)
    if data is _GIVE_UP:
        document.value_positions.clear()
        document.key_positions.clear()
        return False
    document.data = data
    return True


def _read_with_builder(text: str, document: Document, kind: FileKind) -> list[Problem]:
    """Read `text` into `document` with _Builder, which reports every problem; on one that stops the reading, the data is None."""
    where = document.display_path
    builder = _Builder(document, kind)
    try:
        document.data = builder.build(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        document.data = None
        # The problem only: the whole error would quote the file, which may not be the contributor's to show.
        return [Problem(where, line, col, f"YAML syntax: {exc.problem or 'the file cannot be read as YAML'}{_syntax_hint(exc)}")]
    except yaml.YAMLError:
        document.data = None
        return [Problem(where, 1, 1, "YAML syntax: the file cannot be read as YAML")]
    except _Refused as refusal:
        document.data = None
        return [refusal.problem]
    return builder.problems


def _decode(raw: bytes, where: str) -> tuple[str, Problem | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark is harmless; editors on Windows add it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return "", Problem(where, line, col, f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}); save it as UTF-8")
    return text.replace("\r\n", "\n"), None


def _syntax_hint(exc: yaml.MarkedYAMLError) -> str:
    text = str(exc.problem or "")
    if "\\t" in text or "tab" in text:
        return "; indent with spaces, not tabs"
    if "mapping values are not allowed" in text:
        return "; a text containing ': ' must be quoted"
    return ""


class _Refused(Exception):
    """Raised to stop reading a file at once (anchors, aliases, deep nesting, several documents)."""

    def __init__(self, problem: Problem):
        self.problem = problem


_SKIP = object()  # a value under a key that was refused: read, then dropped


class _Builder:
    """Turns the event stream into dicts, lists and scalars, recording positions as it goes."""

    def __init__(self, document: Document, kind: FileKind):
        self.document = document
        self.kind = kind
        self.problems: list[Problem] = []
        # One frame per open collection: [container, its key path, pending mapping key or None, whether it is a mapping]
        self.stack: list[list] = []
        self.root: Any = None
        self.documents = 0

    def _anchors(self) -> str:
        return f"YAML anchors (&name) and aliases (*name) are not allowed in {self.kind.plural}; write the value out"

    def _position(self, event: yaml.Event) -> tuple[int, int]:
        mark = event.start_mark
        if mark is None:  # the parser marks every event; (1, 1) as for a problem without a place
            return 1, 1
        return mark.line + 1, mark.column + 1

    def _report(self, event: yaml.Event, message: str) -> None:
        line, col = self._position(event)
        self.problems.append(Problem(self.document.display_path, line, col, message))

    def _refuse(self, event: yaml.Event, message: str) -> NoReturn:
        line, col = self._position(event)
        raise _Refused(Problem(self.document.display_path, line, col, message))

    def build(self, text: str) -> Any:
        """The data of `text`, read event by event.

        The loop is the hot path of every check without _fastload (one or two hundred events an incident file):
        the common events, scalars and the ends of collections, are handled inline, with the
        open collection's frame and parts in local names (set again when one opens or closes).
        """
        parser = _Parser(text)
        try:
            get_event = parser.get_event
            stack, positions, key_positions = self.stack, self.document.value_positions, self.document.key_positions
            # The open collection's frame (stack[-1]) and its parts; at the top, a frame of no collection.
            frame: list = [None, (), None, False]
            container: Any = None
            path: Key = ()
            pending: Any = None  # frame[2], written back before another collection opens
            is_mapping = False
            while True:
                event: Any = get_event()  # (its kind is told by its class, below)
                kind = event.__class__
                if kind is _ScalarEvent:
                    if event.anchor:
                        self._refuse(event, self._anchors())
                    value, tag = event.value, event.tag
                    if not ((tag is None or tag == "!") and (not event.implicit[0] or value[:1] not in _RESOLVED_BY_FIRST_CHARACTER)):
                        value = self._scalar(event)  # text is what _scalar gives for the others, and it reports nothing
                    mark = event.start_mark
                    if is_mapping:
                        if pending is None:  # a key of the mapping (an unquoted `no:` was reported above all the same)
                            name = event.value
                            if name == "<<" or name in container:
                                pending = self._key(event, container, path)
                            else:
                                # One string object for each key name: the results of worker processes pickle it once.
                                pending = _intern(name)
                                key_positions[(*path, pending)] = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                            continue
                        if pending is not _SKIP:
                            container[pending] = value
                            positions[(*path, pending)] = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                        pending = None
                    elif container is not None:
                        positions[(*path, len(container))] = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
                        container.append(value)
                    else:
                        self._add(event, value)
                elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                    stack.pop()
                    frame = stack[-1] if stack else [None, (), None, False]
                    container, path, pending, is_mapping = frame
                elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
                    frame[2] = pending
                    self._open(event, {} if kind is _MappingStartEvent else [])
                    frame = stack[-1]
                    container, path, pending, is_mapping = frame
                elif kind is _AliasEvent:
                    self._refuse(event, self._anchors())
                elif kind is _DocumentStartEvent:
                    self.documents += 1
                    if self.documents > 1:
                        self._refuse(event, f"the file holds more than one YAML document (a second `---`); {self.kind.one_per_file}")
                elif kind is _StreamEndEvent or event is None:
                    return self.root
        finally:
            parser.dispose()

    def _open(self, event: yaml.CollectionStartEvent, container: dict[str, Any] | list[Any]) -> None:
        if event.anchor:
            self._refuse(event, self._anchors())
        if len(self.stack) >= MAX_DEPTH:
            self._refuse(event, f"nesting is deeper than {MAX_DEPTH} levels; {self.kind.plural} never need that")
        if event.tag not in (None, "!") and not event.implicit:
            self._report(event, f"YAML tag `{event.tag}` is not allowed in {self.kind.plural}; remove it")
        key = self._add(event, container)
        self.stack.append([container, key, None, isinstance(container, dict)])

    def _add(self, event: yaml.NodeEvent, value: Any) -> Key:
        """Place `value` (read from a scalar or collection start `event`) in the open collection (or as the root); returns its key path."""
        if not self.stack:
            self.root = value
            self.document.value_positions[()] = self._position(event)
            return ()
        frame = self.stack[-1]
        container, path, pending, is_mapping = frame
        if not is_mapping:
            key = (*path, len(container))
            container.append(value)
        elif pending is None:  # this value is a key of the mapping
            frame[2] = self._key(event, container, path)
            return (*path, "<key>")
        else:
            frame[2] = None
            if pending is _SKIP:
                return (*path, "<skipped>")
            key = (*path, pending)
            container[pending] = value
        self.document.value_positions[key] = self._position(event)
        return key

    def _key(self, event: yaml.NodeEvent, container: dict[str, Any], path: Key) -> object:
        """The name of the mapping key `event` reads, or _SKIP when the key is refused."""
        if not isinstance(event, yaml.ScalarEvent) or (event.value == "<<" and event.implicit[0]):
            self._report(event, "keys must be plain names such as `title`; merge keys (<<) and complex keys are not allowed")
            return _SKIP
        name = event.value
        if name in container:
            first = self.document.key_positions[(*path, name)][0]
            self._report(event, f"duplicate key `{name}` (first at line {first}); keep one of them")
            return _SKIP
        self.document.key_positions[(*path, name)] = self._position(event)
        return name

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        value, message = _scalar_value(event.value, event.tag, event.implicit, self.kind)
        if message:
            self._report(event, message)
        return value


_RESOLVER = yaml.resolver.Resolver()


def _scalar_value(text: str, tag: str | None, implicit: tuple[bool, bool], kind: FileKind) -> tuple[Any, str | None]:
    """A scalar's value, and what to tell the contributor when it is not allowed as written (None: nothing)."""
    if tag is None or tag == "!":
        if implicit[0] and len(text) <= MAX_INTEGER_DIGITS and _PLAIN_INTEGER.fullmatch(text):
            return int(text), None  # what the resolver reads a plain count as (an int), without its several patterns
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, implicit)
    if tag in (_STR, "tag:yaml.org,2002:timestamp"):
        return text, None  # dates stay text: validation parses them and explains bad ones
    if tag == "tag:yaml.org,2002:null":
        return None, None
    if tag == "tag:yaml.org,2002:bool":
        if text.lower() in _TRUE_FALSE:
            return text.lower() == "true", None
        return text, f'unquoted `{text}` is read by YAML 1.1 as a yes/no value, not as text; write "{text}" in quotes'
    if tag == "tag:yaml.org,2002:int":
        if _PLAIN_INTEGER.fullmatch(text):
            digits = len(text.lstrip("+-"))
            if digits <= MAX_INTEGER_DIGITS:
                return int(text), None
            return TooLongNumber(text), f"`{text[:12]}…` is a number of {digits:,} digits, too long for any count; check it"
        if ":" in text:
            return text, f'`{text}` is read by YAML 1.1 as a base-60 number; write "{text}" in quotes if it is a time or text'
        return text, f"`{text}` is a number in a special notation (octal, hex or with underscores); write plain digits, or quote it if it is text"
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(text.replace("_", "")), None
        except ValueError:
            return text, f"`{text}` is not a number we can read; write plain digits"
    return text, f"YAML tag `{tag}` is not allowed in {kind.plural}; remove it"


_GIVE_UP = object()  # what _fastload.build gives for a file _Builder must read (and _plain_value for a scalar it reports)
_RESOLVED_FIRST_BYTES = "".join(sorted(_RESOLVED_BY_FIRST_CHARACTER)).encode("ascii")  # ("" is there too: _fastload resolves empty scalars)


def _plain_value(text: str) -> Any:
    """The value of a plain, untagged scalar, for _fastload: _GIVE_UP when _Builder would report it."""
    value, message = _scalar_value(text, None, (True, False), INCIDENT_FILES)
    return _GIVE_UP if message else value




def repository_path(root: Path, path: Path) -> str:
    """`path` as the repository names it (`incidents/2025/x.yaml`): how problems and caches refer to files.

    Cut from the text when it starts with the root's, which is many times faster than
    Path.relative_to: it is asked for every incident file on every build.
    """
    root_text, text = str(root), str(path)
    if text.startswith(root_text + os.sep):
        return text[len(root_text) + 1:].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


def find_incident_files(incidents_dir: Path) -> list[Path]:
    """Every `.yaml` file below incidents/, in a stable order (`.yml`, `.YAML` too, so validation can flag them).

    Names that are not valid UTF-8 are left to the repository scan (files.py), which reports them.
    """
    # One walk (rglob twice is slower); folders named like files are listed too, so check can flag them.
    # Sorted as text split at each separator: Path's own order, without its slow comparisons.
    found = [os.path.join(folder, name) for folder, folders, files in os.walk(incidents_dir)
             for name in folders + files if name.lower().endswith((".yaml", ".yml")) and is_text_name(folder + name)]
    return [Path(path) for path in sorted(found, key=lambda path: path.split(os.sep))]


CONTENT_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Site folders a content page must not take over (content/regions.md would replace the regions index).
RESERVED_NAMES = {"incidents", "regions", "search", "data", "totals", "static", "schema",
                  "downloads", "search-index", "feed", "sitemap", "robots", "index", "404", "map", "places"}


def read_content_pages(content_dir: Path, repository: Repository) -> tuple[dict[str, str], list[Problem]]:
    """The Markdown text of each `content/<name>.md`, by name."""
    pages, problems = {}, []
    for path in sorted(content_dir.glob("*.md")):
        if not is_text_name(path.name):
            continue  # reported by the repository scan
        where = f"{content_dir.name}/{path.name}"
        if not CONTENT_NAME.fullmatch(path.stem) or path.stem in RESERVED_NAMES:
            problems.append(Problem(where, 1, 1, f"`{path.name}` cannot be a page name: use lower-case letters, digits and "
                                                 f"single hyphens, and none of {', '.join(sorted(RESERVED_NAMES))}"))
            continue
        raw, found = read_bytes(path, where, repository)
        if raw is None:
            problems += found
            continue
        text, problem = _decode(raw, where)
        if problem:
            problems.append(problem)
        else:
            pages[path.stem] = text
    return pages, problems


def read_snapshots(snapshots_dir: Path) -> dict[str, str]:
    """Text snapshots of sources, by file name without `.txt` (a source key, or its URL made safe)."""
    return {
        path.stem: path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(snapshots_dir.glob("*.txt"))
    }
