"""markup.py: Markdown renders, nothing in it can inject script or a bad link, and no text can
make rendering slow or crash it (markdown_problem refuses it first, with a message that says where
and how to fix it)."""

from __future__ import annotations

import html
import json
import subprocess
import sys
import threading
from html.parser import HTMLParser

import nh3
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings, strategies as st

from archive import markup
from archive.markup import (
    PAGE_LIMITS,
    SUMMARY_LIMITS,
    MarkdownLimits,
    markdown_problem,
    markdown_to_html,
    markdown_to_text,
    page_to_html,
)
from conftest import REPO


def test_markdown_renders_emphasis_links_and_lists():
    html = markdown_to_html("**Kyiv** was hit. See [the report](https://example.org/r).\n\n- one\n- two\n")
    assert "<strong>Kyiv</strong>" in html
    assert '<a href="https://example.org/r" rel="noopener noreferrer nofollow">the report</a>' in html
    assert "<li>one</li>" in html


def test_raw_html_and_script_are_removed():
    html = markdown_to_html('Hello <script>alert(1)</script><img src=x onerror=alert(2)><b onclick="x()">bold</b>')
    assert "<script" not in html and "alert(1)" not in html
    assert "<img" not in html and "onerror" not in html and "onclick" not in html


def test_dangerous_link_schemes_are_dropped():
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"):
        html = markdown_to_html(f"[click]({url})")
        assert "javascript:" not in html and "data:" not in html and "vbscript:" not in html, html
        assert "click" in html


def test_markdown_images_from_other_hosts_are_dropped():
    assert "<img" not in markdown_to_html("![x](https://tracker.example/pixel.gif)")


def test_summaries_get_no_heading_ids_but_content_pages_do():
    from archive.markup import page_to_html

    assert markdown_to_html("## Figures killed all") == "<h2>Figures killed all</h2>"
    assert page_to_html("## Totals") == '<h2 id="totals">Totals</h2>'


# ---- Complexity limits -------------------------------------------------------------------------

KINDS = [pytest.param(False, id="summary"), pytest.param(True, id="page")]
PROSE = "Drones hit the city overnight and officials reported damage to several homes. "


def limits_for(page: bool) -> MarkdownLimits:
    return PAGE_LIMITS if page else SUMMARY_LIMITS


def prose(n: int) -> str:
    return (PROSE * (n // len(PROSE) + 1))[:n]


def chain(levels: int) -> tuple[list[str], int]:
    """Lines, each a lazy continuation of the one before, that Python-Markdown nests ever deeper
    (`1. `, `+ `, `> 1. `, `> + `, `> > 1. `...), though no line starts deeper than `levels`; and
    how many of them still nest no deeper than `levels`."""
    lines = []
    for quotes in range(levels):
        lines += ["> " * quotes + "1. ", "> " * quotes + "+ "]
    within = max(count for count in range(len(lines) + 1) if markup._structure_depth("\n".join(lines[:count]) + " x\n") <= levels)
    return lines, within


# (name, make(limits) -> (text, offset of the problem, words the message must have)); every text
# goes over one limit of the kind it is made for.
def _over(name, make):
    return pytest.param(make, id=name)


OVER = [
    _over("link openers [a](", lambda L: ("[a](" * (L.brackets + 1), 4 * L.brackets, [f"{L.brackets + 1:,} `[`", f"at most {L.brackets:,}", "link"])),
    _over("links [a](b)", lambda L: ("[a](b) " * (L.brackets + 1), 7 * L.brackets, [f"{L.brackets + 1:,} `[`", "fewer links"])),
    _over("brackets [", lambda L: ("[" * (L.brackets + 1), L.brackets, [f"{L.brackets + 1:,} `[`"])),
    _over("images ![", lambda L: ("![" * (L.brackets + 1), 2 * L.brackets + 1, ["`[`", "image"])),
    _over("nested brackets [[[a]]]", lambda L: ("[" * (L.brackets + 1) + "a" + "]" * (L.brackets + 1), L.brackets, ["`[`"])),
    _over("notes in prose [1]", lambda L: ("See [1] and " * (L.brackets + 1), 12 * L.brackets + 4, ["`[`"])),
    _over("unclosed tags <a", lambda L: ("<a " * (L.angles + 1), 3 * L.angles, [f"{L.angles + 1:,} `<`", f"at most {L.angles:,}", "less than"])),
    _over("autolinks <https://>", lambda L: ("<https://example.org/> " * (L.angles + 1), 23 * L.angles, ["`<`", "[text](https://...)"])),
    _over("CDATA <![CDATA[", lambda L: ("<![CDATA[" * (L.angles + 1), 9 * L.angles, ["`<`"])),
    _over("code spans `a`", lambda L: ("`a` " * (L.backticks // 2 + 1), 4 * (L.backticks // 2), ["runs of backticks", f"at most {L.backticks:,}", "code span"])),
    _over("unclosed backticks", lambda L: ("`a " * (L.backticks + 1), 3 * L.backticks, ["runs of backticks"])),
    _over("emphasis *a*a*a", lambda L: ("*a" * (L.emphasis + 1), 2 * L.emphasis, [f"{L.emphasis + 1:,} runs of `*` or `_`", f"at most {L.emphasis:,}"])),
    _over("emphasis _a_", lambda L: ("_a_ " * (L.emphasis // 2 + 1), 4 * (L.emphasis // 2), ["runs of `*` or `_`", "emphasis"])),
    _over("emphasis *** then a*", lambda L: ("***" + "a*" * L.emphasis, 2 * L.emphasis + 2, ["runs of `*` or `_`"])),
    _over("nested lists - - -", lambda L: ("- " * (L.nesting + 1) + "x", 2 * L.nesting, [f"{L.nesting + 1:,} levels deep", f"at most {L.nesting:,}", "nest less"])),
    _over("nested lists + + +", lambda L: ("+ " * (L.nesting + 1) + "x", 2 * L.nesting, [f"{L.nesting + 1:,} levels deep"])),
    _over("nested lists 1. 1.", lambda L: ("1. " * (L.nesting + 1) + "x", 3 * L.nesting, [f"{L.nesting + 1:,} levels deep"])),
    _over("nested lists after prose", lambda L: ("Intro.\n\n" + "10. " * (L.nesting + 1) + "x", 8 + 4 * L.nesting, ["levels deep"])),
    _over("lists nested by indentation", lambda L: (
        "".join("    " * level + "- item\n" for level in range(L.nesting + 1)),
        sum(4 * level + 7 for level in range(L.nesting)) + 4 * L.nesting, [f"{L.nesting + 1:,} levels deep", "4 spaces"])),
    _over("indented by tabs", lambda L: ("\t" * (L.nesting + 1) + "x", 0, [f"{L.nesting + 1:,} levels deep", "indentation"])),
    _over("nested quotes > > >", lambda L: ("> " * (L.nesting + 1) + "x", 2 * L.nesting, [f"{L.nesting + 1:,} levels deep", "`>`"])),
    _over("nested quotes >>>", lambda L: (">" * (L.nesting + 1) + "x", L.nesting, [f"{L.nesting + 1:,} levels deep"])),
    _over("nested quotes, line by line", lambda L: (
        "".join("> " * level + "x\n" for level in range(1, L.nesting + 2)),
        sum(2 * level + 2 for level in range(1, L.nesting + 1)) + 2 * L.nesting, [f"{L.nesting + 1:,} levels deep"])),
    _over("lists in quotes > - > -", lambda L: ("".join(("> ", "- ")[level % 2] for level in range(L.nesting + 1)) + "x", 2 * L.nesting, ["levels deep"])),
    _over("quotes in lists 1. > 1. >", lambda L: (
        "".join(("1. ", "> ")[level % 2] for level in range(L.nesting + 1)) + "x",
        sum(len(("1. ", "> ")[level % 2]) for level in range(L.nesting)), ["levels deep"])),
    _over("lines inside the lines before", lambda L: (
        "\n".join(chain(L.nesting)[0]) + " x\n",
        sum(len(line) + 1 for line in chain(L.nesting)[0][:chain(L.nesting)[1]]), ["levels deep with this line", "blank line"])),
    _over("over the maximum length", lambda L: (("word " * 99 + "word\n\n") * (L.length // 500 + 1), L.length, [f"at most {L.length:,}", "characters long", "shorten"])),
    _over("one long paragraph", lambda L: ("word " * (L.block // 5 + 1), 0, [f"{L.block + 5:,} characters", f"at most {L.block:,}", "blank line"])),
    _over("long paragraph after another", lambda L: ("Intro.\n\n   " + "word " * (L.block // 5 + 1), 11, ["characters starting here", "blank line"])),
    _over("long list", lambda L: ("- item\n" * (L.block // 7 + 1), 0, ["paragraph, list or table"])),
    _over("long table", lambda L: ("|a|b|\n|-|-|\n" + "|a|b|\n" * (L.block // 6 + 1), 0, ["paragraph, list or table"])),
]


@pytest.mark.parametrize("page", KINDS)
@pytest.mark.parametrize("make", OVER)
def test_texts_over_a_limit_are_refused_where_the_problem_is_with_a_helpful_message(make, page):
    limits = limits_for(page)
    text, offset, words = make(limits)
    problem = markdown_problem(text, page=page)
    assert problem is not None, text[:200]
    at, message = problem
    assert at == offset, (message, repr(text[max(0, at - 10):at + 10]), repr(text[max(0, offset - 10):offset + 10]))
    assert message.startswith("the page " if page else "the summary "), message
    assert "at most" in message and ": " in message.split("allowed", 1)[1], message  # what is wrong, then how to fix it
    for word in words:
        assert word in message, (word, message)
    render = page_to_html if page else markdown_to_html
    with pytest.raises(ValueError, match="Markdown too complex to render") as refused:
        render(text)
    assert message in str(refused.value)


def problem_at(text: str, page: bool) -> int:
    """Where markdown_problem reports the first problem of a text that has one."""
    problem = markdown_problem(text, page=page)
    assert problem is not None
    return problem[0]


@pytest.mark.parametrize("page", KINDS)
def test_the_first_problem_in_the_text_is_reported(page):
    limits = limits_for(page)
    long_paragraph = "Intro.\n\n" + "word " * (limits.block // 5 + 1) + "\n\n"
    text = long_paragraph + "[" * (limits.brackets + 1) + "\n\n" + "- " * (limits.nesting + 1) + "x"
    assert problem_at(text, page) == len("Intro.\n\n")
    text = "[" * (limits.brackets + 1) + "\n\n" + "- " * (limits.nesting + 1) + "x\n\n" + long_paragraph
    assert problem_at(text, page) == limits.brackets
    deep = "- " * (limits.nesting + 1) + "x"
    assert problem_at("A\n\n" + deep + "\n\n" + "[" * (limits.brackets + 1), page) == 3 + 2 * limits.nesting


def test_summaries_are_held_to_tighter_limits_than_content_pages():
    assert SUMMARY_LIMITS.length < PAGE_LIMITS.length and SUMMARY_LIMITS.brackets <= PAGE_LIMITS.brackets
    text = ("word " * 99 + "word\n\n") * (SUMMARY_LIMITS.length // 500 + 1)
    assert markdown_problem(text) is not None and markdown_problem(text, page=True) is None
    with pytest.raises(ValueError):
        markdown_to_html(text)
    assert "<p>word word" in page_to_html(text)
    assert markdown_to_text(text).startswith("word word")  # offline search reads content pages' text through it


@pytest.mark.parametrize("text", [
    "* * * * * * * * * * * *",  # horizontal rules, not lists
    "- - - - - - - - - - - -",
    "Intro\n\n- - - - - - - - - - - -\n\nMore",
    "1) 1) 1) 1) 1) 1) 1) 1) 1) x",  # not a list marker in Python-Markdown
    "- one\n- two\n    - three\n        - four\n            - five\n- six",
    "> quote\n> - item\n>     - nested\n>\n> more",
    "Some code:\n\n    def f():\n        if x:\n            return [1, 2]\n",
    "In 2025 the count was 1. 2. 3. 4. 5. 6. 7. 8. 9. 10 (a list only at the start of a line).",
    "Dates: 2025-06-06, 6. June 2025 \u2013 *emphasis* and __bold__ and `code`.",
    "\r\n".join(["- a", "  - b", "    - c"]),
])
def test_ordinary_markdown_passes(text):
    assert markdown_problem(text) is None
    assert markdown_problem(text, page=True) is None
    markdown_to_html(text)


def test_line_breaks_and_deleted_control_characters_are_read_as_python_markdown_reads_them():
    deep = ["- "] * (SUMMARY_LIMITS.nesting + 1)
    assert markdown_problem("a\r" + "".join(deep) + "x") is not None  # a lone CR ends a line
    assert markdown_problem("a\r\n" + "\t" * (SUMMARY_LIMITS.nesting + 1) + "x") is not None
    assert markdown_problem("\x02".join(deep) + "x") is not None  # Python-Markdown deletes STX and ETX
    assert markdown_problem("\x03" * 20 + "".join(deep) + "x") is not None


def test_every_content_page_and_incident_summary_passes_easily():
    pages = sorted((REPO / "content").glob("*.md"))
    assert pages
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert markdown_problem(text, page=True) is None, path
        assert len(text) < PAGE_LIMITS.length / 2, path  # room to grow
    incidents = sorted((REPO / "incidents").glob("*/*.yaml"))
    assert incidents
    for path in incidents:
        summary = yaml.safe_load(path.read_text(encoding="utf-8"))["summary"]
        assert markdown_problem(summary) is None, path
        assert len(summary) < SUMMARY_LIMITS.length / 4, path


def test_every_summary_of_a_generated_archive_passes(tmp_path):
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--incidents", "300", "--out", str(tmp_path)],
                   check=True, capture_output=True)
    paths = sorted((tmp_path / "incidents").rglob("*.yaml"))
    assert len(paths) == 300
    for path in paths:
        assert markdown_problem(yaml.safe_load(path.read_text(encoding="utf-8"))["summary"]) is None, path


# The worst texts that pass: every count at its limit, each `[` unclosed, each block as long as
# allowed, nesting as deep as allowed. Rendered in a subprocess that must finish within a generous
# timeout (timings themselves are in bench/markdown_worst_case.py: a fraction of a second).

def blocks_of(head: str, limits: MarkdownLimits) -> str:
    """`head` filled up with prose to a full block, then more full blocks up to the maximum length."""
    first = head + prose(limits.block - len(head))
    rest = [prose(limits.block)] * ((limits.length - limits.block) // (limits.block + 2))
    return "\n\n".join([first, *rest])


def repeated(unit: str, limits: MarkdownLimits) -> str:
    """Blocks of `unit` repeated, each as long as allowed, up to the maximum length."""
    block = unit * (limits.block // len(unit))
    return "\n\n".join([block] * ((limits.length + 2) // (len(block) + 2)))


def backtick_runs(limits: MarkdownLimits) -> str:
    """Runs of backticks each longer than the one before, so that none finds its closing run."""
    blocks: list[str] = []
    runs = 0
    while runs < limits.backticks and (len(blocks) + 1) * (limits.block + 2) <= limits.length:
        head = "".join("`" * length + " " for length in range(1, min(limits.backticks - runs, 60) + 1))
        blocks.append(head + prose(limits.block - len(head)))
        runs += min(limits.backticks - runs, 60)
    return "\n\n".join(blocks)


def chained(limits: MarkdownLimits) -> str:
    lines, within = chain(limits.nesting)
    return repeated("\n".join(lines[:within]) + " x\n", limits)


def everything(limits: MarkdownLimits) -> str:
    """Every `[` in one block, every `<` and `*` run in another, then lists nested as deep as allowed."""
    text = "\n\n".join(["[" * limits.brackets + prose(limits.block - limits.brackets),
                        "<a " * limits.angles + "***" + "a*" * (limits.emphasis - 1)])
    return text + "\n\n" + repeated("- " * limits.nesting + "x\n", limits)[: max(0, limits.length - len(text) - 2)]


JUST_UNDER = {
    "link openers": lambda L: blocks_of("[a](" * L.brackets, L),
    "brackets": lambda L: blocks_of("[" * L.brackets, L),
    "images": lambda L: blocks_of("![" * L.brackets, L),
    "nested brackets": lambda L: blocks_of("[" * L.brackets + prose(L.block // 2) + "]" * L.brackets, L),
    "unclosed tags": lambda L: blocks_of("<a " * L.angles, L),
    "CDATA": lambda L: blocks_of("<![CDATA[" * L.angles, L),
    "backtick runs": backtick_runs,
    "emphasis runs": lambda L: blocks_of("***" + "a*" * (L.emphasis - 1), L),
    "nested lists": lambda L: repeated("- " * L.nesting + "x\n", L),
    "nested quotes": lambda L: repeated("> " * L.nesting + "x\n", L),
    "mixed lists and quotes": lambda L: repeated("> - " * (L.nesting // 2) + "x\n", L),
    "lists nested by indentation": lambda L: repeated("".join("    " * level + "- item\n" for level in range(L.nesting)), L),
    "lines inside the lines before": chained,
    "tiny paragraphs": lambda L: ("a\n\n" * L.length)[: L.length],
    "every limit at once": everything,
}

RENDER = """
import json, sys
from archive.markup import markdown_to_html, page_to_html
for case in json.load(sys.stdin):
    (page_to_html if case["page"] else markdown_to_html)(case["text"])
"""


@pytest.mark.parametrize("name", JUST_UNDER)
def test_the_worst_texts_within_the_limits_pass_and_render_quickly(name):
    cases = []
    for page in (False, True):
        limits = limits_for(page)
        text = JUST_UNDER[name](limits)
        assert len(text) <= limits.length
        assert markdown_problem(text, page=page) is None, (page, markdown_problem(text, page=page))
        cases.append({"page": page, "text": text})
    result = subprocess.run([sys.executable, "-c", RENDER], input=json.dumps(cases), cwd=REPO, capture_output=True, text=True,
                            timeout=10)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_benchmarks_worst_cases_pass_the_pre_check():
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import markdown_worst_case as bench
    finally:
        sys.path.remove(str(REPO / "bench"))
    for page, limits in ((False, SUMMARY_LIMITS), (True, PAGE_LIMITS)):
        for name, make in bench.CONSTRUCTS.items():
            text = make(limits.length, limits)
            assert markdown_problem(text, page=page) is None, (name, page)


def test_renderers_raise_a_clear_value_error_never_a_recursion_error(monkeypatch):
    for text in ("- " * 5000 + "x", "> " * 5000 + "x", "1. \n+ \n" * 2000, "[a](" * 20_000):
        for render in (markdown_to_html, page_to_html, markdown_to_text):
            with pytest.raises(ValueError, match="Markdown too complex to render"):
                render(text)

    def overflow(converter, root):
        raise RecursionError

    monkeypatch.setattr(markup, "_finish", overflow)  # rendering the parsed text (inline Markdown, serializing)
    with pytest.raises(ValueError, match="nests too deeply"):
        page_to_html("> a quote that passes the pre-check")


def test_the_pre_check_reads_no_further_than_the_maximum_length():
    problem = markdown_problem("[" * 10_000_000)
    assert problem is not None
    at, message = problem
    assert at == SUMMARY_LIMITS.length and "10,000,000 characters" in message


# Python-Markdown itself says how deep it nests: whatever passes the pre-check nests no deeper than
# the limit, and renders; whatever does not pass, the renderers refuse.

class _Depth(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol", "blockquote"):
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        if tag in ("ul", "ol", "blockquote"):
            self.depth -= 1


PREFIXES = ["- ", "* ", "+ ", "1. ", "10. ", "> ", ">", " ", "  ", "    ", "\t", "\x02"]
ENDS = ["x", "", "- - -", "`c`", "text\n===", "|a|b|\n|-|-|", "[a](b)", "*e*"]
LINES = st.builds(lambda prefix, end: "".join(prefix) + end, st.lists(st.sampled_from(PREFIXES), max_size=12), st.sampled_from(ENDS))
TEXTS = st.builds(lambda lines, breaks: "".join(line + brk for line, brk in zip(lines, breaks, strict=False)),
                  st.lists(LINES, min_size=1, max_size=14), st.lists(st.sampled_from(["\n", "\n", "\n\n", "\r\n", "\r"]), min_size=14, max_size=14))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
@example("1. \n+ \n> 1. \n> + \n> > 1. \n> > + \n> > > 1. x\n")
@example("- \t- + 1. * \n> - > - x\n")
def test_what_passes_nests_no_deeper_than_the_limit_and_what_fails_is_refused(text):
    problem = markdown_problem(text)
    if problem is None:
        depth = _Depth()
        depth.feed(str(markdown_to_html(text)))
        assert depth.deepest <= SUMMARY_LIMITS.nesting
    else:
        assert 0 <= problem[0] <= len(text)
        with pytest.raises(ValueError):
            markdown_to_html(text)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.integers(0, 8))
@example("1. \n+ \n> 1. \n> + \n> > 1. \n> > + \n> > > 1. x\n", 6)
@example("- a\n    - b\n        - c\n", 3)
def test_a_text_whose_lines_open_few_levels_all_together_nests_no_deeper(text, limit):
    """Check parses a summary with Python-Markdown's block parser to see how deep it nests unless its
    lines open no more levels than the limit all together (each list and quote takes one): that
    shortcut must never pass a text that nests deeper."""
    if markup._opens_at_most(text, limit):
        assert markup._structure_depth(text) <= limit


def test_a_summary_with_a_short_list_is_judged_without_a_parse(monkeypatch):
    monkeypatch.setattr(markup, "_structure_depth", lambda text: pytest.fail("parsed"))
    assert markdown_problem("Three strikes overnight:\n\n- Kyiv: two killed.\n- Lviv: a fire.\n- Odesa: no one hurt.\n\n> As officials said.") is None


# Plain prose is written straight to <p> elements, and simple Markdown (bold, italic, links and lists
# of plain words) straight to its HTML (markup._simple_html); anything else goes through Python-Markdown
# and the sanitizer. Both must give the same bytes, and texts near the line between them (a list marker,
# an underline, a trailing space, an entity, a `*` next to another) must not take the quick way.
PLAIN_PIECES = ["Kyiv", "strike", "a", "Z", "й", "café", "²", " ", " ", ",", ".", ";", ":", "'", '"', "?", "(", ")", "%", "/", "-",
                "\n", "\n\n", "\n\n\n", "12", "10 ", "10.", "1.5", "(with AFP)", "ǅ", "١٢"]
NEAR_PIECES = ["  \n", " \n", "- ", "* ", "+ ", "1. ", "# ", "> ", "    ", "\t", "===", "---", "_", "*", "`", "[", "]", "&amp;", "&",
               "<", ">", "\\", "\u00a0", "\u0301", "\u2028", "|", "!", "\r"]
MARKED = ["**{}**", "*{}*", "[{}](https://example.org/a/1)", "[{}](http://x.org)", "**{} *strike* a**", "**a *{}* Kyiv *b* c**"]
NEAR_MARKS = ["*", "**", "***", "[", "]", "](", "[x](https://example.org/?a=1&b=2)", '[x](https://example.org/a "t")', "[x](/relative)",
              "[x](mailto:a@example.org)", "[ x](https://example.org)", "** a**", "*a *", " *", "* ", "- ", "1. ", "**a *b***", "**a *b*c**",
              "**a *b*, c**", "***a***", "** a *b* c**", "**a * b* c**", "**a *b *c**"]
WORD = st.sampled_from(["Kyiv", "strike", "a", "й", "café", "10", "10.", "1.5", "(with AFP)", "(", ")", "'", '"', "'q'", '"q"', "5%", "a/b",
                        "x-y", "-", "end.", "so,", "ǅ", "١٢"])
WORDS = st.lists(WORD, min_size=1, max_size=3).map(" ".join)
PART = st.one_of(WORDS, st.tuples(st.sampled_from(MARKED), WORDS).map(lambda marked: marked[0].format(marked[1])),
                 st.sampled_from(NEAR_MARKS + NEAR_PIECES))
LINE = st.tuples(st.lists(PART, min_size=1, max_size=6), st.sampled_from([" ", ""])).map(lambda line: line[1].join(line[0]))
BLOCK = st.one_of(st.lists(LINE, min_size=1, max_size=3).map("\n".join), st.lists(LINE, min_size=1, max_size=4).map(lambda items: "\n".join("- " + item for item in items)))
SIMPLE_TEXTS = st.tuples(st.lists(BLOCK, min_size=1, max_size=4), st.sampled_from(["\n\n", "\n\n\n"])).map(lambda text: text[1].join(text[0]))


def _slow_html(text: str, converter) -> str:
    converter.reset()
    return str(markup._clean(converter.convert(text)))


def _same_as_python_markdown(text: str) -> None:
    quick = markup._simple_html(text)
    if quick is None:
        return
    assert quick == _slow_html(text, markup._summary_converter) == _slow_html(text, markup._page_converter)
    assert markdown_to_text(text) == " ".join(html.unescape(nh3.clean(quick, tags=set())).split())


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PLAIN_PIECES), max_size=40), st.lists(st.tuples(st.integers(0, 40), st.sampled_from(NEAR_PIECES)), max_size=2))
@example(["Kyiv", "\n", "===="], [])
@example(["Kyiv", " "], [])
def test_plain_prose_renders_as_python_markdown_and_the_sanitizer_would(pieces, inserts):
    for at, piece in inserts:
        pieces.insert(at, piece)
    _same_as_python_markdown("".join(pieces))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SIMPLE_TEXTS)
@example("- *a*\n\n- b")  # two lists with a blank line between: one list, whose items next to it are paragraphs
@example("- a\n- b\n\n- c\n- d\n\n\n- e\n- f\n\nx\n\n- g\n\n- h")
@example("**Kyiv strike***Lviv*")
@example("Kyiv\n- a")
def test_simple_markdown_renders_as_python_markdown_and_the_sanitizer_would(text):
    _same_as_python_markdown(text)


def test_summaries_with_any_markup_are_not_taken_for_plain_prose():
    for text in ["Kyiv  \nstrike", "1. one", "Kyiv\n12. Lviv", "Title\n===", "Title\n---", "a_b", "x &amp; y", "    code", "Kyiv ",
                 "a **b *c***", "Kyiv\n- a", "- 1. a", "[a](https://example.org/?q=1)", "*a**b*", "- a\n\n- b\nc"]:
        assert markup._simple_html(text) is None, text
    assert markup._simple_html("Strike on Kyiv.\n10 drones (with AFP).\n\n\nNext 5%.\n") == "<p>Strike on Kyiv.\n10 drones (with AFP).</p>\n<p>Next 5%.</p>"


def test_simple_markdown_takes_the_quick_way(monkeypatch):
    """Bold, italic, links and lists of plain words: most summaries that are not plain prose (Python-Markdown
    took 0.6 ms for a summary of 1 KB)."""
    monkeypatch.setattr(markup, "_parse", lambda converter, text: pytest.fail("parsed"))
    text = "**Kyiv**, *overnight*: see [the report](https://example.org/a/1).\n\n- Two killed.\n- A *fire*.\n\nMore."
    assert str(markdown_to_html(text)) == (
        '<p><strong>Kyiv</strong>, <em>overnight</em>: see <a href="https://example.org/a/1" rel="noopener noreferrer nofollow">the report</a>.</p>\n'
        "<ul>\n<li>Two killed.</li>\n<li>A <em>fire</em>.</li>\n</ul>\n<p>More.</p>")
    assert str(markdown_to_html("- Two killed.\n- A fire.\n\n- Power cut.")) == (  # one list: the items beside the blank line are paragraphs
        "<ul>\n<li>Two killed.</li>\n<li>\n<p>A fire.</p>\n</li>\n<li>\n<p>Power cut.</p>\n</li>\n</ul>")


MARKDOWN_PIECES = ["- ", "* ", "1. ", "> ", "    ", "\n", "\n\n", "word", "**", "*", "_", "[a](https://example.org/a)", "<b>", "`c`",
                   "# ", "|", "---", "===", "\t", "&amp;", "  \n", "<!-- c -->"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=40))
@example(["<!-- c -->", "- ", "- ", "- ", "- ", "- ", "- ", "* "])  # seven lists deep once the comment is taken out: check passed it
def test_rendering_from_the_guards_parse_gives_what_python_markdown_gives(pieces):
    """_convert reads how deep a text nests from the converter's own parse and renders on from it
    (_parse, then _finish): the same HTML as converter.convert, and the same refusals as markdown_problem."""
    text = "".join(pieces)
    for converter, page in ((markup._summary_converter, False), (markup._page_converter, True)):
        problem = markdown_problem(text, page=page)
        try:
            rendered = str(page_to_html(text) if page else markup._convert(converter, text, SUMMARY_LIMITS, "summary"))
        except ValueError as refused:
            assert problem is not None and problem[1] in str(refused)
            continue
        assert problem is None
        converter.reset()
        assert rendered == str(markup._clean(converter.convert(text)))


TRICKY_PIECES = ['[a](https://example.org/a "t>i<t&le")', "[b](<https://x.org/?a=1&b=2>)", "`c<d>`", "&copy;", "&#62;",
                 "<https://auto.link/x>", "<a href='x' title='>'>y</a>", "<script>alert(1)</script>", "\u00a0",
                 '<abbr title="a>b">x</abbr>', "a<b", "x > y", '"q"']


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES + TRICKY_PIECES), max_size=30))
def test_the_text_of_a_summary_is_what_the_sanitizer_leaves_of_its_html_without_tags(pieces):
    text = "".join(pieces)
    try:
        rendered = markdown_to_html(text)
    except ValueError:
        return
    assert markdown_to_text(text) == " ".join(html.unescape(nh3.clean(str(rendered), tags=set())).split())


def test_texts_converted_in_several_threads_at_once_come_out_as_one_at_a_time():
    """Texts converted in several threads at once: a converter shared without a lock mixed up the texts
    of the threads (and now and then raised IndexError)."""
    texts = [f"Strike {number} on *Kharkiv*: [report {number}](https://example.org/{number}) with `code` and **{number} killed**."
             for number in range(600)]
    expected = [page_to_html(text) for text in texts]
    wrong: list[tuple[int, str]] = []

    def convert(numbers: range) -> None:
        for number in numbers:
            try:
                if page_to_html(texts[number]) != expected[number]:
                    wrong.append((number, "another text"))
            except Exception as failure:  # an error is one more wrong result
                wrong.append((number, repr(failure)))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns every few bytecodes: a race shows at once
    try:
        threads = [threading.Thread(target=convert, args=(range(start, len(texts), 4),)) for start in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert wrong == []


def test_summaries_converted_ahead_on_every_core_are_converted_as_here_and_never_again(monkeypatch):
    """A build converts its new summaries once, in worker processes, before it forks the processes that
    all read them (pages, downloads, search records): those then take the HTML and words as converted."""
    texts = [f"Strike {number} near *Izium*, [a report](https://example.org/ahead/{number}) & `{number}` more." for number in range(600)]
    texts.append("Plain words, ahead of time, number 601.")
    beyond = "x" * (SUMMARY_LIMITS.length + 1)
    expected = {text: markup._convert(markup._summary_converter, text, SUMMARY_LIMITS, "summary") for text in texts}

    markup.convert_ahead([*texts, texts[0], beyond])

    def converted_again(*arguments):
        raise AssertionError("a summary converted ahead was converted again")

    monkeypatch.setattr(markup, "_convert", converted_again)
    for text in texts:
        assert markdown_to_html(text) == expected[text]
        assert markdown_to_text(text) == " ".join(html.unescape(nh3.clean(str(expected[text]), tags=set())).split())
    monkeypatch.undo()
    with pytest.raises(ValueError, match="too complex"):  # left out, and refused when it is shown, as before
        markdown_to_html(beyond)
