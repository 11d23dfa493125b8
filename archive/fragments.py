"""How an incident page points at its sources: links to a sentence (URL text fragments), short addresses, source numbers.

A text fragment is the part of a link after `#:~:text=` that a browser finds in the page it
opens, scrolls to and highlights (https://wicg.github.io/scroll-to-text-fragment/):

    #:~:text=[prefix-,]textStart[,textEnd][,-suffix]

Each term is percent-decoded before matching, and `-`, `&` and `,` must be percent-encoded
because they are the syntax of the directive. We encode every character other than ASCII
letters, digits and `_ . ~`, which the grammar allows and which can neither end an HTML
attribute nor start a new part of the URL. A short text is one term (textStart); a long one
is linked by its first and last words (textStart,textEnd) so that links stay short.

A browser without text fragments opens the report at its top, as a plain link would.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeGuard
from urllib.parse import unquote, urlsplit

from markupsafe import Markup, _escape_inner  # type: ignore[attr-defined]  # (_escape_inner is not exported by name: see escaped)

if TYPE_CHECKING:
    from .model import Source

EXACT_LIMIT = 100  # characters: a longer text is linked by its first and last words
EDGE_WORDS = 5  # words at each end of a long text (more at the end when needed to be unambiguous)
# An omission mark in a text ("…" or "..."): the parts on either side are linked as a range.
ELLIPSIS = re.compile(r"\s*(?:\u2026|\.\.\.)[.\u2026]*\s*")
# A final full stop (or comma, colon, semicolon) is left out: news style turns a quote's
# `,"` into `.`, and a term ends at a word boundary without it. Stripped (with the spaces
# between them) from a part whose white space is already collapsed to single spaces.
TRAILING_PUNCTUATION = " .,;:"
PATH_LIMIT = 48  # characters of an address's path (and query) shown in full
PATH_HEAD, PATH_TAIL = 32, 16  # ... and of its start and end when it is longer
SEPARATORS = "/-_.?&=+"


# Each byte of a term's UTF-8 (read as a Latin-1 character, one per byte): itself when safe, else %XX.
# What quote(term, safe="") gives, with `-` encoded too; str.translate does it in one call.
_TERM_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~")
_TERM_BYTES = {byte: chr(byte) if chr(byte) in _TERM_SAFE else f"%{byte:02X}" for byte in range(256)}


def encode_term(term: str) -> str:
    """One term of a text directive, percent-encoded: UTF-8 bytes as %XX, including `-`, `&`, `,`."""
    return term.encode("utf-8").decode("latin-1").translate(_TERM_BYTES)


def text_directive(text: str) -> str | None:
    """The value of `text=` that finds `text` in a page, or None when nothing in it can be found.

    `text` is an excerpt or quote copied from the report: white space is collapsed, the final
    full stop left out, and an omission mark (…) or a text over EXACT_LIMIT characters turns
    it into a range from its first words to its last.
    """
    # Most texts have no omission mark: looking for one costs less than splitting at none.
    pieces = ELLIPSIS.split(text) if "\u2026" in text or "..." in text else [text]
    parts = [" ".join(piece.split()).rstrip(TRAILING_PUNCTUATION) for piece in pieces]
    parts = [part for part in parts if part]
    if not parts:
        return None
    if len(parts) == 1 and (len(parts[0]) <= EXACT_LIMIT or len(parts[0].split()) < 2 * EDGE_WORDS + 2):
        return encode_term(parts[0])
    start_words = parts[0].split()[:EDGE_WORDS]
    end_words = _unambiguous_end(" ".join(parts), parts[-1].split(), len(start_words) if len(parts) == 1 else 0)
    if end_words is None:  # the end cannot be told apart from text before it: link the whole text
        return encode_term(" ".join(parts))
    return f"{encode_term(' '.join(start_words))},{encode_term(' '.join(end_words))}"


def _unambiguous_end(whole: str, last_words: list[str], taken: int) -> list[str] | None:
    """The fewest last words (at least EDGE_WORDS) that occur in `whole` only at its end.

    A browser ends a range at the first match of textEnd after textStart, so the end must
    not occur earlier; `taken` words at the start of `last_words` already belong to textStart.
    """
    folded = whole.casefold()  # browsers match text fragments without regard to case
    for count in range(min(EDGE_WORDS, len(last_words)), len(last_words) - taken + 1):
        end = " ".join(last_words[-count:]).casefold()
        if folded.find(end) == len(folded) - len(end):
            return last_words[-count:]
    return None


def sentence_link(url: str | None, text: str | None) -> str | None:
    """`url` with a text fragment that finds `text` in it; None when there is no http(s) address.

    An existing fragment (`#section`) is kept and a fragment directive already in the address
    replaced. Only http:// and https:// addresses are linked (validation refuses others too),
    so the link can never run script.
    """
    if not _is_web_address(url):
        return None
    return _with_directive(url, _directive(text))


def _directive(text: object) -> str | None:
    return text_directive(text) if isinstance(text, str) else None


def _is_web_address(url: object) -> TypeGuard[str]:
    return isinstance(url, str) and url.startswith(("http://", "https://"))


def _with_directive(url: str, directive: str | None) -> str:
    base, _, fragment = url.partition("#")
    fragment = fragment.split(":~:", 1)[0]
    if directive is None:
        return f"{base}#{fragment}" if fragment else base
    return f"{base}#{fragment}:~:text={directive}"


# `escaped(text)`: a str (never a Markup, whose replace escapes its arguments) escaped as markupsafe.escape escapes it,
# by its own function, in C (45 against 180 ns for five replaces in Python, a million times a build of 10,000
# incidents), but as a plain str: making the Markup is most of escape's cost, and rows only put the text into a
# larger string. _escape_inner is not public: test_template_helpers holds escaped to markupsafe.escape.
escaped: Callable[[str], str] = _escape_inner


# The incident page's links to a figure's or quote's source, as filters: called for every row of a
# page, they are much quicker in Python than as template macros. The HTML is escaped as templates escape it.

NOT_LINKED = Markup('<span class="muted">Not linked: the report\u2019s web address was not recorded.</span>')


def sentence_links(source: Source, text: str, what: str) -> Markup:
    """Where the reader finds `text` (a `what`: sentence or quote) in its source: a link with a text
    fragment the browser scrolls to and highlights, one to the archived copy too, or why there is none."""
    live = source.url if _is_web_address(source.url) else None
    archived = source.archive_url if _is_web_address(source.archive_url) else None
    if live is None:
        if archived is None:
            return NOT_LINKED
        return Markup(f'<a class="to-sentence" href="{escaped(_with_directive(archived, _directive(text)))}" rel="noopener noreferrer">'
                      f"Go to the {escaped(what)} in the archived copy of the report</a>")
    directive = _directive(text)  # one for both addresses
    html = f'<a class="to-sentence" href="{escaped(_with_directive(live, directive))}" rel="noopener noreferrer">Go to the {escaped(what)} in the report</a>'
    if archived is not None:
        html += f' \u00b7 <a href="{escaped(_with_directive(archived, directive))}" rel="noopener noreferrer">in its archived copy</a>'
    return Markup(html)


def source_ref(source: Source, sources: list[Source]) -> Markup:
    """The publisher of a source, linked to its entry in the list of sources; with its number there
    when the incident has several sources from that publisher."""
    html = f'<a href="#source-{escaped(source.key)}">{escaped(source.publisher)}</a>'
    if shares_publisher(source, sources):
        html += f' <span class="muted">(source {source_number(source, sources)})</span>'
    return Markup(html)


def source_refs(sources: list[Source]) -> dict[str, Markup]:
    """source_ref of each of an incident's sources, by key: worked out once for all its figures and quotes."""
    return {source.key: source_ref(source, sources) for source in sources}


def short_address(url: str | None) -> tuple[str, str]:
    """(host, path) of an address as shown to readers: `themoscowtimes.com`, `/2025/06/06/russian-air-barrage…kyiv-a89360`.

    The host is the one the link really goes to (never the user name before an `@`), without
    `www.`; the path (with its query) is decoded when that gives readable text, and shortened
    in the middle when long, keeping its start and its end (where addresses usually differ).
    """
    if not isinstance(url, str):
        return "", ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "", ""
    host = host.removeprefix("www.")
    path = _readable(parts.path) + (f"?{_readable(parts.query)}" if parts.query else "")
    if path == "/":
        path = ""
    return host, _shorten(path)


def _readable(text: str) -> str:
    """Percent-decoded text, unless decoding yields invalid UTF-8, spaces, or invisible or control characters."""
    if "%" not in text:
        return text
    try:
        decoded = unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text
    if any(unicodedata.category(char)[0] in "CZ" for char in decoded):
        return text
    return decoded


def _shorten(path: str) -> str:
    if len(path) <= PATH_LIMIT:
        return path
    head = path[:PATH_HEAD]
    cut = max(head.rfind(char) for char in SEPARATORS)
    head = head[:cut] if cut > PATH_HEAD // 2 else head
    tail = path[-PATH_TAIL:]
    cut = min((tail.find(char) for char in SEPARATORS if 0 <= tail.find(char) < PATH_TAIL // 2), default=-1)
    tail = tail[cut + 1:] if cut >= 0 else tail
    return f"{head}\u2026{tail}"


def source_number(source: Source, sources: list[Source]) -> int:
    """The number of a source in its incident's list (from 1), as the page's numbered list shows it."""
    return next(index for index, candidate in enumerate(sources, 1) if candidate.key == source.key)


def shares_publisher(source: Source, sources: list[Source]) -> bool:
    """Whether another source of the incident has the same publisher: then lines show its number."""
    return sum(candidate.publisher == source.publisher for candidate in sources) > 1


FILTERS = {
    "sentence_link": sentence_link,
    "sentence_links": sentence_links,
    "source_ref": source_ref,
    "source_refs": source_refs,
    "short_address": short_address,
    "source_number": source_number,
    "shares_publisher": shares_publisher,
}
