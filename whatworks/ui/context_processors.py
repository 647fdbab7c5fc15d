"""The service name and navigation that every page's header shows.

The header has two parts: the service navigation lists the sections of the service, and the
account bar beside the search box holds the reader's own links (notifications, organisation,
profile, sign out). Apps add account links (the forum's unread count) through
`account_links`, a registry of functions that take the request and return a NavItem or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from whatworks.core.registry import Registry

SERVICE_NAME = "What Works"


@dataclass(frozen=True)
class NavItem:
    text: str
    href: str
    current: bool = False
    # A POST form button (sign out) rather than a link: signing out must not be a GET.
    post: bool = False
    # Said to screen readers after the text ("3" then " unread notifications"), or a badge.
    count: int | None = None
    count_label: str = ""


AccountLink = Callable[[HttpRequest], NavItem | None]
account_links: Registry[AccountLink] = Registry("header account links")


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
    entries: list[tuple[str, str]] = [
        ("Home", "home"),
        ("Initiatives", "initiative-list"),
    ]
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if signed_in:
        entries.append(("Measures", "metric-list"))
    entries += [("Organisations", "organisation-list"), ("Forum", "forum-home")]
    if signed_in:
        entries += [("Ideas", "ideas-home"), ("Welfare checks", "checkins-home")]
    # Search is the box in the account bar, on every page; not a section of its own.

    resolved = [(text, name, href) for text, name in entries if (href := _url(name)) is not None]
    current = _current_href(request, [(name, href) for _, name, href in resolved])
    nav = [NavItem(text=text, href=href, current=href == current) for text, name, href in resolved]

    return {
        "service_name": SERVICE_NAME,
        "service_url": _url("home") or "/",
        "service_nav": nav,
        "account_nav": _account_once(request, user) if user is not None else [],
        "search_url": _url("search"),
    }


def _account_once(request: HttpRequest, user: Any) -> list[NavItem]:
    # Context processors run for every template rendered with the request (a cached body
    # and the page around it): work the links out (and count the unread) once per request.
    cached: list[NavItem] | None = getattr(request, "_account_nav", None)
    if cached is None:
        cached = _account(request, user)
        setattr(request, "_account_nav", cached)  # noqa: B010 (a per-request cache)
    return cached


def _account(request: HttpRequest, user: Any) -> list[NavItem]:
    if not user.is_authenticated:
        href = _url("sign-in")
        return [NavItem("Sign in", href)] if href else []
    items = [item for link in account_links if (item := link(request)) is not None]
    for text, name, kwargs, post in [
        ("Your organisation", "my-organisation", {}, False),
        (user.get_full_name() or str(user), "person-detail", {"pk": user.pk}, False),
        ("Sign out", "sign-out", {}, True),
    ]:
        if (href := _url(name, **kwargs)) is not None:
            items.append(NavItem(text=text, href=href, post=post))
    return items
