"""Threads (title and opening post) and posts are searchable; the caller's queryset applies
visibility (selectors.search_threads), so search never shows a thread the reader cannot see."""

from whatworks.core import search
from whatworks.forum.models import Post, Thread

search.register(Thread, title="title", body="anchor_label")
search.register(
    Post,
    title=lambda p: "",
    body="body",
    should_index=lambda p: p.hidden_at is None,
)
