"""The service name and navigation that every page's header shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

SERVICE_NAME = "What Works"


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    current: bool = False
    # A POST form button (sign out) rather than a link: signing out must not be a GET.
    post: bool = False


def _url(name: str, **kwargs: Any) -> str | None:
    # Another part may not have wired its URL yet; a missing item beats a broken page.
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _current_href(request: HttpRequest, candidates: list[tuple[str, str]]) -> str | None:
    """The href of the one item to mark as the current page, from (url name, href) pairs."""
    match = getattr(request, "resolver_match", None)
    for name, href in candidates:
        if match is not None and match.url_name == name:
            return href
    # Pages below a section (an organisation's page under /organisations/) count as
    # that section; the longest prefix wins, and "/" (home) only matches by name.
    prefixed = [href for _, href in candidates if href != "/" and request.path.startswith(href)]
    return max(prefixed, key=len) if prefixed else None


def service(request: HttpRequest) -> dict[str, Any]:
    entries: list[tuple[str, str, dict[str, Any], bool]] = [
        ("Home", "home", {}, False),
        ("Initiatives", "initiative-list", {}, False),
        ("Organisations", "organisation-list", {}, False),
        ("Forum", "forum-home", {}, False),
        ("Search", "search", {}, False),
    ]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        entries += [
            ("Measures", "metric-list", {}, False),
            ("Ideas", "ideas-home", {}, False),
            ("Welfare checks", "checkins-home", {}, False),
            ("Your organisation", "my-organisation", {}, False),
            (user.get_full_name() or str(user), "person-detail", {"pk": user.pk}, False),
            ("Sign out", "sign-out", {}, True),
        ]
    else:
        entries.append(("Sign in", "sign-in", {}, False))

    resolved = [
        (text, name, href, post)
        for text, name, kwargs, post in entries
        if (href := _url(name, **kwargs)) is not None
    ]
    current = _current_href(request, [(name, href) for _, name, href, post in resolved if not post])
    nav = [
        NavItem(text=text, href=href, current=(href == current and not post), post=post)
        for text, name, href, post in resolved
    ]

    return {
        "service_name": SERVICE_NAME,
        "service_url": _url("home") or "/",
        "service_nav": nav,
    }
