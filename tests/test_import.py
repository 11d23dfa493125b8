"""import: spreadsheets (CSV, XLSX) into incident files that check accepts, errors at the cell in check's words, nothing written on error."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from archive.exports import write_downloads
from archive.importer import import_sheets
from archive.load import Document, parse_yaml_bytes
from archive.pipeline import Project, check
from archive.scaffold import FIELD_ORDER, SCHEMA_LINE
from conftest import REPO, TODAY, TinyArchive

EXAMPLES = REPO / "examples" / "import"
HEADING = "incident,date,title,summary,regions,places,publisher,source_title,url,published,measure,value,qualifier,region,claimed_by,excerpt"
FIRST = ("1,2025-06-06,Drone strike on Kyiv,Drones hit Kyiv overnight.,UA-30; UA-32,Boryspil (UA-32),Example Wire,Drones hit Kyiv,"
         "https://news.example.org/1,2025-06-06,killed,4,at least,UA-30,Example official,\"At least four people were killed, the official said.\"")
SECOND = "1,,,,,,,,,,injured,20,exactly,,Example official,Twenty people were injured."
COLUMNS = ("incident, date, title, summary, regions, places, assessment, source, publisher, source_title, url, published, measure, value, "
           "min, max, qualifier, region, subject, weapon, claimed_by, as_of, excerpt")


@pytest.fixture
def tiny(tmp_path):
    return TinyArchive(tmp_path / "archive")


def sheet(tmp_path: Path, text: str, name: str = "sheet.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(tiny, *files, **options):
    return import_sheets(tiny.project, list(files), TODAY, displays=[path.name for path in files], **options)


def incident_files(tiny) -> dict[str, str]:
    folder = tiny.root / "incidents"
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8") for path in sorted(folder.rglob("*.yaml"))} if folder.exists() else {}


def data_of(text: str):
    document = Document(Path("x.yaml"), "x.yaml")
    assert parse_yaml_bytes(text.encode("utf-8"), document) == []
    return document.data


def checked(tiny):
    archive, problems = check(tiny.project, today=TODAY)
    assert archive is not None, "\n".join(map(str, problems))
    return archive, problems


# --- one row per figure ------------------------------------------------------------------------

def test_rows_of_one_incident_become_one_file_in_the_style_new_writes(tiny, tmp_path):
    report = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST}\n{SECOND}\n"))
    assert report.errors == 0, report.problems
    assert report.written == ["incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml"]
    text = incident_files(tiny)["2025/2025-06-06-drone-strike-on-kyiv.yaml"]
    assert text.splitlines()[0] == SCHEMA_LINE
    data = data_of(text)
    assert list(data) == [name for name in FIELD_ORDER if name in data]
    assert data["regions"] == ["UA-30", "UA-32"] and data["places"] == [{"name": "Boryspil", "region": "UA-32"}]
    assert data["summary"] == "Drones hit Kyiv overnight.\n"
    assert data["sources"] == {"example-wire": {"publisher": "Example Wire", "title": "Drones hit Kyiv", "url": "https://news.example.org/1", "published": "2025-06-06"}}
    assert data["figures"] == [
        {"measure": "killed", "value": 4, "qualifier": "at least", "region": "UA-30", "claimed_by": "Example official", "source": "example-wire",
         "excerpt": "At least four people were killed, the official said."},
        {"measure": "injured", "value": 20, "qualifier": "exactly", "claimed_by": "Example official", "source": "example-wire",
         "excerpt": "Twenty people were injured."},
    ]
    archive, problems = checked(tiny)
    assert problems == [] and [len(incident.figures) for incident in archive.incidents] == [2]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_comma_semicolon_and_tab_sheets_with_or_without_a_byte_order_mark(tiny, tmp_path, delimiter):
    def row(cells):
        return delimiter.join('"' + cell.replace('"', '""') + '"' if delimiter in cell or '"' in cell or "\n" in cell else cell for cell in cells)

    cells = ["1", "2025-06-06", "Drone strike on Kyiv", 'Drones hit Kyiv; "overnight",\nsaid officials.', "UA-30", "", "Example Wire", "", "",
             "", "killed", "4", "exactly", "", "Example official", 'Four people were killed, "officials" said.']
    text = row(HEADING.split(",")) + "\r\n" + row(cells) + "\r\n"
    for bom, name in (("", "plain.csv"), ("\ufeff", "bom.csv")):
        report = run_import(tiny, sheet(tmp_path, bom + text, name), dry_run=True)
        assert report.errors == 0, report.problems
        assert report.figures == 1 and report.written == ["incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml"]
    assert incident_files(tiny) == {}  # a dry run writes nothing
    run_import(tiny, sheet(tmp_path, "\ufeff" + text, "bom.csv"))
    data = data_of(incident_files(tiny)["2025/2025-06-06-drone-strike-on-kyiv.yaml"])
    assert data["summary"] == 'Drones hit Kyiv; "overnight",\nsaid officials.\n'
    assert data["figures"][0]["excerpt"] == 'Four people were killed, "officials" said.'


def test_sources_are_told_apart_and_each_figure_cites_its_own(tiny, tmp_path):
    heading = "incident,date,title,regions,source,publisher,url,measure,value,qualifier,claimed_by,excerpt"
    rows = ["a,2025-06-06,Drone strike on Kyiv,UA-30,wire,Example Wire,https://news.example.org/1,killed,4,exactly,Official A,Four were killed.",
            "a,,,,daily,Sample Daily,https://daily.example.org/2,killed,5,exactly,Official B,Five were killed.",
            "a,,,,wire,,,injured,7,exactly,Official A,Seven were injured."]
    report = run_import(tiny, sheet(tmp_path, "\n".join([heading, *rows]) + "\n"))
    assert report.errors == 0, report.problems
    data = data_of(incident_files(tiny)["2025/2025-06-06-drone-strike-on-kyiv.yaml"])
    assert list(data["sources"]) == ["wire", "daily"]
    assert [figure["source"] for figure in data["figures"]] == ["wire", "daily", "wire"]
    checked(tiny)


def test_an_incident_level_cell_that_contradicts_the_first_row_is_an_error(tiny, tmp_path):
    report = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST}\n{SECOND.replace('1,,,', '1,2025-06-07,,', 1)}\n"))
    assert [str(problem) for problem in report.problems if problem.is_error] == [
        'sheet.csv:3:2: error: `date` is "2025-06-07" here but "2025-06-06" at line 2, column 2; the rows of one incident repeat its date or leave the cell empty']
    assert incident_files(tiny) == {}


# --- errors, at the cell, in check's words -----------------------------------------------------------

BAD = """\
incident,date,title,regions,publisher,measure,value,qualifier,claimed_by,excerpt
1,2025-02-30,Drone strike on Kyiv,UA-30,Example Wire,killed,4,exactly,Example official,Four people were killed.
2,2025-06-07,Drone strike on Lviv,Lviv,Example Wire,killed,2,exactly,Example official,Two people were killed.
3,2025-06-08,Drone strike on Sumy,UA-59,Example Wire,killed,four,exactly,Example official,Four people were killed.
4,2025-06-09,Drone strike on Odesa,UA-51,Example Wire,injured,5,exactly,Example official,Several people were injured.
5,2025-06-10,Drone strike on Dnipro,UA-12,Example Wire,killed,1,exactly,Example official,One person was killed.
"""


def test_errors_are_located_at_the_cell_with_checks_wording_and_nothing_is_written(tiny, tmp_path):
    report = run_import(tiny, sheet(tmp_path, BAD))
    errors = [str(problem) for problem in report.problems if problem.is_error]
    assert errors == [
        "sheet.csv:2:2: error: `date` is `2025-02-30`, which is not a real date; check the month and day",
        "sheet.csv:3:4: error: `regions[0]` is `Lviv`, which is not an ISO 3166-2 region code such as UA-30 (Kyiv) or RU-TUL (Tula Oblast); "
        "did you mean `UA-46` (Lviv Oblast)?",
        'sheet.csv:4:7: error: `figures[0].value` must be a whole number, not the text "four"',
        "sheet.csv:5:10: error: the excerpt does not contain the figure's number 5 (in digits such as 5 or in words); copy the sentence that states it",
    ]
    assert report.summary().startswith("4 error(s)") and "nothing was written" in report.summary()
    assert incident_files(tiny) == {}  # not even the good incident of line 6


def test_an_unknown_region_code_is_told_as_check_tells_it(tiny, tmp_path):
    text = BAD.splitlines()[0] + "\n" + BAD.splitlines()[5].replace("UA-12", "UA-12; UA-99") + "\n"
    report = run_import(tiny, sheet(tmp_path, text))
    assert [str(problem) for problem in report.problems if problem.is_error] == [
        "sheet.csv:2:4: error: `UA-99` is not an ISO 3166-2 region code; see data/regions.yaml for codes and names"]


def test_a_date_that_is_not_written_as_a_date_is_told_once(tiny, tmp_path):
    text = BAD.splitlines()[0] + "\n" + BAD.splitlines()[5].replace("2025-06-10", "06/10/2025") + "\n"
    report = run_import(tiny, sheet(tmp_path, text))
    assert [str(problem) for problem in report.problems if problem.is_error] == [
        "sheet.csv:2:2: error: `date` is `06/10/2025`, which is not a date written YYYY-MM-DD in the years 1900 to 2099"]


def test_hidden_characters_are_refused_as_check_refuses_them(tiny, tmp_path):
    text = BAD.splitlines()[0] + "\n" + BAD.splitlines()[5].replace("Drone strike", "Drone\u202estrike") + "\n"
    report = run_import(tiny, sheet(tmp_path, text))
    assert [str(problem) for problem in report.problems if problem.is_error] == [
        "sheet.csv:2:3: error: `title` contains an invisible RIGHT-TO-LEFT OVERRIDE (U+202E) at character 6; "
        "remove it (see the contribute page for when such characters are allowed)"]


def test_unknown_columns_are_errors_unless_mapped(tiny, tmp_path):
    path = sheet(tmp_path, BAD.replace("claimed_by", "claimed by whom", 1))
    report = run_import(tiny, path)
    assert [str(problem) for problem in report.problems] == [
        "sheet.csv:1:9: error: unknown column `claimed by whom`; did you mean `claimed_by`?; the columns are " + COLUMNS +
        ": rename it, or name its field (or leave it out) in a mapping file, --mapping"]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Claimed by whom: claimed_by\n")
    assert run_import(tiny, path, mapping_path=mapping, dry_run=True).summary().startswith("4 error(s)")  # the sheet's own errors now


def test_a_file_that_is_not_utf8_or_badly_quoted_is_located(tiny, tmp_path):
    latin = sheet(tmp_path, "incident,title\n1,Kyïv\n", "latin.csv", encoding="latin-1")
    assert [str(problem) for problem in run_import(tiny, latin).problems] == [
        "latin.csv:2:5: error: file is not UTF-8 (byte 0xef); save the sheet as CSV UTF-8"]
    quoted = sheet(tmp_path, 'incident,title\n1,"Drone strike\n2,Kyiv\n', "quoted.csv")
    [problem] = run_import(tiny, quoted).problems
    assert str(problem).startswith("quoted.csv:3:1: error: CSV quoting: unexpected end of data")


# --- XLSX -------------------------------------------------------------------------------------------

def workbook(tmp_path: Path, rows: list[list], title: str = "Incidents") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / "sheet.xlsx"
    book.save(path)
    return path


XLSX_HEADING = ["incident", "date", "title", "regions", "publisher", "measure", "value", "qualifier", "claimed_by", "excerpt", "as_of"]


def test_an_xlsx_sheet_with_date_and_number_cells(tiny, tmp_path):
    path = workbook(tmp_path, [XLSX_HEADING,
                               [1, dt.datetime(2025, 6, 6), "Drone strike on Kyiv", "UA-30", "Example Wire", "killed", 4, "exactly", "Example official",
                                "Four people were killed.", "2025-06-06T08:30+03:00"],
                               [None, None, None, None, None, "injured", 12.0, "about", "Example official", "About 12 people were injured.", dt.date(2025, 6, 6)]])
    report = run_import(tiny, path)
    assert report.errors == 0, report.problems
    data = data_of(incident_files(tiny)["2025/2025-06-06-drone-strike-on-kyiv.yaml"])
    assert data["date"] == "2025-06-06"
    assert [(figure["value"], figure["as_of"]) for figure in data["figures"]] == [(4, "2025-06-06T08:30+03:00"), (12, "2025-06-06")]
    checked(tiny)


def test_xlsx_errors_name_the_sheet_and_cell_and_formulas_are_never_run(tiny, tmp_path):
    path = workbook(tmp_path, [XLSX_HEADING,
                               [1, "2025-06-06", "Drone strike on Kyiv", "UA-30", "Example Wire", "killed", "four", "exactly", "Example official",
                                "Four people were killed."]], title="Kyiv 2025")
    assert [str(problem) for problem in run_import(tiny, path).problems if problem.is_error] == [
        "sheet.xlsx:'Kyiv 2025'!G2: error: `figures[0].value` must be a whole number, not the text \"four\""]
    path = workbook(tmp_path, [XLSX_HEADING,
                               [1, "2025-06-06", "Drone strike on Kyiv", "UA-30", "Example Wire", "killed", "=2+2", "exactly", "Example official",
                                "Four people were killed."]])
    report = run_import(tiny, path)
    assert [str(problem) for problem in report.problems] == [
        "sheet.xlsx:Incidents!G2: error: the cell holds a formula (`=2+2`); the archive reads values only and never runs a formula: "
        "replace it with its value (copy the cells, then paste them as values)"]
    assert incident_files(tiny) == {}


# --- one row per incident, through a mapping ------------------------------------------------------

def test_one_row_per_incident_with_a_column_per_measure(tiny):
    report = run_import(tiny, EXAMPLES / "one-row-per-incident.csv", mapping_path=EXAMPLES / "one-row-per-incident.mapping.yaml")
    assert report.errors == 0, report.problems
    archive, _ = checked(tiny)
    [incident] = archive.incidents
    shipped = data_of((REPO / "incidents" / "2025" / f"{incident.id}.yaml").read_text(encoding="utf-8"))
    imported = data_of(incident_files(tiny)[f"2025/{incident.id}.yaml"])
    assert imported["regions"] == shipped["regions"]
    mine = [{key: value for key, value in figure.items() if key != "source"} for figure in imported["figures"]]
    assert mine and all(figure in [{key: value for key, value in f.items() if key != "source"} for f in shipped["figures"]] for figure in mine)
    assert imported["sources"]["the-moscow-times"] == shipped["sources"]["mt"]


def test_a_measure_column_may_have_its_own_excerpt_and_qualifier(tiny, tmp_path):
    path = workbook(tmp_path, [["Date", "Title", "Regions", "Killed", "Killed: qualifier", "Killed: excerpt", "Injured", "Injured: excerpt", "Said by"],
                               [dt.date(2025, 6, 6), "Drone strike on Kyiv", "UA-30", 4, "at least", "At least four were killed.", None, None, "Official A"],
                               [dt.date(2025, 6, 7), "Drone strike on Lviv", "UA-46", 0, None, "0 people were killed.", 3, "Three were injured.", "Official B"]])
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Killed: killed.value\n  'Killed: qualifier': killed.qualifier\n  'Killed: excerpt': killed.excerpt\n"
                       "  Injured: injured.value\n  'Injured: excerpt': injured.excerpt\n  Said by: claimed_by\n"
                       "values:\n  qualifier: exactly\n  publisher: Example Wire\n")
    report = run_import(tiny, path, mapping_path=mapping)
    assert report.errors == 0, report.problems
    files = incident_files(tiny)
    kyiv, lviv = (data_of(files[f"2025/2025-06-0{day}-drone-strike-on-{city}.yaml"]) for day, city in ((6, "kyiv"), (7, "lviv")))
    assert [(f["measure"], f["value"], f["qualifier"], f["excerpt"]) for f in kyiv["figures"]] == [("killed", 4, "at least", "At least four were killed.")]
    assert [(f["measure"], f["value"], f["qualifier"], f["claimed_by"]) for f in lviv["figures"]] == [
        ("killed", 0, "exactly", "Official B"), ("injured", 3, "exactly", "Official B")]
    checked(tiny)


def test_the_one_row_per_figure_example_passes_check(tiny):
    report = run_import(tiny, EXAMPLES / "one-row-per-figure.csv")
    assert report.errors == 0 and report.figures == 3, report.problems
    _, problems = checked(tiny)
    assert problems == []


def test_a_mapping_renames_headings_sets_fixed_values_and_leaves_columns_out(tiny, tmp_path):
    path = sheet(tmp_path, "Case,Day,Headline,Oblast,What,Count,Said by,Sentence,Internal note\n"
                           "k1,2025-06-06,Drone strike on Kyiv,UA-30,killed,4,Example official,Four people were killed.,checked\n")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Case: incident\n  Day: date\n  Headline: title\n  Oblast: regions\n  What: measure\n  Count: value\n"
                       "  Said by: claimed_by\n  Sentence: excerpt\nvalues:\n  publisher: Example Wire\n  qualifier: exactly\nignore: [Internal note]\n")
    report = run_import(tiny, path, mapping_path=mapping)
    assert report.errors == 0, report.problems
    data = data_of(incident_files(tiny)["2025/2025-06-06-drone-strike-on-kyiv.yaml"])
    assert data["sources"] == {"example-wire": {"publisher": "Example Wire"}}
    assert data["figures"][0]["qualifier"] == "exactly"


def test_mapping_mistakes_are_located_in_the_mapping_file(tiny, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Killed: kiled.value\n  Count: vaule\nvalue:\n  publisher: Example Wire\n")
    report = run_import(tiny, sheet(tmp_path, BAD), mapping_path=mapping)
    assert [str(problem) for problem in report.problems] == [
        f"{mapping}:2:11: error: unknown measure `kiled`; did you mean `killed`?; measures are listed in data/measures.yaml",
        f"{mapping}:3:10: error: `vaule` is not a field of the sheet; did you mean `value`?; the fields are " + COLUMNS +
        ", and a measure's own fields such as `killed.value`",
        f"{mapping}:4:1: error: unknown field `value` in the mapping; did you mean `values`?; allowed fields: columns, values, ignore",
    ]


# --- the archive's own downloads ------------------------------------------------------------------

def test_the_downloads_import_back_with_the_same_figures_sources_and_excerpts(tiny, tmp_path):
    shipped, _ = check(Project(root=REPO), today=TODAY)
    assert shipped is not None
    write_downloads(shipped, tmp_path / "downloads")
    data = tmp_path / "downloads" / "data"
    report = run_import(tiny, data / "incidents.csv", data / "figures.csv")
    assert report.errors == 0, report.problems
    archive, problems = checked(tiny)
    assert {problem.message for problem in problems} == {"`summary` still has a TODO placeholder"}  # the downloads have no summaries

    def claims(archive):
        return {incident.id: sorted([(f.measure.key, f.value, f.min, f.max, f.qualifier, f.region.code if f.region else None, f.subject,
                                      f.weapon.key if f.weapon else None, f.claimed_by, f.as_of, f.excerpt,
                                      f.source.publisher, f.source.title, f.source.url) for f in incident.figures], key=repr)
                for incident in archive.incidents}

    assert claims(archive) == claims(shipped) and sum(map(len, claims(archive).values())) == 20
    assert ({incident.id: incident.regions for incident in archive.incidents} == {incident.id: incident.regions for incident in shipped.incidents})


def test_formula_guards_of_the_downloads_are_taken_off(tiny, tmp_path):
    heading = ",".join(("incident_id", "incident_date", "measure", "value", "min", "max", "qualifier", "region", "subject", "weapon",
                        "claimed_by", "party", "as_of", "source_publisher", "source_title", "source_url", "excerpt"))
    figures = sheet(tmp_path, heading + "\n2025-06-06-drone-strike,2025-06-06,killed,4,,,exactly,,Rescuers and emergency workers,,"
                                        "Example official,,2025-06-06T05:30:00,Example Wire,'-Drones hit,,'+4 rescuers were killed.\n", "figures.csv")
    incidents = sheet(tmp_path, "id,date,title,regions,region_names,url,assessment,killed_lower,killed_upper,killed_readings\n"
                                "2025-06-06-drone-strike,2025-06-06,Drone strike,UA-30,Kyiv,incidents/2025-06-06-drone-strike/,,4,,4\n", "incidents.csv")
    report = run_import(tiny, incidents, figures)
    assert [problem for problem in report.problems if problem.is_error] == []
    data = data_of(incident_files(tiny)["2025/2025-06-06-drone-strike.yaml"])
    assert data["figures"][0]["excerpt"] == "+4 rescuers were killed." and data["figures"][0]["subject"] == "rescuers"
    assert data["figures"][0]["as_of"] == "2025-06-06T05:30:00+00:00"
    assert data["sources"] == {"example-wire": {"publisher": "Example Wire", "title": "-Drones hit"}}


# --- never overwrite; --update ----------------------------------------------------------------------

def test_an_existing_incident_is_reported_and_left_as_it_is(tiny, tmp_path):
    path = sheet(tmp_path, f"{HEADING}\n{FIRST}\n")
    run_import(tiny, path)
    before = incident_files(tiny)
    report = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST.replace('at least', 'exactly')}\n"))
    assert report.errors == 0 and report.written == [] and incident_files(tiny) == before
    assert [str(problem) for problem in report.problems] == [
        "sheet.csv:2:1: warning: incident `2025-06-06-drone-strike-on-kyiv` is already in the archive "
        "(incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml); it was left as it is (--update fills its empty fields from the sheet)"]


def test_update_fills_only_empty_fields_and_says_what_it_filled(tiny, tmp_path):
    existing = tiny.write("2025-06-06-drone-strike-on-kyiv", """\
        # yaml-language-server: $schema=../../schema/incident.schema.json
        title: Drone strike on Kyiv
        date: 2025-06-06
        summary: |
          Written by a curator.
        regions: [UA-30, UA-32]
        sources:
          example-wire:
            publisher: Example Wire  # the wire's own name
        figures: []
        quotes: []
        corrections: []
        """)
    report = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST}\n{SECOND}\n"), update=True)
    assert report.errors == 0, report.problems
    assert report.updated == ["incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml: filled places, figures (2), "
                              "sources.example-wire.title, sources.example-wire.url, sources.example-wire.published"]
    text = existing.read_text(encoding="utf-8")
    assert "Written by a curator." in text and "# the wire's own name" in text  # what the file had stays
    data = data_of(text)
    assert data["summary"] == "Written by a curator.\n" and [f["value"] for f in data["figures"]] == [4, 20]
    assert data["sources"]["example-wire"]["url"] == "https://news.example.org/1"
    checked(tiny)
    again = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST}\n{SECOND}\n"), update=True)
    assert again.updated == [] and existing.read_text(encoding="utf-8") == text
    assert [str(problem) for problem in again.problems] == [
        "sheet.csv:2:4: warning: incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml keeps its own summary; the sheet's differ and were not taken "
        "(--update fills empty fields only)"]


def test_update_refuses_what_would_fail_check(tiny, tmp_path):
    existing = tiny.write("2025-06-06-drone-strike-on-kyiv", """\
        title: Drone strike on Kyiv
        date: 2025-06-06
        summary: Written by a curator.
        regions: [UA-30]
        sources:
          example-wire: {publisher: Example Wire}
        """)
    before = existing.read_text()
    report = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST}\n"), update=True)
    assert [str(problem) for problem in report.problems if problem.is_error] == [
        "incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml:1:1: error: cannot fill source `example-wire`: it is written on one line; fill its fields by hand"]
    assert existing.read_text() == before
    text = before.replace("regions: [UA-30]", "regions: [UA-46]").replace("example-wire: {publisher: Example Wire}", "example-wire:\n    publisher: Example Wire")
    existing.write_text(text)
    report = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST}\n"), update=True)
    assert [str(problem) for problem in report.problems if problem.is_error] == [
        "sheet.csv:2:6: error: `places[0].region` is UA-32, which is not in the incident's `regions` (UA-46); add it there or fix the code",
        "sheet.csv:2:14: error: `figures[0].region` is UA-30, which is not in the incident's `regions` (UA-46); add it there or fix the code"]
    assert existing.read_text() == text


# --- possible duplicates ----------------------------------------------------------------------------

def test_an_incident_like_one_of_the_archive_is_a_possible_duplicate(tiny, tmp_path):
    tiny.write("2025-06-06-drone-strike-on-kyiv")  # conftest's VALID_INCIDENT: Drone strike on Kyiv, UA-30 and UA-32
    text = f"{HEADING}\n{FIRST.replace('Drone strike on Kyiv', 'Drone strikes hit Kyiv', 1)}\n"
    report = run_import(tiny, sheet(tmp_path, text))
    assert [str(problem) for problem in report.problems] == [
        "sheet.csv:2:3: warning: possible duplicate of incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml: the same date, region UA-30 and titles alike; "
        "if they are one incident, keep one file (with every figure and source of both), and if not, make the titles tell them apart"]
    assert report.written  # a warning: the curator decides
    _, problems = check(tiny.project, today=TODAY)
    assert sorted(problem.path for problem in problems if "possible duplicate" in problem.message) == [
        "incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml", "incidents/2025/2025-06-06-drone-strikes-hit-kyiv.yaml"]


def test_two_alike_incidents_of_one_sheet_are_told_of_each_other(tiny, tmp_path):
    second = FIRST.replace("1,", "2,", 1).replace("Drone strike on Kyiv", "Drone strike on Kyiv city", 1)
    report = run_import(tiny, sheet(tmp_path, f"{HEADING}\n{FIRST}\n{second}\n"), dry_run=True)
    assert sorted(str(problem).split(": warning")[0] for problem in report.problems) == ["sheet.csv:2:3", "sheet.csv:3:3"]
    assert "possible duplicate of the incident at line 3, column 1" in report.problems[0].message


# --- the command line -----------------------------------------------------------------------------

def test_the_command_prints_the_files_it_writes_and_fails_on_errors(tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(REPO / "content", root / "content")
    command = [sys.executable, str(REPO / "build.py"), "--root", str(root), "import"]
    done = subprocess.run([*command, str(EXAMPLES / "one-row-per-figure.csv")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["incidents/2025/2025-06-06-ukrainian-drone-strikes-on-tula-region-and-moscow.yaml"]
    assert "3 rows: 1 incidents with 3 figures; wrote 1 new file(s)" in done.stderr
    bad = sheet(tmp_path, BAD)
    failed = subprocess.run([*command, str(bad)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1 and "4 error(s)" in failed.stderr and "nothing was written" in failed.stderr
    assert failed.stdout.count("error:") == 4 and "Traceback" not in failed.stderr


def test_the_contribute_page_shows_the_example_sheet_as_it_is():
    import csv

    page = (REPO / "content" / "contribute.md").read_text(encoding="utf-8")
    lines = [line for line in page.split("## Bring in a spreadsheet")[1].splitlines() if line.startswith("| ")]
    headings, *rows = ([cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines if not line.startswith("| ---"))
    with (EXAMPLES / "one-row-per-figure.csv").open(encoding="utf-8", newline="") as sheet:
        example = list(csv.DictReader(sheet))
    assert rows and [[row[heading] for heading in headings] for row in example[:len(rows)]] == rows


def test_the_benchmark_sheet_imports_without_a_problem(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "bench" / "import_rows.py"), "--rows", "40"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("csv: 40 rows, ") and "0 warning(s)" in done.stdout and "files written" in done.stdout
