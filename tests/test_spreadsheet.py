"""spreadsheet: CSV and XLSX sheets into rows of cells, each located as a person finds it."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from archive.spreadsheet import Location, column_letters, read_table


def test_cells_are_named_as_spreadsheets_and_editors_name_them():
    assert [column_letters(number) for number in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    assert str(Location("sheet.csv", 12, 3)) == "sheet.csv:12:3"
    assert str(Location("book.xlsx", 12, 3, "Incidents")) == "book.xlsx:Incidents!C12"
    assert str(Location("book.xlsx", 2, 28, "Kyiv's 2025")) == "book.xlsx:'Kyiv''s 2025'!AB2"
    assert str(Location("book.xlsx", 2, 1, "a\u202eb")) == "book.xlsx:'a\\u202eb'!A2"  # a sheet name cannot hide text


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_the_one_that_splits_the_heading_row(tmp_path, delimiter):
    path = tmp_path / "sheet.csv"
    path.write_text(delimiter.join(["title", "summary", "excerpt"]) + "\n" + delimiter.join(["A, b; c", "x", "y"]).replace("A, b; c", '"A, b; c"') + "\n")
    table, problems = read_table(path, "sheet.csv")
    assert problems == [] and table is not None
    assert [cell.value for cell in table.headings] == ["title", "summary", "excerpt"]
    assert [cell.value for cell in table.rows[0]] == ["A, b; c", "x", "y"]


def test_each_row_is_located_at_the_line_it_starts_on(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes(b'\xef\xbb\xbf\r\ntitle,summary\r\n"Kyiv","one\r\ntwo\r\nthree"\r\n,\r\nLviv,"said ""x"""\r\n')
    table, problems = read_table(path, "sheet.csv")
    assert problems == [] and table is not None
    assert table.headings[0].value == "title" and table.headings[0].where == Location("sheet.csv", 2, 1)  # the byte-order mark is not in the heading
    assert [(cell.value, str(cell.where)) for row in table.rows for cell in row] == [
        ("Kyiv", "sheet.csv:3:1"), ("one\ntwo\nthree", "sheet.csv:3:2"), ("Lviv", "sheet.csv:7:1"), ('said "x"', "sheet.csv:7:2")]


def test_files_a_sheet_cannot_be_are_refused_in_one_line(tmp_path):
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("title\nKyiv\n".encode("utf-16"))
    assert [str(p) for p in read_table(utf16, "utf16.csv")[1]] == ['utf16.csv:1:1: error: file is UTF-16 ("Unicode text"); save the sheet as CSV UTF-8']
    fake = tmp_path / "fake.xlsx"
    fake.write_text("title\nKyiv\n")
    assert [str(p) for p in read_table(fake, "fake.xlsx")[1]] == [
        "fake.xlsx:1:1: error: cannot be read as an XLSX workbook (BadZipFile); save it again as XLSX or as CSV UTF-8"]
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert "save the sheet as XLSX or as CSV UTF-8" in str(read_table(old, "old.xls")[1][0])
    assert str(read_table(tmp_path, "folder")[1][0]) == "folder:1:1: error: no such file (or it is not a regular file)"


def test_an_xlsx_sheet_gives_typed_values_and_refuses_formulas_and_errors(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Incidents"
    sheet.append(["date", "value", "title", "excerpt"])
    sheet.append([dt.datetime(2025, 6, 6), 4, "Drone strike", None])
    sheet.append([None, "=SUM(B2:B2)", "#DIV/0!", "=1"])
    sheet["C3"].data_type = "e"  # an error value, as a spreadsheet saves one
    book.create_sheet("Notes")
    path = tmp_path / "book.xlsx"
    book.save(path)
    table, problems = read_table(path, "book.xlsx")
    assert table is not None
    assert [cell.value for cell in table.rows[0]][:3] == [dt.datetime(2025, 6, 6), 4, "Drone strike"]
    assert [str(problem) for problem in problems] == [
        "book.xlsx:1:1: warning: only the first sheet, 'Incidents', is imported; not 'Notes'",
        "book.xlsx:Incidents!B3: error: the cell holds a formula (`=SUM(B2:B2)`); the archive reads values only and never runs a formula: "
        "replace it with its value (copy the cells, then paste them as values)",
        "book.xlsx:Incidents!C3: error: the cell shows the error #DIV/0!; replace it with the value it should hold",
        "book.xlsx:Incidents!D3: error: the cell holds a formula (`=1`); the archive reads values only and never runs a formula: "
        "replace it with its value (copy the cells, then paste them as values)",
    ]


def test_a_time_or_a_duration_in_a_cell_comes_as_text_for_check_to_locate(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "as_of"])
    sheet.append([dt.time(14, 30), dt.timedelta(hours=3)])
    book.save(tmp_path / "book.xlsx")
    table, problems = read_table(tmp_path / "book.xlsx", "book.xlsx")
    assert table is not None and problems == []
    assert [cell.value for cell in table.rows[0]] == ["14:30:00", "3:00:00"]


def test_a_sheet_whose_xml_is_broken_is_refused_in_words_not_a_traceback(tmp_path):
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["date", "title"])
    sheet.append(["2025-06-06", "Drone strike"])
    book.save(tmp_path / "good.xlsx")
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(tmp_path / "broken.xlsx", "w") as broken:
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off in the middle of a row
            broken.writestr(item, data)
    table, problems = read_table(tmp_path / "broken.xlsx", "broken.xlsx")
    assert table is None
    assert [str(problem) for problem in problems] == [
        "broken.xlsx:1:1: error: cannot be read as an XLSX workbook (ParseError); save it again as XLSX or as CSV UTF-8"]
