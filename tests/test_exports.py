"""exports.py: downloads and feeds a reader takes away, safe to open in a spreadsheet or a feed reader."""

import csv
import io
import json
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from archive.config import SiteConfig
from archive.exports import _safe_rows, atom_feed, incident_record, robots_txt, safe_cell, sitemap, write_downloads, write_site_index
from archive.model import build_archive
from archive.reference import load_reference
from test_model import incident

REFERENCE = load_reference()
ATOM = "{http://www.w3.org/2005/Atom}"


def archive_of(*incidents, url=None):
    return build_archive(list(incidents), [], REFERENCE, SiteConfig(url=url))


def rows(archive, download, folder):
    """The rows of one CSV download, as write_downloads writes it."""
    write_downloads(archive, folder)
    return list(csv.DictReader(io.StringIO((folder / download).read_bytes().decode("utf-8"), newline="")))  # CRs kept


def test_formula_like_cells_are_neutralised():
    assert [safe_cell(v) for v in ("=SUM(A1)", "+1", "-2", "@cmd", "plain", 4, None)] == ["'=SUM(A1)", "'+1", "'-2", "'@cmd", "plain", 4, ""]


# Cells a spreadsheet would run as formulas once it has trimmed the blanks before them (Excel, LibreOffice and
# Google Sheets trim more than ASCII spaces), or that start with a tab or line break.
HOSTILE = [" =1+1", "\u00a0=cmd", "\u3000+1", "\t=1", "\u200b=1", "\uff1d1", "  -2+3", "@SUM(1)", "\r=1", "\n=1",
           "\ufeff=1", "\u2060\u00a0@x", "\u2028\u2029+1", "\x1c=1", "\uff0b1", "\uff0d1", "\uff20x"]
# Beyond that rule, for caution: other compatibility forms of the signs (small, superscript), U+2212 MINUS SIGN,
# and the default-ignorable characters that are not in Zs/Cc/Cf (Hangul filler, variation selectors).
HOSTILE_TOO = ["\ufe66x", "\u207a1", "\u2212 1+1", "\u3164=1", " \ufe0f=1", "\U000e0100@x"]
# Text that stays as it is: no formula sign first, whatever follows. "–5" starts with an en dash, which is
# punctuation to every spreadsheet (only U+2212 MINUS SIGN is also taken as a minus, see above).
ORDINARY = ["Kyiv", "Strike on Kyiv - 4 killed", "\u20135", "\u2014 see above", "Kyiv =1", " Kyiv", "\u00a0Kyiv", "a@b.example", "'=1"]
TEXT_FIELDS = ("title", "claimed_by", "excerpt", "source_publisher", "source_title")


def looks_like_formula(cell: str) -> bool:
    """The rule, spelt out on its own: after leading whitespace and invisible characters, a formula sign."""
    if cell.startswith(("\t", "\r", "\n")):
        return True
    visible = cell.lstrip("".join(c for c in set(cell) if c.isspace() or unicodedata.category(c) in ("Zs", "Cc", "Cf")))
    return visible[:1] in ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def with_text(value):
    """An incident with `value` in every free-text field that reaches a CSV."""
    return incident(title=value, sources={"mt": {"publisher": value, "title": value, "url": "https://example.org/report"}},
                    figures=[{"measure": "killed", "value": 4, "qualifier": "at least", "claimed_by": value, "source": "mt",
                              "excerpt": value}])


def both_csvs(archive, folder):
    return rows(archive, "data/incidents.csv", folder), rows(archive, "data/figures.csv", folder)


@pytest.mark.parametrize("value", HOSTILE + HOSTILE_TOO, ids=ascii)
def test_formulas_behind_blanks_are_neutralised_in_both_csvs(value, tmp_path):
    assert looks_like_formula(value) or value in HOSTILE_TOO
    [incident_row], [figure_row] = both_csvs(archive_of(with_text(value)), tmp_path)
    assert incident_row["title"] == "'" + value
    assert [figure_row[field] for field in TEXT_FIELDS[1:]] == ["'" + value] * 4
    for row in (incident_row, figure_row):
        assert not [cell for cell in row.values() if looks_like_formula(cell)], row  # every cell, not only those


@pytest.mark.parametrize("value", ORDINARY, ids=ascii)
def test_ordinary_text_is_written_unchanged(value, tmp_path):
    [incident_row], [figure_row] = both_csvs(archive_of(with_text(value)), tmp_path)
    assert incident_row["title"] == value
    assert [figure_row[field] for field in TEXT_FIELDS[1:]] == [value] * 4
    assert figure_row["value"] == "4"


def test_numbers_stay_numbers_and_blank_only_cells_stay_text():
    assert [safe_cell(v) for v in (-2, 1.5, 0, " ", "\u00a0\u200b", "", "\u2212" "5", "\u2013" "5")] == [
        -2, 1.5, 0, " ", "\u00a0\u200b", "", "'\u22125", "\u20135"]


def test_rows_written_are_safe_cell_of_every_cell():
    """_safe_rows skips the call for the commonest cells: it must give what safe_cell gives, cell by cell."""
    class Text(str):
        pass

    cells = ["Kyiv", "4 killed", "", "=1", " =1", "\u00a0Kyiv", "\u2212" "5", "\t1", "'=1", "\u00e9t\u00e9", Text("=x"), Text("Kyiv"),
             4, -2, 0, 1.5, True, False, None, ("a",)]
    [row] = _safe_rows([cells])
    assert row == [safe_cell(cell) for cell in cells]
    assert [type(cell) for cell in row] == [type(safe_cell(cell)) for cell in cells]


def test_figures_csv_has_one_row_per_claim_with_source_and_excerpt(tmp_path):
    evil = "=HYPERLINK(\"http://evil.example\",\"click\")"
    built = incident(figures=[{"measure": "killed", "value": 4, "qualifier": "at least", "region": "UA-30",
                               "claimed_by": evil, "source": "mt", "excerpt": "At least four people were killed."}])
    [row] = rows(archive_of(built), "data/figures.csv", tmp_path)
    assert row["measure"] == "killed" and row["value"] == "4" and row["qualifier"] == "at least"
    assert row["claimed_by"] == "'" + evil
    assert row["source_url"].startswith("https://www.themoscowtimes.com/") and row["excerpt"] == "At least four people were killed."


def test_incidents_csv_has_one_row_per_incident_with_readings(tmp_path):
    [row] = rows(archive_of(incident()), "data/incidents.csv", tmp_path)
    assert row["id"] == "2025-06-06-a" and row["regions"] == "UA-30;UA-32"
    assert row["killed_readings"] == ""  # the only killed figure is about Kyiv, not the whole incident
    wide = incident(figures=[{"measure": "killed", "value": 4, "qualifier": "at least", "claimed_by": "Vitali Klitschko",
                              "source": "mt", "excerpt": "x"}])
    [row] = rows(archive_of(wide), "data/incidents.csv", tmp_path)
    assert (row["killed_lower"], row["killed_upper"], row["killed_readings"]) == ("4", "", "at least 4 (Ukraine)")


def test_json_holds_every_figure_quote_and_reading():
    archive = archive_of(incident())
    [record] = json.loads(json.dumps([incident_record(i, archive) for i in archive.incidents]))
    assert record["figures"][0]["excerpt"] == "At least four people were killed and 20 wounded in the capital."
    assert record["quotes"][0]["speaker"] == "Ihor Klymenko"
    assert record["readings"][0] == {"measure": "killed", "region": "UA-30", "subject": None, "weapon": None, "party": "Ukraine",
                                     "lower": 4, "upper": None, "approximate": False, "conflict": False}


def test_atom_feed_is_valid_xml_with_escaped_text_and_absolute_links():
    hostile = incident(title='Strike </title><script>alert(1)</script> & "more"')
    feed = ET.fromstring(atom_feed(archive_of(hostile, url="https://example.org/archive/")))
    entry = feed.find(f"{ATOM}entry")
    link = entry.find(f"{ATOM}link") if entry is not None else None
    assert entry is not None and link is not None
    assert entry.findtext(f"{ATOM}title") == 'Strike </title><script>alert(1)</script> & "more"'
    assert link.get("href") == "https://example.org/archive/incidents/2025-06-06-a/"
    assert entry.findtext(f"{ATOM}updated") == "2025-06-06T00:00:00Z"


def test_sitemap_needs_the_site_url_and_robots_names_it():
    assert sitemap(archive_of(incident()), ["index.html"]) == {}
    with_url = archive_of(incident(), url="https://example.org/")
    urls = [loc.text for loc in ET.fromstring(sitemap(with_url, ["index.html", "incidents/x/index.html"])["sitemap.xml"]).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert urls == ["https://example.org/", "https://example.org/incidents/x/"]
    assert robots_txt(with_url).endswith("Sitemap: https://example.org/sitemap.xml\n")


def test_downloads_and_site_index_are_written(tmp_path):
    archive = archive_of(incident(), url="https://example.org/")
    written = write_downloads(archive, tmp_path).paths + write_site_index(archive, tmp_path, ["index.html"])
    assert written == ["data/incidents.json", "data/incidents.csv", "data/figures.csv", "data/incidents.geojson", "feed.xml", "sitemap.xml", "robots.txt"]
    assert all((tmp_path / path).stat().st_size > 0 for path in written)
    assert write_site_index(archive_of(incident()), tmp_path / "no-url", ["index.html"]) == ["robots.txt"]  # sitemaps need a URL


def test_a_site_of_more_than_50000_pages_has_an_index_of_sitemaps_of_50000_each():
    from archive import exports

    with_url = archive_of(incident(), url="https://example.org/")
    files = exports.sitemap(with_url, [f"incidents/{n}/index.html" for n in range(120_001)])
    assert sorted(files) == ["sitemap.xml", "sitemaps/sitemap-1.xml", "sitemaps/sitemap-2.xml", "sitemaps/sitemap-3.xml"]
    locations = [[loc.text for loc in ET.fromstring(files[name]).iter(f"{{{exports.SITEMAP}}}loc")] for name in sorted(files)]
    assert locations[0] == [f"https://example.org/sitemaps/sitemap-{n}.xml" for n in (1, 2, 3)]
    assert [len(urls) for urls in locations[1:]] == [50_000, 50_000, 20_001]
    assert locations[3][-1] == "https://example.org/incidents/120000/"
