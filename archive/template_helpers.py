"""The HTML of the rows that pages repeat most (list rows, figure groups, quotes, sources), written in Python for speed.

As template macros, these rows took most of a build's page rendering: every value went through Jinja's
attribute lookup, escaping and output one at a time. Here a row is a few f-strings with each text escaped
once, and the HTML is byte for byte what the macros wrote (whole sites built with both were compared).
The templates call them as filters (render.make_environment registers FILTERS); one that needs another of
the site's filters (person_name, qualified, ...) takes it from the environment, so that both write the same text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from jinja2 import pass_environment
from markupsafe import Markup, escape

from .dates import long_date
from .figures import key_readings
from .fragments import escaped, sentence_links, short_address

if TYPE_CHECKING:
    from jinja2 import Environment

    from .figures import Contribution, FigureGroup, KeyReading
    from .model import Figure, Incident, Quote, Source
    from .paging import ListPage
    from .reference import Region

CONFLICT_BADGE = ' <span class="badge badge-conflict">conflicting claims</span>'
SUPERSEDED_CLASS = ' class="superseded"'
SUPERSEDED_BADGE = ' <span class="badge">superseded</span>'
PATH_BREAK = Markup("/<wbr>")  # between the parts of an address's path: where a long one may break


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- lists of incidents (month, region and year pages, home, the incident index) -------------

def incident_rows(incidents: Iterable[Incident], root: str, here: Region | None = None) -> Markup:
    """The <li> of each incident of a list, each followed by a line break: date, title, where (apart from
    `here`, the page's own region), and its key readings."""
    root = escaped(root)
    return Markup("".join([f"{_incident_row(incident, root, here)}\n" for incident in incidents]))


def _incident_row(incident: Incident, root: str, here: Region | None) -> str:
    details = f"{_row_places(incident, here)}{_row_regions(incident, here)}{_row_readings(incident)}"
    return (f'  <li>\n    <time datetime="{incident.date.isoformat()}">{long_date(incident.date)}</time>\n'
            f'    <a href="{root}incidents/{escaped(incident.id)}/">{escaped(incident.title)}</a>\n'
            + (f'    <span class="row-details">{details}    </span>\n' if details else "")
            + "  </li>")


def _row_places(incident: Incident, here: Region | None) -> str:
    """The incident's places but those named as `here` is, each name once (regardless of case)."""
    skipped = here.name if here else ""
    names: list[str] = []
    seen: set[str] = set()
    for place in incident.places:
        if place.name != skipped and place.name.lower() not in seen:
            seen.add(place.name.lower())
            names.append(place.name)
    return f'<span class="row-places">{_first_three(names)}</span>' if names else ""


def _row_regions(incident: Incident, here: Region | None) -> str:
    names = [region.name for region in incident.regions if here is None or region != here]
    return f'<span class="row-regions">{"Also " if here else ""}{_first_three(names)}</span>' if names else ""


def _first_three(names: Sequence[str]) -> str:
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return f"{escaped(', '.join(names[:3]))}{more}"


def _row_readings(incident: Incident) -> str:
    readings, left_out = key_readings(incident)
    if not readings:
        return ""
    more = f' <span class="muted">and {_plural(left_out, "more reading")}</span>' if left_out else ""
    return f'<span class="row-readings">{"".join([_row_reading(reading) for reading in readings])}{more}</span>'


def _row_reading(reading: KeyReading) -> str:
    return (f'<span class="row-reading">{escaped(reading.measure.label)}: <strong>{escaped(reading.text)}</strong> '
            f'<span class="muted">({escaped(reading.party)})</span>{CONFLICT_BADGE if reading.conflict else ""}</span>')


# --- the pages of a long list (month, region year, totals, a total) ------------------------------

def pager(listing: ListPage, root: str, label: str) -> Markup:
    """Links to a long list's other pages: first, last and nearby ones, with rel prev/next; nothing for a list of one page."""
    if listing.count <= 1:
        return Markup("")
    root = escaped(root)
    number = listing.number
    parts = [f'<nav class="pager" aria-label="{escape(label)}">\n'
             f"  <p>Page {number} of {listing.count} · {listing.first_row:,}–{listing.last_row:,} of {listing.total_rows:,}</p>\n"
             "  <ul>\n"]
    if number > 1:
        parts.append(f'<li><a rel="prev" href="{root}{escaped(listing.link(number - 1))}">← Previous</a></li>')
    for shown in listing.pager:  # (the line breaks where the macro this replaced wrote them, so that pages kept their bytes)
        if shown is None:
            parts.append('<li aria-hidden="true">…</li>\n')
        elif shown == number:
            parts.append(f'<li><a aria-current="page" href="{root}{escaped(listing.link(shown))}">{shown}</a></li>\n')
        else:
            parts.append(f'<li><a href="{root}{escaped(listing.link(shown))}">{shown}</a></li>')
    if number < listing.count:
        parts.append(f'<li><a rel="next" href="{root}{escaped(listing.link(number + 1))}">Next →</a></li>')
    parts.append("  </ul>\n</nav>\n")
    return Markup("".join(parts))


# --- how a total was added up (total.html) -----------------------------------------------------

@pass_environment
def contribution_rows(environment: Environment, contributions: Iterable[Contribution], root: str) -> Markup:
    """The <li> of each incident that adds to a total, each followed by a line break: its reading, and a
    link to the claims behind it."""
    rows, shown_root = [], escaped(root)
    for contribution in contributions:
        incident = contribution.incident
        rows.append(f'  <li>\n    <a href="{shown_root}incidents/{escaped(incident.id)}/">{long_date(incident.date)}: {escaped(incident.title)}</a>\n'
                    f"    adds <strong>{escaped(contribution.text)}</strong>{CONFLICT_BADGE if contribution.conflict else ''}"
                    f'    (<a href="{escaped(claims_address(environment, contribution, root))}">{_plural(len(contribution.claims), "claim")}</a>)\n  </li>\n')
    return Markup("".join(rows))


@pass_environment
def claims_address(environment: Environment, contribution: Contribution, root: str) -> str:
    """Where the claims behind what an incident adds to a total are: their group on the incident's page."""
    return f"{root}incidents/{contribution.incident.id}/#{environment.filters['group_anchor'](contribution.claims[0])}"


# --- an incident's page (incident.html) ---------------------------------------------------------

@pass_environment
def figure_group(environment: Environment, group: FigureGroup, source_refs: Mapping[str, Markup]) -> Markup:
    """A group's <tbody> in the table of figures: what it counts, its readings, then a row per claim;
    `source_refs`: the incident's fragments.source_refs."""
    anchor = escaped(environment.filters["group_anchor"](group))
    claims = "".join([_claim_row(environment, group, figure, source_refs) for figure in group.claims])
    conflict = ' class="conflict"' if group.has_conflict else ""
    return Markup(f'<tbody id="{anchor}"{conflict}>\n'
                  '        <tr class="measure-row">\n'
                  f'          <th scope="rowgroup" colspan="4">\n            {_group_heading(group)}\n          </th>\n'
                  "        </tr>\n"
                  '        <tr class="reading-row">\n'
                  f'          <td colspan="4">\n{_group_readings(group)}          </td>\n'
                  "        </tr>\n"
                  f"{claims}      </tbody>")


def _group_heading(group: FigureGroup) -> str:
    """`Killed · Kyiv · rescuers · Shahed-136`, the weapon's type and other names as its title."""
    heading = f"{escaped(group.measure.label)} · {escaped(group.region.name) if group.region else 'whole incident'}"
    if group.subject:
        heading += f" · {escaped(group.subject.lower())}"
    if group.weapon:
        also = f"; also: {escaped(', '.join(group.weapon.aliases))}" if group.weapon.aliases else ""
        heading += f' · <span title="{escaped(group.weapon.type)}{also}">{escaped(group.weapon.key)}</span>'
    return heading


def _group_readings(group: FigureGroup) -> str:
    """A line per party's reading (named when there are several)."""
    several = len(group.readings) > 1
    lines = []
    for reading in group.readings:
        whose = f" of {escaped(reading.party)}'s claims" if several else ""
        lines.append(f'            <span class="reading">Reading{whose}: <strong>{escaped(reading.text)}</strong>'
                     f'{CONFLICT_BADGE if reading.conflict else ""}</span>\n')
    return "".join(lines)


def _claim_row(environment: Environment, group: FigureGroup, figure: Figure, source_refs: Mapping[str, Markup]) -> str:
    """A claim as its source reports it: value, who claimed it (and when), the source, the excerpt and a link
    to it there. A row a line: an incident can hold dozens of claims, and indentation would weigh on every one."""
    filters = environment.filters
    superseded = group.is_superseded(figure)
    party = f' <span class="muted">({escaped(figure.party)})</span>' if figure.party else ""
    as_of = (f' <span class="subject">as of <time datetime="{figure.as_of.isoformat()}">{escaped(filters["timestamp"](figure.as_of))}'
             "</time></span>" if figure.as_of else "")
    return (f'<tr{SUPERSEDED_CLASS if superseded else ""}><td class="value">{escaped(filters["qualified"](figure))}'
            f'{SUPERSEDED_BADGE if superseded else ""}</td>\n'
            f'<td>{filters["person_name"](figure.claimed_by, figure.claimant)}{party}{as_of}</td>\n'
            f"<td>{source_refs[figure.source.key]}</td>\n"
            f'<td class="excerpt"><q>{escaped(figure.excerpt)}</q><br>{sentence_links(figure.source, figure.excerpt, "sentence")}</td></tr>\n')


@pass_environment
def quote_figure(environment: Environment, quote: Quote, source_refs: Mapping[str, Markup]) -> Markup:
    """A quote, its translation, who said it and which source reports it (`source_refs`: the incident's
    fragments.source_refs), with a link to it there."""
    lang = f' lang="{escaped(quote.lang)}"' if quote.lang else ""
    translation = f'<p class="translation">Translation: {escaped(quote.translation)}</p>' if quote.translation else ""
    reported_as = f' <span class="muted">(reported as {escaped(quote.speaker_as_reported)})</span>' if quote.speaker_as_reported else ""
    role = f', <span class="role">{escaped(quote.role)}</span>' if quote.role else ""
    speaker = environment.filters["person_name"](quote.speaker, quote.person)
    return Markup('<figure class="quote">\n'
                  f"      <blockquote{lang}><p>{escaped(quote.text)}</p></blockquote>\n"
                  f"{translation}      <figcaption>{speaker}{reported_as}{role}, as reported by {source_refs[quote.source.key]}."
                  f'<br>{sentence_links(quote.source, quote.text, "quote")}</figcaption>\n'
                  "    </figure>")


@pass_environment
def source_entry(environment: Environment, source: Source) -> Markup:
    """A source in the incident's numbered list: publisher (linked), title, date, kind and language,
    its address as readers see it, and its archived copy."""
    publisher = escaped(source.publisher)
    parts = [f'<li id="source-{escaped(source.key)}">\n        ',
             f'<a href="{escaped(source.url)}" rel="noopener noreferrer">{publisher}</a>' if source.url else publisher]
    if source.title:
        parts.append(f": <cite>{escaped(source.title)}</cite>")
    if source.published:
        parts.append(f', <time datetime="{source.published.isoformat()}">{long_date(source.published)}</time>')
    if source.kind or source.language:
        parts.append(f'<span class="muted"> ({escaped(", ".join([part for part in (source.kind, source.language) if part]))})</span>')
    parts.append(_source_address(source.url))
    if source.archive_url:
        parts.append(f' · <a href="{escaped(source.archive_url)}" rel="noopener noreferrer">archived copy</a> '
                     f'<span class="url">({escaped(environment.filters["host"](source.archive_url))})</span>')
    parts.append("      </li>")
    return Markup("".join(parts))


def _source_address(url: str | None) -> str:
    """The address as readers see it (fragments.short_address), with places to break the line after each `/`."""
    if not url:
        return '<br><span class="muted">Web address not recorded.</span>'
    host, path = short_address(url)
    broken = f'<wbr><span class="url">{PATH_BREAK.join(path.split("/"))}</span>' if path else ""
    return f'<br><span class="url">{escaped(host)}</span>{broken}'


FILTERS = {
    "pager": pager,
    "incident_rows": incident_rows,
    "contribution_rows": contribution_rows,
    "claims_address": claims_address,
    "figure_group": figure_group,
    "quote_figure": quote_figure,
    "source_entry": source_entry,
}
