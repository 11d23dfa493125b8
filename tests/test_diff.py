"""diff.py: the reviewer's report, against a temporary git repository with real commits."""

import subprocess

import pytest

from archive.diff import GitError, content_diff
from conftest import VALID_INCIDENT

NAME = "2025-06-06-drone-strike-on-kyiv"


def git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tiny):
    root = tiny.root
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "test@example.org")
    git(root, "config", "user.name", "Test")
    tiny.write(NAME)
    commit(root, "first")
    return tiny


def commit(root, message):
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def report(tiny, base="HEAD~1", head="HEAD"):
    return content_diff(tiny.root, base, head)


def test_a_changed_figure_shows_old_and_new_with_sources_and_excerpts(repo):
    repo.write(NAME, VALID_INCIDENT.replace("    value: 4\n    qualifier: at least\n", "    value: 5\n    qualifier: exactly\n")
               .replace("At least four people were killed", "Five people were killed"))
    commit(repo.root, "figure changed")
    text, changed = report(repo)
    assert changed
    assert f"- **Changed** `{NAME}`: Drone strike on Kyiv" in text
    assert ("  - figure changed: killed (UA-30), claimed by Vitali Klitschko: **at least 4** → **5**; "
            "⚠ no corrections entry accompanies this change") in text
    assert "    - before (source `mt`: The Moscow Times, https://www.themoscowtimes.com/" in text
    assert '"At least four people were killed and 20 wounded in the capital."' in text
    assert '"Five people were killed and 20 wounded in the capital."' in text


def test_a_figure_change_with_a_corrections_entry_says_so(repo):
    repo.write(NAME, VALID_INCIDENT.replace("    value: 4\n", "    value: 5\n").replace(
        "corrections: []", "corrections:\n  - {date: 2025-06-07, change: Killed in Kyiv 4 to 5, reason: Updated count}"))
    commit(repo.root, "corrected")
    text, _ = report(repo)
    assert "**at least 4** → **at least 5**; with a corrections entry" in text
    assert "corrections entry added (2025-06-07): Killed in Kyiv 4 to 5; why: Updated count" in text


def test_incident_added_and_removed(repo):
    (repo.root / "incidents" / "2025" / f"{NAME}.yaml").unlink()
    repo.write("2025-06-07-strike-on-lviv", VALID_INCIDENT.replace("2025-06-06", "2025-06-07"))
    commit(repo.root, "swap")
    text, _ = report(repo)
    assert "- **Added** `2025-06-07-strike-on-lviv`: Drone strike on Kyiv" in text
    assert "  - figure added: killed (UA-30), claimed by Vitali Klitschko: **at least 4**" in text
    assert f"- **Removed** `{NAME}`: Drone strike on Kyiv" in text
    assert f"  - ⚠ broken permalink: no incident lists `{NAME}` in `previous_ids`" in text


def test_a_renamed_file_listing_its_old_id_is_a_rename_not_a_removal(repo):
    (repo.root / "incidents" / "2025" / f"{NAME}.yaml").unlink()
    repo.write("2025-06-05-drone-strike-on-kyiv", VALID_INCIDENT.replace("2025-06-06", "2025-06-05")
               .replace("corrections: []", f"corrections: []\nprevious_ids: [{NAME}]"))
    commit(repo.root, "renamed")
    text, _ = report(repo)
    assert f"- **Renamed** `{NAME}` → `2025-06-05-drone-strike-on-kyiv` (the old address redirects)" in text
    assert "date: \"2025-06-06\" → \"2025-06-05\"" in text
    assert "broken permalink" not in text and "**Removed**" not in text


def test_a_code_only_change_has_no_content_changes(repo):
    (repo.root / "notes.txt").write_text("code, not content")
    commit(repo.root, "code only")
    text, changed = report(repo)
    assert not changed
    assert text.endswith("no content changes\n")


def test_quotes_and_sources_changes_are_listed(repo):
    repo.write(NAME, VALID_INCIDENT.replace("They worked under fire to help people.", "They worked under fire.")
               .replace("    published: 2025-06-06\n", "    published: 2025-06-07\n"))
    commit(repo.root, "quote")
    text, _ = report(repo)
    assert '  - quote removed: Ihor Klymenko: "They worked under fire to help people." (source `mt`)' in text
    assert '  - quote added: Ihor Klymenko: "They worked under fire." (source `mt`)' in text
    assert "  - source changed `mt`:" in text and "published: 2025-06-07" in text


def test_an_unknown_revision_is_a_clear_error(repo):
    with pytest.raises(GitError, match="`nope` is not a commit"):
        report(repo, base="nope")


def test_yaml_text_cannot_hide_the_rest_of_the_report(repo):
    repo.write(NAME, VALID_INCIDENT.replace("title: Drone strike on Kyiv", 'title: "Typo fix <!--"').replace("    value: 4\n", "    value: 5\n"))
    commit(repo.root, "sneaky")
    text, _ = report(repo)
    assert "<!--" not in text and "Typo fix &lt;!--" in text
    assert "⚠ no corrections entry accompanies this change" in text
