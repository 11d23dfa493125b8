"""Check that figures and quotes are backed by their text.

- The excerpt of a figure must contain its number, in digits (`20`, `1,200`, `1 200`) or
  English words (`four`, `twenty-one`, `a dozen`); vague plurals (`dozens`, `hundreds`)
  only support a range (`min`/`max`).
- A qualifier the excerpt states ("at least 4") must be the figure's qualifier.
- With source snapshots, every excerpt and quote must appear in its source's text, after
  normalising white space, curly quotes and dashes. One difference of news style is allowed
  in a quote: its final full stop may stand where the source has a comma right before a
  closing quotation mark (`"...searching the rubble," he said.` supports the quote
  `...searching the rubble.`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from text_to_num import alpha2digit

# Words before a number that state its qualifier; checked against the end of the preceding text.
QUALIFIER_PHRASES = {
    "at least": ("at least", "no fewer than", "no less than", "a minimum of"),
    "more than": ("more than", "over", "upwards of", "in excess of"),
    "up to": ("up to", "at most", "as many as"),
    "about": ("about", "around", "approximately", "roughly", "some", "nearly", "almost", "an estimated", "estimated", "close to"),
}
STATED_QUALIFIERS = [(qualifier, re.compile(rf"\b({'|'.join(phrases)})\s*$")) for qualifier, phrases in QUALIFIER_PHRASES.items()]
# The last word of each phrase: a text that ends (white space aside) with none of them states no
# qualifier, which is told without searching the whole text with every pattern.
PHRASE_ENDINGS = tuple(sorted({phrase.split()[-1] for phrases in QUALIFIER_PHRASES.values() for phrase in phrases}))
# "about 200 drones and 30 missiles": the qualifier carries over to the second number.
CARRIED_OVER = re.compile(r"\b(at least|more than|over|up to|about|around|approximately|some|nearly)\s+[\d,]+(?:\s+[\w-]+){1,3}\s+and\s*$")
# Vague plurals and the ranges they can support.
VAGUE_RANGES = {"dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (2000, 9999)}
# Both readings start at a digit, which the pattern takes first: the regex engine then skips from
# digit to digit instead of trying both readings at every character (most of the time reading an
# excerpt took). Each reading then looks back from that digit: `(?<![\d.]\d)` is "no digit or point
# before it", as `(?<![\d.])` would be in front of it.
NUMBER = re.compile(r"\d(?:(?<![\d.]\d)\d{0,2}(?:(?:,|\s|\u00a0|\u202f)\d{3})+(?!\d)|(?<![\d.,]\d)\d*(?!\d))")


@dataclass(frozen=True)
class Number:
    value: int
    qualifier: str | None  # what the text states just before it, if anything
    carried: bool = False  # the qualifier heads a pair ("about 200 drones and 30 ..."): a reading, not a statement


A_DOZEN = re.compile(r"\ba dozen\b", re.IGNORECASE)
NOT_DIGITS = re.compile(r"\D+")
SPACE = re.compile(r"\s")


def numbers_in(text: str) -> list[Number]:
    """Every number the text states, in digits or words, with the qualifier stated before it."""
    if "a dozen" in text.lower():  # A_DOZEN ignores case; the only other letters it takes for those of "a dozen" are their capitals
        text = A_DOZEN.sub("12", text)
    converted = alpha2digit(text, "en", threshold=0)
    found = []
    for match in NUMBER.finditer(converted):
        written = match.group(0)
        qualifier, carried = _stated_qualifier(converted[:match.start()].lower())
        if written.isdecimal():  # digits only, as most numbers are written
            found.append(Number(int(written), qualifier, carried))
            continue
        parts = [part for part in NOT_DIGITS.split(written) if part]
        found.append(Number(int("".join(parts)), qualifier, carried))
        if SPACE.search(written):  # "6 200" may also be two numbers: keep both readings
            found += [Number(int(part), None) for part in parts]
    return found


def _stated_qualifier(before: str) -> tuple[str | None, bool]:
    """The qualifier the text states right before a number, and whether it is carried over from a pair."""
    end = before.rstrip()  # (what the patterns' `\s*$` passes over: str.isspace is re's \s)
    if end.endswith(PHRASE_ENDINGS):
        for qualifier, pattern in STATED_QUALIFIERS:
            if pattern.search(before):
                return qualifier, False
    carried = CARRIED_OVER.search(before) if end.endswith("and") else None
    if carried:
        return _stated_qualifier(before[:carried.start()] + carried.group(1) + " ")[0], True
    return None, False


def figure_problems(figure: dict) -> list[tuple[str, str]]:
    """(field, message) for each way the figure's excerpt fails to support it."""
    excerpt = figure.get("excerpt")
    if not isinstance(excerpt, str):
        return []
    numbers = numbers_in(excerpt)
    value = figure.get("value")
    if isinstance(value, int) and not isinstance(value, bool):
        return _value_problems(value, figure.get("qualifier"), numbers)
    low, high = figure.get("min"), figure.get("max")
    if isinstance(low, int) and isinstance(high, int):
        return _range_problems(low, high, excerpt, numbers)
    return []


def _value_problems(value: int, qualifier: str | None, numbers: list[Number]) -> list[tuple[str, str]]:
    matching = [number for number in numbers if number.value == value]
    if not matching:
        return [("excerpt", f"the excerpt does not contain the figure's number {value:,} "
                            f"(in digits such as {value:,} or in words); copy the sentence that states it")]
    if any(number.qualifier in (qualifier, None) or number.carried for number in matching):
        return []  # where the text states no qualifier for certain, the curator's reading stands
    said = matching[0].qualifier
    return [("qualifier", f"the excerpt says \"{said} {value:,}\" but the qualifier is `{qualifier}`; set `qualifier: {said}`")]


def _range_problems(low: int, high: int, excerpt: str, numbers: list[Number]) -> list[tuple[str, str]]:
    values = {number.value for number in numbers}
    if low in values and high in values:
        return []
    words = set(re.findall(r"[a-z]+", excerpt.lower()))
    for word, (lowest, highest) in VAGUE_RANGES.items():
        if word in words and lowest <= low <= high <= highest:
            return []
    return [("excerpt", f"the excerpt states neither {low:,} and {high:,} nor a word such as "
                        f"\"dozens\" or \"hundreds\" that covers the range; copy the sentence that states it")]


# --- snapshots ----------------------------------------------------------------------

_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",
})


def normalize(text: str) -> str:
    """Text as compared with a snapshot: straight quotes, plain hyphens, '...' and single spaces."""
    return re.sub(r"\s+", " ", text.translate(_TRANSLATE).replace("\u2026", "...")).strip()


# A comma and a closing quotation mark after it, in normalised text (curly marks are straight
# there): the mark closes a quotation when no letter or digit follows it (`rubble," he said`),
# unlike an opening one (`said,"We`).
_COMMA_BEFORE_CLOSING_QUOTE = r",[\"'](?!\w)"


def appears_in(text: str, normalized_snapshot: str, quote: bool = False) -> bool:
    """Whether `text` is word for word in a snapshot (given normalised), by the rules above.

    With `quote`, a final full stop of `text` (not an ellipsis) also matches a comma followed
    by a closing quotation mark, straight or curly: a report writes `"...the rubble," he said.`
    and the quote, without `he said`, ends `...the rubble.` No other difference is allowed.
    """
    wanted = normalize(text)
    if wanted in normalized_snapshot:
        return True
    if not quote or not wanted.endswith(".") or wanted.endswith("..") or not re.search(r"\w", wanted[:-1]):
        return False
    return re.search(re.escape(wanted[:-1]) + _COMMA_BEFORE_CLOSING_QUOTE, normalized_snapshot) is not None


def closest_passage(snapshot: str, wanted: str) -> str:
    """The sentence (or run of sentences as long as `wanted`) of the snapshot most like `wanted`."""
    sentences = re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"']))\s+", normalize(snapshot))
    wanted = normalize(wanted)
    span = max(1, wanted.count(". ") + 1)
    candidates = [" ".join(sentences[i:i + span]) for i in range(len(sentences))]
    best = max(candidates, key=lambda text: difflib.SequenceMatcher(None, text, wanted, autojunk=False).ratio(), default="")
    return best if len(best) <= 300 else best[:297] + "..."


def snapshot_name(source_key: str, url: str | None) -> list[str]:
    """File names (without .txt) a snapshot of a source may have: its key, or its URL made safe."""
    names = [source_key]
    if url:
        names.append(re.sub(r"[^A-Za-z0-9]+", "-", re.sub(r"^https?://", "", url)).strip("-"))
    return names
