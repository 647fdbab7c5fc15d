"""Threads (title and opening post) and posts are searchable; the caller's queryset applies
visibility (selectors.search_threads), so search never shows a thread the reader cannot see."""

from typing import Any

from django.db.models import Q, QuerySet

from whatworks.core import search
from whatworks.forum.models import Post, Thread

search.register(Thread, title="title", body="anchor_label")
search.register(
    Post,
    title=lambda p: "",
    body="body",
    should_index=lambda p: p.hidden_at is None,
)


def _threads(user: Any, text: str) -> QuerySet[Thread]:
    """Threads whose title or visible posts match, newest activity first."""
    from whatworks.forum.selectors import threads_visible_to

    visible = threads_visible_to(user)
    by_title = search.ranked(visible, text).values("pk")
    by_post = search.ranked(
        Post.objects.filter(thread__in=visible, hidden_at__isnull=True), text
    ).values("thread_id")
    return (
        visible.filter(Q(pk__in=by_title) | Q(pk__in=by_post))
        .select_related("board")
        .order_by("-last_post_at", "-id")
    )


def _hit(thread: Thread, user: Any) -> search.Hit:
    where = thread.board.name if thread.board is not None else "Forum"
    meta = f"{thread.get_kind_display()} · {where}"
    return search.Hit(thread.title, thread.get_absolute_url(), "", meta)


search.kinds.register(
    search.Kind(slug="forum", label="Forum threads", find=_threads, hit=_hit, order=30)
)
