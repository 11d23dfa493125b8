"""config.py: the repository links on incident pages, with and without configuration."""

from urllib.parse import parse_qs, urlsplit

from archive.config import SiteConfig, load_config
from archive.pipeline import build
from conftest import TODAY

NAME = "2025-06-06-drone-strike-on-kyiv"
PATH = f"incidents/2025/{NAME}.yaml"


def test_github_gitlab_and_gitea_links():
    github = SiteConfig(repository="https://github.com/owner/archive", branch="main")
    assert github.edit_url(PATH) == f"https://github.com/owner/archive/edit/main/{PATH}"
    assert github.history_url(PATH) == f"https://github.com/owner/archive/commits/main/{PATH}"
    query = parse_qs(urlsplit(github.new_issue_url("Problem with x", "Page: y")).query)
    assert query == {"title": ["Problem with x"], "body": ["Page: y"]}
    gitlab = SiteConfig(repository="https://gitlab.com/owner/archive/", branch="trunk")
    assert gitlab.edit_url(PATH) == f"https://gitlab.com/owner/archive/-/edit/trunk/{PATH}"
    assert gitlab.new_issue_url("t", "b").startswith("https://gitlab.com/owner/archive/-/issues/new?issue%5Btitle%5D=t")
    assert SiteConfig(repository="https://codeberg.org/o/a").edit_url(PATH) == f"https://codeberg.org/o/a/_edit/main/{PATH}"
    assert SiteConfig().edit_url(PATH) is None and SiteConfig().new_issue_url("t", "b") is None


def test_load_config_defaults_and_errors(tmp_path):
    assert load_config(tmp_path / "missing.yaml") == (SiteConfig(), [])
    path = tmp_path / "site.yaml"
    path.write_text("repository: javascript:alert(1)\nurl: https://example.org/archive\ncolour: red\n")
    config, problems = load_config(path)
    assert config.repository is None and config.url == "https://example.org/archive/"
    assert sorted(p.message for p in problems) == [
        "`repository` must be an http(s) address, not 'javascript:alert(1)'",
        "unknown setting `colour`; known: branch, offline_cache, repository, title, url"]


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
