"""memo.py: what a build works out is remembered for the next build, and dropped when that one does not ask for it."""

from __future__ import annotations

from archive.memo import LastBuilds, next_build


def test_results_are_kept_for_the_next_build_and_dropped_after_a_build_that_did_not_ask_for_them():
    worked_out: list[str] = []

    @LastBuilds
    def total(region: str) -> list[str]:
        worked_out.append(region)
        return [region]

    first = total("UA-30")
    assert total("UA-30") is first and worked_out == ["UA-30"]
    next_build()
    assert total("UA-30") is first  # asked for again by the next build: kept, not worked out again
    total("UA-46")
    next_build()
    total("UA-46")  # this build does not ask for UA-30
    next_build()
    assert total("UA-30") is not first  # dropped: serve's memory holds no more than two builds' results
    assert worked_out == ["UA-30", "UA-46", "UA-30"]
    assert len(total.this_build) + len(total.last_build) == 2


def test_many_builds_with_new_arguments_hold_no_more_than_two_builds_of_results():
    """serve: each edit makes the archive's list of incidents anew, and with it the key of its totals."""
    remembered = LastBuilds(lambda edit: [edit] * 1000)
    for edit in range(200):
        next_build()
        remembered(edit)
    assert len(remembered.this_build) + len(remembered.last_build) == 2
