#!/usr/bin/env python3
"""Worst-case Markdown rendering time within the limits of archive.markup.markdown_problem.

    python bench/markdown_worst_case.py               # every construct, sizes up to the limits
    python bench/markdown_worst_case.py --unlimited   # the same constructs with no limits (quadratic)
    python bench/markdown_worst_case.py --quick       # one size per construct

For each hostile construct it builds texts that pass markdown_problem with every count as high as
the limits allow (each `[` unclosed, each block as long as allowed, ...), at sizes doubling up to
the maximum length, renders them with the real markdown_to_html / page_to_html (pre-check
included) and prints CPU time (best of 3) and the ratio to the size before: about 2 means linear.
With --unlimited the counts grow with the size, as they could before the limits: ratios near 4
are the quadratic cases the limits exist for (sizes stay small so that it finishes).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from archive.markup import (
    PAGE_LIMITS,
    SUMMARY_LIMITS,
    MarkdownLimits,
    markdown_problem,
    markdown_to_html,
    page_to_html,
)

WORDS = "drones hit the city overnight and officials reported damage to homes "


def words(n: int) -> str:
    """n characters of plain prose."""
    return (WORDS * (n // len(WORDS) + 1))[:n]


def blocks(n: int, limits: MarkdownLimits, head: Callable[[int, int], str], count: int) -> str:
    """A text of about n characters in blocks as long as allowed, `count` units of `head` spread over them.

    head(i, room) returns the hostile start of block i (it may use at most `room` characters);
    each block is filled up with prose to the block limit, so that every scan runs as far as it can.
    """
    size = min(n, limits.block)
    number = -(-n // (size + 2))
    parts = []
    for i in range(number):
        start = head(i, size) if i < count else ""
        parts.append(start + words(size - len(start)))
    return "\n\n".join(parts)[:n]


def spread(unit: str, total: int, limits: MarkdownLimits) -> Callable[[int, int], str]:
    """Block heads with `total` copies of `unit` in all, as many per block as fit in half a block."""
    per_block = max(1, min(total, limits.block // 2 // len(unit)))

    def head(i: int, room: int) -> str:
        return unit * max(0, min(per_block, total - i * per_block, room // 2 // len(unit)))
    return head


def spread_count(unit: str, total: int, limits: MarkdownLimits) -> int:
    return -(-total // max(1, min(total, limits.block // 2 // len(unit))))


def units(unit: str, limit: Callable[[MarkdownLimits], int]) -> Callable[[int, MarkdownLimits], str]:
    def make(n: int, limits: MarkdownLimits) -> str:
        total = limit(limits)
        return blocks(n, limits, spread(unit, total, limits), spread_count(unit, total, limits))
    return make


def backtick_runs(n: int, limits: MarkdownLimits) -> str:
    """Runs of backticks, each longer than the one before, so that none finds its closing run."""
    total = limits.backticks
    per_block = 1
    while (per_block + 1) * (per_block + 2) // 2 + per_block + 1 < min(n, limits.block) // 2:
        per_block += 1

    def head(i: int, room: int) -> str:
        count = max(0, min(per_block, total - i * per_block))
        return "".join("`" * length + " " for length in range(1, count + 1))
    return blocks(n, limits, head, -(-total // per_block))


def table_backticks(n: int, limits: MarkdownLimits) -> str:
    """Table rows full of backticks and pipes (the table extension splits cells by scanning them)."""
    def head(i: int, room: int) -> str:
        count = max(0, min(limits.backticks - i * (room // 4), room // 4))
        return "|a|\n|-|\n|" + "`|" * count + "\n"
    return blocks(n, limits, head, 1 + limits.backticks // (min(n, limits.block) // 4))


def emphasis_runs(n: int, limits: MarkdownLimits) -> str:
    """`***` then many ambiguous `*`: each one is matched against the whole stack of open ones."""
    def head(i: int, room: int) -> str:
        count = min(limits.emphasis, room // 3) - 1
        return "***" + "a*" * count + " " if i == 0 else ""
    return blocks(n, limits, head, 1)


def nested(line: str | Callable[[MarkdownLimits], str]) -> Callable[[int, MarkdownLimits], str]:
    """Blocks as long as allowed of `line` (or of line(limits)) repeated."""
    def make(n: int, limits: MarkdownLimits) -> str:
        unit = line(limits) if callable(line) else line
        size = min(n, limits.block)
        block = (unit * (size // len(unit) + 1))[: max(len(unit), size - size % len(unit))]
        return ("\n\n".join([block] * -(-n // (len(block) + 2))))[:n]
    return make


def everything(n: int, limits: MarkdownLimits) -> str:
    """The slowest mix found: every `[` in one block, every `<` and the emphasis runs in another,
    then the slowest filler per character (lines of lists nested as deep as allowed)."""
    size = min(n, limits.block)
    parts = [
        "[" * limits.brackets + words(size - limits.brackets),
        "<a " * limits.angles + emphasis_runs(size // 2, limits),
        nested("- " * limits.nesting + "x\n")(n, limits),
    ]
    return "\n\n".join(parts)[:n]


CONSTRUCTS: dict[str, Callable[[int, MarkdownLimits], str]] = {
    "`[` unclosed": units("[", lambda lim: lim.brackets),
    "`[a](` unclosed": units("[a](", lambda lim: lim.brackets),
    "`![` unclosed": units("![", lambda lim: lim.brackets),
    "`[[[...]]]` nested": lambda n, lim: blocks(n, lim, lambda i, room: "[" * lim.brackets + "a" * (room // 2) + "]" * lim.brackets if i == 0 else "", 1),
    "`](` alone": nested("]("),
    "`<a ` unclosed tag": units("<a ", lambda lim: lim.angles),
    "`<![CDATA[` unclosed": units("<![CDATA[", lambda lim: lim.angles),
    "`<a href='` unclosed": units("<a href='", lambda lim: lim.angles),
    "`<https:` unclosed": units("<https:", lambda lim: lim.angles),
    "`<div>` blocks": units("<div>\n\n", lambda lim: lim.angles),
    "backtick runs, all different": backtick_runs,
    "backticks in a table row": table_backticks,
    "`***` then `a*a*a*...`": emphasis_runs,
    "`*a**a**a...`": units("*a*", lambda lim: lim.emphasis // 2),
    "`- - - ... x` lines": nested(lambda lim: "- " * lim.nesting + "x\n"),
    "`> > > ... x` lines": nested(lambda lim: "> " * lim.nesting + "x\n"),
    "`> - > - ... x` lines": nested(lambda lim: "> - " * (lim.nesting // 2) + "x\n"),
    "lines inside the lines before (`1. `, `+ `, `> 1. `, ...)": nested("1. \n+ \n> 1. \n> + \n> > x\n"),  # 6 deep
    "`- - - ... long text` lines": nested(lambda lim: "- " * lim.nesting + words(300) + "\n"),
    "list nested by indentation": nested(lambda lim: "".join(" " * 4 * level + "- " + words(40) + "\n" for level in range(lim.nesting))),
    "`a\\n\\n` tiny paragraphs": lambda n, lim: ("a\n\n" * n)[:n],
    "`- a` tight list": lambda n, lim: "\n\n".join([("- a\n" * lim.block)[: lim.block - 4]] * (n // lim.block + 1))[:n],
    "`\\#` escapes": nested("\\#"),
    "`&a;` entities": nested("&a;"),
    "`a  \\n` line breaks": nested("a  \n"),
    "`## a` headings": lambda n, lim: ("## a\n\n" * n)[:n],
    "table rows `|a|b|`": nested("|a|b|\n|-|-|\n" + "|a|b|\n" * 20),
    "every limit at once": everything,
}


def cpu_time(render: Callable[[str], object], text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        render(text)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unlimited", action="store_true", help="no limits: counts grow with the size")
    parser.add_argument("--quick", action="store_true", help="only the largest size")
    args = parser.parse_args()
    summary = markdown_to_html.__wrapped__  # past the cache
    kinds: list[tuple[str, MarkdownLimits, Callable[[str], object]]] = [("summary", SUMMARY_LIMITS, summary), ("page", PAGE_LIMITS, page_to_html)]
    if args.unlimited:
        import archive.markup as markup
        # Nesting stays as deep as allowed: deeper, Python-Markdown fails with RecursionError.
        unlimited = dataclasses.replace(SUMMARY_LIMITS, length=8_000, block=8_000)

        def unchecked(text: str) -> object:  # Python-Markdown alone, no pre-check
            markup._summary_converter.reset()
            return markup._summary_converter.convert(text)
        kinds = [("no limits", unlimited, unchecked)]
    worst = 0.0
    for kind, limits, render in kinds:
        sizes = [limits.length // 8, limits.length // 4, limits.length // 2, limits.length]
        if args.quick:
            sizes = sizes[-1:]
        if args.unlimited:
            print(f"\n## {kind}: one block, counts of `[`, `<`, backtick and `*`/`_` runs as high as the size allows, "
                  f"nesting {limits.nesting}; Python-Markdown alone\n")
        else:
            print(f"\n## {kind}: at most {limits.length:,} characters, blocks of {limits.block:,}, nesting {limits.nesting}, "
                  f"{limits.brackets} `[`, {limits.angles} `<`, {limits.backticks} backtick runs, {limits.emphasis} `*`/`_` runs\n")
        print("| construct | " + " | ".join(f"{size:,} chars" for size in sizes) + " | ratio per doubling |")
        print("|---|" + "---:|" * len(sizes) + "---|")
        for name, make in CONSTRUCTS.items():
            times = []
            for size in sizes:
                case_limits = limits
                if args.unlimited:  # counts as high as the size allows, as before the limits
                    case_limits = dataclasses.replace(limits, brackets=size, angles=size, backticks=size, emphasis=size)
                text = make(size, case_limits)
                if not args.unlimited:
                    problem = markdown_problem(text, page=kind == "page")
                    assert problem is None, (name, size, problem)
                times.append(cpu_time(render, text, repeat=1 if args.unlimited else 3))
            worst = max(worst, times[-1])
            ratios = ", ".join(f"{b / a:.1f}" if a > 0.0005 else "-" for a, b in itertools.pairwise(times))
            print(f"| {name} | " + " | ".join(f"{t * 1000:.0f} ms" for t in times) + f" | {ratios} |", flush=True)
    print(f"\nslowest at the largest size: {worst * 1000:.0f} ms")


if __name__ == "__main__":
    main()
