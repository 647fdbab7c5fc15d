"""The "Questions on this record" section of an initiative's page."""

from __future__ import annotations

from typing import Any

from whatworks.initiatives.panels import Panel


def questions_panel(initiative: Any, user: Any) -> Panel | None:
    from whatworks.forum import selectors

    # Anonymous readers get the cached page: threads_visible_to(None) gives public ones only.
    questions = selectors.questions_on(user, initiative)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return Panel(
        template="forum/_questions_panel.html",
        context={
            "questions": questions,
            "open_count": sum(1 for q in questions if not q.is_answered),
            "can_ask": signed_in and user.has_perm("forum.ask_question"),
        },
        order=40,
    )


def watch_action(initiative: Any, user: Any) -> Panel | None:
    """Watch or stop watching the record: this reader's own state, so rendered per request."""
    from whatworks.forum import selectors

    if not (getattr(user, "is_authenticated", False) and user.has_perm("forum.ask_question")):
        return None
    watching = selectors.watch_of(user, kind="initiative", initiative=initiative) is not None
    return Panel(template="forum/_watch_record.html", context={"watching": watching})
