"""Cached page bodies for anonymous readers, as the register does (whatworks.core.cache).

Every anonymous reader of a public thread or board sees the same page, so its body is cached
under a namespace per thread and per board; any write to a thread bumps both, after commit,
so a reader can never cache the state from before a write that is about to land.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from whatworks.core.cache import address_key, bump_now, cached


def _thread(pk: int) -> str:
    return f"forum-thread-{pk}"


def _board(slug: str) -> str:
    return f"forum-board-{slug}"


def thread_changed(thread_id: int, board_id: int | None) -> None:
    def go() -> None:
        bump_now(_thread(thread_id))
        if board_id:
            from whatworks.forum.models import Board

            slug = Board.objects.filter(pk=board_id).values_list("slug", flat=True).first()
            if slug:
                bump_now(_board(slug))

    transaction.on_commit(go)


def board_changed(slug: str) -> None:
    transaction.on_commit(lambda: bump_now(_board(slug)))


def _cached_if_public(
    namespace: str, request: HttpRequest, render: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    # Keyed by the full address: the pagination links repeat the query string. Only a public
    # page is kept (anonymous readers see nothing else, but the rule stays explicit here).
    key = ("page", address_key(request))
    found = cached(namespace, key, lambda: _public_or_none(render))
    return found if found is not None and found != _NOT_PUBLIC else render()


_NOT_PUBLIC = {"public": False}


def _public_or_none(render: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    page = render()
    return page if page.get("public") else _NOT_PUBLIC


def thread_page(
    request: HttpRequest, thread_id: int, render: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    return _cached_if_public(_thread(thread_id), request, render)


def board_page(
    request: HttpRequest, slug: str, render: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    return _cached_if_public(_board(slug), request, render)
