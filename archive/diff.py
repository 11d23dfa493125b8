"""Compare the archive's content at two git revisions and report it in Markdown for reviewers.

Reads the incident files straight from git (no checkout): incidents added, removed and
renamed, and per changed incident every figure, quote and source that changed, with
whether a corrections entry accompanies each figure change.

The report is shown as GitHub-flavoured Markdown (the pull request's job summary), and what
it shows comes from the pull request under review. So every string taken from content or
from git (titles, ids, paths, keys, values, excerpts, URLs) goes through one function,
`escape`, and is shown as inert plain text: never a link, image, HTML tag, code span or
emphasis, and never an invisible character.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .characters import is_invisible
from .git import commit_of, files_at, read_files_at
from .load import Document, parse_yaml_bytes

FIGURE_IDENTITY = ("measure", "region", "subject", "weapon", "claimed_by", "source")
FIGURE_VALUE = ("value", "min", "max", "qualifier", "as_of", "excerpt")


@dataclass
class Version:
    """One incident file at one revision."""

    id: str
    path: str
    data: dict | None  # None when the file could not be read as YAML


def content_diff(root: Path, base: str, head: str = "HEAD", folder: str = "incidents") -> tuple[str, bool]:
    """(Markdown report, whether the content changed) between revisions `base` and `head`."""
    before, after = read_revision(root, base, folder), read_revision(root, head, folder)
    lines = _report(before, after)
    heading = f"## Content changes {escape(base)}..{escape(head)}\n\n"
    if not lines:
        return heading + "no content changes\n", False
    return heading + "\n".join(lines) + "\n", True


def read_revision(root: Path, revision: str, folder: str = "incidents") -> dict[str, Version]:
    """Every incident file of `folder` at `revision`, by incident id; GitError when git cannot read them."""
    commit = commit_of(root, revision)
    names = [name for name in files_at(root, commit, folder) if name.endswith(".yaml")]
    blobs = read_files_at(root, commit, names)
    versions = {}
    for name, raw in zip(names, blobs, strict=True):
        document = Document(path=Path(name), display_path=name)
        parse_yaml_bytes(raw, document)
        data = document.data if isinstance(document.data, dict) else None
        versions[PurePosixPath(name).stem] = Version(PurePosixPath(name).stem, name, data)
    return versions


# --- the report ---------------------------------------------------------------------

def _report(before: dict[str, Version], after: dict[str, Version]) -> list[str]:
    renamed = {old: new.id for new in after.values() for old in _list(new.data, "previous_ids")
               if isinstance(old, str) and old in before and old not in after}
    added = [ident for ident in after if ident not in before and ident not in renamed.values()]
    removed = [ident for ident in before if ident not in after and ident not in renamed]
    lines = []
    for ident in sorted(added):
        lines.append(f"- **Added** {escape(ident)}: {_title(after[ident])}")
        lines += _incident_changes(Version(ident, "", {}), after[ident], new_incident=True)
    for old in sorted(renamed):
        new = renamed[old]
        lines.append(f"- **Renamed** {escape(old)} → {escape(new)} (the old address redirects)")
        lines += _incident_changes(before[old], after[new])
    for ident in sorted(removed):
        lines.append(f"- **Removed** {escape(ident)}: {_title(before[ident])}")
        lines.append(f"  - ⚠ broken permalink: no incident lists {escape(ident)} in `previous_ids`, so its address will stop working")
    for ident in sorted(set(before) & set(after)):
        changes = _incident_changes(before[ident], after[ident])
        moved = before[ident].path != after[ident].path
        if changes or moved:
            lines.append(f"- **Changed** {escape(ident)}: {_title(after[ident])}" + (f" (moved from {escape(before[ident].path)})" if moved else ""))
            lines += changes
    return lines


def _title(version: Version) -> str:
    return escape((version.data or {}).get("title", "(unreadable file)"))


def _mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _list(data: dict | None, field: str) -> list:
    value = (data or {}).get(field)
    return value if isinstance(value, list) else []


def _incident_changes(before: Version, after: Version, new_incident: bool = False) -> list[str]:
    if before.data is None or after.data is None:
        return ["  - ⚠ the file cannot be read as YAML at one of the revisions; run `python build.py check`"]
    lines = []
    if not new_incident:
        for field in ("title", "date", "summary", "regions", "assessment"):
            if before.data.get(field) != after.data.get(field):
                lines.append(f"  - {escape(field)}: {_show(before.data.get(field))} → {_show(after.data.get(field))}")
    new_corrections = [entry for entry in _list(after.data, "corrections") if entry not in _list(before.data, "corrections")]
    lines += _figure_changes(before.data, after.data, bool(new_corrections), new_incident)
    lines += _quote_changes(before.data, after.data)
    lines += _source_changes(before.data, after.data)
    for entry in new_corrections:
        if isinstance(entry, dict):
            lines.append(f"  - corrections entry added ({escape(entry.get('date'))}): {escape(entry.get('change'))}; why: {escape(entry.get('reason'))}")
    return lines


def _figure_changes(before: dict, after: dict, corrected: bool, new_incident: bool) -> list[str]:
    old_figures, new_figures = _by_identity(_list(before, "figures")), _by_identity(_list(after, "figures"))
    sources = {**_mapping(before.get("sources")), **_mapping(after.get("sources"))}
    note = "with a corrections entry" if corrected else "⚠ no corrections entry accompanies this change"
    lines = []
    for identity in sorted(set(old_figures) | set(new_figures), key=str):
        olds, news = old_figures.get(identity, []), new_figures.get(identity, [])
        for index in range(max(len(olds), len(news))):
            old = olds[index] if index < len(olds) else None
            new = news[index] if index < len(news) else None
            match old, new:
                case None, dict():
                    lines.append(f"  - figure added: {_figure_label(new)}: **{_value(new)}** ({_cite(new, sources)})")
                case dict(), None:
                    lines.append(f"  - figure removed: {_figure_label(old)}: **{_value(old)}** ({_cite(old, sources)}); {note}")
                case dict(), dict() if any(old.get(field) != new.get(field) for field in FIGURE_VALUE):
                    lines.append(f"  - figure changed: {_figure_label(old or new)}: **{_value(old)}** → **{_value(new)}**; {note}")
                    lines.append(f"    - before ({_cite(old, sources)}): \"{escape(old.get('excerpt'))}\"")
                    lines.append(f"    - after ({_cite(new, sources)}): \"{escape(new.get('excerpt'))}\"")
    return lines


def _by_identity(figures: list) -> dict[tuple, list[dict]]:
    grouped: dict[tuple, list[dict]] = {}
    for figure in figures:
        if isinstance(figure, dict):
            grouped.setdefault(tuple(str(figure.get(field)) for field in FIGURE_IDENTITY), []).append(figure)
    return grouped


def _figure_label(figure: dict) -> str:
    where = escape(figure.get("region") or "whole incident")
    extra = "".join(f", {escape(figure[field])}" for field in ("subject", "weapon") if figure.get(field))
    return f"{escape(figure.get('measure'))} ({where}{extra}), claimed by {escape(figure.get('claimed_by'))}"


def _value(figure: dict) -> str:
    value = figure.get("value") if "value" in figure else f"{figure.get('min')}–{figure.get('max')}"
    qualifier = figure.get("qualifier")
    text = f"{value}" if qualifier in (None, "exactly") else f"{qualifier} {value}"
    return escape(text + (f" as of {figure['as_of']}" if figure.get("as_of") else ""))


def _cite(entry: dict, sources: dict) -> str:
    key = escape(entry.get("source"))
    source = sources.get(entry.get("source")) if isinstance(entry.get("source"), str) else None
    if isinstance(source, dict):
        return f"source {key}: {escape(source.get('publisher'))}" + (f", {escape(source['url'])}" if source.get("url") else "")
    return f"source {key}"


def _quote_changes(before: dict, after: dict) -> list[str]:
    def keyed(data: dict) -> dict[tuple[str, str, str], dict]:
        return {(str(q.get("speaker")), str(q.get("source")), str(q.get("text"))): q for q in _list(data, "quotes") if isinstance(q, dict)}
    old, new = keyed(before), keyed(after)
    lines = [f"  - quote removed: {escape(key[0])}: \"{escape(key[2])}\" (source {escape(key[1])})" for key in old if key not in new]
    lines += [f"  - quote added: {escape(key[0])}: \"{escape(key[2])}\" (source {escape(key[1])})" for key in new if key not in old]
    return lines


def _source_changes(before: dict, after: dict) -> list[str]:
    old, new = _mapping(before.get("sources")), _mapping(after.get("sources"))
    lines = []
    for key in sorted(set(old) | set(new), key=str):
        if key not in old:
            lines.append(f"  - source added {escape(key)}: {_show(new[key])}")
        elif key not in new:
            lines.append(f"  - source removed {escape(key)}: {_show(old[key])}")
        elif old[key] != new[key]:
            lines.append(f"  - source changed {escape(key)}: {_show(old[key])} → {_show(new[key])}")
    return lines


ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Characters whose meaning GitHub finds in the rendered text, after backslash escapes are
# gone: `@` makes e-mail autolinks (a\@b\.org still becomes a mailto: link) and mentions,
# `#` issue references. A run of them is shown as a code span of its own, which no autolink,
# mention or reference reaches into; it holds only these characters, never other content.
OUT_OF_TEXT = "@#"


def _visible(char: str) -> str:
    return f"\\[U+{ord(char):04X}\\]"


def escape(value: object, limit: int | None = None) -> str:
    """Any value from content or git as inert text in GitHub-flavoured Markdown, on one line.

    It renders as the value's own characters, but as nothing else:
    - line breaks and runs of white space become one space;
    - `&`, `<` and `>` become entities, so no HTML tag, comment or entity can be written;
    - `@` and `#` become code spans of their own (see OUT_OF_TEXT);
    - every other ASCII punctuation character is backslash-escaped (CommonMark allows it for
      all of them), so no link, image, autolink (`https\\://`, `www\\.`), emphasis,
      strikethrough, code span, table cell or heading can start;
    - invisible characters (see characters.py), and a combining mark at the
      start that would join the report's own punctuation, are shown as `[U+202E]`.
    `limit` cuts the text to that many characters (before escaping) and adds "…".
    """
    text = " ".join(str(value).split())
    cut = limit is not None and len(text) > limit
    if cut:
        text = text[:limit]
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in OUT_OF_TEXT:
            end = index
            while end < len(text) and text[end] in OUT_OF_TEXT:
                end += 1
            out.append(f"`{text[index:end]}`")
            index = end
            continue
        if char in ENTITIES:
            out.append(ENTITIES[char])
        elif char in string.punctuation:
            out.append("\\" + char)
        elif char.isascii() and char.isprintable():
            out.append(char)
        elif is_invisible(char) or (index == 0 and unicodedata.category(char).startswith("M")):
            out.append(_visible(char))
        else:
            out.append(char)
        index += 1
    return "".join(out) + ("…" if cut else "")


def _show(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{escape(k)}: {escape(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(escape(item) for item in value)
    return f"\"{escape(value, limit=200)}\""
