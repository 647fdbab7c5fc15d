"""Versioned page caches are never stale (whatworks.core.cache)."""

from __future__ import annotations

import pytest
from django.core.cache import cache as django_cache
from django.db import transaction

from whatworks.core import cache


def _compute(value: str):
    calls: list[str] = []

    def compute() -> str:
        calls.append(value)
        return value

    return compute, calls


@pytest.mark.django_db
def test_it_moves_the_version_only_when_the_write_commits(django_capture_on_commit_callbacks):
    assert cache.cached("pages", ("a",), lambda: "old page") == "old page"
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        cache.bump("pages")
        # A reader during the write (which cannot see the new rows yet) must still be
        # under the old version, or it would keep the old page under the new one.
        assert cache.cached("pages", ("a",), lambda: "recomputed") == "old page"
    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.cached("pages", ("a",), lambda: "new page") == "new page"


@pytest.mark.django_db(transaction=True)
def test_it_bumps_after_a_real_commit_and_not_after_a_rollback():
    cache.cached("pages", ("a",), lambda: "old page")
    with pytest.raises(RuntimeError), transaction.atomic():
        cache.bump("pages")
        raise RuntimeError("the write fails")
    assert cache.cached("pages", ("a",), lambda: "recomputed") == "old page"
    with transaction.atomic():
        cache.bump("pages")
    assert cache.cached("pages", ("a",), lambda: "new page") == "new page"


def test_it_gives_a_missing_version_a_fresh_random_token():
    """A version key that was evicted must not restart at a fixed value, or pages cached
    under that value long ago would be read again."""
    cache.cached("pages", ("a",), lambda: "first")
    first = django_cache.get("version:pages")
    django_cache.delete("version:pages")  # evicted
    cache.cached("pages", ("a",), lambda: "second")
    second = django_cache.get("version:pages")
    assert first and second and first != second
    assert len(first) == 16 and int(first, 16) >= 0  # a random token, not a counter

    # An entry planted under what a counter would restart at is never read.
    django_cache.set("pages:1:a", "revived stale page")
    django_cache.delete("version:pages")
    compute, calls = _compute("fresh page")
    assert cache.cached("pages", ("a",), compute) == "fresh page"
    assert calls == ["fresh page"]


@pytest.mark.django_db
def test_it_bumps_to_a_new_token_every_time():
    cache.bump_now("pages")
    seen = {django_cache.get("version:pages")}
    for _ in range(20):
        cache.bump_now("pages")
        seen.add(django_cache.get("version:pages"))
    assert len(seen) == 21


def test_it_serves_the_cached_value_without_recomputing():
    compute, calls = _compute("page")
    cache.cached("pages", ("b", 1), compute)
    cache.cached("pages", ("b", 1), compute)
    assert calls == ["page"]
