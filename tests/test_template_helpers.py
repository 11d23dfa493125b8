"""The rows written in Python escape contributors' text exactly as the templates' autoescape does; the pager links a list's pages."""

from __future__ import annotations

from hypothesis import given, strategies as st
from markupsafe import escape

from archive.fragments import escaped
from archive.paging import paginate
from archive.template_helpers import pager


@given(st.text())
def test_escaped_is_markupsafe_escape(text: str) -> None:
    assert escaped(text) == str(escape(text))


def test_every_markup_character_isescaped() -> None:
    assert escaped("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"


def test_the_pager_links_the_other_pages_of_a_long_list_and_is_absent_from_a_short_one() -> None:
    pages = paginate("regions/kyiv/2025/", list(range(30)), per_page=3)
    html = str(pager(pages[4], "../../../", 'Pages of "Kyiv" <2025>'))
    assert 'aria-label="Pages of &#34;Kyiv&#34; &lt;2025&gt;"' in html  # the label is text, never markup
    assert "Page 5 of 10 · 13–15 of 30" in html
    assert '<a rel="prev" href="../../../regions/kyiv/2025/page/4/">' in html
    assert '<a rel="next" href="../../../regions/kyiv/2025/page/6/">' in html
    assert '<a aria-current="page" href="../../../regions/kyiv/2025/page/5/">5</a>' in html
    assert '<a href="../../../regions/kyiv/2025/">1</a>' in html and '<li aria-hidden="true">…</li>' in html
    assert 'rel="prev"' not in str(pager(pages[0], "", "x")) and 'rel="next"' not in str(pager(pages[-1], "", "x"))
    assert pager(paginate("totals/", [1, 2], per_page=3)[0], "", "x") == ""
