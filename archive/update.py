"""Fill the empty fields of an existing incident file from imported data, changing no other line of it.

`import --update` never replaces what a curator wrote. A top-level field is filled only when
the file leaves it out or leaves it empty (`figures: []`, `summary: ""`, the TODO summary `new`
writes); a source the file has (same publisher, nothing that disagrees) only gains the fields it
lacks; a report the file does not have is added only when a filled figure cites it. The new
lines go where the documented order puts them; comments and layout stay as they are.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .load import Document, Key
from .scaffold import FIELD_ORDER, PLACEHOLDER_SUMMARY, field_lines, flow, scalar, source_lines

FILLED_FIELDS = ("title", "summary", "regions", "places", "assessment", "figures")  # what an import gives, sources aside


@dataclass
class Filled:
    text: str  # the file's new text
    data: dict  # what that text reads as
    changes: list[str] = field(default_factory=list)  # `summary`, `figures (3)`, `sources.aj (new)`, `sources.mt.url`
    origin: dict[Key, Key] = field(default_factory=dict)  # a filled key of `data` -> its key in the imported data
    kept: list[str] = field(default_factory=list)  # fields the file and the import both give, differently: the file's stay


def is_unfilled(value: object, name: str = "") -> bool:
    """A field `--update` may fill: missing, empty, or the summary `new` leaves to be written."""
    if value is None or value == "" or value == [] or value == {}:
        return True
    return name == "summary" and value == PLACEHOLDER_SUMMARY


def fill_empty_fields(text: str, document: Document, imported: dict) -> Filled | str:
    """The file's text with its empty fields filled from `imported`; a message when that cannot be done line by line."""
    data = document.data
    merged = copy.deepcopy(data)
    filled = Filled(text, merged)
    lines = text.split("\n")
    edits = _Edits(lines)
    for name in FILLED_FIELDS:
        if is_unfilled(imported.get(name)) or not is_unfilled(data.get(name), name):
            if not is_unfilled(imported.get(name)) and imported[name] != data.get(name):
                filled.kept.append(name)
            continue
        merged[name] = copy.deepcopy(imported[name])
        filled.origin[(name,)] = (name,)
        filled.changes.append(f"{name} ({len(imported[name])})" if name == "figures" else name)
    problem = _fill_sources(document, imported, merged, filled, edits)
    if problem:
        return problem
    whole = {key[0] for key in filled.origin if len(key) == 1}  # fields written anew (sources too, when the file had none)
    for name in FIELD_ORDER:
        if name in whole:
            edits.field(document, name, field_lines(name, merged[name]))
    filled.text = edits.apply()
    return filled


def _fill_sources(document: Document, imported: dict, merged: dict, filled: Filled, edits: _Edits) -> str | None:
    """Match the imported sources to the file's; fill what they lack, add those the filled figures cite."""
    sources = merged.get("sources") if isinstance(merged.get("sources"), dict) else None
    if sources is None:
        return "cannot fill this file: its `sources` is not a mapping; run check and fix it first"
    cited = {figure.get("source") for figure in merged.get("figures", []) if isinstance(figure, dict)} if ("figures",) in filled.origin else set()
    renamed: dict[str, str] = {}
    whole = not sources  # `sources: {}`: written again as a whole
    new = []
    for key, source in (imported.get("sources") or {}).items():
        match = next((name for name, mine in sources.items() if _same_report(mine, source)), None)
        if match is None:
            new.append((key, source))
            continue
        renamed[key] = match
        lacking = {name: value for name, value in source.items() if name not in sources[match]}
        problem = edits.inside_source(document, match, lacking) if lacking else None
        if problem:
            return problem
        for name, value in lacking.items():
            sources[match][name] = value
            filled.origin[("sources", match, name)] = ("sources", key, name)
            filled.changes.append(f"sources.{match}.{name}")
    for key, source in new:  # after the fields of the file's own sources, which end where new sources begin
        if key not in cited:
            continue
        new_key, number = key, 1
        while new_key in sources:
            number += 1
            new_key = f"{key}-{number}"
        sources[new_key], renamed[key] = copy.deepcopy(source), new_key
        filled.origin[("sources", new_key)] = ("sources", key)
        filled.changes.append(f"sources.{new_key} (new)")
        problem = None if whole else edits.new_source(document, new_key, source)
        if problem:
            return problem
    if whole and sources:
        filled.origin[("sources",)] = ("sources",)
    for figure in merged.get("figures", []) if ("figures",) in filled.origin else []:
        if isinstance(figure, dict) and figure.get("source") in renamed:
            figure["source"] = renamed[figure["source"]]
    return None


def _same_report(mine: object, theirs: dict) -> bool:
    """One report: the same publisher, and no field that both give differs."""
    if not isinstance(mine, dict) or str(mine.get("publisher", "")).casefold() != str(theirs.get("publisher", "")).casefold():
        return False
    return all(mine[name] == value for name, value in theirs.items() if name in mine)


class _Edits:
    """Line edits of a YAML text, made on its original lines and applied at once."""

    def __init__(self, lines: list[str]):
        self.lines = lines[:-1] if lines and lines[-1] == "" else lines  # the text's final line break is put back by apply
        self.before: dict[int, list[str]] = {}  # line index -> lines to insert before it
        self.replace: dict[int, tuple[int, list[str]]] = {}  # first line index -> (end index, new lines)

    def apply(self) -> str:
        out: list[str] = []
        index = 0
        while index <= len(self.lines):
            out += self.before.get(index, [])
            if index in self.replace:
                end, new = self.replace[index]
                out += new
                index = end
                continue
            if index < len(self.lines):
                out.append(self.lines[index])
            index += 1
        return "\n".join(out) + "\n"

    def field(self, document: Document, name: str, new: list[str]) -> None:
        """Replace a top-level field's lines, or insert them where the documented order puts the field."""
        if (name,) in document.key_positions:
            start = document.key_positions[(name,)][0] - 1
            self.replace[start] = (self._block_end(start, 0), new)
            return
        later = [document.key_positions[(other,)][0] - 1 for other in FIELD_ORDER[FIELD_ORDER.index(name) + 1:] if (other,) in document.key_positions]
        at = min(later) if later else self._block_end(-1, -1)
        while at > 0 and self.lines[at - 1].lstrip().startswith("#") and not self.lines[at - 1].startswith("# yaml-language-server"):
            at -= 1  # a comment just above a field is about that field
        self.before.setdefault(at, []).extend(new)

    def inside_source(self, document: Document, key: str, fields: dict) -> str | None:
        """Add fields at the end of a source written one field a line."""
        indent = self._entry_indent(document, ("sources", key))
        if indent is None:
            return f"cannot fill source `{key}`: it is written on one line; fill its fields by hand"
        start = document.key_positions[("sources", key)][0] - 1
        end = self._block_end(start, len(self.lines[start]) - len(self.lines[start].lstrip(" ")))
        self.before.setdefault(end, []).extend(f"{indent}{scalar(name)}: {flow(value)}" for name, value in fields.items())
        return None

    def new_source(self, document: Document, key: str, source: dict) -> str | None:
        """Add a source at the end of `sources`, indented as its other sources."""
        if not self._block_style(document, ("sources",)):
            return "cannot add a source: `sources` is written on one line; add it by hand"
        first = document.value_positions[("sources",)]
        start = document.key_positions[("sources",)][0] - 1
        self.before.setdefault(self._block_end(start, 0), []).extend(source_lines(key, source, " " * (first[1] - 1)))
        return None

    def _entry_indent(self, document: Document, key: Key) -> str | None:
        if not self._block_style(document, key):
            return None
        return " " * (document.value_positions[key][1] - 1)

    @staticmethod
    def _block_style(document: Document, key: Key) -> bool:
        """A block mapping starts on the line after its key; a flow one (`{...}`) on the key's line."""
        return key in document.value_positions and key in document.key_positions and document.value_positions[key][0] > document.key_positions[key][0]

    def _block_end(self, start: int, indent: int) -> int:
        """The index after the last line of the block that starts at `start` with its key at `indent`
        (trailing blank and comment lines are left to what follows)."""
        end = start + 1
        last = start
        while end < len(self.lines):
            line = self.lines[end]
            stripped = line.lstrip(" ")
            if stripped and not stripped.startswith("#"):
                if len(line) - len(stripped) <= indent:
                    break
                last = end
            end += 1
        return last + 1
