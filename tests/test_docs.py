"""The documentation keeps up with the code (as Datasette's tests/test_docs.py does).

- every command of build.py, every option and argument of each, and every value an option
  chooses from is shown in README.md, on a line that runs that command;
- every field of SiteConfig (the settings `site.yaml` may hold) is described in README.md's
  section on `site.yaml`, and so is every environment variable that stands in for one;
- every target of the Makefile is named (`make <target>`) in README.md or CONTRIBUTING.md;
- README.md links to CONTRIBUTING.md and CHANGELOG.md, and every relative link in the three
  documents leads to a file that exists (and to a heading that exists, for a `#fragment`).

The parser is the one build.py really uses: its parse_args is intercepted, so the test follows
the code however the parser is put together. The last tests take an item out and check that it
is reported, so that a check cannot pass by finding nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest

import build
from archive import config
from archive.config import SiteConfig
from conftest import REPO

DOCUMENTS = ("README.md", "CONTRIBUTING.md", "CHANGELOG.md")


class _Parser(Exception):
    def __init__(self, parser: argparse.ArgumentParser):
        super().__init__("parser captured")
        self.parser = parser


def cli_parser() -> argparse.ArgumentParser:
    """The parser build.py builds, caught when it is about to parse (so nothing runs)."""
    def capture(parser, *args, **kwargs):
        raise _Parser(parser)

    with mock.patch.object(argparse.ArgumentParser, "parse_args", capture), \
            mock.patch.object(argparse.ArgumentParser, "parse_known_args", capture):
        try:
            build.run([])
        except _Parser as caught:
            return caught.parser
    raise AssertionError("build.run returned without parsing its arguments: update cli_parser() in this test")


@dataclass(frozen=True)
class Argument:
    """One thing a reader of README.md must find: `word` on a line that runs `command`."""
    command: str | None  # None: build.py's own options, before any command
    word: str  # an option string such as --no-search, an argument's name, or a choice
    what: str  # for the failure message

    def __str__(self) -> str:
        where = f"`build.py {self.command}`" if self.command else "`build.py`"
        return f"{self.what} {self.word!r} of {where}"


def _arguments_of(parser: argparse.ArgumentParser, command: str | None) -> list[Argument]:
    found = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.option_strings:
            option = max(action.option_strings, key=len)  # the long form
            found.append(Argument(command, option, "option"))
        else:
            option = ""
            found.append(Argument(command, action.metavar if isinstance(action.metavar, str) else action.dest, "argument"))
        for choice in action.choices or ():
            found.append(Argument(command, f"{option} {choice}".strip(), "choice"))
    return found


def cli_commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands of build.py by name."""
    commands: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
    return commands


def cli_arguments(parser: argparse.ArgumentParser) -> list[Argument]:
    """Every option, argument and choice of build.py and of each of its commands."""
    found = _arguments_of(parser, None)
    for name, subparser in cli_commands(parser).items():
        found += _arguments_of(subparser, name)
    return found


def _runs(line: str, command: str | None) -> bool:
    """Whether a line of the documentation runs build.py (with `command`, when given)."""
    if command is None:
        return "build.py" in line
    return re.search(rf"build\.py\b(?:\s+--?[\w-]+(?:\s+[\w./-]+)?)*\s+{re.escape(command)}\b", line) is not None


def _has_word(line: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", line, re.IGNORECASE) is not None


def undocumented_commands(parser: argparse.ArgumentParser, text: str) -> list[str]:
    lines = text.splitlines()
    return [name for name in cli_commands(parser) if not any(_runs(line, name) for line in lines)]


def undocumented_arguments(parser: argparse.ArgumentParser, text: str) -> list[str]:
    lines = text.splitlines()
    missing = []
    for argument in cli_arguments(parser):
        words = argument.word.split(" ")  # a choice is found as `--option value` or the value beside it
        if not any(_runs(line, argument.command) and all(_has_word(line, word) for word in words) for line in lines):
            missing.append(str(argument))
    return missing


# --- site.yaml ------------------------------------------------------------------------------

def site_yaml_fields() -> list[str]:
    return [field.name for field in dataclasses.fields(SiteConfig)]


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) for every heading of a Markdown text, code blocks aside."""
    found: list[tuple[str, str]] = []
    heading = ""
    body: list[str] = []
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        if not in_code and re.match(r"#{1,6} ", line):
            found.append((heading, "\n".join(body)))
            heading, body = line.lstrip("#").strip(), []
        else:
            body.append(line)
    found.append((heading, "\n".join(body)))
    return found


def undocumented_fields(fields: list[str], text: str) -> list[str]:
    """Fields not named (`field` or `field:`) in a section whose heading names site.yaml.

    A section runs to the next heading of any level: the fields are described in it, not below it.
    """
    settings = "\n".join(body for heading, body in sections(text) if "site.yaml" in heading)
    assert settings, "README.md has no section whose heading names `site.yaml`"
    return [name for name in fields
            if not re.search(rf"(`{re.escape(name)}`|^\s*#?\s*{re.escape(name)}:)", settings, re.MULTILINE)]


# --- Makefile -------------------------------------------------------------------------------

def make_targets() -> list[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^([a-z][\w-]*):(?!=)", makefile, re.MULTILINE)))


# --- links ----------------------------------------------------------------------------------

def _without_code(text: str) -> str:
    text = re.sub(r"(?ms)^\s*```.*?^\s*```", "", text)
    return re.sub(r"`[^`\n]*`", "", text)


def relative_links(text: str) -> list[str]:
    """Targets of inline ([text](target)) and reference ([name]: target) links, other sites aside."""
    text = _without_code(text)
    targets = re.findall(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", text)
    targets += re.findall(r"(?m)^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", text)
    return [target for target in targets if not re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)]


def anchors(text: str) -> set[str]:
    """The fragments GitHub gives the headings of a Markdown text."""
    seen: dict[str, int] = {}
    found = set()
    for heading, _ in sections(text)[1:]:
        plain = re.sub(r"[`*_]|<[^>]+>", "", heading)
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)
        slug = re.sub(r"[^\w\- ]", "", plain.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(document: Path) -> list[str]:
    broken = []
    for target in relative_links(document.read_text(encoding="utf-8")):
        path, _, fragment = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{target}: {resolved.name} has no heading #{fragment}")
    return broken


# --- the tests ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    return cli_parser()


@pytest.fixture(scope="module")
def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_the_parser_is_build_pys_own(parser):
    assert parser.prog == "build.py"
    assert {"build", "check", "serve", "new", "diff"} <= set(cli_commands(parser))


def test_every_command_of_build_py_is_in_the_readme(parser, readme):
    missing = undocumented_commands(parser, readme)
    assert not missing, f"README.md shows no line running `build.py {' / '.join(missing)}`"


def test_every_option_argument_and_choice_of_build_py_is_in_the_readme(parser, readme):
    missing = undocumented_arguments(parser, readme)
    assert not missing, "README.md shows no line running build.py with " + "; ".join(missing)


def test_every_site_yaml_field_is_in_the_readme(readme):
    missing = undocumented_fields(site_yaml_fields(), readme)
    assert not missing, f"README.md's section on site.yaml does not describe {', '.join(missing)}"


def test_every_environment_variable_that_stands_in_for_a_setting_is_in_the_readme(readme):
    """The variables a build reads when site.yaml leaves a setting out (when archive/config.py lists them)."""
    variables = config.ENVIRONMENT_VARIABLES
    missing = [variable for variable in variables if f"`{variable}`" not in readme]
    assert not missing, f"README.md does not name {', '.join(missing)}"


def test_the_two_commands_and_every_make_target_are_documented(readme):
    assert "make site" in readme and "make test" in readme
    docs = readme + (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    missing = [target for target in make_targets() if not re.search(rf"\bmake {re.escape(target)}\b", docs)]
    assert not missing, f"neither README.md nor CONTRIBUTING.md names make {', make '.join(missing)}"


def test_the_readme_links_to_contributing_and_changelog(readme):
    targets = {target.partition("#")[0] for target in relative_links(readme)}
    assert {"CONTRIBUTING.md", "CHANGELOG.md"} <= targets


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_relative_link_leads_somewhere(name):
    broken = broken_links(REPO / name)
    assert not broken, f"{name}: " + "; ".join(broken)


# --- the checks above catch what is missing ---------------------------------------------------

def _without(text: str, word: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", "", text)


def test_a_missing_command_is_reported(parser, readme):
    assert undocumented_commands(parser, _without(readme, "diff")) == ["diff"]


@pytest.mark.parametrize(("word", "expected"), [
    ("--no-search", "option '--no-search' of `build.py build`"),
    ("--snapshots", "option '--snapshots' of `build.py check`"),
    ("--root", "option '--root' of `build.py`"),
    ("--port", "option '--port' of `build.py serve`"),
])
def test_a_missing_option_is_reported(parser, readme, word, expected):
    assert expected in undocumented_arguments(parser, _without(readme, word))


def test_a_missing_choice_is_reported(parser, readme):
    text = "\n".join(line for line in readme.splitlines() if not ("--format" in line and "github" in line))
    assert "choice '--format github' of `build.py check`" in undocumented_arguments(parser, text)


def test_a_new_option_or_command_is_reported(parser, readme):
    parser = cli_parser()  # a copy of our own to change
    parser.add_argument("--colour", action="store_true")
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands.add_parser("export").add_argument("--sheet")  # (`import` is a command now)
    assert set(undocumented_commands(parser, readme)) - set(undocumented_commands(cli_parser(), readme)) == {"export"}
    assert set(undocumented_arguments(parser, readme)) - set(undocumented_arguments(cli_parser(), readme)) == {
        "option '--colour' of `build.py`", "option '--sheet' of `build.py export`"}


def test_a_missing_or_new_field_is_reported(readme):
    assert undocumented_fields(site_yaml_fields(), _without(readme, "offline_cache")) == ["offline_cache"]
    assert undocumented_fields([*site_yaml_fields(), "language"], readme) == ["language"]


def test_a_broken_link_is_reported(tmp_path):
    (tmp_path / "there.md").write_text("# Here it is\n", encoding="utf-8")
    document = tmp_path / "doc.md"
    document.write_text("See [there](there.md#here-it-is), [gone](gone.md), [wrong](there.md#nowhere),\n"
                        "[site](https://example.org/x.md) and `[code](not-a-link.md)`.\n\n[ref]: missing/\n", encoding="utf-8")
    assert broken_links(document) == ["gone.md: no such file", "there.md#nowhere: there.md has no heading #nowhere",
                                      "missing/: no such file"]
