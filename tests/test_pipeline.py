"""pipeline.py: a build writes the whole site or nothing at all."""

import dataclasses
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import archive.incremental
from archive import exports, parallel, pipeline, render
from archive.model import Archive
from archive.pipeline import Project, build, check, preview_edits
from archive.problems import BuildError
from conftest import REPO, TODAY, VALID_INCIDENT

sys.path.insert(0, str(REPO / "bench"))
from generate import generate

NAME = "2025-06-06-drone-strike-on-kyiv"
real_render = render.render_page


def test_build_writes_pages_static_files_and_search_index(tiny):
    tiny.write(NAME)
    report = build(tiny.project, today=TODAY)
    site = tiny.root / "site"
    assert (report.incidents, report.regions) == (1, 2)
    assert report.pages == 18  # (its totals, of one incident each, link to its claims: no pages of their own)
    for path in ("index.html", f"incidents/{NAME}/index.html", "regions/ua-30/index.html", "regions/index.html",
                 "incidents/index.html", "about/index.html", "methodology/index.html", "contribute/index.html",
                 "search/index.html", "static/style.css", "static/search-engine.js", "search-index/index.js"):
        assert (site / path).is_file(), path
    assert report.summary().startswith("Built 1 incidents, 2 regions, 18 pages in ")


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

    def broken_index(entries, output_dir, **options):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("archive.pipeline.write_index", broken_index)
    with pytest.raises(OSError, match="No space left"):
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
    assert [p.message for p in problems] == ["incident files end in `.yaml` (lower case), not `.yml`; rename it"]


def test_a_directory_named_like_an_incident_file_is_an_error(tiny):
    tiny.write(NAME)
    (tiny.root / "incidents" / "2025" / "2025-06-07-folder.yaml").mkdir()
    _, problems = check(tiny.project, today=TODAY)
    assert [p.message for p in problems] == ["is a folder, not a file; remove it or move it out of the way"]


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


def test_a_template_edited_between_two_builds_of_one_process_is_the_one_used(tiny):
    """serve's builds share one environment of compiled templates (render.compiled_environment) while the
    templates are the same; an edited template makes a new one, and the pages that use it are written anew.
    A template that no page uses and that cannot be compiled (a draft) stops no build."""
    templates = tiny.root / "templates"  # (inside the archive: a build reads no file outside it and the program)
    shutil.copytree(REPO / "templates", templates)
    (templates / "draft.html").write_text("{% if %}unfinished", encoding="utf-8")
    project = dataclasses.replace(tiny.project, templates_dir=templates)
    tiny.write(NAME)
    first = build(project, today=TODAY, with_search=False)
    page = tiny.root / "site" / "incidents" / NAME / "index.html"
    assert "Edited template" not in page.read_text(encoding="utf-8")
    incident_template = templates / "incident.html"
    incident_template.write_text(incident_template.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<p>Edited template</p>", 1),
                                 encoding="utf-8")
    build(project, today=TODAY, with_search=False, earlier=first.archive)
    assert "<p>Edited template</p>" in page.read_text(encoding="utf-8")


def test_a_site_built_with_the_search_index_is_up_to_date_for_a_build_without_it_not_the_other_way(tiny):
    """serve shows the pages before it indexes them: when it starts on a site built in full, neither
    of its two builds builds again."""
    tiny.write(NAME)
    build(tiny.project, today=TODAY)
    assert build(tiny.project, today=TODAY, with_search=False).up_to_date
    assert build(tiny.project, today=TODAY).up_to_date
    assert (tiny.root / "site" / "search-index" / "index.js").is_file()
    (tiny.root / "content" / "about.md").write_text("# About\n\nChanged.\n")
    assert not build(tiny.project, today=TODAY, with_search=False).up_to_date
    assert not build(tiny.project, today=TODAY).up_to_date  # the build without the index stands for no index


# --- incremental builds --------------------------------------------------------------------

def site_files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def inodes(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("*.html")}


def clean_build(inputs: Path, scratch: Path, with_search: bool = False) -> dict[str, bytes]:
    """The site a first build of the same inputs writes, in a folder of its own.

    Built in a process of its own: a build here would empty this process's caches of readings,
    totals and pages, which a build from a kept model (as serve's) goes on from.
    """
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(inputs, scratch, ignore=shutil.ignore_patterns("site", ".cache"))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as apart:
        apart.submit(build_with_fixed_date, scratch, with_search).result()
    return site_files(scratch / "site")


def build_with_fixed_date(root: Path, with_search: bool) -> None:
    build(Project(root=root), today=TODAY, with_search=with_search)


def random_edit(root: Path, rng: random.Random) -> str:
    """One edit a curator might make: retitle, rewrite a summary, credit the figures to another claimant, redate (renaming the file), add, remove, or edit a page."""
    files = sorted((root / "incidents").rglob("*.yaml"))
    path = rng.choice(files)
    data = json.loads(path.read_text(encoding="utf-8"))
    kind = rng.choice(["title", "summary", "figure", "date", "add", "remove", "move", "content", "config"])
    if kind == "title":
        data["title"] += " (corrected)"
    elif kind == "figure":  # what the incident adds to totals changes: another party's claims
        for figure in data.get("figures", []):
            figure["claimed_by"] = "A Later Report"
    elif kind == "summary":
        data["summary"] += "\n\nA later report added **details**."
    elif kind in ("date", "add"):
        day = dt.date.fromisoformat(data["date"]) + dt.timedelta(days=rng.randint(1, 40))
        data["date"] = day.isoformat()
        if kind == "date":
            path.unlink()
        path = root / "incidents" / str(day.year) / f"{day.isoformat()}{path.stem[10:]}-{rng.randint(0, 10**6)}.yaml"
        path.parent.mkdir(exist_ok=True)
    elif kind == "remove":
        path.unlink()
        return f"removed {path.name}"
    elif kind == "move":  # the same file in another folder: its page shows the new path
        target = root / "incidents" / "moved" / path.name
        target.parent.mkdir(exist_ok=True)
        path.rename(target)
        return f"moved {path.name}"
    elif kind == "content":
        with (root / "content" / "about.md").open("a", encoding="utf-8") as page:
            page.write("\nOne more paragraph.\n")
        return "edited content/about.md"
    else:
        (root / "site.yaml").write_text(f"title: Archive {rng.randint(0, 1000)}\n", encoding="utf-8")
        return "edited site.yaml"
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return f"{kind}: {path.name}"


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["one process", "forked workers", "model kept between builds", "model kept, varied archive"])
def test_a_rebuild_after_any_edit_writes_exactly_the_bytes_of_a_clean_build(tmp_path, monkeypatch, workers):
    """Each build of a series after an edit writes a clean build's site; "model kept" builds as serve
    does, from the last build's model (its unchanged incidents and what was worked out from them:
    readings, totals and their pages)."""
    if workers == "forked workers":
        monkeypatch.setattr(parallel, "PARALLEL_FROM", 10)
    monkeypatch.setattr(archive.incremental, "RECENT_NS", 0)  # files just written are taken as unchanged when their stat is
    root = tmp_path / "archive"
    generate(40, root, seed=7, kind="varied" if workers.endswith("varied archive") else "uniform")  # varied: totals of claimants unknown to the registry
    model = build(Project(root=root), today=TODAY, with_search=False).archive
    rng = random.Random(197)  # (its six edits are of six kinds: a title, figures, a date, a page, a summary, a move)
    for _ in range(6):
        edit = random_edit(root, rng)
        report = build(Project(root=root), today=TODAY, with_search=False, earlier=model if workers.startswith("model") else None)
        model = report.archive
        incremental = site_files(root / "site")
        clean = clean_build(root, tmp_path / "clean")
        assert incremental.keys() == clean.keys(), edit
        assert [name for name in clean if incremental[name] != clean[name]] == [], edit


def test_a_check_keeps_the_earlier_models_unchanged_incidents_and_makes_the_others_anew(tiny):
    """serve's builds start from the last one's model: an incident whose file, id and change date are the
    same is kept, object and all (with the readings worked out from it); any change of the reference
    data makes every incident anew, from the new data."""
    data = tiny.root / "data"
    shutil.copytree(REPO / "data", data)
    project = Project(root=tiny.root, data_dir=data)
    tiny.write(NAME)
    tiny.write("2025-03-01-strike-on-lviv", VALID_INCIDENT.replace("2025-06-06", "2025-03-01"))
    first, _ = check(project, today=TODAY)
    assert first is not None
    kyiv, lviv = (next(i for i in first.incidents if i.id == name) for name in (NAME, "2025-03-01-strike-on-lviv"))

    tiny.write("2025-03-01-strike-on-lviv", VALID_INCIDENT.replace("2025-06-06", "2025-03-01").replace("title: Drone strike on Kyiv",
                                                                                                      "title: Drone strike on Lviv"))
    second, _ = check(project, today=TODAY, earlier=first)
    assert second is not None
    kept = {incident.id: incident for incident in second.incidents}
    assert kept[NAME] is kyiv
    assert kept["2025-03-01-strike-on-lviv"] is not lviv and kept["2025-03-01-strike-on-lviv"].title == "Drone strike on Lviv"

    regions = data / "regions.yaml"
    regions.write_text(regions.read_text().replace('UA-30: {name: "Kyiv",', 'UA-30: {name: "Kyiv City",'))
    third, _ = check(project, today=TODAY, earlier=second)
    assert third is not None
    anew = {incident.id: incident for incident in third.incidents}
    assert anew[NAME] is not kyiv
    assert [region.name for region in anew[NAME].regions] == ["Kyiv City", "Kyiv Oblast"]

    # What was worked out from replaced incidents is garbage the caches hold: once more incidents were made
    # anew than the model holds, the next check makes every one anew (and empties the caches).
    model: Archive | None = third
    kyiv = anew[NAME]
    for number in range(3):
        tiny.write("2025-03-01-strike-on-lviv", VALID_INCIDENT.replace("2025-06-06", "2025-03-01")
                   .replace("title: Drone strike on Kyiv", f"title: Drone strike on Lviv, take {number}"))
        model = check(project, today=TODAY, earlier=model)[0]
        assert model is not None and next(i for i in model.incidents if i.id == NAME) is kyiv
    assert model is not None and model.replaced == 3
    model = check(project, today=TODAY, earlier=model)[0]
    assert model is not None and next(i for i in model.incidents if i.id == NAME) is not kyiv and model.replaced == 0

    tiny.write(NAME, VALID_INCIDENT.replace("measure: killed", "measure: kiled"))  # an error is found with a model kept, too
    broken, problems = check(project, today=TODAY, earlier=third)
    assert broken is None and any("unknown measure `kiled`" in problem.message for problem in problems)


def test_a_rebuild_after_one_edit_renders_that_incident_its_regions_and_the_indexes_only(tiny, monkeypatch):
    tiny.write(NAME)  # Kyiv and Kyiv Oblast, June 2025
    for name, region, claimant in (("2025-03-01-strike-on-lviv", "UA-46", "Vitali Klitschko"),
                                   ("2024-01-01-strike-on-odesa", "UA-51", "A Local Reporter"),
                                   ("2024-01-02-strike-on-odesa", "UA-51", "A Local Reporter")):
        tiny.write(name, VALID_INCIDENT.replace("2025-06-06", name[:10]).replace("UA-30, UA-32", region)
                   .replace("region: UA-32", f"region: {region}").replace("region: UA-30", f"region: {region}")
                   .replace("claimed_by: Vitali Klitschko", f"claimed_by: {claimant}"))
    build(tiny.project, today=TODAY, with_search=False)
    before = inodes(tiny.root / "site")
    rendered: list[str] = []

    def recording_render(environment, page, *rest):
        rendered.append(page.path)
        return real_render(environment, page, *rest)

    monkeypatch.setattr(render, "render_page", recording_render)
    lviv = tiny.root / "incidents/2025/2025-03-01-strike-on-lviv.yaml"
    lviv.write_text(lviv.read_text().replace("title: Drone strike on Kyiv", "title: Drone strike on Lviv"))
    build(tiny.project, today=TODAY, with_search=False)

    totals = {path for path in rendered if path.startswith("totals/")}
    assert len(list((tiny.root / "site" / "totals").glob("total-killed-a-local-reporter-*/index.html"))) == 1
    assert totals == {"totals/index.html", "totals/total-killed-ukraine/index.html"}  # not Odesa's reporter's total
    assert set(rendered) - totals == {
        "incidents/2025-03-01-strike-on-lviv/index.html", "regions/ua-46/index.html", "incidents/2025/03/index.html",
        "regions/ua-46/2025/index.html", "regions/ua-46/totals/index.html",  # (its total of one incident has no page)
        f"incidents/{NAME}/index.html", "incidents/2024-01-02-strike-on-odesa/index.html",  # they link to it by title
        "index.html", "incidents/index.html", "regions/index.html", "data/index.html", "map/index.html",  # the map shows every incident
    }
    after = inodes(tiny.root / "site")
    rewritten = {path for path in after if before.get(path) != after[path]}
    assert "incidents/2025-03-01-strike-on-lviv/index.html" in rewritten
    assert "regions/index.html" not in rewritten  # rendered, but its bytes are the same: the old file stays


def test_a_rebuild_after_one_edit_makes_only_that_incidents_part_of_each_download(tiny, monkeypatch):
    for day in ("2025-06-01", "2025-06-02", "2025-06-03"):
        tiny.write(f"{day}-drone-strike-on-kyiv", VALID_INCIDENT.replace("2025-06-06", day))
    build(tiny.project, today=TODAY, with_search=False)
    made: list[str] = []
    real_incident_json, real_figure_rows = exports._incident_json, exports._figure_rows

    def incident_json(incident, archive):
        made.append(incident.id)
        return real_incident_json(incident, archive)

    def figure_rows(incident):
        made.append(incident.id)
        return real_figure_rows(incident)

    monkeypatch.setattr(exports, "_incident_json", incident_json)
    monkeypatch.setattr(exports, "_figure_rows", figure_rows)
    edited = tiny.root / "incidents" / "2025" / "2025-06-02-drone-strike-on-kyiv.yaml"
    edited.write_text(edited.read_text().replace("title: Drone strike on Kyiv", "title: Drone strike on central Kyiv"))
    build(tiny.project, today=TODAY, with_search=False)
    assert made == ["2025-06-02-drone-strike-on-kyiv"] * 2  # its line of incidents.json and its rows of figures.csv
    lines = (tiny.root / "site" / "data" / "incidents.json").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line.rstrip(","))["title"] for line in lines[1:-1]] == ["Drone strike on Kyiv", "Drone strike on central Kyiv", "Drone strike on Kyiv"]


def test_a_build_converts_ahead_the_summaries_of_new_and_edited_incidents_only(tiny, monkeypatch):
    """Converted before the page writers, the downloads and the search index are forked, which each read
    every new summary: all of them in a clean build, the edited one after an edit."""
    for day in ("2025-06-01", "2025-06-02", "2025-06-03"):
        tiny.write(f"{day}-drone-strike-on-kyiv", VALID_INCIDENT.replace("2025-06-06", day).replace("  Drones hit", f"  On {day}, drones hit"))
    asked: list[list[str]] = []

    def convert_ahead(texts, meanwhile):
        asked.append(list(texts))
        meanwhile()
    monkeypatch.setattr(pipeline, "convert_ahead", convert_ahead)
    build(tiny.project, today=TODAY, with_search=False)
    edited = tiny.root / "incidents" / "2025" / "2025-06-02-drone-strike-on-kyiv.yaml"
    edited.write_text(edited.read_text().replace("On 2025-06-02, ", "Early on 2025-06-02, "))
    build(tiny.project, today=TODAY, with_search=False)
    first, second = asked
    assert sorted(summary[:13] for summary in first) == ["On 2025-06-01", "On 2025-06-02", "On 2025-06-03"]
    assert [summary[:19] for summary in second] == ["Early on 2025-06-02"]


def test_the_templates_compile_while_the_files_are_hashed_only_in_a_build_that_cannot_be_up_to_date(tiny, monkeypatch):
    """With no last build, the build runs whatever its files hold: its templates compile on the core the hashing leaves
    idle. A build that may find nothing changed compiles nothing before it knows (else it would wait for them for nothing)."""
    tiny.write(NAME)
    steps: list[str] = []
    real_compile_ahead, real_hash_files = render.compile_ahead, archive.incremental.hash_files

    def compile_ahead(*arguments, **keywords):
        steps.append("compile")
        return real_compile_ahead(*arguments, **keywords)

    def hash_files(*arguments):
        steps.append("hash")
        return real_hash_files(*arguments)
    monkeypatch.setattr(pipeline, "compile_ahead", compile_ahead)
    monkeypatch.setattr(archive.incremental, "hash_files", hash_files)
    build(tiny.project, today=TODAY, with_search=False)
    assert steps == ["compile", "hash"]
    steps.clear()
    assert build(tiny.project, today=TODAY, with_search=False).up_to_date
    assert steps == ["hash"]
    (tiny.root / "site" / "index.html").unlink()  # the last build's output is gone: this one runs
    steps.clear()
    assert not build(tiny.project, today=TODAY, with_search=False).up_to_date
    assert steps == ["compile", "hash"]


def test_a_download_changed_in_site_since_the_last_build_is_written_whole(tiny, tmp_path):
    """The places of the incidents' parts are those of the file the last build wrote: a file changed since
    (here, the same length) is not copied from."""
    for day in ("2025-06-01", "2025-06-02"):
        tiny.write(f"{day}-drone-strike-on-kyiv", VALID_INCIDENT.replace("2025-06-06", day))
    build(tiny.project, today=TODAY, with_search=False)
    download = tiny.root / "site" / "data" / "incidents.json"
    text = download.read_text(encoding="utf-8")
    download.unlink()  # (a new file: the site's other files stay as they are)
    download.write_text(text.replace("Drone", "Xrone"), encoding="utf-8")
    edited = tiny.root / "incidents" / "2025" / "2025-06-02-drone-strike-on-kyiv.yaml"
    edited.write_text(edited.read_text().replace("title: Drone strike on Kyiv", "title: Drone strike on central Kyiv"))
    build(tiny.project, today=TODAY, with_search=False)
    assert site_files(tiny.root / "site")["data/incidents.json"] == clean_build(tiny.root, tmp_path / "clean")["data/incidents.json"]


def test_a_rebuild_links_the_search_index_shards_whose_records_are_the_same(tiny):
    tiny.write(NAME)
    build(tiny.project, today=TODAY, with_search=False)
    build(tiny.project, today=TODAY)  # the same pages: indexed, since the last build had no index
    shards = tiny.root / "site" / "search-index" / "shards"
    year, pages = sorted(shards.iterdir(), key=lambda shard: shard.name.startswith("pages"))
    first = (year / "docs" / "0.js").stat().st_ino, (pages / "docs" / "0.js").stat().st_ino
    build(tiny.project, today=TODAY + dt.timedelta(days=1))  # a build is due (a new day), but every record is the same
    assert ((year / "docs" / "0.js").stat().st_ino, (pages / "docs" / "0.js").stat().st_ino) == first
    tiny.write(NAME, VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strike on central Kyiv"))
    build(tiny.project, today=TODAY)
    assert (pages / "docs" / "0.js").stat().st_ino == first[1]  # the content pages' shard, linked
    assert not year.exists() and len(list(shards.iterdir())) == 2  # the incident's shard, written again under a new name


def test_preview_edits_writes_the_edited_incident_page_at_once(tiny):
    path = tiny.write(NAME)
    report = build(tiny.project, today=TODAY, with_search=False)
    assert report.archive is not None
    tiny.write(NAME, VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strike on central Kyiv"))
    edited = preview_edits(tiny.project, report.archive, [path], today=TODAY)
    assert edited is not None
    assert edited.incidents[0].title == "Drone strike on central Kyiv"
    assert "<h1>Drone strike on central Kyiv</h1>" in (tiny.root / "site" / "incidents" / NAME / "index.html").read_text()
    assert "Drone strike on central Kyiv" not in (tiny.root / "site" / "regions" / "ua-30" / "index.html").read_text()
    build(tiny.project, today=TODAY, with_search=False)  # the full build that follows updates the rest
    assert "Drone strike on central Kyiv" in (tiny.root / "site" / "regions" / "ua-30" / "index.html").read_text()

    # An edit previewed, then undone before any build succeeds: the next build must still run.
    tiny.write(NAME, VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strike on western Kyiv"))
    preview_edits(tiny.project, edited, [path], today=TODAY)
    tiny.write(NAME, VALID_INCIDENT.replace("title: Drone strike on Kyiv", "title: Drone strike on central Kyiv"))
    assert not build(tiny.project, today=TODAY, with_search=False).up_to_date
    assert "<h1>Drone strike on central Kyiv</h1>" in (tiny.root / "site" / "incidents" / NAME / "index.html").read_text()

    tiny.write(NAME, VALID_INCIDENT.replace("measure: killed", "measure: kiled"))
    assert preview_edits(tiny.project, edited, [path], today=TODAY) is None  # the full build will report the error
    assert preview_edits(tiny.project, edited, [tiny.write("2025-06-07-new", VALID_INCIDENT.replace("06-06", "06-07"))],
                         today=TODAY) is None


def test_the_processes_a_build_forks_inherit_the_readings_instead_of_working_them_out(tmp_path, monkeypatch):
    """The search index's process and the downloads' each read every incident's figures; the build reads
    them once, before forking them (each took 0.7 s of CPU in a full build of 10,000 incidents)."""
    from archive import figures
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 10)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # (workers are forked on a machine of one core too)
    read_by, downloads_by = tmp_path / "read-by", tmp_path / "downloads-by"
    real_read_group, real_write_downloads = figures._read_group, exports.write_downloads

    def read_group(*args):
        with open(read_by, "a") as log:
            log.write(f"{os.getpid()}\n")
        return real_read_group(*args)

    def write_downloads(*args):
        downloads_by.write_text(str(os.getpid()))
        return real_write_downloads(*args)

    monkeypatch.setattr(figures, "_read_group", read_group)
    monkeypatch.setattr(render, "write_downloads", write_downloads)
    figures.forget_readings()  # (other tests' readings are of other objects)
    root = tmp_path / "archive"
    generate(40, root, seed=3)
    build(Project(root=root), today=TODAY)
    assert downloads_by.read_text() != str(os.getpid())  # (the downloads were written by a forked process)
    assert set(read_by.read_text().split()) == {str(os.getpid())}


def test_a_totals_page_goes_when_its_total_is_down_to_one_incident_and_comes_back_with_a_second(tiny):
    """Incremental builds follow the rule of a clean one: a total of one incident links to that incident's claims."""
    from linkcheck import check_links

    lviv = "2025-03-01-strike-on-lviv"
    lviv_text = (VALID_INCIDENT.replace("2025-06-06", lviv[:10]).replace("UA-30, UA-32", "UA-46")
                 .replace("region: UA-32", "region: UA-46").replace("region: UA-30", "region: UA-46"))
    tiny.write(NAME)
    lviv_file = tiny.write(lviv, lviv_text)
    site, total_page = tiny.root / "site", "totals/total-killed-ukraine/index.html"
    for step in ("both", "Kyiv alone", "both again"):
        if step == "Kyiv alone":
            lviv_file.unlink()
        elif step == "both again":
            tiny.write(lviv, lviv_text)
        build(tiny.project, today=TODAY, with_search=False)
        home = (site / "index.html").read_text(encoding="utf-8")
        assert (site / total_page).is_file() == (step != "Kyiv alone"), step
        assert ('href="./totals/total-killed-ukraine/">2 incidents' in home) == (step != "Kyiv alone"), step
        assert (f'href="./incidents/{NAME}/#figures-killed-ua-30">1 incident: its claims' in home) == (step == "Kyiv alone"), step
        assert check_links(site)[0] == [], step
