"""Turn the rows of spreadsheets into incident files: grouped into incidents, checked by check's own rules, written only when all pass.

Layouts (README.md, "import"): one row per figure, where rows with the same `incident` value
form one incident; or, through a mapping file, one row per incident with a column per measure
(`killed.value`). The archive's own downloads (incidents.csv, figures.csv) are recognised by
their headings and read back as they were written.

Each incident becomes the text `new` would write for it (archive/scaffold.py), which is read
back with check's loader and validated with check's rules (validate_document, validate_archive);
every problem is told at the cell it comes from, in check's words. Nothing is written while
any error remains; an existing file is never overwritten, only filled (`--update`).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .exports import safe_cell
from .load import Document, FileKind, Key, find_incident_files, parse_yaml_bytes, read_bytes
from .problems import Problem
from .project import Project
from .reference import Reference, load_reference
from .scaffold import PLACEHOLDER_SUMMARY, incident_path, incident_yaml, slugify
from .similar import duplicate_message, entry, possible_duplicates
from .spreadsheet import Cell, CellValue, Location, SheetProblem, Table, is_empty, read_table
from .update import fill_empty_fields
from .validate import validate_archive, validate_document
from .wording import suggest

INCIDENT_FIELDS = ("incident", "date", "title", "summary", "regions", "places", "assessment")
SOURCE_FIELDS = ("source", "publisher", "source_title", "url", "published")
FIGURE_FIELDS = ("measure", "value", "min", "max", "qualifier", "region", "subject", "weapon", "claimed_by", "as_of", "excerpt")
FIELDS = INCIDENT_FIELDS + SOURCE_FIELDS + FIGURE_FIELDS
PER_MEASURE = tuple(name for name in FIGURE_FIELDS if name != "measure")  # `killed.value`, `killed.excerpt` ... (one row per incident)
SOURCE_KEYS = {"publisher": "publisher", "source_title": "title", "url": "url", "published": "published"}  # sheet field -> source field
NUMBER_FIELDS = {"value", "min", "max"}
DATE_FIELDS = {"date", "published", "as_of"}
INTEGER = re.compile(r"[-+]?\d{1,18}")
DECIMAL = re.compile(r"[-+]?\d+\.\d+")
INCIDENT_ID = re.compile(r"\d{4}-\d{2}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLACE = re.compile(r"(.*?)\s*\(\s*([A-Za-z]{2}-[A-Za-z0-9]{1,3})\s*\)")
MAPPING_FILES = FileKind("mapping files", "a mapping file holds `columns:`, `values:` and `ignore:`",
                         "A mapping names columns, it never needs that much", "keep one mapping per file", 1024 * 1024)
MAPPING_KEYS = ("columns", "values", "ignore")

# The archive's downloads (archive/exports.py), read back as they were written.
FIGURES_DOWNLOAD = ("incident_id", "incident_date", "measure", "value", "min", "max", "qualifier", "region", "subject", "weapon",
                    "claimed_by", "party", "as_of", "source_publisher", "source_title", "source_url", "excerpt")
INCIDENTS_DOWNLOAD = ("id", "date", "title", "regions", "region_names", "url", "assessment")  # then three columns per measure
READING_COLUMN = re.compile(r"[a-z_]+_(?:lower|upper|readings)")
DOWNLOAD_NAMES = {"incident_id": "incident", "incident_date": "date", "source_publisher": "publisher", "source_url": "url", "id": "incident"}
DOWNLOAD_IGNORED = {"party", "region_names", "url"}  # worked out from the registry, or the page's address (not a source's)


@dataclass
class Mapping:
    """A mapping file: headings renamed to fields, fixed values for every row, headings left out."""

    columns: dict[str, tuple[str, Location]] = field(default_factory=dict)  # normalised heading -> field
    values: dict[str, Cell] = field(default_factory=dict)  # field -> the value and where the mapping gives it
    ignore: set[str] = field(default_factory=set)  # normalised headings

    def wide(self) -> list[str]:
        """The measures with a column or value of their own (`killed.value`): one row per incident."""
        named = [name for name, _ in self.columns.values()] + list(self.values)
        return list(dict.fromkeys(name.split(".")[0] for name in named if "." in name))


@dataclass
class Row:
    """The filled cells of one row by field (the mapping's fixed values too), and where the row starts."""

    cells: dict[str, Cell]
    where: Location
    table: Table
    from_sheet: set[str] = field(default_factory=set)  # the fields the row's own cells fill
    labelled: bool = False  # the sheet has an `incident` column


@dataclass
class Incident:
    """One incident as the rows give it: the data to write, and where each part of it comes from."""

    label: str
    rows: list[Row] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    where: dict[Key, Location] = field(default_factory=dict)
    ident: str | None = None  # None while the date is not a date
    path: Path | None = None
    text: str = ""


@dataclass
class ImportReport:
    problems: list[SheetProblem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # repository paths of new files (to be written, on a dry run)
    updated: list[str] = field(default_factory=list)  # `path: filled summary, figures (3)`
    incidents: int = 0
    existing: int = 0  # of them already in the archive
    figures: int = 0
    rows: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    fills: list[tuple[Path, str]] = field(default_factory=list)  # (file, its filled text) to write with the new files

    @property
    def errors(self) -> int:
        return sum(problem.is_error for problem in self.problems)

    def summary(self) -> str:
        warnings = len(self.problems) - self.errors
        if self.errors:
            return f"{self.errors} error(s), {warnings} warning(s); nothing was written"
        verb = "would write" if self.dry_run else "wrote"
        filled = f" and {'would fill' if self.dry_run else 'filled'} {len(self.updated)}" if self.updated else ""
        existing = f" ({self.existing} already in the archive)" if self.existing else ""
        return (f"{self.rows} rows: {self.incidents} incidents{existing} with {self.figures} figures; {verb} {len(self.written)} new file(s)"
                f"{filled} in {self.seconds:.2f} s, {warnings} warning(s)")


# --- the command ------------------------------------------------------------------------------

def import_sheets(project: Project, files: list[Path], today: dt.date, mapping_path: Path | None = None,
                  dry_run: bool = False, update: bool = False, displays: list[str] | None = None) -> ImportReport:
    """Read `files` (one sheet, or the parts of one: incidents.csv and figures.csv), check every incident, and write them.

    `displays` are how messages name the files (as the command line gave them).
    """
    started = time.perf_counter()
    report = ImportReport(dry_run=dry_run)
    reference = load_reference(project.data_dir, project.repository)
    mapping = Mapping()
    if mapping_path is not None:
        mapping, found = read_mapping(mapping_path, str(mapping_path), reference)
        report.problems += found
    rows = _read_rows(files, displays or [str(path) for path in files], mapping, reference, report)
    if any(problem.is_error for problem in report.problems):
        return _done(report, started)
    incidents = group_rows(rows)
    report.rows, report.incidents = len(rows), len(incidents)
    for incident in incidents:
        report.problems += build_data(incident, mapping, reference)
        report.figures += len(incident.data.get("figures", []))
    existing = {path.stem: path for path in find_incident_files(project.incidents_dir)}
    assign_ids(incidents)
    fresh = [incident for incident in incidents if incident.ident not in existing]
    documents = [_document(project, incident) for incident in fresh]
    for incident, document in zip(fresh, documents, strict=True):
        report.problems += located(validate_document(document, reference, today), {document.display_path: incident})
    report.problems += _across_archive(project, fresh, documents, existing)
    for incident in incidents:
        if incident.ident in existing:
            report.existing += 1
            report.problems += _existing(project, incident, existing[incident.ident], update, reference, today, report)
    if not any(problem.is_error for problem in report.problems) and not dry_run:
        _write(project, fresh, report)
    elif not any(problem.is_error for problem in report.problems):
        report.written = [_repository_path(project, incident.path) for incident in fresh if incident.path]
    return _done(report, started)


def _read_rows(files: list[Path], displays: list[str], mapping: Mapping, reference: Reference, report: ImportReport) -> list[Row]:
    rows = []
    for path, display in zip(files, displays, strict=True):
        table, found = read_table(path, display)
        report.problems += found
        if table is not None:
            read, found = table_rows(table, mapping, reference)
            rows += read
            report.problems += found
    return rows


def _done(report: ImportReport, started: float) -> ImportReport:
    report.problems = sorted(set(report.problems))
    if report.errors:
        report.written, report.updated = [], []
    report.seconds = time.perf_counter() - started
    return report


def _repository_path(project: Project, path: Path) -> str:
    return path.relative_to(project.root).as_posix()


# --- the mapping file ----------------------------------------------------------------------------

def normalise(heading: object) -> str:
    """`Source title`, `source-title` and ` SOURCE_TITLE ` are all `source_title`."""
    return re.sub(r"[\s\-]+", "_", str(heading).strip().casefold())


def field_names(reference: Reference) -> list[str]:
    """Every field a column or a fixed value may stand for."""
    return [*FIELDS, *(f"{measure}.{name}" for measure in reference.measures for name in PER_MEASURE)]


def read_mapping(path: Path, display: str, reference: Reference) -> tuple[Mapping, list[SheetProblem]]:
    """A mapping file: `columns` (heading: field), `values` (field: value for every row), `ignore` (headings)."""
    mapping = Mapping()
    if not path.is_file():
        return mapping, [SheetProblem(Location(display, 1, 1), "no such mapping file")]
    document = Document(path, display)
    found = parse_yaml_bytes(path.read_bytes(), document, MAPPING_FILES)
    problems = [SheetProblem(Location(display, problem.line, problem.col), problem.message, problem.severity) for problem in found]
    data = document.data
    if problems or not isinstance(data, dict):
        return mapping, problems or [SheetProblem(Location(display, 1, 1), "a mapping file holds `columns:`, `values:` and `ignore:`")]

    def at(key: Key, *, at_key: bool = False) -> Location:
        line, col = document.where(key, at_key=at_key)
        return Location(display, line, col)

    for name in data:
        if name not in MAPPING_KEYS:
            problems.append(SheetProblem(at((name,), at_key=True), f"unknown field `{name}` in the mapping{suggest(name, MAPPING_KEYS)}; "
                                                                   f"allowed fields: {', '.join(MAPPING_KEYS)}"))
    names = field_names(reference)
    for heading, name in _mapping_of(data, "columns", at, problems).items():
        if _field_problem(name, names, reference, at(("columns", heading)), problems):
            mapping.columns[normalise(heading)] = (str(name), at(("columns", heading)))
    for name, value in _mapping_of(data, "values", at, problems).items():
        if _field_problem(name, names, reference, at(("values", name), at_key=True), problems):
            mapping.values[str(name)] = Cell(value, at(("values", name)))
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(heading, str | int) for heading in ignore):
        problems.append(SheetProblem(at(("ignore",)), "`ignore` is a list of column headings, such as [Notes, Checked by]"))
    else:
        mapping.ignore = {normalise(heading) for heading in ignore}
    return mapping, problems


def _mapping_of(data: dict, name: str, at: Callable[[Key], Location], problems: list[SheetProblem]) -> dict:
    value = data.get(name, {})
    if isinstance(value, dict):
        return value
    problems.append(SheetProblem(at((name,)), f"`{name}` is a mapping of `name: value` lines"))
    return {}


def _field_problem(name: object, names: list[str], reference: Reference, where: Location, problems: list[SheetProblem]) -> bool:
    """True when `name` is a field of the sheet; otherwise says why not (check's words for a measure)."""
    if isinstance(name, str) and name in names:
        return True
    measure = str(name).split(".")[0]
    if isinstance(name, str) and "." in name and measure not in reference.measures:
        problems.append(SheetProblem(where, f"unknown measure `{measure}`{suggest(measure, reference.measures)}; measures are listed in data/measures.yaml"))
    elif isinstance(name, str) and "." in name:
        problems.append(SheetProblem(where, f"`{name}` is not a field of a figure{suggest(name.split('.', 1)[1], PER_MEASURE)}; "
                                            f"a measure's own fields are {', '.join(PER_MEASURE)}"))
    else:
        problems.append(SheetProblem(where, f"`{name}` is not a field of the sheet{suggest(name, FIELDS)}; the fields are {', '.join(FIELDS)}, "
                                            "and a measure's own fields such as `killed.value`"))
    return False


# --- rows ------------------------------------------------------------------------------------------

def table_rows(table: Table, mapping: Mapping, reference: Reference) -> tuple[list[Row], list[SheetProblem]]:
    """Every row of a sheet as fields and cells; unknown, repeated and heading-less columns are errors."""
    download = _download_kind(table)
    used = Mapping(columns={name: (target, table.headings[0].where) for name, target in DOWNLOAD_NAMES.items()},
                   ignore={heading for heading in map(normalise, (cell.value for cell in table.headings))
                           if heading in DOWNLOAD_IGNORED or READING_COLUMN.fullmatch(heading)}) if download else mapping
    columns, problems = _columns(table, used, reference)
    for name in used.values:
        if name in columns.values():
            problems.append(SheetProblem(used.values[name].where, f"`{name}` has a value here and a column in {table.file}; keep one of them"))
    rows = []
    for cells in table.rows:
        row = Row({}, cells[0].where, table, labelled="incident" in columns.values())
        for index, cell in enumerate(cells):
            if index in columns:
                if not is_empty(cell.value):
                    row.cells[columns[index]] = Cell(_unescaped(cell.value) if download else cell.value, cell.where)
                    row.from_sheet.add(columns[index])
            elif not is_empty(cell.value) and (index >= len(table.headings) or is_empty(table.headings[index].value)):
                problems.append(SheetProblem(cell.where, "this cell's column has no heading; give the column one, or empty the cell"))
        for name, value in used.values.items():
            row.cells.setdefault(name, value)
        if download:
            _as_written(row, reference)
        rows.append(row)
    return rows, problems


def _download_kind(table: Table) -> str | None:
    """`figures` or `incidents` when the sheet is one of the archive's downloads (its headings say so)."""
    headings = tuple(normalise(cell.value) for cell in table.headings)
    if headings == FIGURES_DOWNLOAD:
        return "figures"
    if headings[:len(INCIDENTS_DOWNLOAD)] == INCIDENTS_DOWNLOAD and all(READING_COLUMN.fullmatch(name) for name in headings[len(INCIDENTS_DOWNLOAD):]):
        return "incidents"
    return None


def _unescaped(value: CellValue) -> CellValue:
    """A download's cell as it was before the apostrophe that keeps a spreadsheet from running it as a formula."""
    if isinstance(value, str) and value.startswith("'") and safe_cell(value[1:]) == value:
        return value[1:]
    return value


def _as_written(row: Row, reference: Reference) -> None:
    """A download's row as the incident file had it: the subject's key for its label, `as_of` with its offset."""
    keys = {label: key for key, label in reference.subjects.items()}
    if "subject" in row.cells and row.cells["subject"].value in keys:
        row.cells["subject"] = Cell(keys[str(row.cells["subject"].value)], row.cells["subject"].where)
    if "as_of" in row.cells:
        row.cells["as_of"] = Cell(_utc(row.cells["as_of"].value), row.cells["as_of"].where)


def _utc(value: CellValue) -> CellValue:
    """The downloads give `as_of` in UTC without saying so; midnight is how a date alone comes out."""
    if not isinstance(value, str) or "T" not in value:
        return value
    if value.endswith("T00:00:00"):
        return value[:10]
    return value if re.search(r"(Z|[+-]\d\d:?\d\d)$", value) else value + "+00:00"


def _columns(table: Table, mapping: Mapping, reference: Reference) -> tuple[dict[int, str], list[SheetProblem]]:
    """Column number -> field, for every column the import reads."""
    columns: dict[int, str] = {}
    first: dict[str, Cell] = {}
    problems = []
    names = field_names(reference)
    wide = mapping.wide()
    for index, cell in enumerate(table.headings):
        heading = normalise(cell.value) if not is_empty(cell.value) else ""
        if not heading or heading in mapping.ignore:
            continue
        name = mapping.columns[heading][0] if heading in mapping.columns else heading
        if name not in names:
            problems.append(SheetProblem(cell.where, f"unknown column `{cell.value}`{suggest(heading, FIELDS)}; the columns are {', '.join(FIELDS)}: "
                                                     "rename it, or name its field (or leave it out) in a mapping file, --mapping"))
        elif name in first:
            problems.append(SheetProblem(cell.where, f"a second column for `{name}` (the first is {_short(first[name].where)}); keep one"))
        elif wide and name in ("measure", "value", "min", "max"):
            problems.append(SheetProblem(cell.where, f"the sheet has a column per measure ({', '.join(f'`{m}.value`' for m in wide)}), "
                                                     f"so it has no `{name}` column; map this one to a measure's field, such as `{wide[0]}.{name}`"))
        else:
            columns[index], first[name] = name, cell
    return columns, problems


def _short(where: Location) -> str:
    return f"{where.sheet}!{str(where).rsplit('!', 1)[1]}" if where.sheet else f"line {where.line}, column {where.col}"


def group_rows(rows: list[Row]) -> list[Incident]:
    """Rows with the same `incident` form one incident; an empty `incident` cell continues the row above's.
    Without an `incident` column every row is an incident of its own."""
    incidents: dict[str, Incident] = {}
    previous: tuple[Table, str] | None = None
    for row in rows:
        label_cell = row.cells.get("incident")
        if label_cell is not None:
            label = _text(label_cell.value)
        elif previous is not None and previous[0] is row.table and row.labelled:
            label = previous[1]
        else:
            label = f"row {row.where}"
        previous = (row.table, label)
        incidents.setdefault(label, Incident(label)).rows.append(row)
    return list(incidents.values())


# --- from rows to an incident's data ------------------------------------------------------------

def build_data(incident: Incident, mapping: Mapping, reference: Reference) -> list[SheetProblem]:
    """Fill `incident.data` (and `where`) from its rows; the problems the rows themselves have (a cell that contradicts another)."""
    data, where = incident.data, incident.where
    first = incident.rows[0]
    where[()] = first.cells["incident"].where if "incident" in first.cells else first.where
    problems: list[SheetProblem] = []
    for name in INCIDENT_FIELDS[1:]:
        cell = _one_value(incident, name, problems)
        if cell is not None:
            data[name], where[(name,)] = _incident_value(name, cell, data), cell.where
    if "summary" not in data:
        data["summary"] = PLACEHOLDER_SUMMARY  # as `new` writes it; check warns until it is written
        where[("summary",)] = where.get(("title",), where[()])
    data = _in_order(data)
    incident.data = data
    _places(data, where)
    sources, row_sources = _sources(incident, problems)
    data["sources"] = {key: source for key, (source, _) in sources.items()}
    for key, (_, cells) in sources.items():
        where[("sources", key)] = next(iter(cells.values())).where
        for name, cell in cells.items():
            where[("sources", key, name)] = cell.where
    figures: list[dict] = []
    for row in incident.rows:
        for figure, cells, row_where in _figures(row, mapping):
            at: Key = ("figures", len(figures))
            where[at] = row_where
            for name, cell in cells.items():
                where[(*at, name)] = cell.where
            source = row_sources.get(id(row)) or (next(iter(sources)) if len(sources) == 1 else None)
            if source is not None:
                figure["source"] = source
                figure = _ordered_figure(figure)
            figures.append(figure)
    data["figures"], data["quotes"], data["corrections"] = figures, [], []
    if figures:
        where[("figures",)] = where[("figures", 0)]
    return problems


def _in_order(data: dict) -> dict:
    return {name: data[name] for name in ("title", "date", "summary", "regions", "places", "assessment") if name in data}


def _one_value(incident: Incident, name: str, problems: list[SheetProblem]) -> Cell | None:
    """The incident's cell for a field: the first filled one; a later one that differs is an error."""
    found: Cell | None = None
    for row in incident.rows:
        cell = row.cells.get(name)
        if cell is None:
            continue
        if found is None:
            found = cell
        elif _text(cell.value) != _text(found.value):
            problems.append(SheetProblem(cell.where, f"`{name}` is \"{_clip(cell.value)}\" here but \"{_clip(found.value)}\" at {_short(found.where)}; "
                                                     f"the rows of one incident repeat its {name} or leave the cell empty"))
    return found


def _clip(value: object) -> str:
    text = _text(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _incident_value(name: str, cell: Cell, data: dict) -> object:
    value = cell.value
    if name in ("regions", "places"):
        return [part.strip() for part in _text(value).split(";") if part.strip()]
    if name == "summary":
        return _text(value).strip(" \t\r\n") + "\n"
    if name == "date":
        return _date(value)
    return _text(value) if isinstance(value, str | int | float | dt.date | dt.time) else value


def _places(data: dict, where: dict[Key, Location]) -> None:
    """`Kyiv (UA-30); Lutsk (UA-07)`; a place without its code is in the incident's region when it has one."""
    if "places" not in data:
        return
    regions = data.get("regions", [])
    places = []
    for index, text in enumerate(data["places"]):
        match = PLACE.fullmatch(text)
        place = {"name": match.group(1), "region": match.group(2)} if match else {"name": text}
        if not match and len(regions) == 1:
            place["region"] = regions[0]
        places.append(place)
        where[("places", index)] = where[("places",)]
    data["places"] = places


def _sources(incident: Incident, problems: list[SheetProblem]) -> tuple[dict[str, tuple[dict, dict[str, Cell]]], dict[int, str]]:
    """The incident's sources by key, with the cells of each field; and the source of each row that names one (by id of the row)."""
    sources: dict[str, tuple[dict, dict[str, Cell]]] = {}
    row_sources: dict[int, str] = {}
    for row in incident.rows:
        given = {SOURCE_KEYS[name]: cell for name, cell in row.cells.items() if name in SOURCE_KEYS}
        key_cell = row.cells.get("source")
        if not given and key_cell is None:
            continue
        fields = {name: _source_value(name, cell.value) for name, cell in given.items()}
        if key_cell is not None:
            key = _text(key_cell.value)
        else:
            matching = [key for key, (source, _) in sources.items() if _consistent(source, fields)]
            if len(matching) > 1:
                problems.append(SheetProblem(row.where, f"this row's source could be any of {', '.join(f'`{key}`' for key in matching)}; "
                                                        "give it a `source` key, or its url"))
                continue
            key = matching[0] if matching else _new_key(fields, sources)
        source, cells = sources.setdefault(key, ({}, {"source": key_cell} if key_cell is not None else {}))
        for name, value in fields.items():
            if name not in source:
                source[name], cells[name] = value, given[name]
            elif _text(source[name]) != _text(value):
                problems.append(SheetProblem(given[name].where, f"source `{key}` has {name} \"{_clip(value)}\" here but \"{_clip(source[name])}\" at "
                                                                f"{_short(cells[name].where)}; give the other report a `source` key of its own"))
        row_sources[id(row)] = key
    for key, (source, cells) in sources.items():
        ordered = {name: source[name] for name in ("publisher", "title", "url", "published") if name in source}
        sources[key] = (ordered, cells)
    return sources, row_sources


def _consistent(source: dict, fields: dict) -> bool:
    return all(name not in source or _text(source[name]) == _text(value) for name, value in fields.items())


def _new_key(fields: dict, sources: dict) -> str:
    """A short key from the publisher's name: `the-moscow-times`, then `the-moscow-times-2` ..."""
    base = slugify(_text(fields.get("publisher", "")), limit=40)
    base = "source" if base == "incident" else base  # slugify's word for a name with no Latin letters or digits
    key, number = base, 1
    while key in sources:
        number += 1
        key = f"{base}-{number}"
    return key


def _source_value(name: str, value: CellValue) -> object:
    return _date(value) if name == "published" else _text(value) if isinstance(value, str | int | float | dt.date) else value


def _figures(row: Row, mapping: Mapping) -> Iterator[tuple[dict, dict[str, Cell], Location]]:
    """The row's figures with the cell of each field: one (one row per figure), or one per measure column that is filled."""
    measures = mapping.wide()
    from_sheet = row.from_sheet
    if not measures:
        if from_sheet & set(FIGURE_FIELDS):
            cells = {name: row.cells[name] for name in FIGURE_FIELDS if name in row.cells}
            yield _figure(cells), cells, row.where
        return
    for measure in measures:
        own = {name: row.cells[f"{measure}.{name}"] for name in PER_MEASURE if f"{measure}.{name}" in row.cells}
        if not ({f"{measure}.{name}" for name in ("value", "min", "max")} & from_sheet):
            continue
        shared = {name: row.cells[name] for name in FIGURE_FIELDS if name in row.cells and name not in own}
        cells = {**shared, **own}
        value_cell = own.get("value") or own.get("min") or row.cells[f"{measure}.max"]
        yield _figure({**cells, "measure": Cell(measure, value_cell.where)}), cells, value_cell.where


def _figure(cells: dict[str, Cell]) -> dict:
    return _ordered_figure({name: _figure_value(name, cell.value) for name, cell in cells.items()})


def _ordered_figure(figure: dict) -> dict:
    return {name: figure[name] for name in (*FIGURE_FIELDS, "source") if name in figure}


def _figure_value(name: str, value: CellValue) -> object:
    if name in NUMBER_FIELDS:
        return _number(value)
    if name == "as_of":
        return _date(value)
    return _text(value) if isinstance(value, str | int | float | dt.date | dt.time) else value


def _text(value: object) -> str:
    """A cell as text: trimmed, line breaks as `\\n`; a number as the sheet shows it; a date as YYYY-MM-DD."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip(" \t\r\n")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return str(_date(value))
    return "" if value is None else str(value)


def _number(value: CellValue) -> object:
    """A count as a number when it is written as one; anything else stays as it is, for check to say what is wrong."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # a spreadsheet keeps every number as a decimal one
    if isinstance(value, int | float):
        return value
    text = _text(value)
    if INTEGER.fullmatch(text):
        return int(text)
    if DECIMAL.fullmatch(text):
        return float(text)
    return text


def _date(value: CellValue) -> object:
    """YYYY-MM-DD for a date cell (with THH:MM when it has a time); text as it is."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value) if isinstance(value, str | int | float) else value


# --- ids and files -----------------------------------------------------------------------------

def assign_ids(incidents: list[Incident]) -> None:
    """An `incident` value shaped like an id (2025-06-06-kyiv-strike) is the id; otherwise date and title make one,
    with -2, -3 ... when two incidents of the sheet would get the same. An id that is already a file's is that file's incident."""
    taken = {incident.label for incident in incidents if INCIDENT_ID.fullmatch(incident.label)}
    for incident in incidents:
        if INCIDENT_ID.fullmatch(incident.label):
            incident.ident = incident.label
            continue
        date = incident.data.get("date")
        if not isinstance(date, str) or not ISO_DATE.fullmatch(date):
            continue  # check says what is wrong with the date; the file has no name yet
        base = f"{date}-{slugify(_text(incident.data.get('title', '')))}"
        ident, number = base, 1
        while ident in taken:
            number += 1
            ident = f"{base}-{number}"
        taken.add(ident)
        incident.ident = ident


def _document(project: Project, incident: Incident) -> Document:
    """The incident as check reads it: the text import writes, loaded back by check's loader, with the
    position of every value standing for the cell it comes from (see `located`)."""
    incident.path = incident_path(project.incidents_dir, incident.ident or f"0000-00-00-{slugify(str(incident.data.get('title', '')))}")
    incident.text = incident_yaml(incident.data)
    display = _repository_path(project, incident.path)
    document = Document(incident.path, display)
    problems = parse_yaml_bytes(incident.text.encode("utf-8"), document)
    if problems or document.data != incident.data:  # a bug of ours: the text would not read back as the data
        raise RuntimeError(f"the text written for {incident.label} does not read back as its data: {problems[:1]}")
    positions(document, incident.where)
    return document


def positions(document: Document, where: dict[Key, Location]) -> None:
    """Set the document's positions to stand for locations: a value's line is the number of its key in `where`
    (which holds the key ()). Check's rules then locate their problems as usual, and `located` turns them back into cells."""
    document.value_positions = {key: (number, 0) for number, key in enumerate(where)}
    document.key_positions = dict(document.value_positions)


def located(problems: list[Problem], incidents: dict[str, Incident]) -> list[SheetProblem]:
    """Check's problems about imported incidents, at the cells they come from (file problems stay where they are)."""
    found = []
    for problem in problems:
        incident = incidents.get(problem.path)
        if incident is None:
            found.append(SheetProblem(Location(problem.path, problem.line, problem.col), problem.message, problem.severity))
            continue
        if incident.ident is None and _about_file_name(problem.message):
            continue  # the date is not a date, and check says so: there is no file name to speak of
        places = list(incident.where.values())
        where = places[problem.line] if 0 <= problem.line < len(places) else incident.where[()]
        found.append(SheetProblem(where, problem.message, problem.severity))
    return found


def _about_file_name(message: str) -> bool:
    return "file name" in message or message.startswith("file is in folder")


def _across_archive(project: Project, fresh: list[Incident], documents: list[Document], existing: dict[str, Path]) -> list[SheetProblem]:
    """Check's rules across files (ids, previous ids), and possible duplicates, for the new incidents among the archive's."""
    dates = {incident.ident[:10] for incident in fresh if incident.ident}
    others = []
    for ident, path in existing.items():
        display = _repository_path(project, path)
        raw, _ = read_bytes(path, display, project.repository)  # every file, for previous ids; those of the sheet's dates are read as YAML
        if raw is not None and (ident[:10] in dates or b"previous_ids" in raw):
            other = Document(path, display)
            if not parse_yaml_bytes(raw, other) and isinstance(other.data, dict):
                others.append(other)
    by_path = {document.display_path: incident for incident, document in zip(fresh, documents, strict=True)}
    before = set(validate_archive(others))
    problems = located([problem for problem in validate_archive(others + documents) if problem not in before], by_path)
    entries = [found for document in others + documents if (found := entry(document, document.data)) is not None]
    for first, second, shared in possible_duplicates(entries):
        for told, of in ((first.handle, second.handle), (second.handle, first.handle)):
            if isinstance(told, Document) and isinstance(of, Document) and told.display_path in by_path:
                incident = by_path[told.display_path]
                where = incident.where.get(("title",), incident.where[()])
                name = of.display_path if of.display_path not in by_path else f"the incident at {_short(by_path[of.display_path].where[()])}"
                problems.append(SheetProblem(where, duplicate_message(name, shared), "warning"))
    return problems


def _existing(project: Project, incident: Incident, path: Path, update: bool, reference: Reference, today: dt.date,
              report: ImportReport) -> list[SheetProblem]:
    """An incident whose id is already a file: reported, or with --update, its empty fields filled."""
    display = _repository_path(project, path)
    if not update:
        return [SheetProblem(incident.where[()], f"incident `{incident.ident}` is already in the archive ({display}); it was left as it is "
                                                 "(--update fills its empty fields from the sheet)", "warning")]
    raw, _ = read_bytes(path, display, project.repository)
    document = Document(path, display)
    if raw is None or parse_yaml_bytes(raw, document) or not isinstance(document.data, dict):
        return [SheetProblem(Location(display, 1, 1), "cannot fill this file: it does not read as an incident; run check and fix it first")]
    text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")  # as check's reader sees it, which says where each field is
    filled = fill_empty_fields(text, document, incident.data)
    if isinstance(filled, str):
        return [SheetProblem(Location(display, 1, 1), filled)]
    kept = [SheetProblem(incident.where.get((name,), incident.where[()]), f"{display} keeps its own {name}; the sheet's differ and were not taken "
                                                                          "(--update fills empty fields only)", "warning") for name in filled.kept]
    if not filled.changes:
        return kept
    merged = Document(path, display)
    if parse_yaml_bytes(filled.text.encode("utf-8"), merged) or merged.data != filled.data:
        return [SheetProblem(Location(display, 1, 1), "cannot fill this file without changing what it says; fill it by hand")]
    where = {key: _merged_location(key, filled.origin, incident.where, document) for key in merged.value_positions}
    incident.where, incident.path, incident.text = where, path, filled.text
    positions(merged, where)
    problems = kept + located(validate_document(merged, reference, today), {display: incident})
    if not any(problem.is_error for problem in problems):
        report.updated.append(f"{display}: {'would fill' if report.dry_run else 'filled'} {', '.join(filled.changes)}")
        report.fills.append((path, filled.text))
    return problems


def _merged_location(key: Key, origin: dict[Key, Key], imported: dict[Key, Location], document: Document) -> Location:
    """Where a value of a filled file comes from: the sheet's cell for what was filled, the file for what it had."""
    for cut in range(len(key), 0, -1):
        if key[:cut] in origin:
            wanted = origin[key[:cut]] + key[cut:]
            while wanted not in imported and wanted:
                wanted = wanted[:-1]
            return imported.get(wanted, imported[()])
    line, col = document.where(key)
    return Location(document.display_path, line, col)


def _write(project: Project, fresh: list[Incident], report: ImportReport) -> None:
    """Write the new files (never over an existing one) and the filled ones; on a failure, remove the new files written."""
    written: list[Path] = []
    try:
        for incident in fresh:
            assert incident.path is not None
            incident.path.parent.mkdir(parents=True, exist_ok=True)
            with incident.path.open("x", encoding="utf-8", newline="\n") as out:
                written.append(incident.path)
                out.write(incident.text)
        for path, text in report.fills:
            path.write_text(text, encoding="utf-8", newline="\n")
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    report.written = [_repository_path(project, path) for path in written]
