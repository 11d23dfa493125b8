"""Words for messages to people: a field's name, what a value is, what a schema type means, the closest known name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from rapidfuzz import fuzz, process

from .load import Key

SUGGESTION_CUTOFF = 0.6  # how alike (difflib's ratio) a word must be to a choice for `suggest` to offer it
TYPE_WORDS = {
    "object": "a mapping of fields (`name: value` lines)",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def field_name(key: Key) -> str:
    """`("figures", 2, "value")` -> `figures[2].value`; the empty key is the file itself."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def describe_value(value: object) -> str:
    """`the number 3`, `a list`, `the text "..."` (shortened): what a file gave where something else was wanted."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (a yes/no value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, float):
        return f"the decimal number {value:g}"
    if isinstance(value, int):
        return f"the number {value}"
    text = str(value)  # (YAML gives text, then: dates and times are read as text)
    return f'the text "{text[:60]}{"…" if len(text) > 60 else ""}"'


def suggest(word: object, choices: Iterable[object]) -> str:
    """`; did you mean `killed`?` for the closest of `choices`, or nothing."""
    matches = close_matches(str(word), [str(choice) for choice in choices], 1, SUGGESTION_CUTOFF)
    return f"; did you mean `{matches[0]}`?" if matches else ""


def close_matches(word: str, choices: Sequence[str], n: int, cutoff: float) -> list[str]:
    """What difflib.get_close_matches(word, choices, n, cutoff) gives, sooner.

    Most names are close to none of the choices, and difflib's own quick bounds, in Python, made
    the near-name warning a tenth of checking an archive whose claimants are mostly unknown to the
    registry (bench/check-speed.md).
    rapidfuzz's ratio (in C++) first rules out the choices that cannot be close: it is twice the
    longest common subsequence over both lengths, and difflib's ratio counts matching blocks, which
    form one common subsequence, so it is never more. difflib then picks from the rest, exactly as
    from all (its choice does not depend on their order).
    """
    # rapidfuzz scores from 0 to 100; a hair under the cutoff, so that rounding never rules out a choice at it.
    found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=max(0.0, cutoff * 100 - 1e-6), limit=None)
    return difflib.get_close_matches(word, [choices[index] for _, _, index in found], n=n, cutoff=cutoff)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def schema_message(kind: object, subject: str, value: Any, instance: Any) -> str | None:
    """How every file's checks word a JSON Schema error of `kind` about `subject` (a field as messages
    name it), or None for the kinds each kind of file words in its own terms."""
    if kind == "enum":
        choices = ", ".join(f"`{choice}`" for choice in value)
        return f"{subject} is `{instance}`; it must be one of {choices}{suggest(instance, value)}"
    if kind in ("minLength", "minItems", "minProperties"):
        return f"{subject} must not be empty"
    if kind == "maxLength":
        return f"{subject} is longer than {value} characters; shorten it"
    if kind == "uniqueItems":
        return f"{subject} lists the same value twice; keep one"
    return None
