"""With Redis away, the shared cache behaves as an empty cache instead of failing requests."""

from __future__ import annotations

import socket

import pytest
from django.core.cache.backends.redis import RedisCache

from whatworks.core import ratelimit
from whatworks.core.cache_backends import TolerantRedisCache


def _closed_port() -> int:
    with socket.socket() as sock:  # bound then closed: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def away() -> TolerantRedisCache:
    return TolerantRedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {})


def test_the_plain_redis_cache_raises_when_redis_is_away() -> None:
    """What the tolerant cache guards against (so the test below can fail)."""
    plain = RedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {})
    with pytest.raises(Exception, match="(?i)connect"):
        plain.get("k")


def test_reads_miss_and_writes_are_skipped_when_redis_is_away(away, caplog) -> None:
    assert away.get("k", "fallback") == "fallback"
    assert away.get_many(["a", "b"]) == {}
    assert away.has_key("k") is False
    away.set("k", "v", 60)
    assert away.add("k", "v", 60) is False
    assert away.delete("k") is False
    assert away.incr("k", 3) == 3
    assert "The cache is unreachable" in caplog.text


def test_a_rate_limit_lets_attempts_through_when_redis_is_away(away, monkeypatch) -> None:
    monkeypatch.setattr(ratelimit, "cache", away)
    limit = ratelimit.Limit("test-away", count=1, seconds=60)
    assert [ratelimit.hit(limit, "someone") for _ in range(3)] == [False, False, False]
