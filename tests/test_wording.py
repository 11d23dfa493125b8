"""Tests for archive/wording.py: the closest known name."""

from __future__ import annotations

import difflib

from hypothesis import given, settings, strategies as st

from archive.wording import close_matches, suggest

SPELLINGS = st.text(alphabet="aeioynkhlmrsv .'-ĭй", min_size=1, max_size=14)


@st.composite
def near_spellings(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Known spellings and a name that is one of them with an edit or two: close to it, or nearly."""
    known = draw(st.lists(SPELLINGS, min_size=1, max_size=12, unique=True))
    name = draw(st.sampled_from(known))
    for _ in range(draw(st.integers(1, 2))):
        at = draw(st.integers(0, len(name)))
        name = name[:at] + draw(st.sampled_from(["", "a", "y", "й"])) + name[at + draw(st.integers(0, 1)):]
    return name or "a", known


@settings(max_examples=500, deadline=None)
@given(near_spellings(), st.integers(1, 3), st.sampled_from([0.6, 0.75, 0.8]))
def test_close_matches_are_those_difflib_finds_among_every_choice(case, n, cutoff):
    # rapidfuzz only rules choices out before difflib: never one that difflib would pick.
    name, known = case
    assert close_matches(name, known, n, cutoff) == difflib.get_close_matches(name, known, n=n, cutoff=cutoff)


def test_a_misspelt_field_is_suggested_and_a_stranger_is_not():
    assert suggest("kiled", ["killed", "injured"]) == "; did you mean `killed`?"
    assert suggest("qwerty", ["killed", "injured"]) == ""
