"""Handing work to the task queue without making a request depend on it.

Work a request starts (a message to send, figures to refresh) is first written to the
database in the request's own transaction: the outbox row, the visit, the campaign. Only
after the commit is the queue told, and if the queue (Redis) cannot be reached then, the
request still succeeds: the periodic sweeps (`dispatch_due_messages`, the outcome and
measure refreshes) find the recorded work when the queue is back. So the queue is never the
only place a piece of work lives, and a queue outage delays work without losing it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


def after_commit(task: Callable[..., Any], *args: Any) -> None:
    """Enqueue ``task(*args)`` once the current transaction commits (at once outside one)."""

    def enqueue() -> None:
        try:
            task(*args)
        except Exception as error:  # the queue is down: the sweeps will pick the work up
            log.warning(
                "Could not queue %s%r (%s: %s); the periodic sweep will pick it up.",
                getattr(task, "name", task), args, type(error).__name__, error,
            )  # fmt: skip

    transaction.on_commit(enqueue)
