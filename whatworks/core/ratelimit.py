"""One rate limiter for the whole site: fixed windows counted in the shared cache.

    JOIN = Limit("ideas-join", count=20, seconds=600)
    if ratelimit.hit(JOIN, client_address(request)):
        ...  # refuse: this attempt is over the limit

Every limit in the project is a `Limit` here and is counted by `hit` (join codes, referral
pages, password resets, two-factor codes, sign-in attempts per address). The counters live
in the cache, which production shares between app servers (config/settings.py refuses to
start without one), so a limit holds across workers and machines. The key is hashed: an
email address used as a key is not written into the cache in the clear.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Limit:
    scope: str
    count: int | Callable[[], int]  # a callable reads a setting when it is used
    seconds: int

    @property
    def allowed(self) -> int:
        return self.count() if callable(self.count) else self.count


def _key(limit: Limit, key: str, now: float | None = None) -> str:
    window = int((time.time() if now is None else now) // limit.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"ratelimit:{limit.scope}:{window}:{digest}"


def hit(limit: Limit, key: str) -> bool:
    """Count one attempt by `key`; True when it goes over the limit (refuse it)."""
    cache_key = _key(limit, key)
    # The window is part of the key, so a counter never outlives its window by more than
    # the timeout: no race between expiry and increment.
    cache.add(cache_key, 0, limit.seconds + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr: count this attempt afresh
        cache.set(cache_key, 1, limit.seconds + 1)
        count = 1
    return count > limit.allowed


def over(limit: Limit, key: str) -> bool:
    """Whether `key` has used up the limit in this window, without counting an attempt."""
    return int(cache.get(_key(limit, key)) or 0) >= limit.allowed


def clear(limit: Limit, key: str) -> None:
    cache.delete(_key(limit, key))


def too_many_requests(
    request: HttpRequest, title: str, text: str, *, retry_after: int = 3600
) -> HttpResponse:
    """The page every limit answers with: 429, saying what was limited and when to try
    again."""
    response = render(
        request, "core/too_many_requests.html", {"title": title, "text": text}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response
