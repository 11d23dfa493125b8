"""config.py: site.yaml read like incident files (every problem at its line and column, the same through
check and build, never a traceback), the repository links, and a fork's links from GitHub's variables."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from archive.config import DEFAULTS, ENVIRONMENT_VARIABLES, SETTINGS, SITE_SCHEMA, SiteConfig, load_config, site_schema
from archive.pipeline import build
from conftest import REPO, TODAY

NAME = "2025-06-06-drone-strike-on-kyiv"
PATH = f"incidents/2025/{NAME}.yaml"
NO_ENVIRONMENT: dict[str, str] = {}


@pytest.fixture(autouse=True)
def no_settings_from_the_environment(monkeypatch):
    """These tests say which variables a build sees: CI runs on GitHub Actions, which sets GITHUB_REPOSITORY."""
    for name in ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


# --- the settings, described once -------------------------------------------------------------

def test_each_setting_is_described_once_and_the_schema_file_is_written_from_it():
    assert [field.name for field in dataclasses.fields(SiteConfig)] == [setting.name for setting in SETTINGS]
    assert {field.name: field.default for field in dataclasses.fields(SiteConfig)} == DEFAULTS
    assert all(len(setting.meaning) > 30 for setting in SETTINGS)
    assert json.loads(SITE_SCHEMA.read_text(encoding="utf-8")) == site_schema(), \
        "schema/site.schema.json is out of date: run `python -m archive.config > schema/site.schema.json`"


def test_the_shipped_site_yaml_is_valid_and_points_editors_at_its_schema():
    config, problems = load_config(REPO / "site.yaml", environ=NO_ENVIRONMENT)
    assert problems == [] and config.title == "Incident Archive"
    assert "$schema=schema/site.schema.json" in (REPO / "site.yaml").read_text(encoding="utf-8").splitlines()[0]


# --- repository links -------------------------------------------------------------------------

def test_github_gitlab_and_gitea_links():
    github = SiteConfig(repository="https://github.com/owner/archive", branch="main")
    assert github.edit_url(PATH) == f"https://github.com/owner/archive/edit/main/{PATH}"
    assert github.history_url(PATH) == f"https://github.com/owner/archive/commits/main/{PATH}"
    query = parse_qs(urlsplit(github.new_issue_url("Problem with x", "Page: y") or "").query)
    assert query == {"title": ["Problem with x"], "body": ["Page: y"]}
    gitlab = SiteConfig(repository="https://gitlab.com/owner/archive/", branch="trunk")
    assert gitlab.edit_url(PATH) == f"https://gitlab.com/owner/archive/-/edit/trunk/{PATH}"
    assert (gitlab.new_issue_url("t", "b") or "").startswith("https://gitlab.com/owner/archive/-/issues/new?issue%5Btitle%5D=t")
    assert SiteConfig(repository="https://codeberg.org/o/a").edit_url(PATH) == f"https://codeberg.org/o/a/_edit/main/{PATH}"
    assert SiteConfig().edit_url(PATH) is None and SiteConfig().new_issue_url("t", "b") is None


def test_incident_pages_link_to_the_editor_and_a_prefilled_issue(tiny):
    (tiny.root / "site.yaml").write_text("repository: https://github.com/owner/archive\nbranch: main\nurl: https://example.org/archive/\n")
    tiny.write(NAME)
    build(tiny.project, today=TODAY)
    page = (tiny.root / "site" / "incidents" / NAME / "index.html").read_text()
    assert f'<a href="https://github.com/owner/archive/edit/main/{PATH}" rel="noopener">Suggest a correction</a>' in page
    issue = page[page.index('href="https://github.com/owner/archive/issues/new?') + 6:]
    issue = issue[:issue.index('"')].replace("&amp;", "&")
    body = parse_qs(urlsplit(issue).query)["body"][0]
    assert f"Incident: {NAME}" in body and f"Page: https://example.org/archive/incidents/{NAME}/" in body


def test_no_links_without_a_repository(tiny):
    tiny.write(NAME)
    build(tiny.project, today=TODAY)
    page = (tiny.root / "site" / "incidents" / NAME / "index.html").read_text()
    assert "Suggest a correction" not in page and "Report a problem" not in page
    assert 'rel="canonical"' not in page and not (tiny.root / "site" / "sitemap.xml").exists()


# --- problems in site.yaml, located -------------------------------------------------------------

def problems_in(tmp_path: Path, text: str, environ: dict[str, str] = NO_ENVIRONMENT) -> tuple[SiteConfig, list[str]]:
    path = tmp_path / "site.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    config, problems = load_config(path, environ=environ)
    return config, [str(problem) for problem in problems]


MALFORMED = {
    "a YAML 1.1 yes/no value": (
        "title: no\n",
        ['site.yaml:1:8: error: unquoted `no` is read by YAML 1.1 as a yes/no value, not as text; write "no" in quotes']),
    "wrong types": (
        "title: false\nurl: 3\nbranch: [main]\noffline_cache: \"yes\"\n",
        ["site.yaml:1:8: error: `title` must be text, not `false` (a yes/no value)",
         "site.yaml:2:6: error: `url` must be text, not the number 3",
         "site.yaml:3:9: error: `branch` must be text, not a list",
         'site.yaml:4:16: error: `offline_cache` must be true or false, not the text "yes"']),
    "unknown keys": (
        "title: Archive\n  # a comment\ncolour: red\ntitel: Archive\n",
        ["site.yaml:3:1: error: unknown setting `colour`; known settings: title, url, repository, branch, offline_cache",
         "site.yaml:4:1: error: unknown setting `titel`; did you mean `title`?"]),
    "a duplicated key": (
        "title: Archive\nbranch: main\ntitle: Other\n",
        ["site.yaml:3:1: error: duplicate key `title` (first at line 1); keep one of them"]),
    "addresses that are not web addresses": (
        "url: example.org\nrepository: javascript:alert(1)\n",
        ["site.yaml:1:6: error: `url` is `example.org`, which is not an http(s) address such as https://example.org/archive/, "
         "without user name, password, ?query or #fragment",
         "site.yaml:2:13: error: `repository` is `javascript:alert(1)`, which is not the http(s) address of a repository, "
         "such as https://github.com/OWNER/REPOSITORY"]),
    "a password in an address": (
        "repository: https://user:token@github.com/owner/archive\n",
        ["site.yaml:1:13: error: `repository` is `https://user:token@github.com/owner/archive`, which is not the http(s) address "
         "of a repository, such as https://github.com/OWNER/REPOSITORY"]),
    "an empty title and a branch with a space": (
        "title: ''\nbranch: my branch\n",
        ["site.yaml:1:8: error: `title` must not be empty",
         "site.yaml:2:9: error: `branch` is `my branch`, which is not a branch name, without spaces"]),
    "characters that hide text, and a line break": (
        'title: "Arch\\0ive"\nrepository: "https://github.com/owner/arch\\u202eive"\nbranch: "main\\nx"\n',
        ["site.yaml:1:8: error: `title` contains U+0000 at character 5; retype it on one line without it",
         "site.yaml:2:13: error: `repository` contains RIGHT-TO-LEFT OVERRIDE (U+202E) at character 30; retype it on one line without it",
         "site.yaml:3:9: error: `branch` contains U+000A at character 5; retype it on one line without it"]),
    "a list instead of settings": (
        "- title: Archive\n",
        ["site.yaml:1:1: error: site.yaml must be a mapping of fields (`name: value` lines), not a list"]),
    "a syntax error": (
        "title: Archive\nurl: [https://example.org/\n",
        ["site.yaml:3:1: error: YAML syntax: did not find expected ',' or ']'"]),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_each_kind_of_malformed_site_yaml_is_reported_at_its_line_and_column(tmp_path, case):
    text, expected = MALFORMED[case]
    assert problems_in(tmp_path, text)[1] == expected


def test_a_setting_with_a_problem_keeps_its_default_and_the_others_are_read(tmp_path):
    config, found = problems_in(tmp_path, "repository: javascript:alert(1)\nurl: https://example.org/archive\ntitle: Kyiv strikes\n")
    assert len(found) == 1
    assert config == SiteConfig(title="Kyiv strikes", url="https://example.org/archive/")


@pytest.mark.parametrize("text", ["", "\n\n", "# only comments\n# here\n", "---\n# nothing yet\n", "url:\nrepository:\n"])
def test_an_empty_site_yaml_means_the_defaults(tmp_path, text):
    assert problems_in(tmp_path, text) == (SiteConfig(), [])


def test_a_missing_site_yaml_means_the_defaults(tmp_path):
    assert load_config(tmp_path / "site.yaml", environ=NO_ENVIRONMENT) == (SiteConfig(), [])


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {name: value for name, value in os.environ.items() if name not in ENVIRONMENT_VARIABLES}
    return subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *args], capture_output=True, text=True,
                          timeout=120, env={**environment, **(env or {})})


def test_check_and_build_print_the_same_located_problems_and_never_a_traceback(tiny):
    tiny.write(NAME)
    (tiny.root / "site.yaml").write_text("title: no\noffline_cache: 1\ncolour: red\ntitle: Again\n", encoding="utf-8")
    expected = [
        'site.yaml:1:8: error: unquoted `no` is read by YAML 1.1 as a yes/no value, not as text; write "no" in quotes',
        "site.yaml:2:16: error: `offline_cache` must be true or false, not the number 1",
        "site.yaml:3:1: error: unknown setting `colour`; known settings: title, url, repository, branch, offline_cache",
        "site.yaml:4:1: error: duplicate key `title` (first at line 1); keep one of them",
    ]
    checked = run(tiny.root, "check")
    built = run(tiny.root, "build", "--no-search")
    assert (checked.returncode, built.returncode) == (1, 1)
    assert checked.stdout.splitlines() == expected == built.stdout.splitlines()
    assert "4 error(s), 0 warning(s)" in checked.stderr
    assert "Build failed" in built.stderr and not (tiny.root / "site").exists()
    assert "Traceback" not in checked.stderr + built.stderr


# --- a fork's links from GitHub's variables ----------------------------------------------------

FORK = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "fork-owner/archive",
        "ARCHIVE_SITE_URL": "https://fork-owner.github.io/archive"}


def built_links(root: Path) -> dict[str, str]:
    page = (root / "site" / "incidents" / NAME / "index.html").read_text(encoding="utf-8")
    sitemap = root / "site" / "sitemap.xml"
    return {"page": page, "sitemap": sitemap.read_text(encoding="utf-8") if sitemap.exists() else "",
            "robots": (root / "site" / "robots.txt").read_text(encoding="utf-8")}


def test_a_fork_publishes_with_its_own_links_from_githubs_variables(tiny):
    tiny.write(NAME)
    result = run(tiny.root, "build", "--no-search", env=FORK)
    assert result.returncode == 0, result.stderr
    built = built_links(tiny.root)
    assert f'<a href="https://github.com/fork-owner/archive/edit/main/{PATH}" rel="noopener">Suggest a correction</a>' in built["page"]
    assert 'href="https://github.com/fork-owner/archive/issues/new?' in built["page"]
    assert f'<link rel="canonical" href="https://fork-owner.github.io/archive/incidents/{NAME}/">' in built["page"]
    assert f"https://fork-owner.github.io/archive/incidents/{NAME}/." in built["page"]  # the citation's absolute link
    assert f"<loc>https://fork-owner.github.io/archive/incidents/{NAME}/</loc>" in built["sitemap"]
    assert "Sitemap: https://fork-owner.github.io/archive/sitemap.xml" in built["robots"]


def test_site_yaml_wins_over_the_environment(tiny):
    tiny.write(NAME)
    (tiny.root / "site.yaml").write_text("url: https://archive.example.org/\nrepository: https://codeberg.org/upstream/archive\n",
                                         encoding="utf-8")
    result = run(tiny.root, "build", "--no-search", env=FORK)
    assert result.returncode == 0, result.stderr
    built = built_links(tiny.root)
    assert f'href="https://codeberg.org/upstream/archive/_edit/main/{PATH}"' in built["page"]
    assert f'<link rel="canonical" href="https://archive.example.org/incidents/{NAME}/">' in built["page"]
    assert f"<loc>https://archive.example.org/incidents/{NAME}/</loc>" in built["sitemap"]
    assert "fork-owner" not in built["page"] + built["sitemap"] + built["robots"]


def test_a_change_of_the_variables_alone_renders_the_pages_again(tiny):
    """The variables are part of what pages are rendered from: an incremental build does not keep the old links."""
    tiny.write(NAME)
    assert run(tiny.root, "build", "--no-search", env=FORK).returncode == 0
    moved = {**FORK, "GITHUB_REPOSITORY": "new-owner/archive", "ARCHIVE_SITE_URL": "https://new-owner.github.io/archive"}
    result = run(tiny.root, "build", "--no-search", env=moved)
    assert result.returncode == 0 and "up to date" not in result.stdout
    built = built_links(tiny.root)
    assert "fork-owner" not in built["page"] + built["sitemap"]
    assert f'href="https://github.com/new-owner/archive/edit/main/{PATH}"' in built["page"]
    assert f"<loc>https://new-owner.github.io/archive/incidents/{NAME}/</loc>" in built["sitemap"]
    assert "up to date" in run(tiny.root, "build", "--no-search", env=moved).stdout


def test_only_the_variables_that_are_set_are_used(tmp_path):
    path = tmp_path / "site.yaml"
    assert load_config(path, environ={"GITHUB_REPOSITORY": "o/a"}) == (SiteConfig(), [])  # no server: no address
    assert load_config(path, environ={"GITHUB_SERVER_URL": "https://ghe.example.com/", "GITHUB_REPOSITORY": "o/a",
                                      "ARCHIVE_SITE_URL": ""}) == (SiteConfig(repository="https://ghe.example.com/o/a"), [])


def test_a_bad_address_in_the_environment_is_reported_and_left_out(tmp_path):
    config, problems = load_config(tmp_path / "site.yaml", environ={"ARCHIVE_SITE_URL": "owner.github.io/archive"})
    assert config.url is None
    assert [str(problem) for problem in problems] == [
        "site.yaml:1:1: error: `url` is not set here, so it is taken from the environment (ARCHIVE_SITE_URL); `owner.github.io/archive` "
        "is not an http(s) address such as https://example.org/archive/, without user name, password, ?query or #fragment. "
        "Set `url` in site.yaml, or fix the environment variable"]


def test_the_publish_workflow_passes_the_pages_address_to_the_build():
    import yaml

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    pages = next(step for step in steps if str(step.get("uses", "")).startswith("actions/configure-pages@"))
    build_step = next(step for step in steps if step.get("run") == "make site")
    assert steps.index(pages) < steps.index(build_step)
    assert build_step["env"]["ARCHIVE_SITE_URL"] == "${{ steps." + pages["id"] + ".outputs.base_url }}"
    assert workflow["jobs"]["build"]["permissions"]["pages"] == "read"


@pytest.mark.parametrize("text, message", [
    ("~\n", "site.yaml:1:1: error: file holds no data; it is a mapping of `name: value` lines"),
    ("title: &name Archive\nbranch: *name\n", "site.yaml:1:8: error: YAML anchors (&name) and aliases (*name) are not allowed in "
                                               "settings and vocabulary files; write the value out"),
])
def test_the_loaders_messages_about_site_yaml_speak_of_settings_not_incidents(tmp_path, text, message):
    assert problems_in(tmp_path, text)[1] == [message]
