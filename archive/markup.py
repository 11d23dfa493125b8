"""Turn contributor Markdown into safe HTML: Python-Markdown, then an allow-list sanitizer (nh3).

Markdown passes raw HTML through, so everything it outputs is cleaned: only the tags and
attributes below survive, and links may only point to http(s), mailto or relative URLs.
Plain prose and simple Markdown (see _SIMPLE) are written straight to the same HTML, without a parse.
"""

from __future__ import annotations

import html
import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from xml.etree import ElementTree

import markdown
import nh3
from markupsafe import Markup

from .parallel import parallel_map

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
# A converter keeps the state of the text it is converting, so two threads must never use one at
# once (nor _structure_parser, below): a summary converted by two threads at a time (when the search
# index made its records in several) raised IndexError in about one build in twenty of 10,000
# incidents. Any code may convert text in a thread (serve builds in one of its own); under the GIL
# the lock costs no parallelism.
_converting = threading.RLock()


def page_to_html(text: str) -> Markup:
    """A content page's Markdown as safe HTML, headings with ids.

    Raises ValueError for a text that `markdown_problem(text, page=True)` refuses.
    """
    return _convert(_page_converter, text, PAGE_LIMITS, "page")


@lru_cache(maxsize=250_000)  # each summary is shown on a page and also read for feeds and search
def markdown_to_html(text: str) -> Markup:
    """A summary's Markdown as safe HTML. Raises ValueError for a text that `markdown_problem` refuses."""
    ahead = _converted_ahead.get(text)
    return ahead[0] if ahead else _convert(_summary_converter, text, SUMMARY_LIMITS, "summary")


# Summaries converted by convert_ahead: their HTML and their words, by text.
_converted_ahead: dict[str, tuple[Markup, str]] = {}
CONVERTED_AHEAD_KEPT = 250_000  # texts: serve converts ahead on each build, so the table is emptied beyond this


def convert_ahead(texts: Iterable[str], meanwhile: Callable[[], object] = lambda: None) -> None:
    """Convert summaries now, on every core, for the processes that are forked next and would each
    convert them again: a build's page writers, its downloads and its search records all read every new
    summary. Python-Markdown takes about 0.6 ms for a summary of 1 KB: 6 s at 10,000 incidents, in each.
    `meanwhile()` is called in this process while the summaries are converted (see parallel_map)."""
    if len(_converted_ahead) > CONVERTED_AHEAD_KEPT:
        _converted_ahead.clear()
    todo = [text for text in dict.fromkeys(texts) if text not in _converted_ahead]
    for text, converted in zip(todo, parallel_map(_both_forms, todo, meanwhile=meanwhile), strict=True):
        if converted is not None:
            _converted_ahead[text] = converted


def _both_forms(text: str) -> tuple[Markup, str] | None:
    """A summary's HTML and words; None for a text beyond the limits (whoever shows it reports that)."""
    try:
        return markdown_to_html(text), markdown_to_text(text)
    except ValueError:
        return None


class _BeyondLimits(ValueError):
    """A text that the limits it is rendered with refuse (see markdown_problem)."""


def _convert(converter: markdown.Markdown, text: str, limits: MarkdownLimits, what: str) -> Markup:
    # Validation reports texts beyond the limits first (`check` shows them as file:line:col); this
    # guard keeps any text that did not go through it from hanging or crashing a build. How deep the
    # text nests is read from the converter's own parse, which the rendering then goes on from.
    problem = _problem(text, limits, what) if _first_problem(text, limits, what) else None
    if problem is None:
        simple = _simple_html(text)
        if simple is not None:
            return Markup(simple)
        with _converting:
            converter.reset()
            try:
                root = _parse(converter, text)
                if root is None or _tree_depth(root) <= limits.nesting:
                    return _clean(_finish(converter, root))
            except RecursionError:  # not reachable within the limits; if it were, a clear error, not a crash
                converter.reset()
                raise ValueError(f"Markdown too complex to render: the {what} nests too deeply") from None
        problem = _problem(text, limits, what) or (0, f"the {what} nests lists or quotes more than {limits.nesting} levels deep")
    offset, message = problem
    raise _BeyondLimits(f"Markdown too complex to render (at character {offset:,}): {message}")


def _parse(converter: markdown.Markdown, text: str) -> ElementTree.Element | None:
    """The first steps of converter.convert (Python-Markdown 3.11): preprocessors and block parser.
    None for a blank text, which converts to nothing."""
    if not text.strip():
        return None
    lines = text.split("\n")
    for preprocessor in converter.preprocessors:
        lines = preprocessor.run(lines)
    return converter.parser.parseDocument(lines).getroot()


def _finish(converter: markdown.Markdown, root: ElementTree.Element | None) -> str:
    """The rest of converter.convert from the parsed tree: tree processors (inline Markdown), serializer,
    postprocessors. tests/test_markup.py checks that _parse then _finish gives what convert gives."""
    if root is None:
        return ""
    for treeprocessor in converter.treeprocessors:
        replaced = treeprocessor.run(root)
        if replaced is not None:
            root = replaced
    output = converter.serializer(root)
    if converter.stripTopLevelTags:
        try:
            start = output.index(f"<{converter.doc_tag}>") + len(converter.doc_tag) + 2
            output = output[start:output.rindex(f"</{converter.doc_tag}>")].strip()
        except ValueError:
            if not output.strip().endswith(f"<{converter.doc_tag} />"):
                raise
            output = ""  # an empty document
    for postprocessor in converter.postprocessors:
        output = postprocessor.run(output)
    return output.strip()


# Plain prose: every line starts with a letter, a digit (not a list number such as `1.`), a bracket or a
# quote mark, holds only letters, digits, spaces and the punctuation below, and does not end in a space. Such a text has nothing Markdown or the sanitizer would change
# (no list, heading, quote, code, emphasis, link, line break, HTML or entity), so its HTML is its
# paragraphs in <p> elements, as Python-Markdown and nh3 would write them; written here directly,
# it costs a regular expression instead of a parse. tests/test_markup.py compares the two.
# `_` (emphasis) is no letter here: a text with one is never plain. Ruled out first, it leaves `\w` to
# stand for letters and digits, and a line one character class, which the regular expression engine
# runs ten times quicker than the alternatives `[^\W_]|[...]` (a summary is matched on every build).
_PUNCTUATION = r",.;:'\"?()%/-"  # plain punctuation, inside a class (`-` last)
_LINE_WORDS = rf"[\w {_PUNCTUATION}]*"  # any run of letters, digits, spaces and plain punctuation
_PLAIN_LINE = rf"(?!\d+\.)[\w(\"']{_LINE_WORDS}"
_PLAIN = re.compile(rf"(?:{_PLAIN_LINE})?(?:\n(?:{_PLAIN_LINE})?)*")
_PARAGRAPH_GAP = re.compile(r"\n\n+")  # not `\n{2,}`, which the engine scans for ten times slower

# Simple Markdown, written here directly too: plain prose with **bold**, *italic* and [links](https://...)
# whose texts are plain words, and lists of one line per item (`- ` and such a line). Most summaries that
# are not plain prose are that; Python-Markdown took 0.6 ms for one of 1 KB. Anything else in the text,
# and anything next to the markup that Python-Markdown could read another way (a `*` beside a `*`, a
# link's address with `&`, `?` or a quote), and the text takes the slow way. tests/test_markup.py
# compares the two on texts made of these pieces and of the ones just beyond them.
_WORDS = rf"[\w{_PUNCTUATION}](?:{_LINE_WORDS}[\w{_PUNCTUATION}])?"  # plain, no space at either end
_ADDRESS = r"https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9.~/-]*)?"
_BOLD = rf"{_WORDS}(?: \*{_WORDS}\* {_WORDS})*"  # words, and italic words among them with a space on each side
_MARKED = re.compile(rf"\*\*({_BOLD})\*\*(?!\*)|\*({_WORDS})\*(?!\*)|\[({_WORDS})\]\(({_ADDRESS})\)")
# A line's words and marks are written `words (mark words)*`, not `(character | mark)*`: the same lines, but the
# engine takes a run of words in one step instead of a step (and a place to come back to) for each character,
# four times quicker on the `varied` archive's summaries. A mark never starts with a character of the words, so
# there is one way to read a line, and a line that fails is given up in linear time as before. (Possessive
# repeats, `*+`, would do the same, but Python 3.11.0 to 3.11.4, Debian 12's among them, can match them where
# the plain repeat does not when what they repeat backtracks, as _MARKED does: CPython issue gh-106052.)
_SIMPLE_LINE = rf"(?:- )?(?!\d+\.)(?:[\w(\"']|{_MARKED.pattern}){_LINE_WORDS}(?:(?:{_MARKED.pattern}){_LINE_WORDS})*"
_SIMPLE = re.compile(rf"(?:{_SIMPLE_LINE})?(?:\n(?:{_SIMPLE_LINE})?)*")


def _never_quick(text: str) -> bool:
    """Whether a text has a space at the end of a line (two make a line break) or an `_` (emphasis): never plain, nor simple."""
    return text.endswith(" ") or " \n" in text or "_" in text


def _is_plain(text: str) -> bool:
    """Whether a text is plain prose (see _PLAIN)."""
    return not _never_quick(text) and _matches_plain(text)


def _matches_plain(text: str) -> bool:
    """_PLAIN's test, told at once for a text with bold, italic or a link: most that are not plain (the
    expression took 6 us to find that a summary of 1 KB is not, where it has its first mark)."""
    return "*" not in text and "[" not in text and _PLAIN.fullmatch(text) is not None


def _simple_html(text: str) -> str | None:
    """The HTML of a text of plain prose (see _PLAIN) or of simple Markdown (see _SIMPLE); None for any other text."""
    if _never_quick(text):
        return None
    if _matches_plain(text):
        return "\n".join(f"<p>{paragraph}</p>" for paragraph in _PARAGRAPH_GAP.split(text.strip("\n")) if paragraph)
    if _SIMPLE.fullmatch(text) is None:
        return None
    blocks: list[str] = []
    lists: list[list[str]] = []  # the lines of list blocks one after the other, with blank lines between: one list
    for block in _PARAGRAPH_GAP.split(text.strip("\n")):
        if not block:
            continue
        lines = block.split("\n")
        items = [line.startswith("- ") for line in lines]
        if all(items):
            lists.append(lines)
            continue
        if any(items):  # a paragraph and a list with no blank line between
            return None
        if lists:
            blocks.append(_list_html(lists))
            lists = []
        blocks.append(f"<p>{_MARKED.sub(_marked_html, block)}</p>")
    if lists:
        blocks.append(_list_html(lists))
    return "\n".join(blocks)


def _list_html(blocks: list[list[str]]) -> str:
    """One list of list blocks with blank lines between them, as Python-Markdown makes it: an item next to
    one of those blank lines (the last of a block, the first of the next) holds its text as a paragraph."""
    rows = []
    for number, lines in enumerate(blocks):
        for index, line in enumerate(lines):
            item = _MARKED.sub(_marked_html, line[2:])
            loose = (index == 0 and number > 0) or (index == len(lines) - 1 and number < len(blocks) - 1)
            rows.append(f"<li>\n<p>{item}</p>\n</li>" if loose else f"<li>{item}</li>")
    return "<ul>\n" + "\n".join(rows) + "\n</ul>"


def _marked_html(marked: re.Match) -> str:
    bold, italic, link, address = marked.groups()
    if bold:
        inner = _MARKED.sub(_marked_html, bold) if "*" in bold else bold  # (its italic words: see _BOLD)
        return f"<strong>{inner}</strong>"
    if italic:
        return f"<em>{italic}</em>"
    return f'<a href="{address}" rel="noopener noreferrer nofollow">{link}</a>'


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
    """The words of a Markdown text without markup or link targets, for feeds and metadata.

    Of a summary (its HTML shared with markdown_to_html) or of a content page (offline search):
    raises ValueError for a text that `markdown_problem(text, page=True)` refuses.
    """
    ahead = _converted_ahead.get(text)
    if ahead:
        return ahead[1]
    try:
        rendered = markdown_to_html(text)
    except _BeyondLimits:  # longer or more complex than a summary may be: a content page
        rendered = _convert(_summary_converter, text, PAGE_LIMITS, "page")
    if _is_plain(text):  # nothing but <p> tags around the text itself
        return " ".join(text.split())
    plain = _TAG.sub("", str(rendered))
    return " ".join(html.unescape(plain).split())


# A tag in the sanitizer's output, where every attribute value is in double quotes (and holds none):
# taking the tags out leaves the text, as nh3.clean(html, tags=set()) would, at a fraction of the cost.
_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')


# ---- Complexity limits --------------------------------------------------------------------------
#
# Python-Markdown is not linear in its input. Every `[` (link, image) scans ahead to the end of its
# paragraph when nothing closes it, and so do `<` (raw HTML, autolinks), runs of backticks (code
# spans) and runs of `*` or `_` (emphasis); each inline match also copies its paragraph's text. So
# one paragraph of `[a](` repeated takes time quadratic in its length (8,000 repeats took 11 s).
# Lists and quotes nest by recursion (`- - - ... x` ends in RecursionError), and lines with no
# blank line between them go on inside the lists and quotes the lines before them opened, so
# `1. ` then `* ` then `> 1. ` ... nests ever deeper. A text is therefore refused unless it stays
# within the limits below: then rendering takes at most (count of those characters) x (length of
# one block) plus time linear in its length: a fraction of a second for any text that passes
# (bench/markdown_worst_case.py measures the worst cases). Normal writing comes nowhere near them.


@dataclass(frozen=True)
class MarkdownLimits:
    length: int  # characters in the whole text
    block: int  # characters in one block: lines with no blank line between them (a paragraph, list, table or quote)
    nesting: int  # levels of lists and quotes inside one another (at the start of a line, 4 columns of indentation count too)
    brackets: int  # `[` characters: every link and image opens with one
    angles: int  # `<` characters: raw HTML and <https://...> links open with one
    backticks: int  # runs of backticks: every code span is two
    emphasis: int  # runs of `*` or `_`: every bold or italic text is two


SUMMARY_LIMITS = MarkdownLimits(length=10_000, block=5_000, nesting=6, brackets=100, angles=50, backticks=200, emphasis=500)
PAGE_LIMITS = MarkdownLimits(length=30_000, block=5_000, nesting=6, brackets=100, angles=50, backticks=300, emphasis=1_000)

_BACKTICK_RUN = re.compile(r"`+")
_EMPHASIS_RUN = re.compile(r"\*+|_+")
_LINE_BREAK = re.compile(r"\r\n?|\n")  # Python-Markdown reads \r\n and a lone \r as line breaks too
_BLOCK_GAP = re.compile(r"(?:\r\n?|\n)(?:[ \t]*(?:\r\n?|\n))+")  # blank lines: spaces and tabs only
_SPACE = re.compile(r"\s*")
_INDENT = re.compile(r"[ \t]*")
_ORDERED_MARKER = re.compile(r"\d+\.(?=[ \t])")  # `1. `; \d as in Python-Markdown: any decimal digit
_THEMATIC_BREAK = {  # `- - -` or `* * *`: a horizontal rule, not three lists (Python-Markdown's rule)
    char: re.compile(rf"(?:{re.escape(char)} {{0,2}}){{2,}}{re.escape(char)} *") for char in "-*"
}


def markdown_problem(text: str, *, page: bool = False) -> tuple[int, str] | None:
    """The first reason `text` is too complex to render safely, or None.

    Returns (offset of the offending character in `text`, a message that says what is wrong and how
    to fix it). Summaries are held to SUMMARY_LIMITS, content pages (`page=True`) to PAGE_LIMITS.
    A text over the maximum length is reported as such, at the first character over it. Otherwise
    "first" means the smallest offset, where each problem is placed as follows: a block that is too
    long at its first character; too many `[` (or `<`, backtick runs, `*`/`_` runs) at the first
    one over the limit; a line nested too deep where it goes one level too deep, or, when it is so
    deep only because it goes on inside the lists and quotes of the lines before it, at its start.
    Linear in the length of `text`: a few microseconds for a summary of normal length, a fraction
    of a millisecond with a list in it (then Python-Markdown's block parser reads it).
    """
    return _problem(text, PAGE_LIMITS, "page") if page else _problem(text, SUMMARY_LIMITS, "summary")


def _problem(text: str, limits: MarkdownLimits, what: str) -> tuple[int, str] | None:
    first = _first_problem(text, limits, what)
    # Then how deep Python-Markdown nests the text, up to the first problem found so far: within the
    # limits above, its block parser takes linear time.
    deep = _deep_structure(text if first is None else text[:first[0]], limits.nesting)
    if deep is not None:
        at, depth = deep
        return at, (f"the {what} nests lists or quotes {depth} levels deep with this line, which goes on inside the lists and "
                    f"quotes that the lines before it opened (there is no blank line between them); at most {limits.nesting} "
                    "are allowed: nest less, or put a blank line before this line")
    return first


def _first_problem(text: str, limits: MarkdownLimits, what: str) -> tuple[int, str] | None:
    """The first problem of `text` but for how deep its lines nest together (which takes a parse)."""
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
    deep = _deep_line(text, limits.nesting)
    if deep is not None:
        at, depth = deep
        problems.append((at, f"the {what} nests lists, quotes or indentation {depth} levels deep here; at most {limits.nesting} are "
                             "allowed (at the start of a line, each `>`, each list marker such as `-` or `1.`, and each 4 spaces "
                             "of indentation is one level): nest less"))
    if len(text) > limits.block:
        start = 0
        for gap in itertools.chain(_BLOCK_GAP.finditer(text), (None,)):
            end = len(text) if gap is None else gap.start()
            if end - start > limits.block:
                start = _match_end(_SPACE, text, start, end)
                if end - start > limits.block:
                    problems.append((start, f"the {what} has a paragraph, list or table of {end - start:,} characters starting "
                                            f"here (lines with no blank line between them); at most {limits.block:,} are allowed in "
                                            "one: put a blank line between paragraphs, or shorten it"))
                    break
            if gap is not None:
                start = gap.end()
    return min(problems, default=None, key=lambda problem: problem[0])


def _deep_line(text: str, limit: int) -> tuple[int, int] | None:
    """The first line whose own start nests more than `limit` levels deep: where it crosses the
    limit, and how deep it is there; or None. Quick: it looks only at lines that start with at
    least limit + 1 of the characters that open levels."""
    for start, end in _lines_found(text, _may_be_deep(limit + 1)):
        deep = _nesting(text, start, end, limit)
        if deep is not None:
            return deep
    return None


@dataclass(frozen=True)
class _LineStart:
    """Lines of a text that start a certain way, found by regular expressions: in a text without \r, by one that looks
    for \n, a search for one character, which the regular expression engine does 5 times quicker than for a set."""

    at_text_start: re.Pattern[str]  # matched at the start of the text
    after_any_break: re.Pattern[str]  # finds a line break (\r\n, \r or \n) followed by such a line
    after_newline: re.Pattern[str]  # finds \n followed by such a line


def _line_start(start: str) -> _LineStart:
    """The lines that `start`, a regular expression, matches at their start."""
    return _LineStart(re.compile(start), re.compile(rf"[\r\n](?={start})"), re.compile(rf"\n(?={start})"))


def _lines_found(text: str, line_start: _LineStart) -> Iterator[tuple[int, int]]:
    """Where each line of `text` that `line_start` finds starts and ends."""
    after_break = line_start.after_any_break if "\r" in text else line_start.after_newline
    starts = itertools.chain((0,) if line_start.at_text_start.match(text) else (), (found.end() for found in after_break.finditer(text)))
    for start in starts:
        line_break = _LINE_BREAK.search(text, start)
        yield start, len(text) if line_break is None else line_break.start()


_MAY_OPEN = _line_start(r"[ \t\x02\x03]*(?:[>*+\-\t\x02\x03]|\d[\d\x02\x03]*\.)| {4}")  # may open a list, a quote or an indented block


@cache
def _may_be_deep(levels: int) -> _LineStart:
    """Lines that start with `levels` characters of the kinds that open levels (each level takes one at least)."""
    return _line_start(rf"[ \t\x02\x03>*+.\d-]{{{levels}}}")


def _nesting(text: str, start: int, end: int, limit: int) -> tuple[int, int] | None:
    """Where the line text[start:end] nests more than `limit` levels deep, and how deep it is there; or None."""
    return next(((at, depth) for at, depth in _levels(text, start, end) if depth > limit), None)


def _levels(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Where the line text[start:end] opens each level, and how deep it is then.

    Levels are counted as Python-Markdown opens them: `>` (with one space after it), a list marker
    (`-`, `*`, `+` or `1.`, with the spaces after it, which Python-Markdown takes with the marker),
    and every 4 columns of other indentation (a tab reaches the next multiple of 4). Characters
    Python-Markdown deletes (STX, ETX) take no room. Indentation that only makes a code block counts
    too: that errs on the safe side.
    """
    depth = column = 0
    at = start
    indentation_counts = True
    after_quote = False
    while True:
        space_start, width = at, 0
        while at < end and text[at] in " \t\x02\x03":
            if text[at] in " \t":
                step = 4 - column % 4 if text[at] == "\t" else 1
                column += step
                width += step
            at += 1
        if at >= end:
            return  # nothing but spaces: a blank line, or an empty list item or quote
        if after_quote and width:
            width -= 1  # `> text`: one space belongs to the `>`
        if indentation_counts and width >= 4:
            depth += width // 4
            yield space_start, depth
        char = text[at]
        if char == ">":
            size, indentation_counts, after_quote = 1, True, True
        elif char in "*+-" and at + 1 < end and text[at + 1] in " \t":
            if char != "+" and _THEMATIC_BREAK[char].fullmatch(text, at, end):
                return  # the rest of the line is a horizontal rule
            size, indentation_counts, after_quote = 1, False, False
        else:
            ordered = _ORDERED_MARKER.match(text, at, end)
            if ordered is None:
                return
            size, indentation_counts, after_quote = ordered.end() - at, False, False
        depth += 1
        yield at, depth
        at += size
        column += size


# Lines with no blank line between them go on inside the lists and quotes the lines before them
# opened (`1. ` then `* ` then `> 1. ` ... nests ever deeper), so counting line by line is not
# enough. Where the lines open more levels all together than the limit (see _opens_at_most),
# Python-Markdown's own block parser (no inline work: a small part of rendering) says how deep the
# text nests.
_structure_parser = markdown.Markdown(extensions=["tables", "sane_lists"])
_NESTING_TAGS = {"ul", "ol", "blockquote"}


def _deep_structure(text: str, limit: int) -> tuple[int, int] | None:
    """Where Python-Markdown first nests lists and quotes more than `limit` deep in `text`, and how
    deep it nests; or None. Where: the start of the first line with which a prefix of the text
    nests too deep (a few more parses, only when the text does)."""
    if _opens_at_most(text, limit):  # (as when no line opens a list, a quote or an indented block)
        return None
    depth = _structure_depth(text)
    if depth <= limit:
        return None
    starts = [0] + [found.end() for found in _LINE_BREAK.finditer(text)] + [len(text) + 1]
    low, high = 0, len(starts) - 1  # the first `low` lines nest within the limit, the first `high` do not
    while high - low > 1:
        middle = (low + high) // 2
        middle_depth = _structure_depth(text[:starts[middle]])
        if middle_depth > limit:
            high, depth = middle, middle_depth
        else:
            low = middle
    return _match_end(_INDENT, text, starts[low], len(text)), depth


def _opens_at_most(text: str, limit: int) -> bool:
    """Whether the lines of `text` open at most `limit` levels all together: then Python-Markdown cannot
    nest it deeper, as each list or quote it opens takes a level of a line (and most texts with a
    list or two need no parse to tell)."""
    if "<" in text:  # raw HTML, which Python-Markdown takes out before it reads the blocks, can leave a line
        return False  # that opens levels where none seemed to start (`<!-- c -->- - - - - - - x`): parsed
    opened = 0
    for start, end in _lines_found(text, _MAY_OPEN):
        opened += max((depth for _, depth in _levels(text, start, end)), default=0)
        if opened > limit:
            return False
    return True


def _match_end(pattern: re.Pattern[str], text: str, start: int, end: int) -> int:
    """Where `pattern`, which matches the empty string too, stops matching from `start`."""
    match = pattern.match(text, start, end)
    return match.end() if match else start


def _structure_depth(text: str) -> int:
    """How many lists and quotes deep Python-Markdown's block parser nests `text`."""
    parser = _structure_parser
    with _converting:
        parser.reset()
        lines = text.split("\n")
        for preprocessor in parser.preprocessors:
            lines = preprocessor.run(lines)
        try:
            root = parser.parser.parseDocument(lines).getroot()
        except RecursionError:  # kept from happening by _deep_line; if it did, deeper than any limit
            parser.reset()
            return 1_000_000
    if root is None:  # a parsed document always has its root element
        return 0
    return _tree_depth(root)


def _tree_depth(root: ElementTree.Element) -> int:
    """How many lists and quotes deep a parsed document nests."""
    deepest, elements = 0, [(root, 0)]
    while elements:
        element, depth = elements.pop()
        depth += element.tag in _NESTING_TAGS
        deepest = max(deepest, depth)
        elements.extend((child, depth) for child in element)
    return deepest
