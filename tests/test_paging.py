"""paging: long lists become numbered pages with short pagers; no page of rows passes 100 KB, whatever the rows hold."""

import datetime as dt

from hypothesis import example, given, strategies as st

from archive.model import build_archive
from archive.paging import PAGE_ROWS, by_month, paginate
from archive.pipeline import APP_DIR
from archive.reference import load_reference
from archive.render import make_environment, render_page, site_pages
from test_model import incident

REFERENCE = load_reference()


def test_a_long_list_is_split_into_numbered_pages_that_cover_every_row():
    pages = paginate("totals/", list(range(250)))
    assert [page.path for page in pages] == ["totals/", "totals/page/2/", "totals/page/3/"]
    assert [list(page.rows) for page in pages] == [list(range(0, 100)), list(range(100, 200)), list(range(200, 250))]
    assert [(page.first_row, page.last_row, page.total_rows) for page in pages] == [(1, 100, 250), (101, 200, 250), (201, 250, 250)]
    assert paginate("x/", [])[0].count == 1  # an empty list still has its page


def test_the_pager_links_the_ends_and_the_neighbours_only():
    pages = paginate("t/", list(range(PAGE_ROWS * 40)))
    assert pages[19].pager == [1, None, 18, 19, 20, 21, 22, None, 40]
    assert pages[0].pager == [1, 2, 3, None, 40]
    assert pages[39].link(1) == "t/" and pages[39].link(2) == "t/page/2/"


def test_rows_heavy_with_text_end_a_page_sooner():
    pages = paginate("t/", ["x" * 1000] * 150, weight=len)
    assert all(len(page.rows) <= 40 for page in pages) and sum(len(page.rows) for page in pages) == 150


@given(st.lists(st.integers(0, 30), max_size=40), st.integers(1, 12), st.integers(0, 60))
@example([5, 6], 5, 10).via("one row over the text limit")
@example([1, 1, 1], 2, 10).via("one row over the row limit")
@example([5, 5], 5, 10).via("both limits met exactly")
def test_each_page_takes_rows_until_the_next_would_pass_its_row_or_text_limit(weights, per_page, text):
    """Whether the list fits one page or not, every page is as full as the limits let it be."""
    expected: list[list[int]] = [[]]
    for number, weight in enumerate(weights):
        if expected[-1] and (len(expected[-1]) == per_page or sum(weights[i] for i in expected[-1]) + weight > text):
            expected.append([])
        expected[-1].append(number)
    pages = paginate("t/", list(range(len(weights))), weight=lambda number: weights[number], per_page=per_page, text=text)
    assert [list(page.rows) for page in pages] == expected
    assert [(page.number, page.count, page.first_row, page.total_rows) for page in pages] == [
        (index + 1, len(expected), 1 + sum(map(len, expected[:index])), len(weights)) for index in range(len(expected))]


def test_rows_are_grouped_under_their_months_in_order():
    days = [dt.date(2025, 6, 6), dt.date(2025, 6, 1), dt.date(2025, 5, 31)]
    groups = by_month(days, lambda day: day)
    assert [(group.anchor, group.rows) for group in groups] == [("m2025-06", days[:2]), ("m2025-05", days[2:])]


def test_no_month_page_passes_100_kb_with_the_longest_and_most_escaped_rows():
    """A month of hostile rows: 200-character titles of & and <, names of 150 characters, many places and readings."""
    long_name = ("&" * 70 + " " + "<" * 79)[:150]
    figures = [{"measure": measure, "value": 5, "qualifier": "exactly", "claimed_by": f"{long_name[:-1]}{n}",
                "source": "mt", "excerpt": "Five."} for measure in ("killed", "injured") for n in range(4)]
    incidents = [incident(f"2025-06-{day:02d}-x{n}", date=f"2025-06-{day:02d}", title="&<" * 100, figures=figures,
                          regions=["UA-30", "UA-32", "UA-46", "UA-63"],
                          places=[{"name": long_name, "region": "UA-30"} for _ in range(6)])
                 for day in range(1, 29) for n in range(20)]
    archive = build_archive(incidents, [], REFERENCE)
    environment = make_environment(APP_DIR / "templates")
    month_pages = [page for page in site_pages(archive) if page.path.startswith("incidents/2025/06/")]
    assert len(month_pages) > 5
    sizes = [len(render_page(environment, page).encode()) for page in month_pages]
    assert max(sizes) < 100 * 1024
    first = render_page(environment, month_pages[0])
    assert 'rel="next" href="../../../incidents/2025/06/page/2/"' in first and "&lt;script" not in first


def test_home_and_region_pages_stay_under_100_kb_over_72_months_of_long_names():
    """The longest span charted by month, eight claimants with 150-character names, 200-character titles of &."""
    names = [f"{'Kharkiv Oblast regional military administration press office ' * 3}"[:148] + f" {n}" for n in range(8)]
    figures = [{"measure": measure, "value": 5 + n, "qualifier": "exactly", "claimed_by": name, "source": "mt", "excerpt": "Five."}
               for n, name in enumerate(names) for measure in ("killed", "injured")]
    incidents = [incident(f"{2019 + month // 12}-{month % 12 + 1:02d}-01-x{copy}", date=f"{2019 + month // 12}-{month % 12 + 1:02d}-01",
                          title="&" * 200, figures=figures, regions=["UA-30"],
                          places=[{"name": names[0], "region": "UA-30"} for _ in range(3)])
                 for month in range(72) for copy in range(3)]
    archive = build_archive(incidents, [], REFERENCE)
    environment = make_environment(APP_DIR / "templates")
    pages = {page.path: page for page in site_pages(archive)}
    for path in ("index.html", "regions/ua-30/index.html", "incidents/index.html", "totals/index.html"):
        assert len(render_page(environment, pages[path]).encode()) < 100 * 1024, path
