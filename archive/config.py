"""The site configuration (site.yaml): title, public address, repository and branch."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import yaml

from .files import Repository, UnsafeFile
from .problems import Problem

FIELDS = {"title", "url", "repository", "branch", "offline_cache"}
# Where each kind of repository host keeps its editor, a file's history and a new issue.
REPOSITORY_URLS = {
    "github": {"edit": "{base}/edit/{branch}/{path}", "history": "{base}/commits/{branch}/{path}", "issue": "{base}/issues/new?{query}"},
    "gitlab": {"edit": "{base}/-/edit/{branch}/{path}", "history": "{base}/-/commits/{branch}/{path}", "issue": "{base}/-/issues/new?{query}"},
    "gitea": {"edit": "{base}/_edit/{branch}/{path}", "history": "{base}/commits/branch/{branch}/{path}", "issue": "{base}/issues/new?{query}"},
}
ISSUE_FIELDS = {"github": ("title", "body"), "gitlab": ("issue[title]", "issue[description]"), "gitea": ("title", "body")}


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Incident Archive"
    url: str | None = None  # public address, ending in /
    repository: str | None = None  # e.g. https://github.com/owner/name
    branch: str = "main"
    offline_cache: bool = False  # a service worker keeps visited pages for offline reading

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


def _is_web_address(value) -> bool:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
    except ValueError:
        return False
    return bool(parts and parts.scheme in ("http", "https") and parts.hostname)


def load_config(path: Path, repository: Repository | None = None) -> tuple[SiteConfig, list[Problem]]:
    """The configuration in `path` (defaults when the file is missing), and any problems in it."""
    if not os.path.lexists(path):
        return SiteConfig(), []
    where = path.name
    try:
        raw = (repository or Repository((path.parent,))).read_bytes(path, where)
        data = yaml.safe_load(raw.decode("utf-8")) or {}
    except UnsafeFile as refused:
        return SiteConfig(), [refused.problem]
    except UnicodeDecodeError:
        return SiteConfig(), [Problem(where, 1, 1, "is not UTF-8; save it as UTF-8")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return SiteConfig(), [Problem(where, line, col, f"YAML syntax: {getattr(exc, 'problem', None) or 'cannot be read'}")]
    if not isinstance(data, dict):
        return SiteConfig(), [Problem(where, 1, 1, "must be a mapping of settings (title: ..., repository: ...)")]
    problems = [Problem(where, 1, 1, f"unknown setting `{key}`; known: {', '.join(sorted(FIELDS))}") for key in data if key not in FIELDS]
    if "offline_cache" in data and not isinstance(data["offline_cache"], bool):
        problems.append(Problem(where, 1, 1, "`offline_cache` must be true or false"))
    for key in ("url", "repository"):
        value = data.get(key)
        if value is not None and not _is_web_address(value):
            problems.append(Problem(where, 1, 1, f"`{key}` must be an http(s) address, not {value!r}"))
    url = data.get("url")
    if isinstance(url, str) and not url.endswith("/"):
        url += "/"
    config = SiteConfig(
        title=str(data.get("title") or SiteConfig.title),
        url=url if not any("`url`" in p.message for p in problems) else None,
        repository=data.get("repository") if not any("`repository`" in p.message for p in problems) else None,
        branch=str(data.get("branch") or "main"),
        offline_cache=data.get("offline_cache") is True,
    )
    return config, problems
