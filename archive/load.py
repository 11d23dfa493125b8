"""Read YAML files into plain Python data, keeping the line and column of every value.

PyYAML's C composer gives us a node tree with positions. We convert it ourselves instead
of using PyYAML's constructor so that we can refuse what the constructor would silently
accept: duplicate keys, YAML 1.1 booleans such as an unquoted `no`, and numbers in
sexagesimal (`12:30`) or octal notation. Before composing, the event stream is checked for
what could exhaust the machine: deep nesting, anchors and aliases.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem

try:  # The C loader is several times faster; fall back quietly where libyaml is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 16

Key = tuple  # a path into the data, e.g. ("figures", 0, "value")

_STR = "tag:yaml.org,2002:str"
_PLAIN_INTEGER = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_TRUE_FALSE = {"true", "false"}


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


def load_yaml_file(path: Path, display_path: str) -> tuple[Document, list[Problem]]:
    """Parse one file. The document's data is None when the file cannot be read at all."""
    document = Document(path=path, display_path=display_path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        return document, [Problem(display_path, 1, 1, "is a directory, not a YAML file; rename it or move it out of incidents/")]
    except OSError as exc:
        return document, [Problem(display_path, 1, 1, f"cannot be read: {exc.strerror}")]
    return document, parse_yaml_bytes(raw, document)


def parse_yaml_bytes(raw: bytes, document: Document) -> list[Problem]:
    """Fill `document` from the bytes of a YAML file and return the problems found."""
    where = document.display_path
    if len(raw) > MAX_FILE_BYTES:
        return [Problem(where, 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}. Split the incident or shorten its texts")]
    text, problem = _decode(raw, where)
    if problem:
        return [problem]
    if not text.strip():
        return [Problem(where, 1, 1, "file is empty; an incident file is a mapping of fields such as title, date, regions")]
    try:
        structure_problem = _check_structure(text, where)
        if structure_problem:
            return [structure_problem]
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return [Problem(where, line, col, f"YAML syntax: {exc.problem or exc}{_syntax_hint(exc)}")]
    except yaml.YAMLError as exc:
        return [Problem(where, 1, 1, f"YAML syntax: {exc}")]
    if root is None:
        return [Problem(where, 1, 1, "file holds no data; an incident file is a mapping of fields such as title, date, regions")]
    converter = _Converter(document)
    document.data = converter.convert(root, ())
    return converter.problems


def _check_structure(text: str, where: str) -> Problem | None:
    """Refuse deep nesting, anchors and aliases before composing.

    Composing is recursive (deep nesting crashes the interpreter) and aliases expand
    (a few lines can stand for gigabytes), so the event stream, which is read with
    constant stack, is checked first.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return Problem(where, mark.line + 1, mark.column + 1,
                           "YAML anchors (&name) and aliases (*name) are not allowed in incident files; write the value out")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(where, mark.line + 1, mark.column + 1,
                               f"nesting is deeper than {MAX_DEPTH} levels; incident files never need that")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return None


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


class _Converter:
    """Turns a composed node tree into dicts, lists and scalars, recording positions."""

    def __init__(self, document: Document):
        self.document = document
        self.problems: list[Problem] = []

    def _report(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.document.display_path, mark.line + 1, mark.column + 1, message))

    def convert(self, node: yaml.Node, key: Key) -> Any:
        mark = node.start_mark
        self.document.value_positions[key] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, key + (index,)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, key: Key) -> dict:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self._report(key_node, "keys must be plain names such as `title`; merge keys (<<) and complex keys are not allowed")
                continue
            name = key_node.value
            line = key_node.start_mark.line + 1
            if name in first_seen:
                self._report(key_node, f"duplicate key `{name}` (first at line {first_seen[name]}); keep one of them")
                continue
            first_seen[name] = line
            child = key + (name,)
            self.document.key_positions[child] = (line, key_node.start_mark.column + 1)
            result[name] = self.convert(value_node, child)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        text, tag = node.value, node.tag
        if tag in (_STR, "tag:yaml.org,2002:timestamp"):
            return text  # dates stay text: validation parses them and explains bad ones
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            if text.lower() in _TRUE_FALSE:
                return text.lower() == "true"
            self._report(node, f'unquoted `{text}` is read by YAML 1.1 as a yes/no value, not as text; write "{text}" in quotes')
            return text
        if tag == "tag:yaml.org,2002:int":
            if _PLAIN_INTEGER.fullmatch(text):
                return int(text)
            if ":" in text:
                self._report(node, f'`{text}` is read by YAML 1.1 as a base-60 number; write "{text}" in quotes if it is a time or text')
            else:
                self._report(node, f"`{text}` is a number in a special notation (octal, hex or with underscores); write plain digits, or quote it if it is text")
            return text
        if tag == "tag:yaml.org,2002:float":
            try:
                return float(text.replace("_", ""))
            except ValueError:
                self._report(node, f"`{text}` is not a number we can read; write plain digits")
                return text
        self._report(node, f"YAML tag `{tag}` is not allowed in incident files; remove it")
        return text


def find_incident_files(incidents_dir: Path) -> list[Path]:
    """Every `.yaml` file below incidents/, in a stable order (`.yml` too, so validation can flag it)."""
    return sorted(path for pattern in ("*.yaml", "*.yml") for path in incidents_dir.rglob(pattern))


def read_content_pages(content_dir: Path) -> tuple[dict[str, str], list[Problem]]:
    """The Markdown text of each `content/<name>.md`, by name."""
    pages, problems = {}, []
    for path in sorted(content_dir.glob("*.md")):
        try:
            pages[path.stem] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(f"{content_dir.name}/{path.name}", 1, 1, "file is not UTF-8; save it as UTF-8"))
    return pages, problems


def read_snapshots(snapshots_dir: Path) -> dict[str, str]:
    """Text snapshots of sources, by file name without `.txt` (a source key, or its URL made safe)."""
    return {
        path.stem: path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(snapshots_dir.glob("*.txt"))
    }


def last_commit_dates(root: Path, folder: str = "incidents") -> dict[str, str]:
    """The date (YYYY-MM-DD) of the last commit touching each file under `folder`, by repository path.

    One `git log` run for the whole folder; {} when `root` is not in a git checkout. A shallow
    clone knows only its own commits: CI checks out the full history for true dates.
    """
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "--format=%x00%cs", "--name-only", "--relative", "--", folder],
            capture_output=True, text=True, check=False, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if result.returncode != 0:
        return {}
    dates: dict[str, str] = {}
    for record in result.stdout.split("\0")[1:]:
        date, *names = record.strip().splitlines()
        for name in names:
            dates.setdefault(name, date)
    return dates
