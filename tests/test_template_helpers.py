"""The rows written in Python escape contributors' text exactly as the templates' autoescape does."""

from __future__ import annotations

from hypothesis import given, strategies as st
from markupsafe import escape

from archive.template_helpers import _escaped


@given(st.text())
def test_escaped_is_markupsafe_escape(text: str) -> None:
    assert _escaped(text) == str(escape(text))


def test_every_markup_character_is_escaped() -> None:
    assert _escaped("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
