"""What counts as an invisible character: the one rule for validation, the diff report and CSV cells.

Invisible is whatever is not a letter, mark, number, punctuation, symbol or space: controls,
format characters (bidi overrides, zero-width characters, the soft hyphen), line and paragraph
separators, private-use, surrogate and unassigned code points; and, of the other categories,
what Unicode itself says is drawn as nothing (its Default_Ignorable_Code_Point property:
variation selectors, fillers such as U+3164), and the blank Braille pattern U+2800.
"""

from __future__ import annotations

import unicodedata

import regex

INVISIBLE = regex.compile(r"[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]")


def is_invisible(char: str) -> bool:
    """One character by the rule; also unassigned in Python's own Unicode database, which can be
    older than the regex module's (validation scans whole texts with INVISIBLE alone, for speed)."""
    return INVISIBLE.match(char) is not None or unicodedata.category(char) == "Cn"
