"""pipeline.py: a build writes the whole site or nothing at all."""

import shutil

import pytest

from archive.pipeline import build, check
from archive.problems import BuildError
from archive.search import SearchIndexError
from conftest import TODAY, VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"


def test_build_writes_pages_static_files_and_search_index(tiny):
    tiny.write(NAME)
    report = build(tiny.project, today=TODAY)
    site = tiny.root / "site"
    assert (report.incidents, report.regions) == (1, 2)
    assert report.pages == 15
    for path in ("index.html", f"incidents/{NAME}/index.html", "regions/ua-30/index.html", "regions/index.html",
                 "incidents/index.html", "about/index.html", "methodology/index.html", "contribute/index.html",
                 "search/index.html", "static/style.css", "pagefind/pagefind-ui.js"):
        assert (site / path).is_file(), path
    assert report.summary().startswith("Built 1 incidents, 2 regions, 15 pages in ")


def test_a_build_with_errors_writes_nothing(tiny):
    tiny.write(NAME, VALID_INCIDENT.replace("measure: killed", "measure: kiled"))
    with pytest.raises(BuildError) as failure:
        build(tiny.project, today=TODAY)
    assert "unknown measure `kiled`" in str(failure.value.problems[0])
    assert not (tiny.root / "site").exists()
    # no staging folder left behind (the cache of checked files is not output)
    assert sorted(p.name for p in tiny.root.iterdir()) == [".cache", "content", "incidents"]


def test_a_failed_build_leaves_the_previous_site_untouched(tiny):
    tiny.write(NAME)
    build(tiny.project, today=TODAY)
    page = tiny.root / "site" / "incidents" / NAME / "index.html"
    before = page.read_bytes()
    tiny.write(NAME, VALID_INCIDENT.replace("Drone strike on Kyiv", "Changed title").replace("value: 4", "value: -4"))
    with pytest.raises(BuildError):
        build(tiny.project, today=TODAY)
    assert page.read_bytes() == before


def test_a_failing_search_index_leaves_the_previous_site_untouched(tiny, monkeypatch):
    tiny.write(NAME)
    build(tiny.project, today=TODAY)
    home = (tiny.root / "site" / "index.html").read_bytes()
    tiny.write("2025-06-07-second-strike", VALID_INCIDENT.replace("2025-06-06", "2025-06-07"))

    def broken_index(site_dir):
        raise SearchIndexError("Pagefind failed (exit 1): simulated")

    monkeypatch.setattr("archive.pipeline.index_site", broken_index)
    with pytest.raises(SearchIndexError):
        build(tiny.project, today=TODAY)
    assert (tiny.root / "site" / "index.html").read_bytes() == home
    assert sorted(p.name for p in tiny.root.iterdir()) == [".cache", "content", "incidents", "site"]


def test_missing_content_page_is_an_error(tiny):
    tiny.write(NAME)
    (tiny.root / "content" / "methodology.md").unlink()
    archive, problems = check(tiny.project, today=TODAY)
    assert archive is None
    assert [str(p) for p in problems] == ["content/methodology.md:1:1: error: content/methodology.md is missing; every page links to it, so write it"]


def test_yml_extension_is_flagged(tiny):
    path = tiny.write(NAME)
    path.rename(path.with_suffix(".yml"))
    _, problems = check(tiny.project, today=TODAY)
    assert [p.message for p in problems] == ["incident files end in `.yaml`, not `.yml`; rename it"]


def test_a_directory_named_like_an_incident_file_is_an_error(tiny):
    tiny.write(NAME)
    (tiny.root / "incidents" / "2025" / "2025-06-07-folder.yaml").mkdir()
    _, problems = check(tiny.project, today=TODAY)
    assert [p.message for p in problems] == ["is a directory, not a YAML file; rename it or move it out of incidents/"]


def test_content_pages_cannot_take_over_site_folders_or_escape(tiny):
    tiny.write(NAME)
    (tiny.root / "content" / "regions.md").write_text("# Regions\n")
    (tiny.root / "content" / "...md").write_text("# Up\n")
    archive, problems = check(tiny.project, today=TODAY)
    assert archive is None
    assert sorted(p.path for p in problems) == ["content/...md", "content/regions.md"]
    assert all("cannot be a page name" in p.message for p in problems)


def test_a_build_with_no_input_changed_writes_nothing(tiny):
    tiny.write(NAME)
    first = build(tiny.project, today=TODAY)
    page = tiny.root / "site" / "incidents" / NAME / "index.html"
    written = page.stat().st_mtime_ns
    again = build(tiny.project, today=TODAY)
    assert again.up_to_date and not first.up_to_date
    assert again.summary().startswith("site/ is up to date: no input changed since the last build")
    assert page.stat().st_mtime_ns == written
    (tiny.root / "content" / "about.md").write_text("# About\n\nChanged.\n")
    assert not build(tiny.project, today=TODAY).up_to_date
    (tiny.root / "site.yaml").write_text("title: Another title\n")
    assert not build(tiny.project, today=TODAY).up_to_date
    assert "Another title" in page.read_text()
    assert not build(tiny.project, today=TODAY, offline=True).up_to_date  # other options, other output
    shutil.rmtree(tiny.root / "site")
    assert not build(tiny.project, today=TODAY, offline=True).up_to_date  # output gone: built again
