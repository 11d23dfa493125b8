"""load.py: YAML becomes plain data with positions, and YAML's silent surprises become errors."""

from pathlib import Path

import pytest

from archive.files import Repository
from archive.load import Document, find_incident_files, parse_yaml_bytes, read_content_pages, repository_path


def parse(text: str | bytes) -> tuple[Document, list[str]]:
    document = Document(path=Path("incidents/2025/x.yaml"), display_path="incidents/2025/x.yaml")
    raw = text.encode("utf-8") if isinstance(text, str) else text
    problems = parse_yaml_bytes(raw, document)
    return document, [f"{p.line}:{p.col}: {p.message}" for p in problems]


def test_values_keep_their_line_and_column():
    document, problems = parse("title: A\nfigures:\n  - value: 4\n    source: mt\n")
    assert problems == []
    assert document.data == {"title": "A", "figures": [{"value": 4, "source": "mt"}]}
    assert document.where(("figures", 0, "source")) == (4, 13)
    assert document.where(("figures", 0, "source"), at_key=True) == (4, 5)


def test_where_falls_back_to_the_nearest_parent():
    document, _ = parse("figures:\n  - value: 4\n")
    assert document.where(("figures", 0, "missing_field")) == (2, 5)


def test_unquoted_dates_stay_text_for_validation_to_parse():
    document, problems = parse("date: 2025-06-06\nbad: 2025-02-30\n")
    assert problems == []
    assert document.data == {"date": "2025-06-06", "bad": "2025-02-30"}


def test_duplicate_key_is_an_error_pointing_at_the_second_one():
    _, problems = parse("title: A\nsummary: x\ntitle: B\n")
    assert problems == ["3:1: duplicate key `title` (first at line 1); keep one of them"]


def test_yaml11_yes_no_on_off_are_errors_not_booleans():
    document, problems = parse("a: no\nb: On\nc: true\nd: 'no'\n")
    assert len(problems) == 2
    assert problems[0].startswith("1:4: unquoted `no` is read by YAML 1.1 as a yes/no value")
    assert problems[1].startswith("2:4: unquoted `On`")
    assert document.data["c"] is True and document.data["d"] == "no"


def test_yes_no_as_a_key_is_an_error_and_the_key_stays_text():
    document, problems = parse("no: 1\nfigures:\n  - off: 2\n")
    assert [problem.split(" is read by YAML 1.1 ")[0] for problem in problems] == ["1:1: unquoted `no`", "3:5: unquoted `off`"]
    assert document.data == {"no": 1, "figures": [{"off": 2}]}
    assert document.where(("figures", 0, "off"), at_key=True) == (3, 5)


def test_sexagesimal_and_octal_numbers_are_errors():
    _, problems = parse("time: 12:30\ncount: 012\nok: 12\n")
    assert problems[0].startswith("1:7: `12:30` is read by YAML 1.1 as a base-60 number")
    assert problems[1].startswith("2:8: `012` is a number in a special notation")
    assert len(problems) == 2


def test_aliases_are_refused():
    _, problems = parse("a: &x {v: 1}\nb: *x\n")
    assert any("aliases" in problem for problem in problems)


def test_explicit_tags_are_refused():
    _, problems = parse("a: !!python/object:os.system x\n")
    assert any("YAML tag" in problem for problem in problems)


def test_non_utf8_bytes_are_located():
    _, problems = parse(b"title: ok\nsummary: caf\xe9\n")
    assert problems == ["2:13: file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_bom_and_crlf_are_accepted():
    document, problems = parse(b"\xef\xbb\xbftitle: A\r\nsummary: B\r\n")
    assert problems == []
    assert document.data == {"title": "A", "summary": "B"}


def test_empty_file_and_syntax_errors_are_located():
    assert parse("")[1] == ["1:1: file is empty; an incident file is a mapping of fields such as title, date, regions"]
    _, problems = parse("title: A\n\tsummary: B\n")
    assert problems and problems[0].startswith("2:1: YAML syntax") and "tabs" in problems[0]


def test_oversized_file_is_refused():
    _, problems = parse("title: " + "x" * 300_000)
    assert "bytes, the limit" in problems[0]


def test_find_incident_files_is_sorted_and_recursive(tmp_path):
    for name in ("2025/b.yaml", "2024/a.yaml", "2025/c.yml", "2025/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x: 1")
    found = [path.relative_to(tmp_path).as_posix() for path in find_incident_files(tmp_path)]
    assert found == ["2024/a.yaml", "2025/b.yaml", "2025/c.yml"]


def test_read_content_pages(tmp_path):
    (tmp_path / "about.md").write_text("# About\n", encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe")
    pages, problems = read_content_pages(tmp_path, Repository((tmp_path,)))
    assert pages == {"about": "# About\n"}
    assert [p.path for p in problems] == [f"{tmp_path.name}/bad.md"]


def test_merge_keys_complex_keys_and_second_documents_are_refused():
    _, problems = parse("base: {a: 1}\nother:\n  <<: {a: 2}\n")
    assert any("merge keys (<<)" in problem for problem in problems)
    _, problems = parse("? [a, b]\n: value\ntitle: A\n")
    assert any("complex keys" in problem for problem in problems)
    _, problems = parse("title: A\n---\ntitle: B\n")
    assert problems == ["2:1: the file holds more than one YAML document (a second `---`); keep one incident per file"]


def test_deep_nesting_is_refused_without_crashing():
    _, problems = parse("a: " + "[" * 100_000 + "]" * 100_000)
    assert problems == ["1:19: nesting is deeper than 16 levels; incident files never need that"]


def test_files_are_named_by_their_path_in_the_repository_whatever_the_root_looks_like(tmp_path, monkeypatch):
    (tmp_path / "incidents" / "2025").mkdir(parents=True)
    (tmp_path / "incidents" / "2025" / "2025-06-06-a.yaml").write_text("title: x\n")
    monkeypatch.chdir(tmp_path)
    for root in (tmp_path, Path("."), Path("../" + tmp_path.name)):
        found = find_incident_files(root / "incidents")
        assert [repository_path(root, path) for path in found] == ["incidents/2025/2025-06-06-a.yaml"], root


@pytest.mark.parametrize("digits", [19, 4301, 100_000])
def test_integers_too_long_to_read_are_located_not_crashes(digits):
    document, problems = parse(f"title: x\nvalue: {'9' * digits}\n")
    assert problems == [f"2:8: `999999999999…` is a number of {digits:,} digits, too long for any count; check it"]
    assert isinstance(document.data["value"], str)
