"""The site configuration (site.yaml), and how every settings file (site.yaml, data/*.yaml) is read.

Each setting is described once, in SETTINGS: its name, the JSON Schema of its value, its
default, what it means, and where a build finds it when site.yaml leaves it out (GitHub
Actions' standard variables, or the Pages address the publish workflow passes on). The
schema editors use, schema/site.schema.json, is written from SETTINGS
(`python -m archive.config > schema/site.schema.json`); tests/test_config.py keeps the two equal.

Settings files are read as incident files are (archive/load.py: positions of every value,
duplicate keys and unquoted yes/no refused) and checked against their JSON Schema; every
problem names the file, line and column, says what is wrong and how to fix it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jsonschema

from .characters import character_name, hidden_character
from .files import Repository
from .load import SETTINGS_FILES, Document, Key, TooLongNumber, parse_yaml_bytes, read_bytes, texts_in
from .problems import Problem
from .wording import TYPE_WORDS, describe_value, field_name, lower_first, schema_message, suggest

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"
SITE_SCHEMA = SCHEMA_DIR / "site.schema.json"

# A site's address: http(s), a host (no user name or password: they would be published), an optional
# port and path; no query or fragment, since page paths are added to it.
WEB_ADDRESS = r"^https?://[^\s/?#@:]+(:[0-9]{1,5})?(/[^\s?#]*)?$"
# A repository's web address: the same, with a path (owner/name) that is not empty.
REPOSITORY_ADDRESS = r"^https?://[^\s/?#@:]+(:[0-9]{1,5})?/[^\s?#]+$"
BRANCH = r"^\S+$"
# What a value matching each pattern looks like, for messages (other patterns: the schema's description).
PATTERN_WORDS = {
    WEB_ADDRESS: "an http(s) address such as https://example.org/archive/, without user name, password, ?query or #fragment",
    REPOSITORY_ADDRESS: "the http(s) address of a repository, such as https://github.com/OWNER/REPOSITORY",
    BRANCH: "a branch name, without spaces",
}


def _pages_address(environ: Mapping[str, str]) -> str | None:
    return environ.get("ARCHIVE_SITE_URL") or None


def _github_repository(environ: Mapping[str, str]) -> str | None:
    server, name = environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY")
    return f"{server.rstrip('/')}/{name}" if server and name else None


@dataclass(frozen=True)
class Setting:
    """One field of site.yaml."""

    name: str
    value: dict[str, Any]  # the JSON Schema of its value
    default: Any
    meaning: str  # what it does, for people: the schema's description, shown by editors
    variables: tuple[str, ...] = ()  # environment variables a build reads when site.yaml leaves the setting out
    from_environment: Callable[[Mapping[str, str]], str | None] | None = None

    def schema(self) -> dict[str, Any]:
        return {**self.value, "default": self.default, "description": self.meaning}


SETTINGS: tuple[Setting, ...] = (
    Setting("title", {"type": "string", "minLength": 1, "maxLength": 200}, "Incident Archive",
            "The site's name: in every page's header and title, the feed and citations."),
    Setting("url", {"type": ["string", "null"], "pattern": WEB_ADDRESS}, None,
            "The public address the site is published at, such as https://example.org/archive/ (a / is added at the end "
            "when missing). Gives pages their canonical links, citations their absolute links, and the site its sitemap. "
            "When left out, a build takes it from the environment variable ARCHIVE_SITE_URL, which the publish workflow sets to "
            "the GitHub Pages address; without either, links stay relative and there is no sitemap.",
            ("ARCHIVE_SITE_URL",), _pages_address),
    Setting("repository", {"type": ["string", "null"], "pattern": REPOSITORY_ADDRESS}, None,
            "The web address of the repository that holds this archive, such as https://github.com/OWNER/REPOSITORY "
            "(GitHub, GitLab and Codeberg/Gitea addresses are understood). Every incident page then links to the host's "
            "editor for its file (\"Suggest a correction\"), its history and a new issue (\"Report a problem\"). When left "
            "out, a build on GitHub Actions takes it from GITHUB_SERVER_URL and GITHUB_REPOSITORY, so a fork links to itself.",
            ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY"), _github_repository),
    Setting("branch", {"type": "string", "minLength": 1, "pattern": BRANCH}, "main",
            "The repository's branch that edit and history links open."),
    Setting("offline_cache", {"type": "boolean"}, False,
            "true: a service worker keeps the pages a reader visits, so they can reopen them offline."),
)
DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}
ENVIRONMENT_VARIABLES = tuple(variable for setting in SETTINGS for variable in setting.variables)

# Where each kind of repository host keeps its editor, a file's history and a new issue.
REPOSITORY_URLS = {
    "github": {"edit": "{base}/edit/{branch}/{path}", "history": "{base}/commits/{branch}/{path}", "issue": "{base}/issues/new?{query}"},
    "gitlab": {"edit": "{base}/-/edit/{branch}/{path}", "history": "{base}/-/commits/{branch}/{path}", "issue": "{base}/-/issues/new?{query}"},
    "gitea": {"edit": "{base}/_edit/{branch}/{path}", "history": "{base}/commits/branch/{branch}/{path}", "issue": "{base}/issues/new?{query}"},
}
ISSUE_FIELDS = {"github": ("title", "body"), "gitlab": ("issue[title]", "issue[description]"), "gitea": ("title", "body")}


@dataclass(frozen=True)
class SiteConfig:
    """The settings a build uses: site.yaml's, else the environment's, else the defaults of SETTINGS (one field each)."""

    title: str = DEFAULTS["title"]
    url: str | None = DEFAULTS["url"]  # public address, ending in /
    repository: str | None = DEFAULTS["repository"]  # e.g. https://github.com/owner/name
    branch: str = DEFAULTS["branch"]
    offline_cache: bool = DEFAULTS["offline_cache"]  # a service worker keeps visited pages for offline reading

    def edit_url(self, path: str) -> str | None:
        """The host's web editor for a repository file, or None without a repository."""
        return self._repository_url("edit", path=quote(path))

    def history_url(self, path: str) -> str | None:
        """The host's list of commits that changed a repository file."""
        return self._repository_url("history", path=quote(path))

    def new_issue_url(self, title: str, body: str) -> str | None:
        """A new issue on the host, with its title and text filled in."""
        if not self.repository:
            return None
        names = ISSUE_FIELDS[_host_kind(self.repository)]
        return self._repository_url("issue", query=urlencode({names[0]: title, names[1]: body}))

    def _repository_url(self, kind: str, **parts: str) -> str | None:
        if not self.repository:
            return None
        pattern = REPOSITORY_URLS[_host_kind(self.repository)][kind]
        return pattern.format(base=self.repository.rstrip("/"), branch=quote(self.branch), **parts)

    def page_url(self, path: str) -> str | None:
        """The public address of a site path such as `incidents/x/`, when the site's URL is known."""
        return f"{self.url}{path}" if self.url else None


def _host_kind(repository: str) -> str:
    host = (urlsplit(repository).hostname or "").lower()
    if "gitlab" in host:
        return "gitlab"
    if "codeberg" in host or "gitea" in host or "forgejo" in host:
        return "gitea"
    return "github"


def site_schema() -> dict[str, Any]:
    """The JSON Schema of site.yaml, from SETTINGS (schema/site.schema.json holds it for editors)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://incident-archive.invalid/schema/site.json",
        "title": "Site configuration (site.yaml)",
        "description": "The settings of the site. Every field is optional; an empty site.yaml, or none, means the defaults.",
        "type": "object",
        "additionalProperties": False,
        "properties": {setting.name: setting.schema() for setting in SETTINGS},
    }


def environment_settings(environ: Mapping[str, str] | None = None) -> str:
    """The environment variables a build may take settings from, as text: part of what every page is rendered from."""
    environ = os.environ if environ is None else environ
    return "".join(f"{name}={environ.get(name, '')}\n" for name in ENVIRONMENT_VARIABLES)


def load_config(path: Path, repository: Repository | None = None,
                environ: Mapping[str, str] | None = None) -> tuple[SiteConfig, list[Problem]]:
    """The configuration in `path` (defaults when the file is missing) completed from `environ`
    (os.environ by default), and every problem in it, located.

    A setting with a problem keeps its default, so that check can go on; build fails anyway.
    """
    environ = os.environ if environ is None else environ
    where = path.name
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    if os.path.lexists(path):
        document, problems = read_settings_file(path, where, SITE_SCHEMA, repository or Repository((path.parent,)))
        data = document.data if document is not None and isinstance(document.data, dict) else {}
        values = {name: value for name, value in data.items()
                  if name in DEFAULTS and value is not None and _valid_setting(name, value)}
    for setting in SETTINGS:
        if setting.name in values or setting.from_environment is None:
            continue
        found = setting.from_environment(environ)
        if found is None:
            continue
        if not _valid_setting(setting.name, found):
            expected = PATTERN_WORDS.get(setting.value.get("pattern", ""), f"a valid `{setting.name}`")
            problems.append(Problem(where, 1, 1, f"`{setting.name}` is not set here, so it is taken from the environment "
                                                 f"({', '.join(setting.variables)}); `{found}` is not {expected}. "
                                                 f"Set `{setting.name}` in {where}, or fix the environment variable"))
            continue
        values[setting.name] = found
    if isinstance(values.get("url"), str) and not values["url"].endswith("/"):
        values["url"] += "/"
    return SiteConfig(**values), sorted(problems)


def _valid_setting(name: str, value: Any) -> bool:
    return not any(_validator(SITE_SCHEMA).iter_errors({name: value}))


# --- any settings file: site.yaml, data/*.yaml -----------------------------------------------

@cache
def _validator(schema_path: Path) -> jsonschema.protocols.Validator:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def read_settings_file(path: Path, display: str, schema_path: Path, repository: Repository,
                       noun: str = "") -> tuple[Document | None, list[Problem]]:
    """A YAML settings file read with positions and checked against its JSON Schema.

    `noun` names what each top-level key of the file stands for (`person`, `weapon`); without
    one, the top-level keys are settings. A file holding nothing but comments is an empty
    mapping. The document is None when the file cannot be read at all.
    """
    raw, problems = read_bytes(path, display, repository, SETTINGS_FILES)
    if raw is None:
        return None, problems
    document = Document(path, display)
    if _holds_nothing(raw):
        document.data = {}
    else:
        problems = parse_yaml_bytes(raw, document, SETTINGS_FILES)
        if document.data is None:
            return None, problems
    # A value the loader refused (an unquoted `yes` is kept as text) is reported once, by the loader.
    reported = {(problem.line, problem.col) for problem in problems}
    problems += [problem for error in _validator(schema_path).iter_errors(document.data)
                 for problem in describe_schema_error(document, error, noun) if (problem.line, problem.col) not in reported]
    problems += hidden_character_problems(document, noun)
    return document, sorted(set(problems))


def hidden_character_problems(document: Document, noun: str = "") -> list[Problem]:
    """Settings and vocabularies are one-line names and values: none holds a line break, or a character
    that hides or reorders text (characters.hidden_character), which would disguise it in review."""
    problems = []
    for key, text, is_key in texts_in(document.data):
        index = _hidden_at(text)
        if index is not None:
            what = f"the name of {_subject(document, key, noun)}" if is_key and not noun else _subject(document, key, noun)
            problems.append(document.problem(key, f"{what} contains {character_name(text[index])} at character {index + 1}; "
                                                  "retype it on one line without it", at_key=is_key))
    return problems


def _hidden_at(text: str) -> int | None:
    """Where the first line break or character that hides text stands in a one-line value, if anywhere."""
    found = [index for index in (hidden_character(text), text.find("\n"), text.find("\r")) if index is not None and index >= 0]
    return min(found, default=None)


def _hides(value: object) -> bool:
    """Whether a text holds what hidden_character_problems reports."""
    return isinstance(value, str) and _hidden_at(value) is not None


def _holds_nothing(raw: bytes) -> bool:
    """Whether a file holds nothing but blank lines, comments and document markers."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return all(not line.strip() or line.lstrip().startswith("#") or line.rstrip() in ("---", "...") for line in text.splitlines())


def describe_schema_error(document: Document, error: jsonschema.ValidationError, noun: str = "") -> list[Problem]:
    """A schema error said for people: where, what is wrong, and how to fix it."""
    key: Key = tuple(error.absolute_path)
    if any(_hides(part) for part in key) or (error.validator != "additionalProperties" and _hides(error.instance)):
        return []  # reported by hidden_character_problems, which never prints the characters themselves
    subject = _subject(document, key, noun)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    value: Any = error.validator_value
    instance: Any = error.instance
    kind = error.validator
    if "propertyNames" in error.schema_path:  # a key that may not be one: point at the key
        expected = schema.get("description") or f"text matching {schema.get('pattern')}"
        what = f"{noun or 'key'} `{instance}` is not a valid key" if instance else f"a {noun or 'key'} has an empty name"
        return [document.problem((*key, instance), f"{what}: a key here must be {lower_first(expected).rstrip('.')}", at_key=True)]
    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        word = "field" if noun else "setting"
        where = f" in {subject}" if key else ""
        return [document.problem((*key, name), f"unknown {word} `{name}`{where}{suggest(name, allowed) or f'; known {word}s: ' + ', '.join(allowed)}",
                                 at_key=True)
                for name in instance if name not in allowed and not _hides(name)]
    if kind == "required":
        properties = schema.get("properties", {})
        problems = []
        for name in value:
            if name not in instance:
                meaning = properties.get(name, {}).get("description")
                problems.append(document.problem(key, f"{subject} has no `{name}`; add it" + (f": {lower_first(meaning)}" if meaning else ""),
                                                 at_key=bool(key)))
        return problems
    if kind == "type" and isinstance(instance, TooLongNumber):
        return []  # reported where the file was read
    if kind == "type":
        wanted: list[str] = value if isinstance(value, list) else [value]
        expected = " or ".join(TYPE_WORDS.get(name, name) for name in wanted if name != "null")
        return [document.problem(key, f"{subject} must be {expected}, not {describe_value(instance)}")]
    if kind == "pattern":
        expected = PATTERN_WORDS.get(value) or lower_first(schema.get("description", "")) or f"text matching {value}"
        return [document.problem(key, f"{subject} is `{instance}`, which is not {expected.rstrip('.')}")]
    return [document.problem(key, schema_message(kind, subject, value, instance) or f"{subject}: {error.message}")]


def _subject(document: Document, key: Key, noun: str) -> str:
    """How a message names the value at `key`: `title`, person `X`, `roles[0].title` of person `X`."""
    if not key:
        return document.display_path
    if noun:
        entry = f"{noun} `{key[0]}`"
        return entry if len(key) == 1 else f"`{field_name(key[1:])}` of {entry}"
    return f"`{field_name(key)}`"


if __name__ == "__main__":  # python -m archive.config > schema/site.schema.json
    json.dump(site_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
