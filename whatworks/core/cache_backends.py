"""The shared cache on Redis, tolerant of Redis being away.

The cache only speeds pages up and counts rate limits; nothing in it is the only copy of
anything. So when Redis cannot be reached, a request carries on as if the cache were empty
(a read is a miss, a write is skipped, a counter starts again) instead of failing: the page
is computed from the database, and the rate limits let the attempt through (the lockouts
that guard accounts are kept in the database, not here). Each failure is logged. Cached
pages expire within whatworks.core.cache.TIMEOUT, so a version bump missed during an outage
cannot keep a stale page for longer than that.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _warn(operation: str, error: Exception) -> None:
    log.warning("The cache is unreachable (%s: %s); %s skipped.", type(error).__name__, error,
                operation)  # fmt: skip


class TolerantRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            _warn("a read", error)
            return default

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as error:
            _warn("a read", error)
            return {}

    def has_key(self, key: Any, version: Any = None) -> bool:
        try:
            return super().has_key(key, version)
        except UNREACHABLE as error:
            _warn("a read", error)
            return False

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            _warn("a write", error)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            _warn("a write", error)
            return False

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            _warn("a write", error)
            return list(data)

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            _warn("a delete", error)
            return False

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _warn("a count", error)
            return delta  # the count starts again: the attempt is let through
