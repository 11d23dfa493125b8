"""How an incident is cited and described to machines: plain text, BibTeX and schema.org JSON-LD."""

from __future__ import annotations

import re

import orjson
from markupsafe import Markup

from .config import SiteConfig
from .markup import markdown_to_text
from .model import Incident

BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def permalink(incident: Incident, config: SiteConfig) -> str:
    """The incident's permanent address: absolute when the site's URL is configured."""
    path = f"incidents/{incident.id}/"
    return config.page_url(path) or path


def citation_text(incident: Incident, config: SiteConfig) -> str:
    changed = f" Last changed {incident.last_changed.isoformat()}." if incident.last_changed else ""
    return f"{config.title}. \u201c{incident.title}\u201d ({incident.date.isoformat()}). {permalink(incident, config)}.{changed}"


def bibtex(incident: Incident, config: SiteConfig) -> str:
    def escape(text: str) -> str:
        return BIBTEX_SPECIAL.sub(lambda match: "\\" + match.group(1) if match.group(1) not in "\\^~" else
                                  {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}[match.group(1)], text)
    key = re.sub(r"[^A-Za-z0-9]+", "-", incident.id)
    fields = [
        ("title", "{" + escape(incident.title) + "}"),
        ("author", "{" + escape(config.title) + "}"),
        ("year", str(incident.date.year)),
        ("month", incident.date.strftime("%b").lower()),
        ("howpublished", r"\url{" + permalink(incident, config) + "}"),
        ("note", "Incident of " + incident.date.isoformat() + (f"; last changed {incident.last_changed.isoformat()}" if incident.last_changed else "")),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" if name not in ("year", "month") else f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def json_ld(incident: Incident, config: SiteConfig) -> Markup:
    """schema.org Event with the sources as citations, safe to place inside <script type="application/ld+json">."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": incident.title,
        "startDate": incident.date.isoformat(),
        "description": markdown_to_text(incident.summary),
        "url": permalink(incident, config),
        "location": [
            {"@type": "Place", "name": region.name,
             "address": {"@type": "PostalAddress", "addressRegion": region.code, "addressCountry": region.code[:2]}}
            for region in incident.regions
        ],
        "citation": [
            {key: value for key, value in {
                "@type": "NewsArticle" if source.kind in (None, "news report") else "CreativeWork",
                "headline": source.title,
                "publisher": {"@type": "Organization", "name": source.publisher},
                "url": source.url,
                "datePublished": source.published.isoformat() if source.published else None,
            }.items() if value is not None}
            for source in incident.sources
        ],
    }
    text = orjson.dumps(data).decode()  # as json.dumps(data, ensure_ascii=False, separators=(",", ":")), four times quicker
    # "</script>" or "<!--" inside a string must not end or alter the script element.
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
