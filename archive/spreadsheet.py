"""Read a CSV or XLSX sheet into rows of cells, each located where a person finds it: FILE:line:column or FILE:SHEET!A1.

CSV: comma, semicolon or tab (whichever splits the heading row into the most cells), UTF-8
with or without a byte-order mark, quoted as spreadsheets quote. XLSX: the first worksheet,
read with openpyxl; cells are values, never formulas, which are refused rather than evaluated.
Nothing here knows what a column means: that is the importer's job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .files import printable_name

CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
DELIMITERS = (",", ";", "\t")  # in this order when they split the heading row alike
MAX_FILE_BYTES = 512 * 1024 * 1024  # far beyond any sheet of incidents; refuses a wrong file before it fills memory
SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")  # names a spreadsheet writes without quotes in a reference


@dataclass(frozen=True, order=True)
class Location:
    """Where a cell is: a CSV line and the cell's number in its row, or an XLSX sheet's row and column.

    Without `sheet`, also any file's line and column (a mapping file, an incident file).
    """

    file: str
    line: int
    col: int
    sheet: str = ""

    def __str__(self) -> str:
        if not self.sheet:
            return f"{printable_name(self.file)}:{self.line}:{self.col}"
        sheet = printable_name(self.sheet)
        if not SHEET_NAME.fullmatch(sheet):
            sheet = "'" + sheet.replace("'", "''") + "'"
        return f"{printable_name(self.file)}:{sheet}!{column_letters(self.col)}{self.line}"


@dataclass(frozen=True, order=True)
class SheetProblem:
    """A problem at a location: printed as `FILE:line:column: error: ...`, as check prints its problems."""

    where: Location
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class Cell:
    value: CellValue  # text from a CSV; text, a number, a date ... from an XLSX
    where: Location


@dataclass
class Table:
    """A sheet: its heading row, then every row below it that is not empty."""

    file: str
    sheet: str  # "" for a CSV
    headings: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA: how spreadsheets name columns."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(path: Path, display: str) -> tuple[Table | None, list[SheetProblem]]:
    """The sheet in `path` (`display` is how messages name it); None and the problems when it cannot be read."""
    whole = Location(display, 1, 1)
    if not path.is_file():
        return None, [SheetProblem(whole, "no such file (or it is not a regular file)")]
    if path.stat().st_size > MAX_FILE_BYTES:
        return None, [SheetProblem(whole, f"file is over {MAX_FILE_BYTES:,} bytes; split the sheet")]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, display)
    if path.suffix.lower() in (".xls", ".ods", ".numbers"):
        return None, [SheetProblem(whole, f"`{path.suffix}` files cannot be read; save the sheet as XLSX or as CSV UTF-8")]
    return _read_csv(path.read_bytes(), display)


# --- CSV -----------------------------------------------------------------------------------

def _read_csv(raw: bytes, display: str) -> tuple[Table | None, list[SheetProblem]]:
    text, problem = _decode(raw, display)
    if problem:
        return None, [problem]
    delimiter = _delimiter(text)
    table = Table(display, "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1  # where the next row starts
    try:
        for values in reader:
            cells = [Cell(value.replace("\r\n", "\n"), Location(display, line, number)) for number, value in enumerate(values, 1)]
            line = reader.line_num + 1
            _add_row(table, cells)
    except csv.Error as failure:
        return None, [SheetProblem(Location(display, reader.line_num or 1, 1),
                                   f"CSV quoting: {failure}; a cell that holds the delimiter (`{printable_name(delimiter)}`), a quotation mark "
                                   "or a line break is written in double quotes, with each quotation mark inside doubled (\"\")")]
    return table, []


def _decode(raw: bytes, display: str) -> tuple[str, SheetProblem | None]:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", SheetProblem(Location(display, 1, 1), "file is UTF-16 (\"Unicode text\"); save the sheet as CSV UTF-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # the byte-order mark spreadsheets write before CSV UTF-8
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as failure:
        line = raw.count(b"\n", 0, failure.start) + 1
        col = failure.start - (raw.rfind(b"\n", 0, failure.start) + 1) + 1
        return "", SheetProblem(Location(display, line, col), f"file is not UTF-8 (byte 0x{raw[failure.start]:02x}); save the sheet as CSV UTF-8")


def _delimiter(text: str) -> str:
    """The delimiter that splits the first row into the most cells (comma when none splits it)."""
    first = text.lstrip("\r\n")
    counts = {}
    for delimiter in DELIMITERS:
        try:
            counts[delimiter] = len(next(csv.reader(io.StringIO(first, newline=""), delimiter=delimiter), []))
        except csv.Error:
            counts[delimiter] = 0
    return max(DELIMITERS, key=lambda delimiter: counts[delimiter])  # max keeps the first of equals


def _add_row(table: Table, cells: list[Cell]) -> None:
    """The first row that is not empty is the heading row; empty rows are left out."""
    if all(is_empty(cell.value) for cell in cells):
        return
    if not table.headings:
        table.headings = cells
    else:
        table.rows.append(cells)


# --- XLSX ----------------------------------------------------------------------------------

def _read_xlsx(path: Path, display: str) -> tuple[Table | None, list[SheetProblem]]:
    import zipfile

    import openpyxl  # only an XLSX import needs it
    from openpyxl.utils.exceptions import InvalidFileException

    whole = Location(display, 1, 1)
    try:
        # Formulas as written (never evaluated, and no cached results): a formula cell is refused below.
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as failure:
        return None, [SheetProblem(whole, f"cannot be read as an XLSX workbook ({type(failure).__name__}); save it again as XLSX or as CSV UTF-8")]
    try:
        if not workbook.worksheets:
            return None, [SheetProblem(whole, "the workbook has no worksheet")]
        sheet = workbook.worksheets[0]
        problems = [SheetProblem(whole, f"only the first sheet, {sheet.title!r}, is imported; not {', '.join(repr(other.title) for other in workbook.worksheets[1:])}",
                                 "warning")] if len(workbook.worksheets) > 1 else []
        table = Table(display, sheet.title)
        if hasattr(sheet, "reset_dimensions"):  # the size a file declares may be wrong: read every row there is
            sheet.reset_dimensions()
        try:  # read-only openpyxl parses the sheet's XML only now, row by row
            for row_number, row in enumerate(sheet.iter_rows(min_row=1, min_col=1), 1):
                cells = []
                for column, xlsx_cell in enumerate(row, 1):
                    where = Location(display, row_number, column, sheet.title)
                    value, problem = _xlsx_value(xlsx_cell, where)
                    if problem:
                        problems.append(problem)
                    cells.append(Cell(value, where))
                _add_row(table, cells)
        except (SyntaxError, ValueError, OverflowError, KeyError, TypeError) as failure:  # bad XML (ParseError), refused entities, dates out of range
            return None, [SheetProblem(whole, f"cannot be read as an XLSX workbook ({type(failure).__name__}); save it again as XLSX or as CSV UTF-8")]
    finally:
        workbook.close()
    return table, problems


def _xlsx_value(xlsx_cell: object, where: Location) -> tuple[CellValue, SheetProblem | None]:
    value = getattr(xlsx_cell, "value", None)
    kind = getattr(xlsx_cell, "data_type", None)
    if kind == "f" or not isinstance(value, str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None):
        shown = str(value)[:40] if isinstance(value, str) else "a formula"
        return None, SheetProblem(where, f"the cell holds a formula (`{printable_name(shown)}`); the archive reads values only and never runs a formula: "
                                         "replace it with its value (copy the cells, then paste them as values)")
    if kind == "e":
        return None, SheetProblem(where, f"the cell shows the error {printable_name(str(value))}; replace it with the value it should hold")
    if isinstance(value, dt.time | dt.timedelta):  # no field holds a time of day or a duration: as text, check says where it is wrong
        return str(value), None
    return value, None
