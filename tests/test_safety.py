"""Hostile input through real builds: nothing in a pull request can inject script, break the site or hide."""

import csv
import datetime as dt
import filecmp
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from archive.load import Document, parse_yaml_bytes
from archive.pipeline import Project, build, check
from archive.reference import load_reference
from archive.validate import validate_document
from conftest import REPO, TODAY, VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"
REFERENCE = load_reference()
# `FUZZ_EXAMPLES=20000 make test` (or pytest tests/test_safety.py -k fuzz) runs a longer fuzzing session.
FUZZ = int(os.environ.get("FUZZ_EXAMPLES", "300"))


def built_site(tiny, text, content_extra=""):
    tiny.write(NAME, text)
    if content_extra:
        with (tiny.root / "content" / "about.md").open("a", encoding="utf-8") as about:
            about.write(content_extra)
    build(tiny.project, today=TODAY)
    return tiny.root / "site"


def all_html(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


def test_markdown_cannot_produce_script_handlers_or_dangerous_links(tiny):
    summary = ("Drones hit [Kyiv](javascript:alert(1)) and [this](data:text/html;base64,PHNjcmlwdD4=) "
               "and [that](vbscript:msgbox) ![pixel](https://tracker.example/p.gif) <https://ok.example/report>.")
    page_attack = ('\n<script>alert("content")</script>\n<img src=x onerror="alert(2)">\n'
                   '<a href="javascript:alert(3)" onclick="alert(4)">x</a>\n<iframe src="https://evil.example"></iframe>\n'
                   '[y](javascript:alert(5))\n<style>body{display:none}</style>\n')
    site = built_site(tiny, VALID_INCIDENT.replace("Drones hit **Kyiv** overnight.", summary), page_attack)
    html = all_html(site)
    assert "javascript:" not in html and "vbscript:" not in html and "data:text/html" not in html
    assert "onerror" not in html and "onclick" not in html and "<iframe" not in html and "<img" not in html
    assert "<style>" not in html and "tracker.example" not in html
    assert 'href="https://ok.example/report"' in html
    scripts = re.findall(r"<script[^>]*>", html)
    own_script = re.compile(r'<script src="(\./|/|(\.\./)+)static/[a-z-]+\.js"( data-root="[./]+")?( type="module")?>|<script type="application/ld\+json">')
    assert scripts and all(own_script.fullmatch(tag) for tag in scripts), scripts


HOSTILE = '"><script>alert(1)</script>'


def hostile_incident() -> str:
    return (VALID_INCIDENT
            .replace("title: Drone strike on Kyiv", f"title: '{HOSTILE} </script> & co'")
            .replace("    publisher: The Moscow Times", f"    publisher: '<b>{HOSTILE}</b>'")
            .replace('text: "They worked under fire to help people."', "text: '</script><script>alert(2)</script>'")
            .replace("https://www.themoscowtimes.com/2025/06/06/russian-air-barrage-kills-4-in-kyiv-a89360",
                     "https://www.themoscowtimes.com@evil.example/x?a=\\\"><script>")
            .replace('excerpt: "At least four people were killed and 20 wounded in the capital."',
                     "excerpt: '+At least four \"><img src=x onerror=alert(3)> killed'"))


def test_every_text_field_is_escaped_in_html_json_ld_feed_and_csv(tiny):
    site = built_site(tiny, hostile_incident())
    html = all_html(site)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>" not in html
    page = (site / "incidents" / NAME / "index.html").read_text()
    [ld] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, flags=re.S)
    data = json.loads(ld)
    assert data["name"] == f"{HOSTILE} </script> & co"
    assert data["citation"][0]["publisher"]["name"] == f"<b>{HOSTILE}</b>"
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.findtext("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}title") == f"{HOSTILE} </script> & co"
    [row] = list(csv.DictReader(io.StringIO((site / "data" / "figures.csv").read_text())))
    assert row["excerpt"].startswith("'+At least four")


def test_a_source_link_shows_the_host_it_really_goes_to(tiny):
    site = built_site(tiny, hostile_incident())
    page = (site / "incidents" / NAME / "index.html").read_text()
    assert '<span class="url">evil.example</span>' in page


def test_alias_bombs_and_deep_nesting_are_refused_quickly(tiny):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    tiny.write(NAME, bomb)
    tiny.write("2025-06-07-deep", "title: " + "[" * 100_000 + "]" * 100_000 + "\n")
    started = dt.datetime.now()
    _, problems = check(tiny.project, today=TODAY)
    assert (dt.datetime.now() - started).total_seconds() < 5
    messages = {p.path: p.message for p in problems}
    assert messages[f"incidents/2025/{NAME}.yaml"].startswith("YAML anchors (&name) and aliases (*name) are not allowed")
    assert messages["incidents/2025/2025-06-07-deep.yaml"].startswith("nesting is deeper than 16 levels")


def test_two_builds_of_the_same_input_are_byte_identical_search_index_included(tmp_path):
    sites = []
    for name in ("one", "two"):
        root = tmp_path / name
        shutil.copytree(REPO / "incidents", root / "incidents")
        shutil.copytree(REPO / "content", root / "content")
        build(Project(root=root), today=TODAY)
        sites.append(root / "site")
    compared = filecmp.dircmp(sites[0], sites[1], ignore=[])
    def differences(comparison):
        found = comparison.left_only + comparison.right_only + comparison.diff_files + comparison.funny_files
        return found + [item for sub in comparison.subdirs.values() for item in differences(sub)]
    assert differences(compared) == []
    for path in sites[0].rglob("*"):
        if path.is_file():
            twin = sites[1] / path.relative_to(sites[0])
            assert path.read_bytes() == twin.read_bytes(), path


# --- fuzzing: any input gives a model or located problems, never an exception ----------

def validate_text(raw: bytes) -> list:
    document = Document(path=Path(f"incidents/2025/{NAME}.yaml"), display_path=f"incidents/2025/{NAME}.yaml")
    problems = parse_yaml_bytes(raw, document)
    if document.data is not None:
        problems += validate_document(document, REFERENCE, TODAY)
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1 and problem.message
    return problems


@settings(max_examples=FUZZ, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_raw_bytes(raw):
    validate_text(raw)


@settings(max_examples=FUZZ, deadline=2000)
@given(st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#\n\t ,.0123456789yesnoTZ\u202e\u200b")), max_size=400))
def test_fuzz_yaml_like_text(text):
    validate_text(text.encode("utf-8"))


FIELD_NAMES = ["title", "date", "summary", "regions", "sources", "figures", "quotes", "corrections", "places",
               "measure", "value", "qualifier", "claimed_by", "source", "excerpt", "region", "speaker", "text",
               "publisher", "url", "min", "max", "as_of", "weapon", "subject", "previous_ids", "assessment", "mt"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=True), st.text(max_size=30),
                    st.sampled_from(["UA-30", "2025-06-06", "killed", "at least", "mt", "https://example.org/", "2099-01-01", "javascript:x"]))
STRUCTURES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=6)),
                          max_leaves=30)


@pytest.mark.slow
@settings(max_examples=FUZZ, deadline=2000)
@given(st.dictionaries(st.sampled_from(FIELD_NAMES), STRUCTURES, max_size=10))
def test_fuzz_incident_shaped_documents(data):
    validate_text(yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))


@settings(max_examples=FUZZ, deadline=2000)
@given(st.data())
def test_fuzz_mutations_of_a_valid_incident(data):
    text = VALID_INCIDENT
    for _ in range(data.draw(st.integers(1, 5))):
        position = data.draw(st.integers(0, len(text)))
        text = text[:position] + data.draw(st.text(max_size=5)) + text[position + data.draw(st.integers(0, 5)):]
    validate_text(text.encode("utf-8"))


# --- check and build never disagree: whatever build would fail on, check reports first ---

def check_and_build_agree(tiny, text: str, page: str | None = None) -> list[str]:
    """Check, then build: both fail (build with the problems check found) or both pass. The errors, as text."""
    from archive.problems import BuildError

    tiny.write(NAME, text)
    if page is not None:
        (tiny.root / "content" / "about.md").write_text(page, encoding="utf-8")
    _, problems = check(tiny.project, today=TODAY)
    errors = [str(problem) for problem in problems if problem.is_error]
    try:
        build(tiny.project, today=TODAY, with_search=False)
    except BuildError as failure:
        assert [str(p) for p in failure.problems if p.is_error] == errors
        assert errors
        return errors
    assert errors == []
    return errors


HOSTILE_MARKDOWN = {
    "link openers": "[a](" * 8000,
    "link openers under the length limit": "[a](" * 2400,
    "brackets": "[" * 9000,
    "images": "![x](" * 2000,
    "nested list": "- " * 2000 + "x",
    "nested quotes": "> " * 3000 + "x",
    "mixed nesting": "- > " * 1000 + "x",
    "indented nesting": "".join("    " * depth + "- x\n" for depth in range(60)),
    "emphasis": "*a**" * 2400,
    "backticks": "`" * 9000,
    "angles": "<a " * 3000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MARKDOWN))
def test_markdown_too_complex_to_render_is_a_located_check_error(tiny, name):
    summary = HOSTILE_MARKDOWN[name]
    errors = check_and_build_agree(tiny, VALID_INCIDENT.replace("  Drones hit **Kyiv** overnight.\n", "  " + summary + "\n"))
    assert any(f"{NAME}.yaml:3:10: error: `summary`" in error for error in errors), errors


@pytest.mark.parametrize("name", sorted(HOSTILE_MARKDOWN))
def test_content_pages_too_complex_to_render_are_located_check_errors(tiny, name):
    errors = check_and_build_agree(tiny, VALID_INCIDENT, page="# About\n\nSome text.\n\n" + HOSTILE_MARKDOWN[name] + "\n")
    assert any(error.startswith("content/about.md:") for error in errors), errors


HUGE_OR_ODD = st.one_of(st.integers(-10, 10**30), st.sampled_from(["9" * 5000, "1e400", ".nan", "-.inf", "0x1F", "1_000"]))
ODD_DATES = st.builds(lambda year, month, day, zone: f"{year:04d}-{month:02d}-{day:02d}" + zone,
                      st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
                      st.sampled_from(["", "T00:00+14:00", "T23:59-14:00", "T12:00Z", "T25:61"]))
MARKDOWN_PIECES = st.lists(st.sampled_from(["[", "]", "(", ")", "![", "- ", "> ", "    ", "\n", "*", "_", "`", "<", "&", "a", "# "]),
                           max_size=3000).map("".join)


@settings(max_examples=max(FUZZ // 10, 20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=HUGE_OR_ODD, date=ODD_DATES, as_of=ODD_DATES, summary=MARKDOWN_PIECES)
def test_fuzz_check_and_build_agree_on_numbers_dates_and_markdown(tmp_path_factory, value, date, as_of, summary):
    from conftest import TinyArchive

    tiny = TinyArchive(tmp_path_factory.mktemp("agree") / "archive")
    text = (VALID_INCIDENT.replace("    value: 4\n", f"    value: {value}\n")
            .replace("date: 2025-06-06", f"date: {date[:10]}")
            .replace("    source: mt\n    excerpt", f"    as_of: {as_of}\n    source: mt\n    excerpt")
            .replace("  Drones hit **Kyiv** overnight.\n", "".join("  " + line + "\n" for line in summary.split("\n"))))
    check_and_build_agree(tiny, text)
