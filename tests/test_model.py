"""model.py: validated data becomes dataclasses; grouping and ordering that pages rely on."""

import datetime as dt

import yaml

from archive.model import build_archive, build_incident, content_page
from archive.reference import load_reference
from conftest import VALID_INCIDENT

REFERENCE = load_reference()


def incident(ident="2025-06-06-a", **changes):
    data = yaml.safe_load(VALID_INCIDENT)
    data["date"] = str(data["date"])
    data["sources"]["mt"]["published"] = str(data["sources"]["mt"]["published"])
    data.update(changes)
    return build_incident(ident, f"incidents/2025/{ident}.yaml", data, REFERENCE)


def test_build_incident_resolves_sources_regions_and_measures():
    built = incident()
    figure = built.figures[0]
    assert built.date == dt.date(2025, 6, 6)
    assert [region.name for region in built.regions] == ["Kyiv", "Kyiv Oblast"]
    assert figure.measure.label == "Killed"
    assert figure.source.publisher == "The Moscow Times"
    assert figure.region.code == "UA-30"
    assert built.places[0].region.name == "Kyiv Oblast"
    assert built.quotes[0].source is figure.source


def test_archive_orders_newest_first_and_groups_by_month_and_region():
    older = incident("2025-05-31-b", date="2025-05-31", regions=["UA-46"], places=[], figures=[])
    newer = incident("2025-06-06-a")
    archive = build_archive([older, newer], [], REFERENCE)
    assert [i.id for i in archive.incidents] == ["2025-06-06-a", "2025-05-31-b"]
    assert [(month.isoformat(), [i.id for i in items]) for month, items in archive.incidents_by_month()] == [
        ("2025-06-01", ["2025-06-06-a"]), ("2025-05-01", ["2025-05-31-b"])]
    assert [r.code for r in archive.regions()] == ["UA-30", "UA-32", "UA-46"]
    assert [i.id for i in archive.incidents_by_region()["UA-46"]] == ["2025-05-31-b"]


def test_content_page_takes_its_title_from_the_first_heading():
    page = content_page("about", "# About the archive\n\nText")
    assert (page.slug, page.title, page.body) == ("about", "About the archive", "Text\n")
    assert content_page("how-to", "No heading").title == "How to"
