"""provenance.py: numbers and qualifiers read from excerpts, and verbatim comparison with snapshots."""

import pytest

from archive.provenance import closest_passage, figure_problems, normalize, numbers_in, snapshot_name


@pytest.mark.parametrize("text, value, qualifier", [
    ("At least one civilian killed", 1, "at least"),
    ("Two people killed", 2, None),
    ("Another nine rescuers were wounded", 9, None),
    ("The number of people injured rose to 10", 10, None),
    ("twenty-one people were hurt", 21, None),
    ("a dozen homes were damaged", 12, None),
    ("more than 1,200 homes", 1200, "more than"),
    ("at least 1 200 homes", 1200, "at least"),
    ("up to 40 drones", 40, "up to"),
    ("Ukraine said it succeeded in destroying about 200 drones", 200, "about"),
    ("Russia's Defense Ministry said it downed 174 Ukrainian drones", 174, None),
])
def test_numbers_in_real_phrasing(text, value, qualifier):
    found = [number for number in numbers_in(text) if number.value == value]
    assert found and found[0].qualifier == qualifier


@pytest.mark.parametrize("text, values", [
    ("version 2.5 of 7", [2, 7]),  # no number starts right after a point
    ("1,2 and 3,400", [1, 3400]),  # nor right after a comma; groups of three digits make one number
    ("12345 and 1,2345", [12345, 1]),
    ("A DOZEN homes and 3 cars", [12, 3]),
])
def test_where_numbers_start_and_end(text, values):
    assert [number.value for number in numbers_in(text)] == values


def test_a_qualifier_heading_a_pair_carries_over_as_a_reading():
    second = next(n for n in numbers_in("destroying about 200 drones and 30 missiles") if n.value == 30)
    assert (second.qualifier, second.carried) == ("about", True)


def figure(value, qualifier, excerpt):
    return {"value": value, "qualifier": qualifier, "excerpt": excerpt}


def test_excerpt_must_contain_the_number():
    assert figure_problems(figure(4, "at least", "At least four people were killed.")) == []
    problems = figure_problems(figure(5, "at least", "At least four people were killed."))
    assert problems == [("excerpt", "the excerpt does not contain the figure's number 5 (in digits such as 5 or in words); copy the sentence that states it")]


def test_qualifier_must_agree_with_the_excerpt():
    problems = figure_problems(figure(4, "exactly", "At least four people were killed."))
    assert problems == [("qualifier", 'the excerpt says "at least 4" but the qualifier is `exactly`; set `qualifier: at least`')]
    assert figure_problems(figure(10, "exactly", "The count rose to 10, the governor said.")) == []
    assert figure_problems(figure(30, "about", "destroying about 200 drones and 30 missiles")) == []
    assert figure_problems(figure(30, "exactly", "destroying about 200 drones and 30 missiles")) == []


def test_vague_plurals_support_only_ranges():
    assert figure_problems({"min": 24, "max": 99, "qualifier": "about", "excerpt": "dozens were also injured"}) == []
    assert figure_problems({"min": 10, "max": 20, "qualifier": "exactly", "excerpt": "between 10 and 20 were hurt"}) == []
    assert figure_problems({"min": 5, "max": 99, "qualifier": "about", "excerpt": "dozens were also injured"})[0][0] == "excerpt"
    assert figure_problems(figure(24, "about", "dozens were also injured"))[0][0] == "excerpt"


def test_normalize_folds_quotes_dashes_and_space():
    assert normalize("“Our crews – stay safe,”\n he said…") == '"Our crews - stay safe," he said...'


def test_closest_passage_points_at_the_nearest_sentence():
    snapshot = "First sentence here. They worked under fire to help people. Another sentence."
    assert closest_passage(snapshot, "They worked under fire to save people.") == "They worked under fire to help people."


def test_snapshot_names():
    assert snapshot_name("mt", "https://www.example.org/2025/06/06/a-b?x=1") == ["mt", "www-example-org-2025-06-06-a-b-x-1"]
    assert snapshot_name("aj", None) == ["aj"]


def test_a_quotes_final_full_stop_may_stand_only_for_a_comma_before_a_closing_quotation_mark():
    from archive.provenance import appears_in  # new in issue 13: imported here so the other tests still run without it

    said = normalize("\u201cWe are searching the rubble,\u201d he said. \u2018They are alive,\u2019 she said. He said,\u201cGo. Then: stop,\u201d")
    assert appears_in("We are searching the rubble.", said, quote=True)
    assert appears_in("They are alive.", said, quote=True)
    assert not appears_in("We are searching the rubble.", said)  # an excerpt is the sentence as it stands
    assert not appears_in("He said.", said, quote=True)  # the mark after the comma opens a quotation
    assert not appears_in("We are searching. the rubble.", said, quote=True)  # only the final full stop
    assert not appears_in("We are searching the rubble!", said, quote=True)
    assert not appears_in("We are searching the rubble...", said, quote=True)  # an ellipsis is not a full stop
    assert appears_in("Then: stop.", said, quote=True)  # a quotation that ends the text
