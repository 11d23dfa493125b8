"""Turn contributor Markdown into safe HTML: Python-Markdown, then an allow-list sanitizer (nh3).

Markdown passes raw HTML through, so everything it outputs is cleaned: only the tags and
attributes below survive, and links may only point to http(s), mailto or relative URLs.
"""

from __future__ import annotations

import html
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote",
    "code", "pre", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "abbr",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},  # heading ids from the toc extension, for links such as #totals
}
URL_SCHEMES = {"http", "https", "mailto"}

# Content pages get heading ids (for links such as methodology/#totals); summaries do not, so
# that no summary heading can take an id the incident page itself uses.
_page_converter = markdown.Markdown(extensions=["tables", "sane_lists", "toc"], output_format="html")
_summary_converter = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")


def page_to_html(text: str) -> Markup:
    """A content page's Markdown as safe HTML, headings with ids."""
    _page_converter.reset()
    return _clean(_page_converter.convert(text))


@lru_cache(maxsize=250_000)  # each summary is shown on a page and also read for feeds and search
def markdown_to_html(text: str) -> Markup:
    _summary_converter.reset()
    return _clean(_summary_converter.convert(text))


def _clean(html: str) -> Markup:
    return Markup(nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ))


@lru_cache(maxsize=250_000)
def markdown_to_text(text: str) -> str:
    """The words of a Markdown text without markup or link targets, for feeds and metadata."""
    plain = nh3.clean(str(markdown_to_html(text)), tags=set())
    return " ".join(html.unescape(plain).split())
