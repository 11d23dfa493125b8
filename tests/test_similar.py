"""similar: incidents that may be one incident recorded twice, warned about by import and by check across the archive."""

from __future__ import annotations

import os

import pytest

from archive import parallel, pipeline, similar
from archive.memo import next_build
from archive.pipeline import check
from archive.similar import Entry, possible_duplicates, title_words, titles_alike
from conftest import TODAY, VALID_INCIDENT, TinyArchive


def alike(first: str, second: str) -> bool:
    return titles_alike(title_words(first), title_words(second))


def test_titles_alike_and_not():
    assert alike("Missile strike on Kharkiv", "Missile strikes on Kharkiv kill three")  # every word of the shorter one
    assert alike("Russian missile and drone strikes on Kyiv", "Russian drone and missile strike on Kyiv")
    assert alike("Drone strike on Kyiv", "drone STRIKE, Kyiv")
    assert not alike("Drone strike on Kyiv", "Shelling of a market in Kherson")
    assert not alike("Drone strike on Kyiv", "Missile strike on Kyiv")  # two words of three: not enough
    assert alike("Strike", "Strike") and not alike("Strike", "Strike on a market")  # one word in common is not enough
    assert not alike("", "")


def entry(handle, date="2025-06-06", regions=("UA-30",), places=(), title="Drone strike on Kyiv"):
    return Entry(handle, date, frozenset(regions), frozenset(places), title)


def test_only_incidents_of_one_date_and_place_are_compared():
    pairs = possible_duplicates([entry("a"), entry("b", date="2025-06-07"), entry("c", regions=("UA-46",)),
                                 entry("d", regions=("UA-46",), places=("Kyiv",)), entry("e", regions=("UA-63",), places=("kyiv",))])
    assert [(first.handle, second.handle, shared) for first, second, shared in pairs] == [("c", "d", "region UA-46"), ("d", "e", "place Kyiv")]


def test_check_warns_about_both_files_and_forgets_the_pair_when_one_goes(tmp_path):
    tiny = TinyArchive(tmp_path)
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    other = tiny.write("2025-06-06-drone-strikes-hit-kyiv", VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strikes hit Kyiv"))
    tiny.write("2025-06-06-shelling-of-kyiv", VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Shelling of a market"))
    archive, problems = check(tiny.project, today=TODAY)
    assert archive is not None
    assert [str(problem) for problem in problems] == [
        "incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml:1:1: warning: possible duplicate of incidents/2025/2025-06-06-drone-strikes-hit-kyiv.yaml: "
        "the same date, region UA-30 and titles alike; if they are one incident, keep one file (with every figure and source of both), "
        "and if not, make the titles tell them apart",
        "incidents/2025/2025-06-06-drone-strikes-hit-kyiv.yaml:1:1: warning: possible duplicate of incidents/2025/2025-06-06-drone-strike-on-kyiv.yaml: "
        "the same date, region UA-30 and titles alike; if they are one incident, keep one file (with every figure and source of both), "
        "and if not, make the titles tell them apart",
    ]
    other.unlink()
    _, problems = check(tiny.project, today=TODAY)  # the other file comes from the cache of checked files: the warning is not kept there
    assert problems == []


def test_the_titles_one_check_compared_are_not_split_into_words_again_by_the_next(tmp_path, monkeypatch):
    """serve checks the whole archive at every edit: the words of a title it compared last time are kept (memo.LastBuilds)."""
    tiny = TinyArchive(tmp_path)
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    edited = tiny.write("2025-06-06-drone-strikes-hit-kyiv", VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strikes hit Kyiv"))
    split: list[str] = []
    words_of = title_words.function

    def splitting(title: str) -> frozenset[str]:
        split.append(title)
        return words_of(title)

    monkeypatch.setattr(title_words, "function", splitting)
    for _ in range(2):  # nothing remembered from the checks of other tests
        next_build()
    check(tiny.project, today=TODAY)
    assert sorted(split) == ["Drone strike on Kyiv", "Drone strikes hit Kyiv"]
    edited.write_text(VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strikes hit the capital"), encoding="utf-8")
    split.clear()
    check(tiny.project, today=TODAY)
    assert split == ["Drone strikes hit the capital"]  # the edited title only


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="nothing is forked on one core")
def test_the_pairs_are_looked_for_beside_the_model_with_no_earlier_one_and_here_with_one(tmp_path, monkeypatch):
    """A check with no earlier model (a build, `check`) looks for possible duplicates in a process of its own while it makes
    the model; serve's check, which keeps most of the last model, looks for them itself, where the titles' words are kept.
    Either way the warnings are the same."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)  # (forked from 2 files on, not 400)
    tiny = TinyArchive(tmp_path / "archive")
    tiny.write("2025-06-06-drone-strike-on-kyiv")
    tiny.write("2025-06-06-drone-strikes-hit-kyiv", VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strikes hit Kyiv"))
    looked_for_by = tmp_path / "pids"

    def duplicate_problems(documents):
        with looked_for_by.open("a") as pids:
            pids.write(f"{os.getpid()}\n")
        return similar.duplicate_problems(documents)
    monkeypatch.setattr(pipeline, "duplicate_problems", duplicate_problems)
    first, problems = check(tiny.project, today=TODAY)
    assert first is not None and len(problems) == 2 and all("possible duplicate" in problem.message for problem in problems)
    again, problems_again = check(tiny.project, today=TODAY, earlier=first)
    assert again is not None and problems_again == problems
    assert [int(pid) != os.getpid() for pid in looked_for_by.read_text().split()] == [True, False]
