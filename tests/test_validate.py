"""validate.py: every rejection `check` promises, each with its file, line and column."""

import datetime as dt

import pytest

from archive.pipeline import check
from archive.provenance import closest_passage
from archive.wording import field_name
from conftest import TODAY, VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"
PATH = f"incidents/2025/{NAME}.yaml"


def errors(tiny, text=VALID_INCIDENT, name=NAME, today=TODAY) -> list[str]:
    tiny.write(name, text)
    _, problems = check(tiny.project, today=today)
    return [str(problem) for problem in problems if problem.is_error]


def replace(old: str, new: str) -> str:
    assert old in VALID_INCIDENT, old
    return VALID_INCIDENT.replace(old, new, 1)


def test_valid_incident_has_no_problems(tiny):
    tiny.write(NAME)
    archive, problems = check(tiny.project, today=TODAY)
    assert problems == [] and archive is not None
    assert [incident.id for incident in archive.incidents] == [NAME]


def test_unknown_field_suggests_the_near_one(tiny):
    found = errors(tiny, replace("    source: mt\n    excerpt", "    sorce: mt\n    excerpt"))
    assert f"{PATH}:20:5: error: unknown field `sorce` in `figures[0]`; did you mean `source`?" in found


def test_unknown_top_level_field_lists_the_allowed_ones_when_nothing_is_near(tiny):
    found = errors(tiny, VALID_INCIDENT + "weather: sunny\n")
    assert any(":28:1: error: unknown field `weather`; allowed fields here: title, date" in line for line in found)


def test_missing_required_field(tiny):
    found = errors(tiny, replace("    claimed_by: Vitali Klitschko\n", ""))
    assert f"{PATH}:15:5: error: figures[0]: missing required field `claimed_by`" in found


def test_duplicate_keys(tiny):
    found = errors(tiny, replace("regions: [UA-30, UA-32]\n", "regions: [UA-30, UA-32]\nregions: [UA-30]\n"))
    assert f"{PATH}:6:1: error: duplicate key `regions` (first at line 5); keep one of them" in found


def test_unquoted_yaml11_boolean_where_text_is_expected(tiny):
    found = errors(tiny, replace("    role: Interior Minister of Ukraine", "    role: no"))
    assert any(line.startswith(f"{PATH}:24:11: error: unquoted `no` is read by YAML 1.1") for line in found)


def test_sexagesimal_number_where_text_is_expected(tiny):
    found = errors(tiny, replace("title: Drone strike on Kyiv", "title: 12:30"))
    assert any(line.startswith(f"{PATH}:1:8: error: `12:30` is read by YAML 1.1 as a base-60 number") for line in found)


@pytest.mark.parametrize("bad_date, message", [
    ("2025-02-30", "`date` is `2025-02-30`, which is not a real date"),
    ("6 June 2025", "`date` is `6 June 2025`, which is not a date written YYYY-MM-DD"),
])
def test_invalid_or_impossible_date(tiny, bad_date, message):
    found = errors(tiny, replace("date: 2025-06-06", f"date: {bad_date}"))
    assert any(f"{PATH}:2:7: error: {message}" in line for line in found)


def test_future_date(tiny):
    found = errors(tiny, today=dt.date(2025, 6, 5))
    assert f"{PATH}:2:7: error: `date` is 2025-06-06, in the future (today is 2025-06-05); record incidents after they happen" in found


def test_unknown_region_code(tiny):
    found = errors(tiny, replace("regions: [UA-30, UA-32]", "regions: [UA-30, UA-32, UA-99]"))
    assert f"{PATH}:5:25: error: `UA-99` is not an ISO 3166-2 region code; see data/regions.yaml for codes and names" in found


def test_region_written_as_a_name_suggests_its_code(tiny):
    found = errors(tiny, replace("regions: [UA-30, UA-32]", "regions: [Kiev, UA-32]"))
    assert any("`regions[0]` is `Kiev`, which is not an ISO 3166-2 region code" in line and "did you mean `UA-30` (Kyiv)?" in line for line in found)


def test_figure_citing_a_missing_source(tiny):
    found = errors(tiny, replace("    source: mt\n    excerpt", "    source: afp\n    excerpt"))
    assert f"{PATH}:20:13: error: `figures[0].source` cites `afp`, which is not a key under `sources` (mt)" in found


def test_quote_citing_a_missing_source(tiny):
    text = VALID_INCIDENT.replace("    text: \"They worked under fire to help people.\"\n    source: mt", "    text: \"They worked under fire to help people.\"\n    source: mtt")
    found = errors(tiny, text)
    assert any(line.startswith(f"{PATH}:26:13: error: `quotes[0].source` cites `mtt`") and "did you mean `mt`?" in line for line in found)


def test_figure_region_not_among_incident_regions(tiny):
    found = errors(tiny, replace("    region: UA-30\n", "    region: UA-46\n"))
    assert f"{PATH}:18:13: error: `figures[0].region` is UA-46, which is not in the incident's `regions` (UA-30, UA-32); add it there or fix the code" in found


@pytest.mark.parametrize("value, message", [
    ("4.5", "`figures[0].value` must be a whole number, not the decimal number 4.5"),
    ("-1", "`figures[0].value` must be 0 or more, not -1"),
    ('"four"', '`figures[0].value` must be a whole number, not the text "four"'),
])
def test_non_integer_or_negative_values(tiny, value, message):
    found = errors(tiny, replace("    value: 4\n", f"    value: {value}\n"))
    assert f"{PATH}:16:12: error: {message}" in found


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "https:///no-host"])
def test_urls_must_be_http_with_a_host(tiny, url):
    found = errors(tiny, replace("    url: https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360", f"    url: {url}"))
    assert any(line.startswith(f"{PATH}:12:10: error: ") and ("http" in line or "host" in line) for line in found)


@pytest.mark.parametrize("url, usable", [
    ("https://example.org:8080/x", True), ("https://reader@example.org/x", True), ("https://[2001:db8::1]/x", True),
    ("https://example.org?q=1", True), ("https://reader@/x", False), ("https://:8080/x", False), ("https://exam ple.org/x", False),
])
def test_a_host_is_found_behind_a_user_and_before_a_port(tiny, url, usable):
    found = errors(tiny, replace("    url: https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360", f"    url: {url}"))
    assert any("is not a usable web address" in line for line in found) is not usable


def test_two_files_with_the_same_id(tiny):
    tiny.write(NAME, year="2025")
    tiny.write(NAME, year="2024")
    _, problems = check(tiny.project, today=TODAY)
    messages = [str(problem) for problem in problems]
    assert any(f"incidents/2025/{NAME}.yaml:1:1: error: incident id `{NAME}` is also used by incidents/2024/{NAME}.yaml" in line for line in messages)


def test_file_name_must_match_the_date(tiny):
    found = errors(tiny, name="2025-06-07-drone-strike-on-kyiv")
    assert any(line.startswith("incidents/2025/2025-06-07-drone-strike-on-kyiv.yaml:2:7: error: date 2025-06-06 does not match the file name") for line in found)


def test_file_name_must_have_a_date_and_slug(tiny):
    found = errors(tiny, name="2025 Kyiv strike")
    assert any("must be `<date>-<slug>.yaml`" in line for line in found)


def test_non_utf8_file(tiny):
    tiny.write_bytes(NAME, VALID_INCIDENT.encode("utf-8").replace(b"Drone strike", b"Drone strik\xe9"))
    _, problems = check(tiny.project, today=TODAY)
    assert [str(p) for p in problems] == [f"{PATH}:1:19: error: file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_raw_html_in_summary(tiny):
    found = errors(tiny, replace("Drones hit **Kyiv** overnight.", "Drones hit <b>Kyiv</b>. <https://example.org> is fine."))
    assert [line for line in found if "raw HTML" in line] == [f"{PATH}:3:10: error: `summary` contains raw HTML (`<b>`); use Markdown only, e.g. **bold** or [text](https://...)"]


def test_unknown_measure_suggests_the_near_one(tiny):
    found = errors(tiny, replace("measure: killed", "measure: kiled"))
    assert f"{PATH}:15:14: error: unknown measure `kiled`; did you mean `killed`?; measures are listed in data/measures.yaml" in found


def test_every_problem_is_reported_not_just_the_first(tiny):
    text = replace("title: Drone strike on Kyiv", "title: 12:30").replace("measure: killed", "measure: kiled").replace("    source: mt\n    excerpt", "    source: x\n    excerpt")
    assert len(errors(tiny, text)) >= 3


def test_a_file_that_is_a_list_is_refused(tiny):
    found = errors(tiny, "- title: A\n- date: 2025-06-06\n")
    assert found[0].startswith(f"{PATH}:1:1: error: `the file` must be a mapping of fields")


def test_an_unused_source_is_a_warning(tiny):
    tiny.write(NAME, replace("sources:\n", "sources:\n  spare: {publisher: Reuters}\n"))
    archive, problems = check(tiny.project, today=TODAY)
    assert archive is not None
    assert [str(p) for p in problems] == [f"{PATH}:9:3: warning: source `spare` is not cited by any figure, quote or correction"]


def test_field_name():
    assert field_name(("figures", 2, "value")) == "figures[2].value"
    assert field_name(()) == "the file"


# --- figures: ranges, claims over time, weapons, names, provenance ---------------------

def test_excerpt_without_the_figures_number_is_an_error(tiny):
    found = errors(tiny, replace("    value: 4\n", "    value: 5\n"))
    assert f"{PATH}:21:14: error: the excerpt does not contain the figure's number 5 (in digits such as 5 or in words); copy the sentence that states it" in found


def test_qualifier_contradicting_the_excerpt_is_an_error(tiny):
    found = errors(tiny, replace("    qualifier: at least\n", "    qualifier: exactly\n"))
    assert f"{PATH}:17:16: error: the excerpt says \"at least 4\" but the qualifier is `exactly`; set `qualifier: at least`" in found


def test_a_figure_needs_a_value_or_a_range(tiny):
    found = errors(tiny, replace("    value: 4\n", "    value: 4\n    min: 3\n    max: 5\n"))
    assert f"{PATH}:15:5: error: `figures[0]` needs either `value`, or both `min` and `max` for a stated range" in found
    found = errors(tiny, replace("    value: 4\n    qualifier: at least\n", "    min: 20\n    max: 10\n    qualifier: exactly\n"))
    assert any("min 20 is larger than max 10" in line for line in found)


def test_as_of_must_be_a_real_past_moment(tiny):
    assert any("`figures[0].as_of` is `2025-06-31`, which is not a real date or time" in line
               for line in errors(tiny, replace("    source: mt\n    excerpt", "    as_of: 2025-06-31\n    source: mt\n    excerpt")))
    assert any("`figures[0].as_of` is 2027-01-01T10:00, in the future" in line
               for line in errors(tiny, replace("    source: mt\n    excerpt", "    as_of: 2027-01-01T10:00\n    source: mt\n    excerpt")))
    assert errors(tiny, replace("    source: mt\n    excerpt", "    as_of: 2025-06-06T08:30+03:00\n    source: mt\n    excerpt")) == []


def test_unknown_weapon_suggests_the_near_one(tiny):
    found = errors(tiny, replace("    source: mt\n    excerpt", "    weapon: Iskander-N\n    source: mt\n    excerpt"))
    assert any("unknown weapon `Iskander-N`; did you mean `Iskander-M`?" in line for line in found)
    assert errors(tiny, replace("    source: mt\n    excerpt", "    weapon: Geran-2\n    source: mt\n    excerpt")) == []


def test_a_name_close_to_a_known_alias_is_a_warning(tiny):
    tiny.write(NAME, replace("  - speaker: Ihor Klymenko", "  - speaker: Ihor Klimenko"))
    archive, problems = check(tiny.project, today=TODAY)
    assert archive is not None
    assert [str(p) for p in problems] == [f"{PATH}:23:14: warning: `Ihor Klimenko` is not in data/people.yaml but is close to `Ihor Klymenko`; "
                                          "fix the spelling, or add it there as an alias if it is another transliteration"]


def test_each_use_of_a_name_close_to_a_known_one_is_warned_about(tiny):
    text = replace("  - speaker: Ihor Klymenko", "  - speaker: Ihor Klimenko")
    text = text.replace("corrections: []\n", '  - speaker: Ihor Klimenko\n    text: "We keep working."\n    source: mt\ncorrections: []\n')
    tiny.write(NAME, text)
    _, problems = check(tiny.project, today=TODAY)
    assert [(p.line, p.col) for p in problems if "close to `Ihor Klymenko`" in p.message] == [(23, 14), (27, 14)]


def test_new_source_and_quote_fields(tiny):
    text = replace("    published: 2025-06-06\n", "    published: 2025-06-06\n    archive_url: https://web.archive.org/web/2025/x\n    language: en\n    kind: news report\n")
    text = text.replace("    source: mt\ncorrections", "    source: mt\n    lang: uk\n    translation: They worked under fire.\ncorrections")
    assert errors(tiny, text + "assessment: fair\n") == []
    found = errors(tiny, text.replace("kind: news report", "kind: rumour") + "assessment: solid\n")
    assert any("`sources.mt.kind` is `rumour`" in line for line in found)
    assert any("`assessment` is `solid`; it must be one of `confirmed`, `fair`, `weak`, `contested`" in line for line in found)


def test_previous_ids_cannot_take_a_live_id_or_be_claimed_twice(tiny):
    tiny.write(NAME, VALID_INCIDENT + "previous_ids: [2025-06-07-other]\n")
    tiny.write("2025-06-07-other", VALID_INCIDENT.replace("2025-06-06", "2025-06-07"))
    tiny.write("2025-06-08-third", VALID_INCIDENT.replace("2025-06-06", "2025-06-08") + "previous_ids: [2025-06-01-old]\n")
    tiny.write("2025-06-09-fourth", VALID_INCIDENT.replace("2025-06-06", "2025-06-09") + "previous_ids: [2025-06-01-old, Not an id]\n")
    _, problems = check(tiny.project, today=TODAY)
    messages = [str(p) for p in problems if p.is_error]
    assert any(f"{PATH}:28:16: error: previous id `2025-06-07-other` is the id of incidents/2025/2025-06-07-other.yaml" in m for m in messages)
    assert any("previous id `2025-06-01-old` is also listed by incidents/2025/2025-06-08-third.yaml" in m for m in messages)
    assert any("`previous_ids[1]` is `Not an id`, which is not an incident id" in m for m in messages)


@pytest.mark.parametrize("text, name", [
    ("Kyiv\u202e strike", "RIGHT-TO-LEFT OVERRIDE (U+202E)"),
    ("Kl\u200bitschko", "ZERO WIDTH SPACE (U+200B)"),
    ("Kyiv\u200f", "RIGHT-TO-LEFT MARK (U+200F)"),
    ("Kyi\u200dv", "ZERO WIDTH JOINER (U+200D)"),
])
def test_hidden_characters_are_rejected(tiny, text, name):
    found = errors(tiny, replace("  - speaker: Ihor Klymenko", f"  - speaker: {text}"))
    assert any(line.startswith(f"{PATH}:23:14: error: `quotes[0].speaker` contains an invisible {name}") for line in found), found


@pytest.mark.parametrize("text", ["می\u200cخواهم", "שלום\u200f!", "क्\u200dष"])
def test_characters_a_language_needs_are_allowed(tiny, text):
    assert errors(tiny, replace("    role: Interior Minister of Ukraine", f'    role: "{text}"')) == []


def test_decimal_point_values_are_refused_even_when_whole(tiny):
    found = errors(tiny, replace("    value: 4\n", "    value: 4.0\n"))
    assert f"{PATH}:16:12: error: `figures[0].value` must be a whole number written without a decimal point, not 4.0" in found


def test_one_line_fields_and_control_characters(tiny):
    found = errors(tiny, replace("title: Drone strike on Kyiv", 'title: "Typo fix\\n<!--"').replace("regions: [UA-30, UA-32]", 'regions: ["UA-30\\n", UA-32]'))
    assert any("`title` must be on one line" in line for line in found)
    assert any("`regions[0]` must be on one line" in line for line in found)
    found = errors(tiny, replace("title: Drone strike on Kyiv", 'title: "Drone\\x0bstrike"'))
    assert any("`title` contains the control character U+000B" in line for line in found)


def test_a_time_needs_its_utc_offset(tiny):
    found = errors(tiny, replace("    source: mt\n    excerpt", "    as_of: 2025-06-06T08:00\n    source: mt\n    excerpt"))
    assert any("gives a time without its UTC offset; write it as e.g. 2025-06-06T08:00+03:00" in line for line in found)


# --- bounds: numbers and dates -------------------------------------------------------

@pytest.mark.parametrize("number", ["1" * 19, "9" * 4301, "-" + "1" * 5000, "+" + "7" * 30])
def test_numbers_too_long_to_read_are_located_once(tiny, number):
    found = errors(tiny, replace("    value: 4\n", f"    value: {number}\n"))
    assert [line for line in found if ":16:12:" in line] == [
        f"{PATH}:16:12: error: `{number[:12]}…` is a number of {len(number.lstrip('+-')):,} digits, too long for any count; check it"]


@pytest.mark.parametrize("field, number", [("value", 100_000_001), ("value", 10**17), ("min", 123_456_789_012)])
def test_counts_have_a_reasoned_maximum(tiny, field, number):
    text = replace("    value: 4\n", f"    {field}: {number}\n" + ("    max: 5\n" if field == "min" else ""))
    found = errors(tiny, text)
    assert any(f"`figures[0].{field}` is {number:,}; no count in an incident is larger than 100,000,000" in line for line in found), found


def test_the_largest_count_allowed_builds(tiny):
    text = replace("    value: 4\n", "    value: 100000000\n").replace("At least four people", "At least 100,000,000 people")
    assert errors(tiny, text) == []


@pytest.mark.parametrize("old, new, message", [
    ("date: 2025-06-06", "date: 0001-01-01", "`date` is `0001-01-01`, which is not a date written YYYY-MM-DD in the years 1900 to 2099"),
    ("date: 2025-06-06", "date: 1899-12-31", "`date` is `1899-12-31`, which is not a date written YYYY-MM-DD in the years 1900 to 2099"),
    ("    published: 2025-06-06", "    published: 0999-01-01", "`sources.mt.published` is `0999-01-01`"),
    ("    source: mt\n    excerpt", "    as_of: 0001-01-01T00:00+14:00\n    source: mt\n    excerpt", "`figures[0].as_of` is `0001-01-01T00:00+14:00`"),
    ("    source: mt\n    excerpt", "    as_of: 9999-12-31T23:59-14:00\n    source: mt\n    excerpt", "`figures[0].as_of` is `9999-12-31T23:59-14:00`"),
])
def test_dates_outside_1900_to_2099_are_located_errors_not_crashes(tiny, old, new, message):
    found = errors(tiny, replace(old, new), name=NAME if "date:" not in old else NAME.replace("2025-06-06", new[6:16]))
    assert any(message in line for line in found), found


# --- names and invisible characters ---------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ('"<meta http-equiv=refresh content=0>"', "contains `<`, which a name cannot hold"),
    ('"Vitali <b>Klitschko</b>"', "contains `<`, which a name cannot hold"),
    ("'Say \"Klitschko\"'", 'contains `"`, which a name cannot hold'),
    ('"Klitschko & Co"', "contains `&`, which a name cannot hold"),
    ('"Klitschko; DROP"', "contains `;`, which a name cannot hold"),
    ('"Vitali\\u2009Klitschko"', "contains THIN SPACE (U+2009), which a name cannot hold"),
    ('"Vitali\\u00a0Klitschko"', "contains NO-BREAK SPACE (U+00A0), which a name cannot hold"),
    ('"Vitali  Klitschko"', "has leading, trailing or double spaces"),
    ('" Vitali Klitschko"', "has leading, trailing or double spaces"),
    ('"Vit\\u0430li Klitschko"', "mixes letters of different scripts (Cyrillic, Latin) in the word `Vitаli`"),
    ('"Kli\\u0301tschko"', "has letters written as base letter plus accent"),
    ('"' + "Klitschko " * 15 + 'K"', "is 151 characters long; a name has at most 150"),
])
def test_names_hold_only_what_names_need(tiny, name, message):
    found = errors(tiny, replace("    claimed_by: Vitali Klitschko", f"    claimed_by: {name}"))
    assert any(line.startswith(f"{PATH}:19:17: error: `figures[0].claimed_by` {message}") for line in found), found


@pytest.mark.parametrize("name", ["Russia's Defence Ministry", "Ministry of Defence (Russia)", "Ivano-Frankivsk regional administration",
                                  "Віталій Кличко", "O\u2019Brien", "Kryvyi Rih military administration", "Air Force / Navy",
                                  "Zelenskyy, V.", "State Emergency Service of Ukraine \u2013 Kyiv", "Ж. Ґудзь"])
def test_real_names_are_accepted(tiny, name):
    assert errors(tiny, replace("    claimed_by: Vitali Klitschko", f'    claimed_by: "{name}"')) == []


@pytest.mark.parametrize("char", ["\u2061", "\u2062", "\u2063", "\u2064", "\u180e", "\u3164", "\u115f", "\uffa0", "\u034f", "\ufe0f",
                                  "\u17b4", "\u17b5", "\U0001d173", "\U000e0041", "\U000e007f", "\u2800", "\ue000", "\U000f0000",
                                  "\u0378", "\u00ad", "\u200b", "\u2066", "\u206a", "\ufff9", "\u1160", "\u180b", "\U000e0100"])
@pytest.mark.parametrize("line, where", [("title: Drone strike on Kyiv", "title"),
                                         ("  Drones hit **Kyiv** overnight.", "summary"),
                                         ("    claimed_by: Vitali Klitschko", "figures[0].claimed_by")])
def test_invisible_characters_are_refused_by_category_not_by_list(tiny, char, line, where):
    key, _, value = line.partition(": ") if ": " in line else ("  ", "", line.strip())
    text = value[:6] + char + value[6:]
    escaped = text.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    found = errors(tiny, replace(line, f'{key}: "{escaped}"' if ": " in line else f"  {text}"))
    assert any((f"`{where}` contains an invisible" in line_ and f"(U+{ord(char):04X})" in line_) or f"U+{ord(char):04X}" in line_
               for line_ in found), found


@pytest.mark.parametrize("char, name", [("\u2028", "LINE SEPARATOR"), ("\u2029", "PARAGRAPH SEPARATOR"), ("\x85", "NEXT LINE")])
def test_unicode_line_breaks_are_refused_in_one_line_fields(tiny, char, name):
    escaped = char.encode("unicode_escape").decode("ascii")
    found = errors(tiny, replace("title: Drone strike on Kyiv", f'title: "Drone{escaped}strike"'))
    assert any("`title` contains" in line and f"U+{ord(char):04X}" in line for line in found), found


# --- check --snapshots: word for word, with news style's final full stop ------------------------

QUOTE = 'text: "They worked under fire to help people."'
SNAPSHOT_LINE = "At least four people were killed and 20 wounded in the capital.\n"


def snapshot_errors(tiny, tmp_path, snapshot: str, text: str = VALID_INCIDENT) -> list[str]:
    tiny.write(NAME, text)
    folder = tmp_path / "snapshots"
    folder.mkdir(exist_ok=True)
    (folder / "mt.txt").write_text(SNAPSHOT_LINE + snapshot, encoding="utf-8")
    _, problems = check(tiny.project, today=TODAY, snapshots_dir=folder)
    return [str(problem) for problem in problems if problem.is_error]


@pytest.mark.parametrize("snapshot", [
    '"They worked under fire to help people," he wrote on social media.\n',  # straight quotation marks
    "\u201cThey worked under fire to help people,\u201d he wrote.\n",  # curly double
    "\u2018They worked under fire to help people,\u2019 he wrote.\n",  # curly single (British style)
    "\u201cThey worked under fire to help people,\u201d\n",  # the quotation ends the text
])
def test_a_quotes_final_full_stop_may_stand_for_a_comma_before_the_closing_quotation_mark(tiny, tmp_path, snapshot):
    assert snapshot_errors(tiny, tmp_path, snapshot) == []


def test_a_word_for_word_quote_still_matches_with_its_own_full_stop(tiny, tmp_path):
    assert snapshot_errors(tiny, tmp_path, "\u201cThey worked under fire to help people.\u201d\n") == []


@pytest.mark.parametrize("snapshot", [
    "They worked under fire to help people, he wrote.\n",  # a comma with no quotation mark after it
    'He wrote,"They worked under fire to help people,"We\n',  # a mark that opens a quotation, not one that closes it
    '"They worked under fire to help people;" he wrote.\n',  # a semicolon is not a comma
    '"They worked under fire to save people," he wrote.\n',  # a different word
])
def test_other_differences_from_the_source_are_still_refused(tiny, tmp_path, snapshot):
    assert snapshot_errors(tiny, tmp_path, snapshot) == [
        f"{PATH}:25:11: error: `quotes[0].text` is not word for word in snapshot mt.txt; "
        f"closest passage: \"{closest_passage(SNAPSHOT_LINE + snapshot, 'They worked under fire to help people.')}\""]


def test_the_full_stop_rule_is_only_for_a_final_full_stop_of_a_quote(tiny, tmp_path):
    # a full stop inside the quote is not a comma of the source
    inside = VALID_INCIDENT.replace(QUOTE, 'text: "They worked under fire. To help people."')
    assert len(snapshot_errors(tiny, tmp_path, '"They worked under fire, to help people," he wrote.\n', inside)) == 1
    # nor is an excerpt's full stop: an excerpt is the report's sentence as it stands
    excerpt = VALID_INCIDENT.replace("20 wounded in the capital.", "20 wounded in the city.")
    snapshot = '"At least four people were killed and 20 wounded in the city," he said. "They worked under fire to help people."\n'
    found = snapshot_errors(tiny, tmp_path, snapshot, excerpt)
    assert [line.split(": error: ")[1][:35] for line in found] == ["`figures[0].excerpt` is not word fo"]


# --- located places: lat, lon, precision (the schema's part; the point-in-region checks are validate.py's) --------

BORYSPIL = "  - {name: Boryspil, region: UA-32}"


def located(fields: str) -> str:
    return replace(BORYSPIL, "  - {name: Boryspil, region: UA-32, " + fields + "}")


def test_a_place_with_coordinates_precision_and_who_located_it_is_valid(tiny):
    assert errors(tiny, located("lat: 50.35051, lon: 30.95263, precision: settlement, located_by: GeoNames 711660")) == []


@pytest.mark.parametrize("fields, expected", [
    ("lat: 50.35051", ["7:5: error: places[0]: missing required field `lon`", "7:5: error: places[0]: missing required field `precision`"]),
    ("lon: 30.95263, precision: settlement", ["7:5: error: places[0]: missing required field `lat`"]),
    ("located_by: GeoNames 711660", ["7:5: error: places[0]: missing required field `lat`", "7:5: error: places[0]: missing required field `lon`",
                                     "7:5: error: places[0]: missing required field `precision`"]),
    ("lat: 50.35051, lon: 30.95263, precision: city",
     ["7:78: error: `places[0].precision` is `city`; it must be one of `exact`, `street`, `settlement`, `district`, `region`"]),
    ("lat: -91, lon: 30.95263, precision: settlement", ["7:42: error: `places[0].lat` must be -90 or more, not -91"]),
    ("lat: 50.35051, lon: -180.5, precision: settlement", ["7:57: error: `places[0].lon` must be -180 or more, not -180.5"]),
    ('lat: "50.35051", lon: 30.95263, precision: settlement', ['7:42: error: `places[0].lat` must be a number, not the text "50.35051"']),
])
def test_a_place_needs_lat_lon_and_precision_together_and_in_range(tiny, fields, expected):
    assert errors(tiny, located(fields)) == [f"{PATH}:{line}" for line in expected]


def test_a_latitude_beyond_the_pole_is_refused_at_its_value(tiny):
    [found] = errors(tiny, located("lat: 91, lon: 30.95263, precision: settlement"))
    assert found.startswith(f"{PATH}:7:42: error: `places[0].lat` is 91")


def test_a_latitude_beyond_the_pole_is_said_in_degrees(tiny):
    [found] = errors(tiny, located("lat: 91, lon: 30.95263, precision: settlement"))
    assert "count" not in found and "between -90 and 90 degrees" in found


# --- located places: the point in its region, near the gazetteer's point for its name ----------------------------

def place_problems(tiny, place: str, regions: str = "[UA-30, UA-32]") -> list[str]:
    """Every problem (errors and warnings) `check` reports at the place line (line 7)."""
    tiny.write(NAME, replace(BORYSPIL, place).replace("regions: [UA-30, UA-32]", f"regions: {regions}", 1))
    _, problems = check(tiny.project, today=TODAY)
    return [str(problem) for problem in problems if problem.line == 7]


def test_a_town_filed_under_the_city_it_lies_beside_is_refused_naming_where_it_lies(tiny):
    # Boryspil's real gazetteer point, filed under Kyiv city (UA-30) instead of Kyiv Oblast (UA-32)
    [found] = place_problems(tiny, "  - {name: Boryspil, region: UA-30, lat: 50.35051, lon: 30.95263, precision: settlement}")
    assert found.startswith(f"{PATH}:7:42: error: `places[0]` (Boryspil): (50.3505, 30.9526) lies ")
    assert "outside Kyiv (UA-30), in Kyiv Oblast (UA-32)" in found and "fix the coordinates or the place's `region`" in found


def test_a_town_across_the_border_is_refused_naming_its_region(tiny):
    # Shebekino, in Russia's Belgorod Oblast, filed under Ukraine's Kharkiv Oblast (UA-63)
    found = place_problems(tiny, "  - {name: Shebekino, region: UA-63, lat: 50.41342, lon: 36.92537, precision: settlement}",
                           "[UA-30, UA-32, UA-63]")
    assert [line.split(": (")[0] for line in found] == [f"{PATH}:7:43: error: `places[0]` (Shebekino)"]
    assert "Belgorod Oblast (RU-BEL)" in found[0]


def test_a_settlement_far_from_the_gazetteers_point_for_its_name_warns(tiny):
    # Lutsk's point moved 0.25° north: about 28 km, farther than Lutsk's size and precision allow
    [found] = place_problems(tiny, "  - {name: Lutsk, region: UA-07, lat: 51.00784, lon: 25.35024, precision: settlement}",
                             "[UA-30, UA-32, UA-07]")
    assert found.startswith(f"{PATH}:7:39: warning: `places[0]` (Lutsk): (51.0078, 25.3502) is 28 km from Lutsk, Volyn Oblast (UA-07)")
    assert "precision `settlement`" in found


def test_a_settlement_at_its_gazetteer_point_has_no_problem(tiny):
    assert place_problems(tiny, "  - {name: Lutsk, region: UA-07, lat: 50.75784, lon: 25.35024, precision: settlement, located_by: GeoNames 702569}",
                          "[UA-30, UA-32, UA-07]") == []


def test_a_source_that_locates_a_place_is_cited_by_it(tiny):
    tiny.write(NAME, replace(BORYSPIL, "  - {name: Boryspil, region: UA-32, lat: 50.35051, lon: 30.95263, precision: settlement, located_by: spare}")
               .replace("sources:\n", "sources:\n  spare:\n    publisher: Synthetic Publisher\n    title: Synthetic report\n", 1))
    _, problems = check(tiny.project, today=TODAY)
    assert [str(problem) for problem in problems] == []
