"""diff.py: the reviewer's report, against a temporary git repository with real commits."""

import os
import re
import subprocess
import unicodedata

import markdown
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from archive.diff import Version, _report, content_diff
from archive.git import GitError
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


# --- what the Markdown report shows, and what it must never do ------------------------
# The report is rendered as GitHub-flavoured Markdown. These helpers read it the way a
# CommonMark renderer reads inline text, independently of diff.py's code.

ESCAPE, ENTITY, CODE_SPAN = r"\\([!-/:-@\[-`{-~])", r"&(amp|lt|gt);", r"`([^`\n]+)`"
TOKEN = re.compile(f"{ESCAPE}|{ENTITY}|{CODE_SPAN}")
MARKER = re.compile(r"\\\[U\+([0-9A-F]{4,6})\\\]")  # an invisible character made visible: \[U+202E\]
OUR_CODE_SPANS = {"python build.py check", "previous_ids"}  # the report's own words, not content
INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


def shown(text: str) -> str:
    """The text a renderer shows: backslash escapes, entities and code spans resolved."""
    return TOKEN.sub(lambda m: m[1] or {"amp": "&", "lt": "<", "gt": ">"}.get(m[2]) or m[3], text)


def original(text: str) -> str:
    """The content a piece of the report stands for: markers turned back into their characters, then shown."""
    return shown(MARKER.sub(lambda m: chr(int(m[1], 16)), text))


def assert_inert(text: str) -> None:
    """No content in `text` can be read as Markdown or HTML, or hide."""
    assert "<" not in text  # no HTML tag, comment or autolink, whatever follows
    for char in text:
        assert char == "\n" or unicodedata.category(char) not in INVISIBLE, f"U+{ord(char):04X} in the report"
    for line in text.splitlines():  # content never starts a line: no heading, list, quote or table of its own
        assert line == "" or line == "no content changes" or re.match(r"(## |- |  - |    - )", line), line
    # What is left once every backslash escape is taken out is the report's own syntax.
    bare = re.sub(ESCAPE, "x", text)
    spans = re.findall(CODE_SPAN, bare)
    assert all(span in OUR_CODE_SPANS or set(span) <= set("@#") for span in spans), spans
    bare = re.sub(CODE_SPAN, "x", bare)
    assert "`" not in bare  # no code span opened by content, so none it could break out of
    for special in ("[", "]", "!", "_", "~", "|", "$", "{", "}", "\\", "@", ">", "=", "://", "www."):
        assert special not in bare, (special, bare)
    assert "&" not in re.sub(ENTITY, "x", bare)  # no entity but the escapes' own
    assert "*" not in bare.replace("**", "")  # bold only as the report's own pairs
    assert "#" not in re.sub(r"^## ", "", bare, flags=re.M)
    html = markdown.markdown(text, extensions=["extra", "sane_lists"])
    assert set(re.findall(r"<([a-z0-9]+)", html)) <= {"h2", "ul", "li", "p", "strong", "code"}, html
    assert all(code in OUR_CODE_SPANS or set(code) <= set("@#") for code in re.findall(r"<code>(.*?)</code>", html))


def test_a_changed_figure_shows_old_and_new_with_sources_and_excerpts(repo):
    repo.write(NAME, VALID_INCIDENT.replace("    value: 4\n    qualifier: at least\n", "    value: 5\n    qualifier: exactly\n")
               .replace("At least four people were killed", "Five people were killed"))
    commit(repo.root, "figure changed")
    text, changed = report(repo)
    assert changed
    assert f"- **Changed** {NAME}: Drone strike on Kyiv" in shown(text)
    assert "- **Changed** 2025\\-06\\-06\\-drone\\-strike\\-on\\-kyiv: Drone strike on Kyiv\n" in text  # escaped, yet plain words stay plain
    assert ("  - figure changed: killed (UA-30), claimed by Vitali Klitschko: **at least 4** → **5**; "
            "⚠ no corrections entry accompanies this change") in shown(text)
    assert "    - before (source mt: The Moscow Times, https://www.themoscowtimes.com/" in shown(text)
    assert '"At least four people were killed and 20 wounded in the capital."' in shown(text)
    assert '"Five people were killed and 20 wounded in the capital."' in shown(text)
    assert_inert(text)


def test_a_figure_change_with_a_corrections_entry_says_so(repo):
    repo.write(NAME, VALID_INCIDENT.replace("    value: 4\n", "    value: 5\n").replace(
        "corrections: []", "corrections:\n  - {date: 2025-06-07, change: Killed in Kyiv 4 to 5, reason: Updated count}"))
    commit(repo.root, "corrected")
    text = shown(report(repo)[0])
    assert "**at least 4** → **at least 5**; with a corrections entry" in text
    assert "corrections entry added (2025-06-07): Killed in Kyiv 4 to 5; why: Updated count" in text


def test_incident_added_and_removed(repo):
    (repo.root / "incidents" / "2025" / f"{NAME}.yaml").unlink()
    repo.write("2025-06-07-strike-on-lviv", VALID_INCIDENT.replace("2025-06-06", "2025-06-07"))
    commit(repo.root, "swap")
    text = shown(report(repo)[0])
    assert "- **Added** 2025-06-07-strike-on-lviv: Drone strike on Kyiv" in text
    assert "  - figure added: killed (UA-30), claimed by Vitali Klitschko: **at least 4**" in text
    assert f"- **Removed** {NAME}: Drone strike on Kyiv" in text
    assert f"  - ⚠ broken permalink: no incident lists {NAME} in previous_ids" in text


def test_a_renamed_file_listing_its_old_id_is_a_rename_not_a_removal(repo):
    (repo.root / "incidents" / "2025" / f"{NAME}.yaml").unlink()
    repo.write("2025-06-05-drone-strike-on-kyiv", VALID_INCIDENT.replace("2025-06-06", "2025-06-05")
               .replace("corrections: []", f"corrections: []\nprevious_ids: [{NAME}]"))
    commit(repo.root, "renamed")
    text = shown(report(repo)[0])
    assert f"- **Renamed** {NAME} → 2025-06-05-drone-strike-on-kyiv (the old address redirects)" in text
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
    text = shown(report(repo)[0])
    assert '  - quote removed: Ihor Klymenko: "They worked under fire to help people." (source mt)' in text
    assert '  - quote added: Ihor Klymenko: "They worked under fire." (source mt)' in text
    assert "  - source changed mt:" in text and "published: 2025-06-07" in text


def test_an_unknown_revision_is_a_clear_error(repo):
    with pytest.raises(GitError, match="`nope` is not a commit"):
        report(repo, base="nope")


def test_yaml_text_cannot_hide_the_rest_of_the_report(repo):
    repo.write(NAME, VALID_INCIDENT.replace("title: Drone strike on Kyiv", 'title: "Typo fix <!--"').replace("    value: 4\n", "    value: 5\n"))
    commit(repo.root, "sneaky")
    text, _ = report(repo)
    assert "<!--" not in text and "Typo fix &lt;\\!\\-\\-" in text and "Typo fix <!--" in shown(text)
    assert "⚠ no corrections entry accompanies this change" in text
    assert_inert(text)


# --- hostile content: every class, several variants ----------------------------------

def set_fields(text: str, **fields) -> str:
    """The incident `text` with top-level fields replaced; YAML escapes keep any character (controls too) intact."""
    data = yaml.safe_load(text)
    data.update(fields)
    return yaml.safe_dump(data, allow_unicode=False, width=10**6, sort_keys=False)


HOSTILE = {
    "image and link": "![approved](https://evil.example/ok.png) [View sources](https://evil.example/p)",
    "image with title": '![a](https://evil.example/a.png "t") and ![b]( <https://evil.example/b.png> )',
    "reference link": "[View sources][1]\n\n[1]: https://evil.example/p",
    "collapsed and shortcut references": "[x][] and [y]\n[x]: https://evil.example/x\n[y]: <https://evil.example/y>",
    "footnote": "claim[^1]\n\n[^1]: https://evil.example/f",
    "autolinks": "<https://evil.example/a> <mailto:a@evil.example> <press@evil.example>",
    "bare urls": "https://evil.example/p http://evil.example ftp://evil.example www.evil.example Www.Evil.Example/x",
    "emails and mentions": "press@evil.example mailto:a@b.example xmpp:a@b.example/r @octocat @org/team",
    "issue references": "#12 GH-12 octo/repo#3 ##",
    "raw html": '<img src=x onerror=alert(1)> <a href="https://evil.example">x</a> <details><summary>ok</summary>hidden',
    "html comment": "Typo fix <!-- everything after this is hidden",
    "entities": "&#x3C;img src=x&#x3E; &#60;b&#62; &lt;b&gt; &amp; &copy; &NotAnEntity;",
    "emphasis": "*em* _em_ **strong** __strong__ ***both*** ~~del~~ ~del~ a*b*c",
    "block syntax": "# heading\n## two\n> quote\n- list\n+ plus\n1. ordered\n2) other\n| a | b |\n|---|---|\n---\n===\n    code",
    "fenced code": "```\ncode\n```\n~~~\nmore\n~~~",
    "backticks": "`code` ``two`` a```b ` ``` tail` `@`",
    "backslashes": "a \\*not\\* b \\[x\\](https://evil.example) \\",
    "math and braces": "$x^2$ $$y$$ {: .class} {#id} :smile:",
    "bidi controls": "\u202eevil\u202c \u202a\u202b\u202d \u2066a\u2069 \u2067b\u2068c\u2069 \u061c\u200e\u200f",
    "zero width": "zero\u200bwidth\u200c\u200d\ufeff\u2060 soft\u00adhyphen \u180e\u3164\u115f\u034f\ufe0f",
    "controls and separators": "ctrl\x00\x01\x1b[31m\x7f\x9b line\nbreak\r\nand\u2028sep\u2029para\x85nel\x0bvt\x0cff\ttab",
    "private and unassigned": "private\ue000 tag\U000e0041 unassigned\u0378\U0010ffff",
    "combining mark first": "\u0338 combines with what comes before",
}


def invisible(char: str) -> bool:
    return unicodedata.category(char) in INVISIBLE or char in "\u3164\u115f\u034f\ufe0f"


@pytest.mark.parametrize("hostile", list(HOSTILE.values()), ids=list(HOSTILE))
def test_content_is_shown_as_plain_text_whatever_it_contains(repo, hostile):
    repo.write(NAME, set_fields(VALID_INCIDENT, title=hostile, summary=hostile + "\n\nmore\n"))
    commit(repo.root, "hostile")
    text, _ = report(repo)
    assert_inert(text)
    one_line = " ".join(hostile.split())
    [title_line] = [line for line in text.splitlines() if line.startswith("- **Changed** ")]
    assert original(title_line.split(": ", 1)[1]) == one_line  # every character is there, as itself
    assert f'  - summary: "Drones hit **Kyiv** overnight." → "{one_line} more"' in original(text)
    for char in one_line:
        if invisible(char) or char == "\u0338":
            assert f"[U+{ord(char):04X}]" in shown(text)  # shown, not hidden


def test_every_content_field_ids_paths_and_keys_are_escaped(repo):
    bad = "![i](https://evil.example/i.png) <b>x</b> `c` \u202e @u #1 *e* www.evil.example [r]: https://evil.example"
    folder = "2025 ![i](x) `c` <b> \u202e @u #1"  # file names and folders are content too
    added_id, removed_id = "2025-06-03-![i](x)`c`<b>\u202e@u#1*e*", "2025-06-04-[r]: https:evil.example `x"
    (repo.root / "incidents" / "2025" / f"{NAME}.yaml").unlink()
    repo.write(NAME, year=folder)
    repo.write("2025-06-01-other")
    repo.write("2025-06-02-gone")
    repo.write(removed_id, set_fields(VALID_INCIDENT, title=bad))
    commit(repo.root, "before")
    figure = {"measure": bad, "value": bad, "qualifier": bad, "as_of": bad, "region": bad, "subject": bad,
              "weapon": bad, "claimed_by": bad, "source": bad, "excerpt": bad}
    same_identity = {"measure": "killed", "region": "UA-30", "claimed_by": "Vitali Klitschko", "source": "mt",
                     "value": bad, "qualifier": bad, "excerpt": bad}
    (repo.root / "incidents" / folder / f"{NAME}.yaml").unlink()
    repo.write(NAME, set_fields(
        VALID_INCIDENT, title=bad, date=bad, summary=bad, regions=[bad], assessment={bad: bad},
        sources={bad: {"publisher": bad, "url": bad, bad: bad}, "mt": {"publisher": bad, "url": bad}},
        figures=[figure, same_identity], quotes=[{"speaker": bad, "text": bad, "source": bad}],
        corrections=[{"date": bad, "change": bad, "reason": bad}]))
    repo.write("2025-06-01-other", set_fields(VALID_INCIDENT, previous_ids=[bad, "2025-06-02-gone", ["a list"]]))
    (repo.root / "incidents" / "2025" / "2025-06-02-gone.yaml").unlink()
    (repo.root / "incidents" / "2025" / f"{removed_id}.yaml").unlink()
    repo.write(added_id, set_fields(VALID_INCIDENT, title=bad), year="2025")
    commit(repo.root, "after")
    text, _ = report(repo)
    assert_inert(text)
    visible = original(text)
    assert f"- **Changed** {NAME}: {bad} (moved from incidents/{folder}/{NAME}.yaml)" in visible
    assert f"- **Added** {added_id}: {bad}" in visible
    assert f"- **Removed** {removed_id}: {bad}" in visible
    assert f"  - ⚠ broken permalink: no incident lists {removed_id} in previous_ids" in visible
    assert "- **Renamed** 2025-06-02-gone → 2025-06-01-other" in visible
    for line in ("  - title: ", "  - date: ", "  - summary: ", "  - regions: ", "  - assessment: ", "  - figure added: ",
                 "  - figure changed: ", "    - before (source mt: ", "    - after (source mt: ", "  - quote added: ",
                 f"  - source added {bad}: publisher: {bad}, url: {bad}, {bad}: {bad}", "  - source changed mt: ",
                 f"  - corrections entry added ({bad}): {bad}; why: {bad}"):
        assert any(row.startswith(line) and row.count(bad) >= 1 for row in visible.splitlines()), line
    assert text.count("\\[U+202E\\]") >= 30 and "\u202e" not in text


def test_a_long_value_is_cut_before_escaping_never_inside_an_escape(repo):
    repo.write(NAME, set_fields(VALID_INCIDENT, summary="<" * 199 + "<<<"))
    commit(repo.root, "long")
    text, _ = report(repo)
    assert_inert(text)
    assert f'→ "{"&lt;" * 200}…"' in text


def test_the_checks_catch_the_report_as_it_used_to_be_written():
    """Not vacuous: the old report (content in code spans, only & < > escaped) fails them."""
    with pytest.raises(AssertionError):
        assert_inert(f"- **Changed** `{NAME}`: Drone strike on Kyiv\n")  # a code span that content could close


@pytest.mark.parametrize("hostile", [text for name, text in HOSTILE.items() if name != "combining mark first"],
                         ids=[name for name in HOSTILE if name != "combining mark first"])
def test_the_checks_catch_each_hostile_value_escaped_the_old_way(hostile):
    old_way = " ".join(hostile.split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    with pytest.raises(AssertionError):
        assert_inert(f"- **Added** x: {old_way}\n")


# --- fuzzing: any title gives inert text that still says exactly what the title says ---

FUZZ = int(os.environ.get("FUZZ_EXAMPLES", "300"))
MARKDOWN_ALPHABET = st.sampled_from([*"[]()!<>&#;:/.@`*_~|\\$^{}=+-\"' \n\tahx1", "https://", "www.", "\u202e", "\u2066", "\u200b",
                                     "\u0338", "\x00", "&#x3C;", "<img ", "\u2028"])


def title_report(title) -> list[str]:
    after = {"x": Version("x", "incidents/2025/x.yaml", {"title": title})}
    return _report({}, after)


@settings(max_examples=FUZZ, deadline=2000)
@given(st.one_of(st.lists(MARKDOWN_ALPHABET, max_size=60).map("".join), st.text(max_size=60)))
def test_fuzz_no_title_can_make_markdown_or_html(title):
    [line] = title_report(title)
    assert_inert(line + "\n")
    assert line.startswith("- **Added** x: ")
    assert original(line.removeprefix("- **Added** x: ")) == " ".join(title.split())
