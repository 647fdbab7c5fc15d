"""Keep the forum's cached pages in step with deletions of its own threads and boards.

What the forum does when a record changes (telling watchers, questions following the record's
visibility) is not here: the register's services call it through `initiatives.hooks`.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from whatworks.forum import pagecache
from whatworks.forum.models import Board, Thread


def _thread_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    pagecache.thread_changed(instance.pk, None)


def _board_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    pagecache.board_changed(instance.slug)


post_delete.connect(_thread_deleted, sender=Thread, dispatch_uid="forum-thread-deleted")
post_delete.connect(_board_deleted, sender=Board, dispatch_uid="forum-board-deleted")
