"""The located places of the archive as GeoJSON: data/incidents.geojson, an RFC 7946 FeatureCollection.

One Feature per place that has coordinates (an incident with three located places gives three),
newest incident first and its places in file order, so two builds of one archive write the same
bytes. A Feature is a Point at [lon, lat] (RFC 7946 puts longitude first; WGS 84 decimal
degrees, as the incident files give them) with the incident's id, title, date and page address,
the place's name, region and precision, who located it, and the incident's key readings in one
line, as search results show them. The address is absolute when the site's URL is configured,
else relative to the site's root, as in data/incidents.json.

Every text is a JSON string written by the json module: a name holding quotes or markup stays
data. Places without coordinates are left out (a Feature could carry a null geometry, but
mapping tools skip those, and the place is in data/incidents.json all the same).
"""

from __future__ import annotations

import json
from typing import Any

from .figures import readings_text
from .model import Archive, Incident


def features_text(incident: Incident, archive: Archive) -> str:
    """The incident's Features, one a line: its part of data/incidents.geojson."""
    return ",\n".join(json.dumps(one, ensure_ascii=False, allow_nan=False, separators=(",", ":"))  # the loader refuses .nan and .inf
                      for one in features(incident, archive))


def features(incident: Incident, archive: Archive) -> list[dict[str, Any]]:
    """A Feature for each of the incident's places that has coordinates."""
    located = [place for place in incident.places if place.lat is not None and place.lon is not None]
    if not located:
        return []
    path = f"incidents/{incident.id}/"
    about = {"id": incident.id, "title": incident.title, "date": incident.date.isoformat(), "url": archive.config.page_url(path) or path}
    readings = readings_text(incident) or None
    return [{
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
        "properties": {**about, "place": place.name, "region": {"code": place.region.code, "name": place.region.name},
                       "precision": place.precision, "located_by": place.located_by, "readings": readings},
    } for place in located]
