"""Absolute links (in emails, exports, the API, join codes): the one helper.

With SITE_URL set (production requires it: config/production.py) every link starts with it.
Unset, in development, a link made while answering a request starts with the address that
request came in on (so `make run PORT=8001`, a container's mapped port or a colleague's
machine on the network all get links that work); work without a request (tasks, commands)
falls back to SITE_URL's development default.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

from whatworks.core.middleware import current_request


def site_root(request: HttpRequest | None = None) -> str:
    """The scheme and host links start with, without a trailing slash."""
    if getattr(settings, "SITE_URL_FROM_REQUEST", False):
        request = request if request is not None else current_request.get()
        if request is not None:
            try:
                return f"{request.scheme}://{request.get_host()}"
            except DisallowedHost:
                pass
    return str(settings.SITE_URL).rstrip("/")


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """`path` ("/initiatives/12/") as a full address."""
    return site_root(request) + path
