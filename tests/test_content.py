"""The shipped incidents: valid, and every excerpt and quote word for word in its source text.

The source texts live in ../shared/sources beside the repository; these tests skip without them.
"""

import re

import pytest

from archive.pipeline import Project, check
from conftest import REPO

SOURCES = REPO.parent / "shared" / "sources"
TEXT_BY_PUBLISHER = {
    "The Moscow Times": "moscow-times-afp-2025-06-06.txt",
    "Al Jazeera": "al-jazeera-2025-06-06.txt",
}


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def archive():
    archive, problems = check(Project(root=REPO))
    assert archive is not None, "\n".join(map(str, problems))
    return archive


def test_shipped_archive_has_both_seed_incidents(archive):
    titles = {incident.id: incident.title for incident in archive.incidents}
    assert "2025-06-06-russian-missile-and-drone-strikes-on-kyiv-and-western-ukraine" in titles
    assert "2025-06-06-ukrainian-drone-strikes-on-tula-region-and-moscow" in titles


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not present")
def test_every_excerpt_and_quote_is_verbatim_in_its_source(archive):
    texts = {publisher: normalized((SOURCES / name).read_text(encoding="utf-8")) for publisher, name in TEXT_BY_PUBLISHER.items()}
    missing = []
    for incident in archive.incidents:
        for figure in incident.figures:
            if normalized(figure.excerpt) not in texts[figure.source.publisher]:
                missing.append(f"{incident.id}: excerpt {figure.excerpt!r}")
        for quote in incident.quotes:
            if normalized(quote.text) not in texts[quote.source.publisher]:
                missing.append(f"{incident.id}: quote {quote.text!r}")
    assert missing == []


@pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources is not present")
def test_figures_the_two_reports_state_differently_are_both_kept(archive):
    kyiv = next(i for i in archive.incidents if "kyiv" in i.id)
    killed_in_kyiv = {(f.source.publisher, f.value, f.qualifier) for f in kyiv.figures if f.measure.key == "killed"}
    assert ("The Moscow Times", 4, "at least") in killed_in_kyiv and ("Al Jazeera", 4, "at least") in killed_in_kyiv
    injured = {(f.source.publisher, f.value) for f in kyiv.figures if f.measure.key == "injured"}
    assert ("The Moscow Times", 32) in injured and ("Al Jazeera", 10) in injured
    negoda = [q for q in kyiv.quotes if q.speaker_as_reported == "Vyacheslav Negoda"]  # The Moscow Times' spelling
    assert [q.speaker for q in negoda] == ["Viacheslav Nehoda"]  # shown under the registry's spelling
