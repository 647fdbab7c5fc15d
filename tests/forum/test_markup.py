"""Hostile Markdown and HTML: whatever is written, no script, event handler or javascript:
URL survives rendering (hypothesis generates the input)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from whatworks.forum.markup import mentioned_names, quote, render

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">',
    "<body onload=alert(1)>",
    '<a href="#" onclick="steal()">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "[a](<javascript:alert(1)>)",
    "<form action=javascript:alert(1)><button>go</button></form>",
    '"><script>alert(1)</script>',
    "`<script>` in code is fine",
]
FRAGMENTS = st.sampled_from(
    ATTACKS + ["**bold**", "*em*", "> quote", "- item", "\n\n", "[ok](https://example.org)",
               "<", ">", '"', "'", "=", "on", "javascript:", "&#x", ";", "(", ")", " "]
)  # fmt: skip

DANGEROUS_TAGS = {"script", "iframe", "svg", "style", "img", "form", "object", "embed", "math"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Elements(HTMLParser):
    """Reads the output as a browser would: tags and decoded attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def assert_safe(html: str) -> None:
    assert "<script" not in html.lower(), html
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in DANGEROUS_TAGS, html
        for name, value in attrs:
            assert not name.lower().startswith("on"), html
            if name.lower() in URL_ATTRIBUTES and value:
                # Browsers ignore whitespace and control characters inside a scheme.
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), html


def test_it_neutralises_known_attacks() -> None:
    for attack in ATTACKS:
        assert_safe(render(attack))


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=12).map("".join))
def test_it_never_lets_a_script_handler_or_javascript_url_through_fragments(text: str) -> None:
    assert_safe(render(text))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_it_never_lets_a_script_handler_or_javascript_url_through_any_text(text: str) -> None:
    assert_safe(render(text))


def test_it_keeps_ordinary_markdown() -> None:
    html = render("**Bold** and [a link](https://example.org)\n\n- one\n- two\n\n# Big")
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html
    assert "<h3>Big</h3>" in html  # a post's heading never outranks the page's


def test_it_finds_mentions_and_quotes_posts() -> None:
    assert mentioned_names("Thanks @Jo-Bloggs and @Ann, mail me@example.org") == {
        "jo bloggs",
        "ann",
    }
    assert quote("Jo", "one\n\ntwo").startswith("> **Jo wrote:**\n>\n> one\n>\n> two")


def test_mentions_link_to_the_person_but_not_inside_code_or_links():
    from whatworks.forum.markup import render

    people = {"jo bloggs": "/people/7/"}
    html = render("Ask @Jo-Bloggs, not `@Jo-Bloggs` or @Nobody-Here.", people)
    assert '<a href="/people/7/" rel="noopener noreferrer nofollow">@Jo-Bloggs</a>' in html
    assert "<code>@Jo-Bloggs</code>" in html
    assert "@Nobody-Here" in html and html.count("<a ") == 1
    linked = render("[see @Jo-Bloggs](https://example.org)", people)
    assert linked.count("<a ") == 1


def test_a_post_links_mentions_of_people_on_the_platform(world):
    from tests.forum.helpers import public_thread
    from whatworks.forum import services

    thread = public_thread(world)
    name = world["analyst"].full_name.replace(" ", "-")
    post = services.post_add(thread=thread, author=world["officer"], body=f"Thanks @{name}!")
    assert f'href="/people/{world["analyst"].pk}/"' in post.body_html
