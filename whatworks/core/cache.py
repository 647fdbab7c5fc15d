"""Versioned cache keys: a write bumps its namespace's version, so stale entries are never read.

Three rules keep a cached page from outliving the data it shows:

* A version is bumped when the writing transaction commits, not inside it. Bumped before
  the commit, a reader in between would fetch the new version, read the old rows (the new
  ones are not visible yet) and keep that old page under the new version for the whole
  timeout: a record just made private would stay public for five minutes.
* A version is a random token, never a counter. When a version key is missing (never set,
  or evicted under memory pressure) it gets a fresh token, so entries kept under any
  earlier version can never be read again; a counter restarting at 1 would revive them.
* The cache is shared by every app server (Redis, or the database cache): config/settings.py
  refuses to start with DEBUG off on per-process memory, where each worker would keep its
  own copy and a bump in one would leave the others serving the old page.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

T = TypeVar("T")
TIMEOUT = 300
log = logging.getLogger(__name__)


def _version_key(namespace: str) -> str:
    return f"version:{namespace}"


def _token() -> str:
    return secrets.token_hex(8)


def _version(namespace: str) -> str:
    key = _version_key(namespace)
    version = cache.get(key)
    if version is None:
        # add(), not set(): of two readers finding it missing, both end up with the token of
        # whichever wrote first.
        cache.add(key, _token(), None)
        version = cache.get(key) or _token()  # evicted at once: a token nobody else uses
    return str(version)


def bump_now(namespace: str) -> None:
    """Invalidate everything cached under `namespace`, at once (for code that runs after
    its writes have committed)."""
    cache.set(_version_key(namespace), _token(), None)


def bump(namespace: str) -> None:
    """Invalidate everything cached under `namespace` once the current transaction commits
    (at once when there is none). A failing cache is logged, not raised: the write has
    committed by then, and the entries expire within TIMEOUT."""

    def go() -> None:
        try:
            bump_now(namespace)
        except Exception:
            log.exception("Could not bump the cache version of %s", namespace)

    transaction.on_commit(go)


def address_key(request: HttpRequest) -> str:
    """A fixed-length key for the page's full address (path and query string)."""
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()


def cached(namespace: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    key = f"{namespace}:{_version(namespace)}:" + ":".join(str(p) for p in parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
