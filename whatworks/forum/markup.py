"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises what comes out.

Two layers on purpose: markdown-it never passes HTML through and refuses javascript: links,
and nh3 then keeps only an allow-list of tags, attributes and URL schemes, so a bug in one
layer is caught by the other. Posts are rendered once, when written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

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


_TAG = re.compile(r"(<[^>]+>)")
_NO_MENTIONS_IN = ("a", "code", "pre")


def link_mentions(html: str, people: Mapping[str, str]) -> str:
    """@Jo-Bloggs in the text (not in code or an existing link) as a link to the person:
    `people` maps a mentioned name (as `mentioned_names` gives it) to their page's path."""
    if not people:
        return html
    parts = _TAG.split(html)
    inside = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part.strip("</>").split()[0].lower() if part.strip("</>") else ""
            if name in _NO_MENTIONS_IN and not part.endswith("/>"):
                inside += -1 if part.startswith("</") else 1
            continue
        if inside <= 0 and "@" in part:

            def replace(match: re.Match[str]) -> str:
                href = people.get(match.group(1).replace("-", " ").lower())
                if href is None:
                    return match.group(0)
                return f'<a href="{href}">{match.group(0)}</a>'

            parts[index] = MENTION.sub(replace, part)
    return "".join(parts)


def render(text: str, people: Mapping[str, str] | None = None) -> str:
    """Safe HTML for a post; `people` links @mentions (see `link_mentions`)."""
    html = _md.render(text)
    html = _BIG_HEADING.sub(r"<\1h3>", html)
    html = link_mentions(html, people or {})
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
