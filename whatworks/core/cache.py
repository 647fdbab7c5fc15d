"""Versioned cache keys: a write bumps its namespace's version, so stale entries are never read.

The cache is Redis when REDIS_URL is set (shared by every app server), else local memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest

T = TypeVar("T")
TIMEOUT = 300


def _version_key(namespace: str) -> str:
    return f"version:{namespace}"


def bump(namespace: str) -> None:
    """Invalidate everything cached under `namespace`."""
    try:
        cache.incr(_version_key(namespace))
    except ValueError:  # not set yet (or evicted): any new value differs from the old ones
        cache.set(_version_key(namespace), 2, None)


def address_key(request: HttpRequest) -> str:
    """A fixed-length key for the page's full address (path and query string)."""
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()


def cached(namespace: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    version = cache.get_or_set(_version_key(namespace), 1, None)
    key = f"{namespace}:{version}:" + ":".join(str(p) for p in parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
