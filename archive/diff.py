"""Compare the archive's content at two git revisions and report it in Markdown for reviewers.

Reads the incident files straight from git (no checkout): incidents added, removed and
renamed, and per changed incident every figure, quote and source that changed, with
whether a corrections entry accompanies each figure change.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .load import Document, parse_yaml_bytes

FIGURE_IDENTITY = ("measure", "region", "subject", "weapon", "claimed_by", "source")
FIGURE_VALUE = ("value", "min", "max", "qualifier", "as_of", "excerpt")


class GitError(RuntimeError):
    pass


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
    if not lines:
        return f"## Content changes {base}..{head}\n\nno content changes\n", False
    return f"## Content changes {base}..{head}\n\n" + "\n".join(lines) + "\n", True


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        raise GitError(result.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return result.stdout


def read_revision(root: Path, revision: str, folder: str = "incidents") -> dict[str, Version]:
    """Every incident file of `folder` at `revision`, by incident id."""
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"`{revision}` is not a commit of the repository at {root}") from None
    names = [name for name in _git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", folder).decode().split("\0")
             if name.endswith(".yaml")]
    blobs = _read_blobs(root, [f"{commit}:{name}" for name in names])
    versions = {}
    for name, raw in zip(names, blobs):
        document = Document(path=Path(name), display_path=name)
        parse_yaml_bytes(raw, document)
        data = document.data if isinstance(document.data, dict) else None
        versions[PurePosixPath(name).stem] = Version(PurePosixPath(name).stem, name, data)
    return versions


def _read_blobs(root: Path, specs: list[str]) -> list[bytes]:
    """Contents of many `rev:path` blobs through one `git cat-file --batch`."""
    if not specs:
        return []
    output = _git(root, "cat-file", "--batch", stdin="".join(spec + "\n" for spec in specs).encode())
    blobs, offset = [], 0
    for _ in specs:
        header_end = output.index(b"\n", offset)
        size = int(output[offset:header_end].split()[2])
        blobs.append(output[header_end + 1:header_end + 1 + size])
        offset = header_end + 1 + size + 1
    return blobs


# --- the report ---------------------------------------------------------------------

def _report(before: dict[str, Version], after: dict[str, Version]) -> list[str]:
    renamed = {old: new.id for new in after.values() for old in _list(new.data, "previous_ids")
               if old in before and old not in after}
    added = [ident for ident in after if ident not in before and ident not in renamed.values()]
    removed = [ident for ident in before if ident not in after and ident not in renamed]
    lines = []
    for ident in sorted(added):
        lines.append(f"- **Added** `{ident}`: {_title(after[ident])}")
        lines += _incident_changes(Version(ident, "", {}), after[ident], new_incident=True)
    for old in sorted(renamed):
        new = renamed[old]
        lines.append(f"- **Renamed** `{old}` → `{new}` (the old address redirects)")
        lines += _incident_changes(before[old], after[new])
    for ident in sorted(removed):
        lines.append(f"- **Removed** `{ident}`: {_title(before[ident])}")
        lines.append(f"  - ⚠ broken permalink: no incident lists `{ident}` in `previous_ids`, so its address will stop working")
    for ident in sorted(set(before) & set(after)):
        changes = _incident_changes(before[ident], after[ident])
        moved = before[ident].path != after[ident].path
        if changes or moved:
            lines.append(f"- **Changed** `{ident}`: {_title(after[ident])}" + (f" (moved from `{before[ident].path}`)" if moved else ""))
            lines += changes
    return lines


def _title(version: Version) -> str:
    return _md((version.data or {}).get("title", "(unreadable file)"))


def _mapping(value) -> dict:
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
                lines.append(f"  - {field}: {_show(before.data.get(field))} → {_show(after.data.get(field))}")
    new_corrections = [entry for entry in _list(after.data, "corrections") if entry not in _list(before.data, "corrections")]
    lines += _figure_changes(before.data, after.data, bool(new_corrections), new_incident)
    lines += _quote_changes(before.data, after.data)
    lines += _source_changes(before.data, after.data)
    for entry in new_corrections:
        if isinstance(entry, dict):
            lines.append(f"  - corrections entry added ({_md(entry.get('date'))}): {_md(entry.get('change'))}; why: {_md(entry.get('reason'))}")
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
            label = _figure_label(old or new)
            if old is None:
                lines.append(f"  - figure added: {label}: **{_value(new)}** ({_cite(new, sources)})")
            elif new is None:
                lines.append(f"  - figure removed: {label}: **{_value(old)}** ({_cite(old, sources)}); {note}")
            elif any(old.get(field) != new.get(field) for field in FIGURE_VALUE):
                lines.append(f"  - figure changed: {label}: **{_value(old)}** → **{_value(new)}**; {note}")
                lines.append(f"    - before ({_cite(old, sources)}): \"{_md(old.get('excerpt'))}\"")
                lines.append(f"    - after ({_cite(new, sources)}): \"{_md(new.get('excerpt'))}\"")
    return lines


def _by_identity(figures: list) -> dict[tuple, list[dict]]:
    grouped: dict[tuple, list[dict]] = {}
    for figure in figures:
        if isinstance(figure, dict):
            grouped.setdefault(tuple(str(figure.get(field)) for field in FIGURE_IDENTITY), []).append(figure)
    return grouped


def _figure_label(figure: dict) -> str:
    where = _md(figure.get("region") or "whole incident")
    extra = "".join(f", {_md(figure[field])}" for field in ("subject", "weapon") if figure.get(field))
    return f"{_md(figure.get('measure'))} ({where}{extra}), claimed by {_md(figure.get('claimed_by'))}"


def _value(figure: dict) -> str:
    value = figure.get("value") if "value" in figure else f"{figure.get('min')}–{figure.get('max')}"
    qualifier = figure.get("qualifier")
    text = f"{value}" if qualifier in (None, "exactly") else f"{qualifier} {value}"
    return _md(text + (f" as of {figure['as_of']}" if figure.get("as_of") else ""))


def _cite(entry: dict, sources: dict) -> str:
    key = _md(entry.get("source")).replace("`", "")
    source = sources.get(entry.get("source")) if isinstance(entry.get("source"), str) else None
    if isinstance(source, dict):
        return f"source `{key}`: {_md(source.get('publisher'))}" + (f", {_md(source['url'])}" if source.get("url") else "")
    return f"source `{key}`"


def _quote_changes(before: dict, after: dict) -> list[str]:
    def keyed(data):
        return {(str(q.get("speaker")), str(q.get("source")), str(q.get("text"))): q for q in _list(data, "quotes") if isinstance(q, dict)}
    old, new = keyed(before), keyed(after)
    lines = [f"  - quote removed: {_md(key[0])}: \"{_md(key[2])}\" (source `{_md(key[1])}`)" for key in old if key not in new]
    lines += [f"  - quote added: {_md(key[0])}: \"{_md(key[2])}\" (source `{_md(key[1])}`)" for key in new if key not in old]
    return lines


def _source_changes(before: dict, after: dict) -> list[str]:
    old, new = _mapping(before.get("sources")), _mapping(after.get("sources"))
    lines = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            lines.append(f"  - source added `{_md(key)}`: {_show(new[key])}")
        elif key not in new:
            lines.append(f"  - source removed `{_md(key)}`: {_show(old[key])}")
        elif old[key] != new[key]:
            lines.append(f"  - source changed `{_md(key)}`: {_show(old[key])} → {_show(new[key])}")
    return lines


def _md(value) -> str:
    """YAML text made safe for the Markdown report: one line, and no HTML that could hide what follows."""
    return " ".join(str(value).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _show(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_md(k)}: {_md(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_md(item) for item in value)
    text = _md(value)
    return f"\"{text[:200]}{'…' if len(text) > 200 else ''}\""
