"""Turn contributor Markdown into safe HTML: Python-Markdown, then an allow-list sanitizer (nh3).

Markdown passes raw HTML through, so everything it outputs is cleaned: only the tags and
attributes below survive, and links may only point to http(s), mailto or relative URLs.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
from dataclasses import dataclass
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
    """A content page's Markdown as safe HTML, headings with ids.

    Raises ValueError for a text beyond PAGE_LIMITS (see markdown_problem).
    """
    return _convert(_page_converter, text)


@lru_cache(maxsize=250_000)  # each summary is shown on a page and also read for feeds and search
def markdown_to_html(text: str) -> Markup:
    """A summary's Markdown as safe HTML.

    Raises ValueError for a text beyond PAGE_LIMITS: validation holds summaries to the stricter
    SUMMARY_LIMITS, but this also renders the plain text of content pages (markdown_to_text, for
    offline search), and within either set of limits rendering is quick.
    """
    return _convert(_summary_converter, text)


def _convert(converter: markdown.Markdown, text: str) -> Markup:
    # Validation reports texts beyond the limits first (`check` shows them as file:line:col); this
    # guard keeps any text that did not go through it from hanging or crashing a build.
    problem = _problem(text, PAGE_LIMITS, "text")
    if problem is not None:
        offset, message = problem
        raise ValueError(f"Markdown too complex to render (at character {offset:,}): {message}")
    converter.reset()
    try:
        return _clean(converter.convert(text))
    except RecursionError:  # not reachable within the limits; if it were, a clear error, not a crash
        converter.reset()
        raise ValueError("Markdown too complex to render: it nests too deeply") from None


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


# ---- Complexity limits --------------------------------------------------------------------------
#
# Python-Markdown is not linear in its input. Every `[` (link, image) scans ahead to the end of its
# paragraph when nothing closes it, and so do `<` (raw HTML, autolinks), runs of backticks (code
# spans) and runs of `*` or `_` (emphasis); each inline match also copies its paragraph's text. So
# one paragraph of `[` repeated takes time quadratic in its length (8,000 `[a](` took 11 s), and
# lists nest by recursion (`- - - ... x` ends in RecursionError). A text is therefore refused unless
# it stays within these limits, which make rendering time at most (count of those characters) x
# (length of one paragraph) plus a linear part: a fraction of a second for any text that passes.
# bench/markdown_worst_case.py measures the worst cases. Normal writing comes nowhere near them.


@dataclass(frozen=True)
class MarkdownLimits:
    length: int  # characters in the whole text
    block: int  # characters in one block: lines with no blank line between them (a paragraph, list, table or quote)
    nesting: int  # levels of lists and quotes inside one another (and of 4-space indentation) on one line
    brackets: int  # `[` characters: every link and image opens with one
    angles: int  # `<` characters: raw HTML and <https://...> links open with one
    backticks: int  # runs of backticks: every code span is two
    emphasis: int  # runs of `*` or `_`: every bold or italic text is two


SUMMARY_LIMITS = MarkdownLimits(length=10_000, block=5_000, nesting=8, brackets=100, angles=50, backticks=200, emphasis=500)
PAGE_LIMITS = MarkdownLimits(length=30_000, block=5_000, nesting=8, brackets=150, angles=50, backticks=300, emphasis=1_000)

_BACKTICK_RUN = re.compile(r"`+")
_EMPHASIS_RUN = re.compile(r"\*+|_+")
_LINE_BREAK = re.compile(r"\r\n?|\n")  # Python-Markdown reads \r\n and a lone \r as line breaks too
_BLOCK_GAP = re.compile(r"(?:\r\n?|\n)(?:[ \t]*(?:\r\n?|\n))+")  # blank lines: spaces and tabs only
_SPACE = re.compile(r"\s*")
_ORDERED_MARKER = re.compile(r"\d+\.(?=[ \t])")  # `1. `; \d as in Python-Markdown: any decimal digit
_STX_ETX = re.compile(r"[\x02\x03]")
_MAY_OPEN = re.compile(r"[ \t]*(?:>|[*+-][ \t]|\d+\.[ \t])| {0,3}\t| {4}")  # a line that can open a level
_MAY_OPEN_ANYWHERE = (  # the same, roughly (a superset), at the start of the text and after a line break
    re.compile(r"[ \t\x02\x03]*[>*+\-\d\t\x02\x03]| {4}"),
    re.compile(r"[\r\n](?:[ \t\x02\x03]*[>*+\-\d\t\x02\x03]| {4})"),
)
_THEMATIC_BREAK = {  # `- - -` or `* * *`: a horizontal rule, not three lists (Python-Markdown's rule)
    char: re.compile(rf"(?:{re.escape(char)} {{0,2}}){{2,}}{re.escape(char)} *") for char in "-*"
}


def markdown_problem(text: str, *, page: bool = False) -> tuple[int, str] | None:
    """The first reason `text` is too complex to render safely, or None.

    Returns (offset of the offending character in `text`, a message that says what is wrong and how
    to fix it). Summaries are held to SUMMARY_LIMITS, content pages (`page=True`) to PAGE_LIMITS.
    A text over the maximum length is reported as such, at the first character over it. Otherwise
    "first" means the smallest offset, where each problem is placed as follows: a block that is too
    long at its first character; nesting where it goes one level too deep; too many `[` (or `<`,
    backtick runs, `*`/`_` runs) at the first one over the limit. Linear in the length of `text`,
    and a few microseconds for a summary of normal length.
    """
    return _problem(text, PAGE_LIMITS, "page") if page else _problem(text, SUMMARY_LIMITS, "summary")


def _problem(text: str, limits: MarkdownLimits, what: str) -> tuple[int, str] | None:
    split = ", or split the page" if what == "page" else ""
    if len(text) > limits.length:
        return limits.length, f"the {what} is {len(text):,} characters long; at most {limits.length:,} are allowed: shorten it{split}"
    problems = []
    for char, limit, name, why, advice in (
        ("[", limits.brackets, "`[` brackets", "every link and image takes one", f"use fewer links{split}"),
        ("<", limits.angles, "`<` characters", "raw HTML and <https://...> links take one each",
         "write \u201cless than\u201d, and links as [text](https://...)"),
    ):
        count = text.count(char)
        if count > limit:
            at = -1
            for _ in range(limit + 1):
                at = text.find(char, at + 1)
            problems.append((at, f"the {what} has {count:,} {name}; at most {limit:,} are allowed ({why}): {advice}"))
    for run, count, limit, name, why, advice in (
        (_BACKTICK_RUN, text.count("`"), limits.backticks, "runs of backticks (`)", "every `code` span takes two",
         f"use fewer code spans{split}"),
        (_EMPHASIS_RUN, text.count("*") + text.count("_"), limits.emphasis, "runs of `*` or `_`",
         "every *italic* or **bold** text takes two", f"use less emphasis{split}"),
    ):
        if count > limit:  # there are at most as many runs as characters
            runs = run.finditer(text)
            over = next(itertools.islice(runs, limit, None), None)
            if over is not None:
                count = limit + 1 + sum(1 for _ in runs)
                problems.append((over.start(), f"the {what} has {count:,} {name}; at most {limit:,} are allowed ({why}): {advice}"))
    deep = _deep_nesting(text, limits.nesting)
    if deep is not None:
        at, depth = deep
        problems.append((at, f"the {what} nests lists, quotes or indentation {depth} levels deep here; at most {limits.nesting} are "
                             "allowed (each `>`, each list marker such as `-` or `1.` and each 4 spaces of indentation at the start "
                             "of a line opens a level, and lines with no blank line between them stay inside the levels the line "
                             "before opened): nest less"))
    if len(text) > limits.block:
        start = 0
        for gap in itertools.chain(_BLOCK_GAP.finditer(text), (None,)):
            end = len(text) if gap is None else gap.start()
            if end - start > limits.block:
                start = _SPACE.match(text, start, end).end()
                if end - start > limits.block:
                    problems.append((start, f"the paragraph, list or table starting here is {end - start:,} characters long (lines "
                                            f"with no blank line between them); at most {limits.block:,} are allowed in one: put a "
                                            "blank line between paragraphs, or shorten it"))
                    break
            if gap is not None:
                start = gap.end()
    return min(problems, default=None, key=lambda problem: problem[0])


def _deep_nesting(text: str, limit: int) -> tuple[int, int] | None:
    """Where `text` first nests more than `limit` levels deep, and how deep it is there; or None.

    Follows Python-Markdown's block parser closely enough never to count fewer levels than it
    makes (tests check that against Python-Markdown itself). Within a block (lines with no blank
    line between them) it keeps the stack of levels the lines opened. Each line walks down that
    stack: an open quote takes the line's `>` (or the line goes on inside it), an open list takes
    4 columns of indentation, or its own kind of marker (`-` `*` `+`, or `1.`) as a sibling item,
    which closes the levels below; any other line is a lazy continuation, which Python-Markdown
    parses inside the deepest item. Whatever the line has left then opens new levels: each `>`,
    each list marker and each 4 columns of indentation (also where that only makes a code block:
    erring on the safe side).
    """
    first, later = _MAY_OPEN_ANYWHERE
    if not first.match(text) and not later.search(text):
        return None  # no line opens a list, a quote or an indented block
    clean, shifts = _without_stx_etx(text)
    stack: list[str] = []  # ">", "ul", "ol" or " " (4 columns of indentation), outermost first
    start = 0
    for line_break in itertools.chain(_LINE_BREAK.finditer(clean), (None,)):
        end = len(clean) if line_break is None else line_break.start()
        line = clean[start:end]
        if not line.strip(" \t"):
            stack.clear()  # a blank line ends the block
        elif _MAY_OPEN.match(line):
            tokens = _prefix(line, limit)
            pending, pending_at, t = (tokens[0][1], tokens[0][2], 1) if tokens and tokens[0][0] == " " else (0, 0, 0)
            for level, container in enumerate(stack):  # walk down the open levels
                kind = tokens[t][0] if t < len(tokens) else None
                if container == ">":
                    if pending <= 3 and kind == ">":  # the quote takes its `>`
                        t += 1
                        pending, pending_at, t = (tokens[t][1], tokens[t][2], t + 1) if t < len(tokens) and tokens[t][0] == " " else (0, 0, t)
                elif container == " ":
                    pending -= min(4, pending)
                elif pending <= 3 and kind == container:  # a sibling item: the levels below it close
                    del stack[level + 1:]
                    pending, t = 0, t + 1
                    break
                elif pending >= 4:
                    pending -= 4
            opened = [(" ", pending_at)] * (pending // 4)  # then what is left opens new levels
            for kind, width, at in tokens[t:]:
                opened += [(" ", at)] * (width // 4) if kind == " " else [(kind, at)]
            for kind, at in opened:
                stack.append(kind)
                if len(stack) > limit:
                    at += start
                    return at + bisect.bisect_right(shifts, at), len(stack)
        if line_break is None:
            return None
        start = line_break.end()
    return None


def _without_stx_etx(text: str) -> tuple[str, list[int]]:
    """`text` without STX and ETX, which Python-Markdown deletes before it parses, and where they were.

    The offset of the i-th character of the result in `text` is i + bisect_right(shifts, i).
    """
    if "\x02" not in text and "\x03" not in text:
        return text, []
    shifts = [found.start() - index for index, found in enumerate(_STX_ETX.finditer(text))]
    return _STX_ETX.sub("", text), shifts


def _prefix(line: str, limit: int) -> list[tuple[str, int, int]]:
    """What opens levels at the start of a line: (kind, columns, index), kind " " (indentation,
    tabs reaching the next multiple of 4), ">", "ul" or "ol". No more than a walk down `limit`
    levels and `limit` more can use."""
    tokens: list[tuple[str, int, int]] = []
    at = column = 0
    after_quote = False
    while len(tokens) < 4 * limit + 8:
        begin, width = at, 0
        while at < len(line) and line[at] in " \t":
            step = 4 - column % 4 if line[at] == "\t" else 1
            column, width, at = column + step, width + step, at + 1
        if at == len(line):
            break  # only spaces after the last marker: an empty item or quote
        if after_quote and width:
            width -= 1  # `> text`: one space belongs to the `>`
        if width:
            tokens.append((" ", width, begin))
        char = line[at]
        after_quote = char == ">"
        if after_quote:
            tokens.append((">", 0, at))
            at, column = at + 1, column + 1
            continue
        if char in "*+-" and at + 1 < len(line) and line[at + 1] in " \t":
            if char != "+" and _THEMATIC_BREAK[char].fullmatch(line, at):
                break  # `- - -`, `* * *`: the rest of the line is a horizontal rule
            kind, size = "ul", 1
        else:
            ordered = _ORDERED_MARKER.match(line, at)
            if ordered is None:
                break
            kind, size = "ol", ordered.end() - at
        tokens.append((kind, 0, at))
        at, column = at + size, column + size
        while at < len(line) and line[at] in " \t":  # a list marker takes all the spaces after it
            column, at = column + (4 - column % 4 if line[at] == "\t" else 1), at + 1
    return tokens
