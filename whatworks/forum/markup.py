"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises what comes out.

Two layers on purpose: markdown-it never passes HTML through and refuses javascript: links,
and nh3 then keeps only an allow-list of tags, attributes and URL schemes, so a bug in one
layer is caught by the other. Posts are rendered once, when written.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.disable("image")  # images would load from anywhere: links only

TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "hr",
    "h3", "h4",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Headings in a post must not outrank the page's own: "#" and "##" become h3.
_BIG_HEADING = re.compile(r"<(/?)h[12]>")

MENTION = re.compile(r"(?<![\w@])@([A-Za-z][A-Za-z'\-]*[A-Za-z])")


def render(text: str) -> str:
    html = _md.render(text)
    html = _BIG_HEADING.sub(r"<\1h3>", html)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def mentioned_names(text: str) -> set[str]:
    """Names written as @Jo-Bloggs (hyphens for spaces), lower-cased with spaces."""
    return {m.group(1).replace("-", " ").lower() for m in MENTION.finditer(text)}


def quote(author: str, text: str) -> str:
    """A Markdown block quote of another post, to start a reply with."""
    lines = [f"> **{author} wrote:**", ">"]
    lines += [f"> {line}" if line else ">" for line in text.strip().splitlines()]
    return "\n".join(lines) + "\n\n"
