"""The signed-in home's forum section: questions on your organisation's records that are
waiting for an answer (no accepted answer, and you have not replied), newest first."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse

from whatworks.core.registry import Panel
from whatworks.core.visibility import member_organisation_ids
from whatworks.forum.models import Post, Thread
from whatworks.forum.selectors import threads_visible_to

SHOWN = 10


def questions_section(request: HttpRequest) -> Panel | None:
    user = request.user
    orgs = member_organisation_ids(user)
    if not user.is_authenticated or not orgs:
        return None
    waiting = (
        threads_visible_to(user)
        .filter(
            kind=Thread.Kind.QUESTION,
            initiative__organisation_id__in=orgs,
            accepted_post__isnull=True,
        )
        .exclude(author_id=user.pk)
        .exclude(Exists(Post.objects.filter(thread=OuterRef("pk"), author_id=user.pk)))
        .select_related("initiative")
        .order_by("-created_at", "-id")
    )
    rows = list(waiting[:SHOWN])
    return Panel(
        template="forum/_home_questions.html",
        context={
            "questions": rows,
            "more": len(rows) == SHOWN,
            "forum_url": reverse("forum-home"),
        },
        order=20,
    )
