"""A small link checker for built sites: every internal link and #anchor must resolve."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name) and tag != "form":
                self.links.append(attributes[name])
        if tag == "form" and attributes.get("action"):
            self.links.append(attributes["action"])


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def _target_file(site: Path, url_path: str) -> Path:
    local = site / unquote(url_path).lstrip("/")
    return local / "index.html" if url_path.endswith("/") or local.is_dir() else local


def check_links(site: Path) -> tuple[list[str], set[str]]:
    """(broken links as 'page -> link: why', site paths of pages reachable from the home page)."""
    pages = {"/" + p.relative_to(site).as_posix(): _parse(p) for p in site.rglob("*.html")}
    broken, reachable, queue = [], set(), ["/index.html"]
    for page_path, collected in pages.items():
        if page_path == "/404.html":
            continue  # served at any missing address: links from the site root, checked in test_site
        for link in collected.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # other hosts are checked by content validation, not here
            resolved = urlsplit(urljoin(page_path, link))
            target = _target_file(site, resolved.path) if parts.path else site / page_path.lstrip("/")
            if not target.is_file():
                broken.append(f"{page_path} -> {link}: no such file")
                continue
            key = "/" + target.relative_to(site).as_posix()
            if resolved.fragment and key in pages and resolved.fragment not in pages[key].ids:
                broken.append(f"{page_path} -> {link}: no element with id {resolved.fragment!r}")
    while queue:
        current = queue.pop()
        if current in reachable or current not in pages:
            continue
        reachable.add(current)
        for link in pages[current].links:
            parts = urlsplit(link)
            if not (parts.scheme or parts.netloc) and parts.path:
                target = _target_file(site, urlsplit(urljoin(current, link)).path)
                if target.suffix == ".html":
                    queue.append("/" + target.relative_to(site).as_posix())
    return broken, reachable
