"""The rules for characters: what is invisible (for validation, the diff report and CSV cells) and what a name may hold.

Invisible is whatever is not a letter, mark, number, punctuation, symbol or space: controls,
format characters (bidi overrides, zero-width characters, the soft hyphen), line and paragraph
separators, private-use, surrogate and unassigned code points; and, of the other categories,
what Unicode itself says is drawn as nothing (its Default_Ignorable_Code_Point property:
variation selectors, fillers such as U+3164), and the blank Braille pattern U+2800.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

INVISIBLE = regex.compile(r"[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]")


def is_invisible(char: str) -> bool:
    """One character by the rule; also unassigned in Python's own Unicode database, which can be
    older than the regex module's (validation scans whole texts with INVISIBLE alone, for speed)."""
    return INVISIBLE.match(char) is not None or unicodedata.category(char) == "Cn"


# What a name may hold: letters, combining marks, digits, single spaces and the punctuation of
# names (Russia's Defence Ministry, Kryvyi Rih, Ministry of Defence (Russia), Ivano-Frankivsk).
# Names become search filters and keys that group claims, so markup characters, quotes, other
# spaces and look-alike letters from another script have no place in them.
NAME_PUNCTUATION = " .,'\u2019-\u2013()/"
NAME = regex.compile(r"[\p{L}\p{M}\p{Nd}" + regex.escape(NAME_PUNCTUATION) + "]+")


NAME_LENGTH = 150  # the longest official titles ("... regional military administration") are under 100


@lru_cache(maxsize=65_536)  # an archive names the same claimants and places over and over
def name_problem(name: str) -> str | None:
    """What is wrong with a claimant, speaker or place name, or None."""
    if len(name) > NAME_LENGTH:
        return f"is {len(name):,} characters long; a name has at most {NAME_LENGTH} (put the rest in a role or the excerpt)"
    if "  " in name or name != name.strip(" "):
        return "has leading, trailing or double spaces; write single spaces between words"
    bad = None if NAME.fullmatch(name) else next((char for char in name if not NAME.fullmatch(char)), None)
    if bad is not None:
        shown = f"`{bad}`" if bad.isprintable() and not bad.isspace() else character_name(bad)
        return (f"contains {shown}, which a name cannot hold; a name has letters, digits, spaces and "
                f"{' '.join(NAME_PUNCTUATION.strip())} only")
    if name.isascii():  # (most names: ASCII letters are all of one script, and in NFC)
        return None
    if not unicodedata.is_normalized("NFC", name):
        return "has letters written as base letter plus accent; retype it, or paste it through a tool that writes composed (NFC) text"
    for word in regex.findall(r"\p{L}[\p{L}\p{M}]*", name):
        scripts = {unicodedata.name(char, "?").split()[0] for char in word if char.isalpha()}
        if len(scripts) > 1:
            return f"mixes letters of different scripts ({', '.join(sorted(s.title() for s in scripts))}) in the word `{word}`; retype it in one script"
    return None


# Characters that make text look different from what it is (used to disguise changes in review):
# every invisible character (characters.py) but tabs and, in multi-line fields, line breaks.
# Two documented exceptions, where a language needs them: joiners (ZWNJ, ZWJ) between two
# letters of a script that uses them, and direction marks in text with right-to-left letters.
DIRECTION_MARKS = {"\u200e", "\u200f", "\u061c"}
JOINERS = {"\u200c", "\u200d"}
RIGHT_TO_LEFT = regex.compile(r"(?=\p{L})[\p{Bidi_Class=R}\p{Bidi_Class=AL}]")  # a right-to-left letter


def hidden_character(text: str) -> int | None:
    """Where the first character stands that hides or reorders text and that the language does not need."""
    if text.isascii() and text.replace("\n", "").replace("\t", "").isprintable():
        return None  # nearly every text: ASCII has no invisible character but tabs and line breaks, which pass
    for found in INVISIBLE.finditer(text):
        index, char = found.start(), found.group()
        if char in "\t\n":
            continue
        if char in DIRECTION_MARKS and RIGHT_TO_LEFT.search(text):
            continue
        if char in JOINERS and _joins_letters(text[index - 1:index] + text[index + 1:index + 2]):
            continue
        return index
    return None


def _joins_letters(neighbours: str) -> bool:
    """Joiners shape letters of scripts such as Persian or Devanagari; never beside Latin letters."""
    return len(neighbours) == 2 and all(unicodedata.category(c)[0] in "LM" and not c.isascii() for c in neighbours)


def character_name(char: str) -> str:
    """`RIGHT-TO-LEFT OVERRIDE (U+202E)`, or just the code point for a character without a name."""
    name = unicodedata.name(char, "")
    return f"{name} (U+{ord(char):04X})" if name else f"U+{ord(char):04X}"
