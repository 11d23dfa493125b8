"""figures.py: every qualifier, supersession, conflict and total rule, with the seed numbers as cases."""

import dataclasses
import datetime as dt
import re
import sys

import pytest
from hypothesis import given, strategies as st

from archive.charts import CHARTED_MEASURES
from archive.figures import claim_bounds, lower_bounds, range_text, read_claims, reconcile, totals
from archive.model import Figure, Incident, Source
from archive.pipeline import Project, check
from archive.reference import load_reference
from conftest import REPO, TODAY

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

REFERENCE = load_reference()
MEASURES = sorted(REFERENCE.measures.values(), key=lambda m: m.order)
MT = Source("mt", "The Moscow Times")
AJ = Source("aj", "Al Jazeera")
KYIV, TERNOPIL, LUTSK = REFERENCE.region("UA-30"), REFERENCE.region("UA-61"), REFERENCE.region("UA-07")


def claim(value=None, qualifier="exactly", measure="killed", region=None, party="Ukraine", by="Officials",
          source=MT, subject=None, as_of=None, low=None, high=None, position=0):
    return Figure(measure=REFERENCE.measures[measure], value=value, qualifier=qualifier, claimed_by=by, source=source,
                  excerpt="...", region=region, subject=subject, min=low, max=high,
                  as_of=dt.datetime.fromisoformat(as_of) if as_of else None, party=party, position=position)


def incident(ident, figures, regions=(KYIV,)):
    return Incident(id=ident, path=f"incidents/2025/{ident}.yaml", title=ident, date=dt.date(2025, 6, 6),
                    summary="", regions=list(regions), figures=list(figures))


def test_each_qualifier_gives_its_bounds():
    bounds = {q: claim_bounds(claim(4, q)) for q in ("exactly", "at least", "more than", "about", "up to")}
    assert {q: (b.lower, b.upper) for q, b in bounds.items()} == {
        "exactly": (4, 4), "at least": (4, None), "more than": (5, None), "about": (4, 4), "up to": (0, 4)}
    assert (claim_bounds(claim(low=10, high=15)).lower, claim_bounds(claim(low=10, high=15)).upper) == (10, 15)


def test_range_text():
    assert [range_text(4, 4), range_text(4, None), range_text(0, 3), range_text(4, 10), range_text(200, 200, True)] == [
        "4", "at least 4", "up to 3", "4–10", "about 200"]


def test_seed_kyiv_killed_at_least_four_from_two_reports_reads_at_least_four():
    reading = read_claims([claim(4, "at least", by="Vitali Klitschko"), claim(4, "at least", source=AJ, by="Ukrainian local officials")])
    assert (reading.text, reading.conflict) == ("at least 4", False)


def test_at_least_and_exactly_intersect():
    assert read_claims([claim(4, "at least"), claim(6, "exactly", by="B")]).text == "6"
    assert read_claims([claim(4, "at least"), claim(10, "up to", by="B")]).text == "4–10"


def test_an_exact_three_beside_at_least_four_is_a_conflict():
    reading = read_claims([claim(3, "exactly"), claim(4, "at least", by="B")])
    assert reading.conflict
    assert (reading.lower, reading.upper) == (3, None)
    assert reading.text == "at least 3"


def test_two_different_exact_counts_conflict_and_widen_to_cover_both():
    reading = read_claims([claim(15, "exactly"), claim(5, "exactly", by="B")])
    assert (reading.conflict, reading.text) == (True, "5–15")


def test_approximate_claims_count_only_without_precise_ones():
    assert read_claims([claim(200, "about")]).text == "about 200"
    assert read_claims([claim(200, "about"), claim(180, "about", by="B")]).text == "about 180–200"
    reading = read_claims([claim(200, "about"), claim(150, "at least", by="B")])
    assert (reading.text, reading.approximate) == ("at least 150", False)


def test_a_later_claim_by_the_same_claimant_supersedes_the_earlier():
    earlier = claim(5, as_of="2025-06-06T06:00", by="Viacheslav Nehoda", region=TERNOPIL, measure="injured")
    later = claim(10, as_of="2025-06-06T11:00", by="Viacheslav Nehoda", region=TERNOPIL, measure="injured", position=1)
    [group] = reconcile([earlier, later])
    assert group.claims == [later, earlier]  # newest first
    assert group.is_superseded(earlier) and not group.is_superseded(later)
    assert group.readings[0].text == "10" and not group.readings[0].conflict


def test_undated_claims_are_never_superseded():
    undated, dated = claim(4, "at least", by="A"), claim(2, by="A", as_of="2025-06-06T05:00")
    [group] = reconcile([undated, dated])
    assert group.superseded == [] and group.claims == [dated, undated]
    assert group.readings[0].conflict  # 2 and "at least 4" from the same claimant cannot both hold


def test_claimants_without_a_party_are_read_and_totalled_apart():
    press = [claim(10, "at least", party=None, by="RIA Novosti", measure="injured"),
             claim(3, party=None, by="Kyiv Independent", measure="injured")]
    [group] = reconcile(press)
    assert [(r.party, r.text, r.conflict) for r in group.readings] == [("Kyiv Independent", "3", False), ("RIA Novosti", "at least 10", False)]
    assert [(t.party, t.text) for t in totals([incident("a", press)], MEASURES)] == [("Kyiv Independent", "3"), ("RIA Novosti", "at least 10")]


def test_claims_of_opposing_parties_are_read_side_by_side_never_merged():
    ukraine = claim(200, "about", measure="drones_destroyed", by="Ukrainian authorities", party="Ukraine")
    russia = claim(174, "exactly", measure="drones_destroyed", by="Russian Ministry of Defence", party="Russia")
    [group] = reconcile([ukraine, russia])
    assert [(r.party, r.text) for r in group.readings] == [("Russia", "174"), ("Ukraine", "about 200")]  # alphabetical
    assert not group.has_conflict


def test_groups_by_measure_region_and_subject_in_vocabulary_order():
    groups = reconcile([
        claim(20, measure="injured", region=KYIV), claim(3, region=KYIV, subject="Rescuers and emergency workers"),
        claim(4, "at least", region=KYIV), claim(4, "at least"),
    ])
    assert [(g.measure.key, g.region.code if g.region else None, g.subject) for g in groups] == [
        ("killed", None, None), ("killed", "UA-30", None), ("killed", "UA-30", "Rescuers and emergency workers"), ("injured", "UA-30", None)]


def test_totals_add_readings_across_incidents_per_party():
    first = incident("a", [claim(4, "at least", region=KYIV)])
    second = incident("b", [claim(2, region=KYIV)])
    [total] = totals([first, second], MEASURES)
    assert (total.measure.key, total.party, total.text) == ("killed", "Ukraine", "at least 6")
    assert [c.incident.id for c in total.contributions] == ["a", "b"]


def test_totals_skip_subgroups_and_unsummable_measures():
    only = incident("a", [claim(3, subject="Rescuers and emergency workers"), claim(6, "at least", measure="regions_hit")])
    assert totals([only], MEASURES) == []


def test_incident_wide_and_regional_figures_are_not_counted_twice():
    # The 6 June seed incident: at least 32 wounded in all, and 20 + 15 + 10 + 3 wounded in four regions.
    seed = incident("seed", [
        claim(32, "at least", measure="injured"),
        claim(20, "at least", measure="injured", region=KYIV),
        claim(15, measure="injured", region=LUTSK),
        claim(10, measure="injured", region=TERNOPIL, source=AJ),
        claim(3, measure="injured", region=REFERENCE.region("UA-53"), source=AJ),
    ], regions=[KYIV, LUTSK, TERNOPIL, REFERENCE.region("UA-53"), REFERENCE.region("UA-46")])
    [total] = totals([seed], MEASURES)
    assert total.text == "at least 48"
    [kyiv_total] = totals([seed], MEASURES, region=KYIV)
    assert kyiv_total.text == "at least 20"
    assert totals([seed], MEASURES, region=REFERENCE.region("UA-46")) == []


def test_region_total_uses_incident_wide_figures_only_for_single_region_incidents():
    single = incident("single", [claim(3, measure="injured", party="Russia")], regions=[REFERENCE.region("RU-TUL")])
    double = incident("double", [claim(3, measure="injured", party="Russia")], regions=[REFERENCE.region("RU-TUL"), REFERENCE.region("RU-MOW")])
    assert totals([single], MEASURES, region=REFERENCE.region("RU-TUL"))[0].text == "3"
    assert totals([double], MEASURES, region=REFERENCE.region("RU-TUL")) == []
    assert totals([double], MEASURES)[0].text == "3"


# --- properties ---------------------------------------------------------------------

QUALIFIERS = ("exactly", "at least", "more than", "about", "up to")
claims_strategy = st.lists(
    st.builds(lambda value, qualifier, party, who, region: claim(value, qualifier, party=party, by=who, region=region),
              st.integers(0, 500), st.sampled_from(QUALIFIERS), st.sampled_from(["Ukraine", "Russia", None]),
              st.sampled_from(["A", "B", "C"]), st.sampled_from([None, KYIV, TERNOPIL])),
    min_size=1, max_size=8)


@given(st.lists(claims_strategy, min_size=1, max_size=5), st.randoms())
def test_totals_never_fall_below_the_largest_incident_lower_bound_and_ignore_claim_order(incident_claims, random):
    incidents = [incident(f"i{n}", claims, regions=[KYIV, TERNOPIL]) for n, claims in enumerate(incident_claims)]
    result = totals(incidents, MEASURES)
    for total in result:
        assert total.lower >= max(c.lower for c in total.contributions)
        if total.upper is not None:
            assert total.upper >= total.lower
    shuffled = []
    for original in incidents:
        figures = [dataclasses.replace(f, position=0) for f in original.figures]
        random.shuffle(figures)
        shuffled.append(dataclasses.replace(original, figures=figures))
    again = totals(shuffled, MEASURES)
    assert [(t.measure.key, t.party, t.lower, t.upper, t.approximate, t.conflict) for t in again] == \
           [(t.measure.key, t.party, t.lower, t.upper, t.approximate, t.conflict) for t in result]


@given(claims_strategy, st.randoms())
def test_readings_ignore_claim_order_and_respect_every_precise_claim_without_conflict(claims, random):
    claims = [dataclasses.replace(c, position=0) for c in claims]
    reordered = claims[:]
    random.shuffle(reordered)
    first = [(g.measure, g.region, [(r.party, r.lower, r.upper, r.conflict) for r in g.readings]) for g in reconcile(claims)]
    second = [(g.measure, g.region, [(r.party, r.lower, r.upper, r.conflict) for r in g.readings]) for g in reconcile(reordered)]
    assert first == second
    for group in reconcile(claims):
        for reading in group.readings:
            if not reading.conflict and not reading.approximate:
                for counted in reading.counted:
                    bounds = claim_bounds(counted)
                    assert bounds.lower <= reading.lower
                    assert bounds.upper is None or (reading.upper is not None and reading.upper <= bounds.upper)


def test_totals_only_cover_the_measures_asked_for():
    both = incident("a", [claim(4, "at least"), claim(20, measure="injured")])
    assert [t.measure.key for t in totals([both], [REFERENCE.measures["injured"]])] == ["injured"]


def test_totals_whose_parties_make_the_same_key_get_pages_of_their_own():
    from archive.figures import Contribution, Total, _distinct_keys

    measure = REFERENCE.measures["killed"]
    by_klitschko = dataclasses.replace(claim(4), claimed_by="Vitali Klitschko", claimant=REFERENCE.person("Vitali Klitschko"))
    registered = [Contribution(incident("2025-06-06-a", [by_klitschko]), 4, 4, False, False, [by_klitschko])]
    parties = ("Anna Proba", "Anna-Proba", "Віталій Кличко", "Олена Пробна")
    found = _distinct_keys([Total(measure, party, []) for party in parties] + [Total(measure, "Ukraine", registered)])
    keys = [total.key for total in found]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"total-killed-[a-z0-9-]+", key) for key in keys)
    assert keys[-1] == "total-killed-ukraine"  # a registry party's page is named by its name alone
    # A claimant outside the registry keeps its address whoever else claims: it depends on its name only.
    alone = _distinct_keys([Total(measure, "Anna Proba", [])])[0].key
    assert alone == keys[0] and alone.startswith("total-killed-anna-proba-")


@pytest.mark.parametrize("kind", ["uniform", "varied"])
def test_the_lower_bounds_charts_draw_are_those_of_the_totals(tmp_path, kind):
    """lower_bounds adds up what totals would, without making the totals: for the whole archive, each month and each region."""
    generate(60, tmp_path / "archive", seed=5, kind=kind)  # varied: claimants outside the registry, whose totals' keys take digests
    archive, _ = check(Project(root=tmp_path / "archive"), today=TODAY)
    assert archive is not None
    lists = [archive.incidents] + [incidents for _, incidents in archive.incidents_by_month()]
    charted = [measure for measure in archive.measures if measure.key in CHARTED_MEASURES]
    regions = {region.code: region for region in archive.regions()}
    lists_in = [(incidents, None) for incidents in lists] + [(incidents, regions[code]) for code, incidents in archive.incidents_by_region().items()]
    for incidents, region in lists_in:
        for measures in (archive.measures, charted):
            expected = {(total.measure.key, total.party): total.lower for total in totals(incidents, measures, region)}
            assert lower_bounds(incidents, measures, region) == expected
    assert any(lower_bounds(incidents, charted) for incidents in lists)  # (not all empty)
    several = [incident for incident in archive.incidents if len(incident.regions) > 1 and incident.figures]
    assert several and any(lower_bounds([incident], archive.measures, incident.regions[0]) != lower_bounds([incident], archive.measures)
                           for incident in several)  # (a region's part differs from the whole incident's)


one_claim = st.one_of(
    st.builds(lambda value, qualifier: claim(value, qualifier), st.integers(0, 500), st.sampled_from(QUALIFIERS)),
    st.builds(lambda low, high, qualifier: claim(None, qualifier, low=low, high=high), st.integers(0, 500), st.integers(0, 500),
              st.sampled_from(["exactly", "about"])))


@given(one_claim)
def test_one_claim_reads_as_its_own_bounds(figure):
    """The reading of a group of one claim (most groups): its bounds, low to high; approximate when `about`;
    a range written high to low is a conflict, unless it is approximate (then it is read low to high)."""
    reading = read_claims([figure], "Ukraine")
    lower, upper = claim_bounds(figure)
    if figure.qualifier == "about":
        assert upper is not None  # (about n, or a range: both ends)
        assert (reading.lower, reading.upper, reading.approximate, reading.conflict) == (min(lower, upper), max(lower, upper), True, False)
    else:
        assert (reading.lower, reading.upper, reading.approximate) == (lower, upper, False)
        assert reading.conflict == (upper is not None and lower > upper)
    assert reading.counted == [figure]


@given(st.lists(one_claim, min_size=1, max_size=4), st.sampled_from([(), (KYIV,), (KYIV, TERNOPIL)]))
def test_an_incident_adds_its_readings_to_the_whole_and_to_its_one_region(claims, regions):
    """Figures about the whole incident add their reading to the archive's total, and to its region's when it
    has one region (its figures are then that region's); an incident of several regions adds them to none of them."""
    figures = [dataclasses.replace(figure, position=number) for number, figure in enumerate(claims)]
    built = incident("i", figures, regions=regions)
    [reading] = reconcile(figures)[0].readings
    whole = totals([built], MEASURES)
    assert [(t.lower, t.upper, t.approximate) for t in whole] == [(max(reading.lower, 0), reading.upper, reading.approximate)] or reading.conflict
    for region in (KYIV, TERNOPIL):
        in_region = totals([built], MEASURES, region=region)
        if regions == (region,):
            assert [(t.lower, t.upper, t.conflict) for t in in_region] == [(reading.lower, reading.upper, reading.conflict)]
        else:
            assert in_region == []
