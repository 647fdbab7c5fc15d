"""Permission-matrix entries for the forum.

Public board, thread and question (on organisation A's public record) are open to read;
writing needs membership of an organisation (the moderator has none; site staff are
superusers and pass every rule). The private group (A's officer as admin, the outsider as
member, unlisted) is a 404 to everyone else, site staff included.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import World
from tests.matrix.support import LOGIN, Entry, expect, only, signed_in

PERMISSIONS = {
    "forum.accept_answer",
    "forum.ask_question",
    "forum.create_group",
    "forum.edit_post",
    "forum.manage_group",
    "forum.mark_useful",
    "forum.moderate",
    "forum.name_champion",
    "forum.open_organisation_board",
    "forum.reply",
    "forum.report_post",
    "forum.start_thread",
}

MODERATORS = ["moderator", "staff"]
WRITERS = signed_in(200, moderator=403)  # members of an organisation, and superusers
GROUP_MEMBERS = {"officer": 200, "outsider": 200}


def group_only(officer: int, outsider: int) -> dict[str, int]:
    """The private group's admin (officer) and member (outsider); everyone else a 404."""
    return expect(404, anonymous=LOGIN, officer=officer, outsider=outsider)


def _attachments_to_a_temporary_directory() -> None:
    """The matrix has no `settings` fixture: point attachments away from var/ for the session
    (tests/forum/conftest.py gives each forum test its own directory on top of this)."""
    from django.conf import settings

    if not str(settings.FORUM_ATTACHMENTS_DIR).startswith(tempfile.gettempdir()):
        settings.FORUM_ATTACHMENTS_DIR = Path(tempfile.mkdtemp(prefix="forum-matrix-"))


def _state(w: World) -> Any:
    from tests.forum import helpers
    from whatworks.forum import services
    from whatworks.forum.services import Upload

    _attachments_to_a_temporary_directory()
    if not hasattr(w, "forum"):
        thread = helpers.public_thread(w)
        services.post_add(
            thread=thread,
            author=w["officer"],
            body="Attached",
            uploads=[Upload("report.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        initiative = helpers.failed_initiative(w)
        question = services.question_ask(
            initiative=initiative, author=w["outsider"], anchor="summary", title="Q?", body="Why?"
        )
        answer = services.post_add(thread=question, author=w["officer"], body="Because.")
        group = helpers.make_group(w)
        w.forum = {
            "board": helpers.public_board(w),
            "thread": thread,
            "post": thread.posts.get(position=1),
            "attachment": thread.posts.get(position=2).attachments.get(),
            "initiative": initiative,
            "question": question,
            "answer": answer,
            "group": group,
        }
    return w.forum


def _board(w: World) -> dict[str, Any]:
    return {"slug": _state(w)["board"].slug}


def _thread(w: World) -> dict[str, Any]:
    return {"pk": _state(w)["thread"].pk}


def _post(w: World) -> dict[str, Any]:
    return {"pk": _state(w)["post"].pk}


def _answer(w: World) -> dict[str, Any]:
    return {"pk": _state(w)["answer"].pk}


def _group(w: World) -> dict[str, Any]:
    return {"slug": _state(w)["group"].slug}


def _join_request(w: World) -> dict[str, Any]:
    from whatworks.forum.models import JoinRequest

    group = _state(w)["group"]
    JoinRequest.objects.filter(group=group).delete()
    request = JoinRequest.objects.create(group=group, user=w["frontline"], kind="request")
    return {"slug": group.slug, "request_id": request.pk}


def _membership(w: World) -> dict[str, Any]:
    group = _state(w)["group"]
    return {"slug": group.slug, "membership_id": group.memberships.get(user=w["outsider"]).pk}


def _token(w: World) -> dict[str, Any]:
    from whatworks.forum.notifications import unsubscribe_token

    return {"token": unsubscribe_token(w["officer"])}


def _champion(w: World) -> dict[str, Any]:
    from whatworks.forum.models import Champion

    champion, _ = Champion.objects.get_or_create(
        organisation=w.org_a, user=w["officer"], defaults={"service_areas": ["housing"]}
    )
    return {"pk": champion.pk}


def _report(w: World) -> dict[str, Any]:
    from whatworks.forum.models import Report

    report = Report.objects.create(post=_state(w)["post"], reporter=w["admin"], reason="Rude")
    return {"pk": report.pk}


ENTRIES: dict[str, Entry] = {
    "forum-home": Entry(expect(200)),
    "forum-search": Entry(expect(200), data={"q": "letters"}),
    "forum-board-new": Entry(only(MODERATORS, 200)),
    "forum-board": Entry(expect(200), _board),
    "forum-thread-new": Entry(WRITERS, _board),
    "forum-thread": Entry(expect(200), _thread),
    "forum-reply": Entry(WRITERS, _thread),
    "forum-thread-export": Entry(expect(200), _thread),
    "forum-post-edit": Entry(only(["officer", "staff"], 200), _post),
    "forum-post-history": Entry(expect(200), _post),
    # The officer wrote it: a "useful" on your own post is refused with a message (302).
    "forum-post-useful": Entry(signed_in(302, moderator=403), _post, method="post"),
    "forum-post-accept": Entry(
        only(["admin", "officer", "analyst", "outsider", "staff"], 302), _answer, method="post"
    ),
    "forum-post-report": Entry(WRITERS, _post),
    "forum-post-hide": Entry(only(MODERATORS, 200), _post),
    "forum-attachment": Entry(expect(200), lambda w: {"pk": _state(w)["attachment"].pk}),
    "forum-question-new": Entry(WRITERS, lambda w: {"pk": _state(w)["initiative"].pk}),
    "forum-watch": Entry(
        signed_in(302),
        lambda w: {},
        method="post",
        data={"kind": "service_area", "target": "waste"},
    ),
    "forum-watching": Entry(signed_in(200)),
    "forum-notifications": Entry(signed_in(200)),
    "forum-unsubscribe": Entry(expect(200), _token),
    "forum-groups": Entry(expect(200)),
    "forum-group-new": Entry(WRITERS),
    "forum-group": Entry(expect(404, **GROUP_MEMBERS), _group),
    # Members are told they are members already (a message and a redirect).
    "forum-group-join": Entry(group_only(302, 302), _group, method="post"),
    "forum-group-members": Entry(group_only(200, 403), _group),
    # The frontline worker asked to join: they see the group's name, not its members' page.
    "forum-group-request": Entry(
        {**group_only(302, 403), "frontline": 403},
        _join_request,
        method="post",
        fresh_state_per_persona=True,
    ),
    "forum-group-member": Entry(group_only(302, 403), _membership, method="post"),
    "forum-group-board-new": Entry(group_only(200, 403), _group),
    "forum-organisation-board-new": Entry(
        only(["admin", "staff"], 200), lambda w: {"slug": w.org_a.slug}
    ),
    "forum-champions": Entry(expect(200)),
    "forum-champion-new": Entry(only(["admin", "staff"], 200), lambda w: {"slug": w.org_a.slug}),
    "forum-champion-remove": Entry(
        only(["admin", "staff"], 302), _champion, method="post", fresh_state_per_persona=True
    ),
    "forum-moderation": Entry(only(MODERATORS, 200)),
    "forum-report-dismiss": Entry(
        only(MODERATORS, 302), _report, method="post", fresh_state_per_persona=True
    ),
    "forum-suspend": Entry(only(MODERATORS, 200), lambda w: {"pk": w["volunteer"].pk}),
    "api:list_forum_boards": Entry(expect(200)),
    "api:list_forum_board_threads": Entry(expect(200), _board),
    "api:get_forum_thread": Entry(expect(200), lambda w: {"thread_id": _state(w)["thread"].pk}),
    "api:list_initiative_questions": Entry(
        expect(200), lambda w: {"initiative_id": _state(w)["initiative"].pk}
    ),
}
