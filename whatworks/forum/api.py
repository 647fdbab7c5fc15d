"""API for the forum: boards, a board's threads, a thread's posts, questions on a record.

Read-only, through the same selectors as the pages, so visibility holds exactly as there:
a private group's board or thread is a 404 to anyone outside the group.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from whatworks.core.api import Pages, with_problems
from whatworks.forum import pseudonyms, selectors
from whatworks.forum.models import Post, Thread
from whatworks.initiatives.selectors import access_initiative

router = Router(tags=["Forum"])
SLUG = r"^[-a-zA-Z0-9_]+$"
MAX_ID = 2_147_483_647


class BoardOut(Schema):
    slug: str
    name: str
    description: str
    kind: str
    service_area: str
    collaboration: str
    visibility: str
    thread_count: int
    last_post_at: datetime | None


class ThreadOut(Schema):
    id: int
    title: str
    kind: str
    board: str | None = Field(None, description="The board's slug; none for a question")
    initiative: int | None = Field(None, description="The record a question is asked on")
    about: str = Field("", description="The part of the record a question points at")
    answered: bool
    reply_count: int
    created_at: datetime
    last_post_at: datetime


class PostOut(Schema):
    position: int
    author: str | None = Field(
        description="The author's name; the record's pseudonym for its owner's people on a "
        "question about a pseudonymous record"
    )
    body_html: str | None = Field(None, description="Sanitised HTML; none when hidden")
    hidden_reason: str | None
    owner_answer: bool
    accepted: bool
    useful: int
    created_at: datetime
    edited_at: datetime | None


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)


class ThreadPage(Schema):
    thread: ThreadOut
    page: int
    pages: int
    posts: list[PostOut]


def _thread(thread: Thread) -> ThreadOut:
    return ThreadOut(
        id=thread.pk,
        title=thread.title,
        kind=thread.kind,
        board=thread.board.slug if thread.board_id and thread.board else None,
        initiative=thread.initiative_id,
        about=thread.anchor_label,
        answered=thread.is_answered,
        reply_count=thread.reply_count,
        created_at=thread.created_at,
        last_post_at=thread.last_post_at,
    )


def _post(post: Post, thread: Thread, viewer: Any) -> PostOut:
    return PostOut(
        position=post.position,
        author=pseudonyms.author_label(post, thread, viewer) if post.author else None,
        body_html=None if post.is_hidden else post.body_html,
        hidden_reason=post.hidden_reason if post.is_hidden else None,
        owner_answer=post.owner_answer,
        accepted=thread.accepted_post_id == post.pk,
        useful=post.useful_count,
        created_at=post.created_at,
        edited_at=post.edited_at,
    )


@router.get("/forum/boards", response=with_problems(list[BoardOut]))
@paginate(Pages)
def list_forum_boards(request: HttpRequest) -> list:
    return list(selectors.boards_visible_to(request.user).order_by("kind", "name"))


@router.get("/forum/boards/{slug}/threads", response=with_problems(list[ThreadOut], 404))
@paginate(Pages)
def list_forum_board_threads(
    request: HttpRequest, slug: str = Path(..., max_length=80, pattern=SLUG)
) -> list:
    board = selectors.access_board(request.user, slug)
    threads = (
        selectors.threads_visible_to(request.user)
        .filter(board=board)
        .select_related("board")
        .order_by("-last_post_at", "-id")
    )
    return [_thread(t) for t in threads[:1000]]


@router.get("/forum/threads/{thread_id}", response=with_problems(ThreadPage, 404))
def get_forum_thread(
    request: HttpRequest, query: Query[PageQuery], thread_id: int = Path(..., ge=1, le=MAX_ID)
) -> ThreadPage:
    thread = selectors.access_thread(request.user, thread_id)
    page = selectors.thread_posts(thread, query.page)
    return ThreadPage(
        thread=_thread(thread),
        page=page.number,
        pages=page.num_pages,
        posts=[_post(p, thread, request.user) for p in page.items],
    )


@router.get("/initiatives/{initiative_id}/questions", response=with_problems(list[ThreadOut], 404))
def list_initiative_questions(
    request: HttpRequest, initiative_id: int = Path(..., ge=1, le=MAX_ID)
) -> list[ThreadOut]:
    initiative = access_initiative(request.user, initiative_id)
    return [_thread(t) for t in selectors.questions_on(request.user, initiative)]
