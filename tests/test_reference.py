"""reference.py: every file of data/ read like incident files and checked against its schema in schema/data/;
a malformed entry is a located problem that check and build print alike, never a traceback."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import jsonschema
import pytest

import build as cli
from archive.pipeline import APP_DIR, Project, build, check
from archive.problems import BuildError
from archive.reference import DATA_FILES, InvalidData, load_reference, read_reference
from conftest import TODAY

NAME = "2025-06-06-drone-strike-on-kyiv"
SCHEMAS = APP_DIR / "schema" / "data"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of data/ to spoil."""
    folder = tmp_path / "data"
    shutil.copytree(APP_DIR / "data", folder)
    return folder


def problems_in(data: Path, name: str, text: str) -> list[str]:
    (data / name).write_text(textwrap.dedent(text), encoding="utf-8")
    reference, problems = read_reference(data)
    assert (reference is None) == any(problem.is_error for problem in problems)
    return [str(problem) for problem in problems]


def test_the_shipped_data_is_valid():
    reference, problems = read_reference()
    assert problems == [] and reference is not None
    weapon, person = reference.weapon("Geran-2"), reference.person("Vyacheslav Negoda")
    assert weapon is not None and weapon.key == "Shahed-136" and person is not None and person.name == "Viacheslav Nehoda"
    assert list(reference.measures)[:2] == ["killed", "injured"] and reference.measures["regions_hit"].summable is False


def test_every_data_file_has_a_schema_that_documents_each_field():
    assert sorted(path.name for path in SCHEMAS.glob("*.schema.json")) == sorted(f"{name}.schema.json" for name in DATA_FILES)

    def undocumented(schema, where="") -> list[str]:
        missing = []
        for name, field in schema.get("properties", {}).items():
            if "description" not in field:
                missing.append(f"{where}{name}")
            missing += undocumented(field, f"{where}{name}.")
        for part in ("additionalProperties", "items"):
            if isinstance(schema.get(part), dict):
                missing += undocumented(schema[part], where)
        return missing

    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" and schema["description"]
        assert undocumented(schema) == [], path.name


MALFORMED = {
    "a person without a name": ("people.yaml", """\
        Vitali Klitschko:
          party: Ukraine
        "":
          party: Ukraine
        """, ["data/people.yaml:3:1: error: a person has an empty name: a key here must be a name: not empty, at most 150 characters, "
              "without spaces at either end"]),
    "a role without a title, a date that is no date, dates the wrong way round": ("people.yaml", """\
        Vitali Klitschko:
          roles:
            - {from: 2014-06-05}
            - {title: Mayor of Kyiv, from: 2014-02-30}
            - {title: Mayor of Kyiv, from: 2014-06-05, until: 2014-01-01}
        """, ["data/people.yaml:3:7: error: `roles[0]` of person `Vitali Klitschko` has no `title`; add it: the title as sources give "
              "it, e.g. Mayor of Kyiv.",
              "data/people.yaml:4:36: error: `roles[1].from` of person `Vitali Klitschko` is `2014-02-30`, which is not a real date; "
              "check the month and day",
              "data/people.yaml:5:55: error: `roles[2].until` of person `Vitali Klitschko` is 2014-01-01, before its `from` "
              "(2014-06-05); swap or fix them"]),
    "a person that is not a mapping, an unknown field": ("people.yaml", """\
        Vitali Klitschko: [Mayor of Kyiv]
        Ihor Klymenko:
          partie: Ukraine
        """, ["data/people.yaml:1:19: error: person `Vitali Klitschko` must be a mapping of fields (`name: value` lines), not a list",
              "data/people.yaml:3:3: error: unknown field `partie` in person `Ihor Klymenko`; did you mean `party`?"]),
    "an alias of two people": ("people.yaml", """\
        Ukrainian authorities:
          aliases: [Ukraine]
        Ukraine: {party: Ukraine}
        """, ["data/people.yaml:3:1: error: person `Ukraine` is already a spelling of person `Ukrainian authorities` (line 2); "
              "a name or alias must lead to one person: remove or change one of them"]),
    "a weapon without a type": ("weapons.yaml", """\
        Shahed-136:
          category: drone
          aliases: [Geran-2]
        """, ["data/weapons.yaml:1:1: error: weapon `Shahed-136` has no `type`; add it: what kind of weapon it is, e.g. one-way "
              "attack drone or air-launched cruise missile."]),
    "a weapon's wrong types and an alias it shares": ("weapons.yaml", """\
        Shahed-136: {type: one-way attack drone, category: drone, aliases: [Geran-2, 2]}
        Kh-101: {type: cruise missile, category: [missile], aliases: [geran-2]}
        """, ["data/weapons.yaml:1:78: error: `aliases[1]` of weapon `Shahed-136` must be text, not the number 2",
              "data/weapons.yaml:2:42: error: `category` of weapon `Kh-101` must be text, not a list",
              "data/weapons.yaml:2:63: error: alias `geran-2` of weapon `Kh-101` is already a spelling of weapon `Shahed-136` (line 1); "
              "a name or alias must lead to one weapon: remove or change one of them"]),
    "region codes that are not codes": ("regions.yaml", """\
        UA-30: {name: Kyiv}
        UA-99: {name: Nowhere}
        ua-32: {name: Kyiv Oblast}
        UA-46: Lviv Oblast
        """, ["data/regions.yaml:2:1: error: region `UA-99` is not an ISO 3166-2 code pycountry knows; check it (codes are listed at "
              "https://www.iso.org/obp/ui/#search) or remove the entry",
              "data/regions.yaml:3:1: error: region `ua-32` is not a valid key: a key here must be an ISO 3166-2 region code such as "
              "UA-30 (Kyiv) or RU-TUL (Tula Oblast)",
              "data/regions.yaml:4:8: error: region `UA-46` must be a mapping of fields (`name: value` lines), not the text "
              "\"Lviv Oblast\""]),
    "a measure without a description, a yes/no value, a key that is not a key": ("measures.yaml", """\
        killed:
          label: Killed
          unit: people
          summable: yes
        Injured: {label: Injured, unit: people, description: People wounded.}
        """, ["data/measures.yaml:1:1: error: measure `killed` has no `description`; add it: what counts, in a sentence (shown on "
              "the methodology page).",
              'data/measures.yaml:4:13: error: unquoted `yes` is read by YAML 1.1 as a yes/no value, not as text; write "yes" in quotes',
              "data/measures.yaml:5:1: error: measure `Injured` is not a valid key: a key here must be a measure key: lower-case "
              "letters and _, such as killed or drones_launched"]),
    "a duplicated key and an empty label": ("subjects.yaml", """\
        civilians: Civilians
        rescuers:
        civilians: Civilians again
        """, ["data/subjects.yaml:2:10: error: subject `rescuers` must be text, not empty",
              "data/subjects.yaml:3:1: error: duplicate key `civilians` (first at line 1); keep one of them"]),
    "names that hide or disguise characters": ("people.yaml", """\
        "Vitali Klitschko":
          aliases: ["Vitali \\u202eKlitschko", "Vіtali Klitschko"]
          party: "Ukra\\u200bine"
        "Ihor <b>Klymenko</b>":
          party: Ukraine
        """, ["data/people.yaml:2:13: error: `aliases[0]` of person `Vitali Klitschko` contains RIGHT-TO-LEFT OVERRIDE (U+202E) "
              "at character 8; retype it on one line without it",
              "data/people.yaml:2:39: error: `aliases[1]` of person `Vitali Klitschko` mixes letters of different scripts "
              "(Cyrillic, Latin) in the word `Vіtali`; retype it in one script",
              "data/people.yaml:3:10: error: `party` of person `Vitali Klitschko` contains ZERO WIDTH SPACE (U+200B) at character 5; "
              "retype it on one line without it",
              "data/people.yaml:4:1: error: person `Ihor <b>Klymenko</b>` contains `<`, which a name cannot hold; a name has letters, "
              "digits, spaces and . , ' ’ - – ( ) / only"]),
    "a list instead of a mapping": ("subjects.yaml", "- civilians\n",
                                    ["data/subjects.yaml:1:1: error: data/subjects.yaml must be a mapping of fields (`name: value` "
                                     "lines), not a list"]),
    "a syntax error": ("weapons.yaml", "Shahed-136: {type: drone\n",
                       ["data/weapons.yaml:2:1: error: YAML syntax: did not find expected ',' or '}'"]),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_each_kind_of_malformed_data_file_is_reported_at_its_line_and_column(data, case):
    name, text, expected = MALFORMED[case]
    assert problems_in(data, name, text) == expected


def test_problems_in_several_files_are_reported_together(data):
    (data / "weapons.yaml").write_text("Shahed-136: {category: drone}\n", encoding="utf-8")
    (data / "people.yaml").write_text("Vitali Klitschko:\n  roles: [{}]\n", encoding="utf-8")
    (data / "measures.yaml").unlink()
    with pytest.raises(InvalidData) as raised:
        load_reference(data)
    assert isinstance(raised.value, BuildError)
    assert [(problem.path, problem.line) for problem in raised.value.problems] == [
        ("data/measures.yaml", 1), ("data/people.yaml", 2), ("data/weapons.yaml", 1)]
    assert "cannot be read" in raised.value.problems[0].message


def test_an_empty_or_comment_only_file_is_an_empty_vocabulary(data):
    assert problems_in(data, "subjects.yaml", "# no subjects yet\n") == []
    reference, _ = read_reference(data)
    assert reference is not None and reference.subjects == {}
    assert problems_in(data, "measures.yaml", "# none\n") == ["data/measures.yaml:1:1: error: data/measures.yaml must not be empty"]


SPOILED = {
    "people.yaml": "Vitali Klitschko:\n  roles: [{from: 2014-06-05}]\n  partie: Ukraine\n",
    "weapons.yaml": "Shahed-136:\n  category: drone\n",
}
SPOILED_PROBLEMS = [
    "data/people.yaml:2:11: error: `roles[0]` of person `Vitali Klitschko` has no `title`; add it: the title as sources give it, "
    "e.g. Mayor of Kyiv.",
    "data/people.yaml:3:3: error: unknown field `partie` in person `Vitali Klitschko`; did you mean `party`?",
    "data/weapons.yaml:1:1: error: weapon `Shahed-136` has no `type`; add it: what kind of weapon it is, e.g. one-way attack drone "
    "or air-launched cruise missile.",
]


@pytest.fixture
def spoiled(tiny, monkeypatch):
    """A tiny archive with data/ of its own, malformed; the command line reads it too."""
    shutil.copytree(APP_DIR / "data", tiny.root / "data")
    for name, text in SPOILED.items():
        (tiny.root / "data" / name).write_text(text, encoding="utf-8")
    tiny.project = Project(root=tiny.root, data_dir=tiny.root / "data")
    tiny.write(NAME)
    monkeypatch.setattr(cli, "Project", lambda root: Project(root=root, data_dir=root / "data"))
    return tiny


def test_check_and_build_report_data_problems_alike_and_never_a_traceback(spoiled, capsys):
    archive, problems = check(spoiled.project, today=TODAY)
    assert archive is None and [str(problem) for problem in problems] == SPOILED_PROBLEMS
    with pytest.raises(BuildError) as raised:
        build(spoiled.project, today=TODAY, with_search=False)
    assert [str(problem) for problem in raised.value.problems] == SPOILED_PROBLEMS

    assert cli.main(["--root", str(spoiled.root), "check"]) == 1
    checked = capsys.readouterr()
    assert cli.main(["--root", str(spoiled.root), "build", "--no-search"]) == 1
    built = capsys.readouterr()
    assert checked.out.splitlines() == SPOILED_PROBLEMS == built.out.splitlines()
    assert "3 error(s), 0 warning(s)" in checked.err and "Build failed" in built.err
    assert "Traceback" not in checked.err + built.err and "internal error" not in checked.err + built.err
    assert not (spoiled.root / "site").exists()


def test_new_reports_data_problems_located_too(spoiled, capsys):
    assert cli.main(["--root", str(spoiled.root), "new", "--date", "2025-06-07", "--region", "UA-30", "Strike on Kyiv"]) == 1
    printed = capsys.readouterr()
    assert printed.err.splitlines()[:3] == SPOILED_PROBLEMS and "internal error" not in printed.err
    assert not list((spoiled.root / "incidents").rglob("2025-06-07-*"))


# --- the near-name warning --------------------------------------------------------------------------

def test_a_misspelt_registry_name_is_close_and_an_unrelated_one_is_not():
    reference = load_reference()
    known = reference.known_names()
    assert "Ihor Klymenko" in known
    assert reference.close_known_name("Ihor Klimenko") == "Ihor Klymenko"
    assert reference.close_known_name("Qwerty Zxcvbnm") is None
