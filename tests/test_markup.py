"""markup.py: Markdown renders, and nothing in it can inject script or a bad link."""

from archive.markup import markdown_to_html


def test_markdown_renders_emphasis_links_and_lists():
    html = markdown_to_html("**Kyiv** was hit. See [the report](https://example.org/r).\n\n- one\n- two\n")
    assert "<strong>Kyiv</strong>" in html
    assert '<a href="https://example.org/r" rel="noopener noreferrer nofollow">the report</a>' in html
    assert "<li>one</li>" in html


def test_raw_html_and_script_are_removed():
    html = markdown_to_html('Hello <script>alert(1)</script><img src=x onerror=alert(2)><b onclick="x()">bold</b>')
    assert "<script" not in html and "alert(1)" not in html
    assert "<img" not in html and "onerror" not in html and "onclick" not in html


def test_dangerous_link_schemes_are_dropped():
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"):
        html = markdown_to_html(f"[click]({url})")
        assert "javascript:" not in html and "data:" not in html and "vbscript:" not in html, html
        assert "click" in html


def test_markdown_images_from_other_hosts_are_dropped():
    assert "<img" not in markdown_to_html("![x](https://tracker.example/pixel.gif)")


def test_summaries_get_no_heading_ids_but_content_pages_do():
    from archive.markup import page_to_html

    assert markdown_to_html("## Figures killed all") == "<h2>Figures killed all</h2>"
    assert page_to_html("## Totals") == '<h2 id="totals">Totals</h2>'
