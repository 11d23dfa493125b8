"""incremental.py: caches are used only when they can be trusted, never stop a build, and reuse only what is the same."""

import ast
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import archive.incremental
from archive.incremental import PreviousBuild, cache_usable, checking_digest, hash_files, page_key, read_checked_files, read_page_keys, write_page_keys
from archive.load import Document, find_incident_files, parse_yaml_bytes
from archive.pipeline import APP_DIR, Project, build, check
from conftest import TODAY, VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"


def test_a_cache_outside_git_is_used(tiny):
    tiny.write(NAME)
    check(tiny.project, today=TODAY)
    assert cache_usable(tiny.root)
    assert NAME in next(iter(read_checked_files(tiny.root, checking_digest(tiny.project)).files))


def test_a_damaged_cache_of_checked_files_is_checked_again_and_made_whole(tiny):
    tiny.write(NAME)
    first, _ = check(tiny.project, today=TODAY)
    assert first is not None
    cached = tiny.root / ".cache" / "checked-files.json"
    text = cached.read_text(encoding="utf-8")
    stored = json.loads(text)
    for damaged in (text[: len(text) // 2], "not json", json.dumps({**stored, "entries": [{"path": 3}]}),
                    json.dumps({**stored, "entries": {}}), json.dumps(stored, indent=2)):  # the last is whole, only laid out otherwise
        cached.write_text(damaged, encoding="utf-8")
        archive, _ = check(tiny.project, today=TODAY)
        assert archive is not None and [incident.title for incident in archive.incidents] == [incident.title for incident in first.incidents]
        assert json.loads(cached.read_text(encoding="utf-8")) == stored


@pytest.mark.parametrize("layout", ["as written", "laid out otherwise"])
def test_after_an_edit_the_cache_holds_the_edited_file_and_the_others_as_they_were(tiny, layout):
    tiny.write(NAME)
    other = "2025-06-07-second-strike"
    tiny.write(other, VALID_INCIDENT.replace("2025-06-06", "2025-06-07").replace("Drone strike on Kyiv", "Second strike on Kyiv"))
    check(tiny.project, today=TODAY)
    if layout == "laid out otherwise":  # no line of it can be written back as it is: every file is written anew
        cached = tiny.root / ".cache" / "checked-files.json"
        cached.write_text(json.dumps(json.loads(cached.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    before = read_checked_files(tiny.root, checking_digest(tiny.project)).files
    edited = tiny.root / "incidents" / "2025" / f"{NAME}.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Drone strike on Kyiv", "Drone strike on Kyiv, edited"), encoding="utf-8")
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    after = read_checked_files(tiny.root, checking_digest(tiny.project)).files
    assert after.keys() == before.keys()
    edited_path, other_path = f"incidents/2025/{NAME}.yaml", f"incidents/2025/{other}.yaml"
    assert after[edited_path].data["title"] == "Drone strike on Kyiv, edited"
    assert after[other_path] == before[other_path]


def test_a_cache_read_again_in_the_same_process_is_read_as_a_first_read_reads_it(tiny, monkeypatch):
    """serve reads the cache after each edit, parsing only the lines it has not read before: what it
    gets must be what a process reading the cache for the first time gets, whatever changed in it."""
    tiny.write(NAME)
    other = "2025-06-07-second-strike"
    tiny.write(other, VALID_INCIDENT.replace("2025-06-06", "2025-06-07").replace("Drone strike on Kyiv", "Second strike on Kyiv"))
    check(tiny.project, today=TODAY)
    version = checking_digest(tiny.project)
    cached = tiny.root / ".cache" / "checked-files.json"
    text = cached.read_text(encoding="utf-8")
    read_checked_files(tiny.root, version)

    def first_read() -> dict:
        monkeypatch.setattr(archive.incremental, "_last_read", {})
        monkeypatch.setattr(archive.incremental, "_last_parsed", None)
        return read_checked_files(tiny.root, version).files

    cached.write_text(text.replace('"title":"Second strike on Kyiv"', '"title":"Changed by hand"'), encoding="utf-8")
    again = read_checked_files(tiny.root, version).files
    assert again[f"incidents/2025/{other}.yaml"].data["title"] == "Changed by hand"
    assert again[f"incidents/2025/{NAME}.yaml"].data["title"] == "Drone strike on Kyiv"
    assert again == first_read()
    read_checked_files(tiny.root, version)
    for damaged in (text.replace('"title":"Second strike on Kyiv"', '"title":"Second strike on Kyiv'),  # a line is no JSON
                    text.replace(f'"path":"incidents/2025/{other}.yaml"', '"where":"elsewhere"'),  # a line is no file's
                    text.replace(json.dumps(version), json.dumps("another version"))):
        cached.write_text(damaged, encoding="utf-8")
        assert read_checked_files(tiny.root, version).files == first_read() == {}, damaged[:80]
        cached.write_text(text, encoding="utf-8")
        read_checked_files(tiny.root, version)


def test_a_file_taken_from_the_cache_is_the_file_checked(tiny):
    """What the cache gives back of a file is what checking it gave: its data (text of any script, numbers,
    lists and mappings) and its warnings."""
    path = tiny.write(NAME, VALID_INCIDENT.replace("Drone strike on Kyiv", "Удар дронів по Києву \u201cKyiv\u201d \\ \u00e9\t1 TODO"))
    document = Document(path, f"incidents/2025/{NAME}.yaml")
    assert parse_yaml_bytes(path.read_bytes(), document) == []
    _, problems = check(tiny.project, today=TODAY)
    cached = read_checked_files(tiny.root, checking_digest(tiny.project)).files[document.display_path]
    assert cached.data == document.data and cached.data["title"] == "Удар дронів по Києву \u201cKyiv\u201d \\ \u00e9\t1 TODO"
    assert cached.warnings == problems and [problem.message for problem in problems] == ["`title` still has a TODO placeholder"]


def test_a_cache_line_holds_what_only_json_can_write_too():
    """orjson writes the lines; what it refuses (a key that is not text, which the loader never makes) is written
    by json.dumps, not left to stop the check."""
    line = archive.incremental._checked_file_line("incidents/a.yaml", "hash", {1: "one", "n": 2**70}, [], {("previous_ids", 0): (3, 4)})
    assert json.loads(line) == {"path": "incidents/a.yaml", "file_hash": "hash", "data": {"1": "one", "n": 2**70}, "warnings": [],
                                "positions": {'["previous_ids", 0]': [3, 4]}}


def test_a_cache_that_git_tracks_is_not_trusted(tiny):
    tiny.write(NAME)
    check(tiny.project, today=TODAY)
    cached = tiny.root / ".cache" / "checked-files.json"
    forged = cached.read_text(encoding="utf-8").replace("Drone strike on Kyiv", "<script>alert(1)</script>")
    cached.write_text(forged, encoding="utf-8")
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    assert archive.incidents[0].title == "<script>alert(1)</script>"  # our own cache is trusted ...
    subprocess.run(["git", "init", "-q", str(tiny.root)], check=True)
    subprocess.run(["git", "-C", str(tiny.root), "add", "-f", ".cache"], check=True)
    assert not cache_usable(tiny.root)
    archive, _ = check(tiny.project, today=TODAY)
    assert archive is not None
    assert archive.incidents[0].title == "Drone strike on Kyiv"  # ... one that came with the content is not


def test_a_cache_is_not_trusted_when_git_cannot_answer(tiny, monkeypatch):
    tiny.write(NAME)
    subprocess.run(["git", "init", "-q", str(tiny.root)], check=True)
    (tiny.root / ".git" / "HEAD").write_text("garbage\n")  # git now refuses to read the repository
    assert not cache_usable(tiny.root)


def test_a_read_only_checkout_still_checks_and_builds(tiny):
    tiny.write(NAME)
    (tiny.root / ".cache").write_text("not a folder")  # the cache cannot be written
    archive, problems = check(tiny.project, today=TODAY)
    assert archive is not None and not [p for p in problems if p.is_error]
    build(tiny.project, today=TODAY, with_search=False)
    assert (tiny.root / "site" / "incidents" / NAME / "index.html").is_file()


def test_a_site_put_back_by_hand_is_not_taken_for_the_last_build(tiny, tmp_path):
    tiny.write(NAME)
    build(tiny.project, today=TODAY, with_search=False)
    site = tiny.root / "site"
    write_page_keys(tiny.root, "v1", site, {"index.html": "key"})
    assert read_page_keys(tiny.root, "v1", site) == {"index.html": "key"}
    assert read_page_keys(tiny.root, "v2", site) == {}  # another version of the code
    shutil.copytree(site, tmp_path / "backup")
    shutil.rmtree(site)
    shutil.copytree(tmp_path / "backup", site)
    assert read_page_keys(tiny.root, "v1", site) == {}


def test_an_edit_is_seen_even_when_size_and_modification_time_are_put_back(tiny, monkeypatch):
    monkeypatch.setattr(archive.incremental, "RECENT_NS", 0)  # record files just written, as if they were old
    path = tiny.write(NAME)
    build(tiny.project, today=TODAY, with_search=False)
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Drone strike on Kyiv", "Drone strike on Lviv"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as rsync -t or a backup tool would
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    build(tiny.project, today=TODAY, with_search=False)
    assert "Drone strike on Lviv" in (tiny.root / "site" / "incidents" / NAME / "index.html").read_text(encoding="utf-8")


def incident_file_hashes(project: Project) -> dict[Path, str]:
    """What a build reads first: the hash of every incident file."""
    return hash_files(project.root, find_incident_files(project.incidents_dir), project.repository)


def test_a_file_unchanged_since_the_last_build_is_not_read_again(tiny, monkeypatch):
    monkeypatch.setattr(archive.incremental, "RECENT_NS", 0)
    path = tiny.write(NAME)
    first = incident_file_hashes(tiny.project)
    stored = tiny.root / ".cache" / "file-hashes.json"
    entries = json.loads(stored.read_text(encoding="utf-8"))
    entries["entries"][f"incidents/2025/{NAME}.yaml"][4] = "remembered"
    stored.write_text(json.dumps(entries), encoding="utf-8")
    assert incident_file_hashes(tiny.project) == {path: "remembered"}  # taken from the record, not from the file
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert incident_file_hashes(tiny.project)[path] not in ("remembered", first[path])


def test_a_file_changed_in_the_last_seconds_is_not_recorded(tiny):
    tiny.write(NAME)
    incident_file_hashes(tiny.project)  # another edit within the same clock tick could keep every time as it was
    stored = tiny.root / ".cache" / "file-hashes.json"
    assert not stored.exists() or NAME not in stored.read_text(encoding="utf-8")


def test_file_hashes_are_recorded_by_repository_path_from_a_relative_root_too(tiny, monkeypatch):
    monkeypatch.setattr(archive.incremental, "RECENT_NS", 0)
    tiny.write(NAME)
    monkeypatch.chdir(tiny.root)
    incident_file_hashes(Project(root=Path(".")))
    recorded = json.loads((tiny.root / ".cache" / "file-hashes.json").read_text(encoding="utf-8"))["entries"]
    assert list(recorded) == [f"incidents/2025/{NAME}.yaml"]


# --- reuse decisions ------------------------------------------------------------------------

def test_a_page_is_linked_from_the_previous_build_only_when_its_key_or_its_bytes_are_the_same(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    (old / "a").mkdir(parents=True)
    (old / "a" / "index.html").write_bytes(b"<p>a</p>")
    previous = PreviousBuild(old, {"a/index.html": "key-a"})
    assert not previous.link_unchanged("a/index.html", "another key", new)
    assert not previous.link_unchanged("a/index.html", None, new)  # a page rendered every time
    assert not previous.link_unchanged("b/index.html", "key-a", new)  # no such page before
    assert not previous.link_same_bytes("a/index.html", b"<p>A</p>", new)
    assert previous.link_same_bytes("a/index.html", b"<p>a</p>", new)
    assert (new / "a" / "index.html").stat().st_ino == (old / "a" / "index.html").stat().st_ino
    (new / "a" / "index.html").unlink()
    assert previous.link_unchanged("a/index.html", "key-a", new)
    assert (new / "a" / "index.html").stat().st_ino == (old / "a" / "index.html").stat().st_ino
    assert previous.built("a/index.html") and not previous.built("b/index.html")


def test_a_page_key_changes_with_each_thing_the_page_is_rendered_from():
    key = page_key("v1", "a/index.html", "incident.html", "inputs")
    assert page_key("v1", "a/index.html", "incident.html", None) is None
    others = [page_key("v2", "a/index.html", "incident.html", "inputs"), page_key("v1", "b/index.html", "incident.html", "inputs"),
              page_key("v1", "a/index.html", "month.html", "inputs"), page_key("v1", "a/index.html", "incident.html", "other")]
    assert key not in others and len(set(others)) == 4


def test_incremental_and_git_never_reach_up_the_flow():
    """incremental and git are consulted by the flow's steps: they import none of the steps after load, nor pipeline."""
    for module, allowed in (("incremental", {"config", "files", "git", "load", "problems", "project"}), ("git", set()),
                            ("project", {"files"})):
        tree = ast.parse((APP_DIR / "archive" / f"{module}.py").read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}
        assert imported <= allowed, (module, imported - allowed)
    for path in (APP_DIR / "archive").glob("*.py"):
        if path.stem not in ("pipeline", "serve"):
            assert "from .pipeline import" not in path.read_text(encoding="utf-8"), path.name


def test_rendering_and_indexing_never_import_the_steps_before_them_that_read_files():
    """render and search work from the model: the last build is handed to render (EarlierBuild), never looked up by it."""
    for module in ("render", "search", "charts", "paging", "figures", "exports"):
        tree = ast.parse((APP_DIR / "archive" / f"{module}.py").read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}
        assert not imported & {"incremental", "git", "load", "pipeline", "project", "validate"}, (module, imported)
