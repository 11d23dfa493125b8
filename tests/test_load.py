"""load.py: YAML becomes plain data with positions, and YAML's silent surprises become errors."""

import os
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from archive import load
from archive.files import Repository
from archive.load import Document, find_incident_files, parse_yaml_bytes, read_content_pages, repository_path
from conftest import bench_module


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


# --- the reading in C (archive/_fastload.c) and the reading in Python agree -------------------------

needs_c_reading = pytest.mark.skipif(load._fastload is None, reason="archive/_fastload.c is not compiled here (make compiles it)")

# Each case stands for a way a file can be written. The reading in C reads the plain ones itself...
PLAIN_CASES = [
    "title: A\nfigures:\n  - value: 4\n    source: mt\n",  # block style
    '{"title": "A", "figures": [{"value": 4, "source": "mt"}], "regions": ["UA-30"]}',  # JSON, as tools write it
    "a: [1, 2, {x: y, z: [w]}]\nb: {c: {d: [e, {f: g}]}}\n", "- - - x\n", "x", "'x'", "{}", "[]", "---\n", "# only a comment\n",
    "a: 1 # comment\n...\n", "\ufeffa: 1\n", "%YAML 1.1\n---\na: 1\n", "a: |\n  line\n  two\n", "a: >\n  folded\n  text\n",
    'a: "esc\\u00e9\\n\\t"\nб: ü\n', "a: 'it''s'\n", "key with spaces: v\n", "a:\n  - b: 1\n    c: 2\n  - d\n", "a: 1\r\nb: 2\r\n",
    "a: 12\nb: -3\nc: +5\nd: 0\ne: 1.5\nf: .5\ni: 1.\n", "a: 123456789012345678\nb: -999999999999999999\n", "a: 1e5\nb: 1.0e+5\nc: 0o17\n",
    "a: ~\nb:\nc: null\nd: Null\ne: ''\n", "a: true\nb: False\nc: TRUE\n", "a: y\nb: n\nc: '<'\n",
    "a: 2025-06-06\nb: 2025-06-06 10:00:00\nc: '123'\n", "12: a\n1.5: b\n~: c\ntrue: d\n", "a: \U0001F600 é\n  b\n",
    "a: " + "[" * 15 + "]" * 15 + "\n",
]
# ... and gives up on the others, which the reading in Python reads: what it may report, and tags (which it reads).
GIVEN_UP_CASES = [
    "a: 1\na: 2\n", "<<: {b: 1}\n", "'<<': 1\n", "a: &x 1\nb: *x\n", "!!str a: 1\n", "a: !!int 3\n", "a: ! 3\n", "? [a]\n: 1\n",
    "[1]: 2\n", "{a: 1}: 2\n", "---\na: 1\n---\nb: 2\n", "a: [1, 2\n", "a:\n\t- 1\n", "a: b: c\n", "a: @x\n",
    "a: 1234567890123456789\n", "a: 1000000000000000000\n", "a: yes\n", "no: 1\n", "a: on\n", "a: 12:30\n", "a: 0x1F\n", "a: 007\n", "a: 1_000\n", "a: -.inf\n", "a: .NaN\n",
    "a: =\n", "= : 1\n", "a: <<\n", "a: " + "[" * 16 + "]" * 16 + "\n", "a: " + "[" * 40 + "]" * 40 + "\n",
]
YAML_CASES = PLAIN_CASES + GIVEN_UP_CASES


def read_both_ways(raw: bytes) -> tuple[tuple, tuple]:
    """What parse_yaml_bytes gives with the reading in C and with the reading in Python: the data (with the
    type of every value and key), the positions of values and of keys, and the problems."""
    def reading(module: ModuleType | None) -> tuple:
        saved, load._fastload = load._fastload, module
        try:
            document, problems = parse(raw)
        finally:
            load._fastload = saved
        return typed(document.data), document.value_positions, document.key_positions, problems
    return reading(load._fastload), reading(None)


def typed(value: object) -> object:
    if isinstance(value, dict):
        return {(type(key).__name__, key): typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return type(value).__name__, value if value == value else "nan"  # (NaN is not equal to itself)


def read_in_c(raw: bytes) -> bool:
    """Whether parse_yaml_bytes reads the file in C alone (else the C reading gave up, and _Builder read it)."""
    assert load._fastload is not None
    builders = []

    class CountedBuilder(load._Builder):
        def __init__(self, *args: Any) -> None:
            builders.append(self)
            super().__init__(*args)

    saved = load._Builder
    setattr(load, "_Builder", CountedBuilder)  # noqa: B010 (assigning a class to a class's name, which mypy refuses)
    try:
        parse(raw)
    finally:
        setattr(load, "_Builder", saved)  # noqa: B010
    return not builders


@needs_c_reading
@pytest.mark.parametrize("text", PLAIN_CASES)
def test_the_reading_in_c_reads_plain_files_as_the_reading_in_python_does(text):
    in_c, in_python = read_both_ways(text.encode("utf-8"))
    assert in_c == in_python
    assert read_in_c(text.encode("utf-8"))


@needs_c_reading
@pytest.mark.parametrize("text", GIVEN_UP_CASES)
def test_the_reading_in_c_gives_up_on_the_rest_and_the_reading_in_python_reports_what_it_reported(text):
    in_c, in_python = read_both_ways(text.encode("utf-8"))
    assert in_c == in_python
    assert not read_in_c(text.encode("utf-8"))


@needs_c_reading
def test_the_reading_in_c_reads_the_project_files_and_generated_archives_itself(tmp_path):
    root = Path(__file__).resolve().parent.parent
    files = [*root.glob("incidents/**/*.yaml"), *root.glob("data/*.yaml"), *root.glob("examples/**/*.yaml"), root / "site.yaml"]
    for kind in ("realistic", "varied"):
        bench_module("generate").generate(60, tmp_path / kind, kind=kind)
        files += sorted((tmp_path / kind / "incidents").rglob("*.yaml"))
    assert len(files) > 120
    for path in files:
        raw = path.read_bytes()
        as_block_yaml = yaml.safe_dump(yaml.safe_load(raw), allow_unicode=True, sort_keys=False).encode("utf-8")
        for written in (raw, as_block_yaml):
            in_c, in_python = read_both_ways(written)
            assert in_c == in_python, path
            assert read_in_c(written), path


@needs_c_reading
def test_the_reading_in_c_agrees_on_files_with_random_edits():
    """Characters that matter to YAML put in, taken out and changed at random in each case (the same ones each run):
    the reading in C must read what it reads as Python does, and give up on the rest."""
    rng = random.Random(14)
    alphabet = b" \n\t:-[]{},&*!|>'\"#%@`?<=~0123456789abcnoyeslx.\xc3\xa9"
    read_in_c_itself = 0
    for _ in range(3000):
        raw = bytearray(rng.choice(YAML_CASES).encode("utf-8"))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(raw) + 1)
            change = rng.random()
            if change < 0.5:
                raw[at:at] = bytes([rng.choice(alphabet)])
            elif at < len(raw):
                raw[at:at + 1] = b"" if change < 0.8 else bytes([rng.choice(alphabet)])
        in_c, in_python = read_both_ways(bytes(raw))
        assert in_c == in_python, bytes(raw)
        read_in_c_itself += not in_c[3] and read_in_c(bytes(raw))
    assert read_in_c_itself > 1000  # (a reading in C that gave up on everything would agree on everything)


@needs_c_reading
@settings(max_examples=150, deadline=None)
@given(data=st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=20),
    flow=st.sampled_from([None, True, False]))
def test_the_reading_in_c_reads_any_data_yaml_can_write_as_python_does(data, flow):
    raw = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True).encode("utf-8")
    in_c, in_python = read_both_ways(raw)
    assert in_c == in_python


@needs_c_reading
def test_the_reading_in_c_is_used_only_when_compiled_from_the_source_as_it_is_and_with_pyyamls_libyaml(monkeypatch):
    assert load._reading_in_c() is load._fastload
    monkeypatch.setattr(load._fastload, "source_digest", lambda: "0" * 64)  # compiled before _fastload.c last changed
    assert load._reading_in_c() is None
    monkeypatch.undo()
    monkeypatch.setattr(yaml._yaml, "get_version", lambda: (0, 1, 0))  # PyYAML parsing with another libyaml
    assert load._reading_in_c() is None
    monkeypatch.undo()
    monkeypatch.delattr(load._fastload, "source_digest")  # compiled before it said what from
    assert load._reading_in_c() is None
    monkeypatch.undo()
    reading = Path.read_bytes

    def without_the_c_source(path: Path) -> bytes:
        if path.name == "_fastload.c":
            raise FileNotFoundError(path)
        return reading(path)

    monkeypatch.setattr(Path, "read_bytes", without_the_c_source)
    assert load._reading_in_c() is None  # a copy of the code without the C source


def test_ci_reads_yaml_files_in_c():
    """CI installs a C compiler and libyaml's headers (.ci/run), so that the tests above run there."""
    if not os.environ.get("CI"):
        pytest.skip("only CI must have the reading in C")
    assert load._fastload is not None, "archive/_fastload.c was not compiled: see .venv/fastload.log"
