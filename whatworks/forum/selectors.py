"""Reads shared by the pages, the API, the initiative panel and the digests.

Every read of a thread goes through `threads_visible_to` or `access_thread`, so a page, the
API, search and an export cannot forget the visibility check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from whatworks.core import search as full_text
from whatworks.forum.models import (
    Attachment,
    Board,
    Champion,
    ForumGroup,
    GroupMembership,
    Notification,
    Post,
    Thread,
    Visibility,
    Watch,
    can_see,
    group_ids_of,
    visible_condition,
)
from whatworks.initiatives.models import Initiative

THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50


@dataclass(frozen=True)
class PageOf:
    """A page of a list whose length is known without COUNT(*) (kept on the parent row)."""

    items: list[Any]
    number: int
    total: int
    per_page: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def paginator(self) -> PageOf:  # the shared pagination template reads page.paginator
        return self


# --- Boards and threads ----------------------------------------------------------------


def boards_visible_to(user: Any) -> QuerySet[Board]:
    return Board.objects.visible_to(user).select_related("group", "organisation")


def access_board(user: Any, slug: str) -> Board:
    found = list(boards_visible_to(user).filter(slug=slug).order_by()[:1])
    board = found[0] if found else None
    if board is None:
        raise Http404("No such board.")
    return board


def threads_visible_to(user: Any) -> QuerySet[Thread]:
    return Thread.objects.visible_to(user)


def access_thread(user: Any, pk: int, perm: str | None = None) -> Thread:
    """The thread if `user` may see it (404 otherwise) and holds `perm` on it (403)."""
    # A slice, not first(): no ORDER BY to build for a primary-key lookup.
    found = list(
        threads_visible_to(user).select_related("board", "initiative").filter(pk=pk).order_by()[:1]
    )
    thread = found[0] if found else None
    if thread is None:
        raise Http404("No such thread.")
    if perm is not None and not user.has_perm(perm, thread):
        raise PermissionDenied
    return thread


def access_post(user: Any, pk: int, perm: str | None = None) -> Post:
    post = (
        Post.objects.select_related("thread", "thread__initiative", "author")
        .filter(pk=pk, thread__in=threads_visible_to(user))
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    if perm is not None and not user.has_perm(perm, post):
        raise PermissionDenied
    return post


def board_threads(user: Any, board: Board, number: int) -> PageOf:
    # Every thread on a board shares the board's visibility (services.thread_start), so the
    # board's own count is the reader's count; the filter stays as a second lock.
    offset = (number - 1) * THREADS_PER_PAGE
    rows = list(
        Thread.objects.filter(board=board)
        .filter(visible_condition(user))
        .select_related("author")
        .order_by("-last_post_at", "-id")[offset : offset + THREADS_PER_PAGE]
    )
    return PageOf(rows, number, board.thread_count, THREADS_PER_PAGE)


def thread_posts(thread: Thread, number: int) -> PageOf:
    first = (number - 1) * POSTS_PER_PAGE + 1
    # The Markdown source is not shown (only its rendered HTML): leave it in the database.
    rows = list(
        Post.objects.filter(thread=thread, position__gte=first, position__lt=first + POSTS_PER_PAGE)
        .select_related("author")
        .only(*POST_PAGE_FIELDS, "author__full_name", "author__email")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("position")
    )
    _attach_quotes(rows)
    return PageOf(rows, number, thread.post_count, POSTS_PER_PAGE)


POST_PAGE_FIELDS = (
    "thread_id", "position", "author_id", "body_html", "quote_of_id", "owner_answer",
    "by_owner", "useful_count", "created_at", "edited_at", "hidden_at", "hidden_reason",
)  # fmt: skip


def _attach_quotes(rows: list[Post]) -> None:
    """The posts quoted on this page, in one query only when there are any."""
    ids = {p.quote_of_id for p in rows if p.quote_of_id}
    if not ids:
        for post in rows:
            post.quoted = None  # type: ignore[attr-defined]
        return
    quoted = {
        q.pk: q
        for q in Post.objects.filter(pk__in=ids)
        .select_related("author")
        .only("position", "thread_id", "by_owner", "author__full_name", "author__email")
    }
    for post in rows:
        post.quoted = quoted.get(post.quote_of_id) if post.quote_of_id else None  # type: ignore[attr-defined]


def thread_links(user: Any, thread: Thread) -> dict[str, list[Any]]:
    """The records a thread links to, each only if the reader may see it."""
    from whatworks.trials.models import Trial

    initiatives = list(
        Initiative.objects.visible_to(user).filter(pk__in=thread.linked_initiatives.values("pk"))
    )
    trials = list(
        Trial.objects.filter(
            pk__in=thread.linked_trials.values("pk"),
            initiative__in=Initiative.objects.visible_to(user),
        )
    )
    organisations = list(thread.linked_organisations.filter(is_active=True))
    return {"initiatives": initiatives, "trials": trials, "organisations": organisations}


def useful_post_ids(user: Any, posts: list[Post]) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not posts:
        return set()
    from whatworks.forum.models import Reaction

    return set(
        Reaction.objects.filter(user=user, post__in=[p.pk for p in posts]).values_list(
            "post_id", flat=True
        )
    )


# --- Questions on records ---------------------------------------------------------------


def questions_on(user: Any, initiative: Initiative, *, open_only: bool = False) -> list[Thread]:
    qs = threads_visible_to(user).filter(initiative=initiative, kind=Thread.Kind.QUESTION)
    if open_only:
        qs = qs.filter(accepted_post__isnull=True)
    return list(qs.select_related("author").order_by("-created_at")[:50])


# --- Groups ------------------------------------------------------------------------------


def groups_listed_for(user: Any) -> QuerySet[ForumGroup]:
    """Listed groups, and unlisted ones the person belongs to or is invited to."""
    mine = group_ids_of(user)
    condition = Q(listed=True) | Q(pk__in=mine)
    if getattr(user, "is_authenticated", False):
        condition |= Q(join_requests__user_id=user.pk, join_requests__state="pending")
    return ForumGroup.objects.filter(condition).distinct().order_by("name")


def access_group(user: Any, slug: str, perm: str | None = None) -> ForumGroup:
    group = groups_listed_for(user).filter(slug=slug).first()
    if group is None:
        raise Http404("No such group.")
    if perm is not None and not user.has_perm(perm, group):
        raise PermissionDenied
    return group


def group_role(user: Any, group: ForumGroup) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        GroupMembership.objects.filter(group=group, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )


# --- Watching and notifications ------------------------------------------------------------


def watch_of(user: Any, **target: Any) -> Watch | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Watch.objects.filter(user_id=user.pk, **target).first()


def notification_is_visible(notification: Notification, user: Any) -> bool:
    """Checked again when shown or emailed: the person may have left a group since."""
    if notification.thread_id is not None and not can_see(notification.thread, user):
        return False
    initiative = notification.initiative
    if initiative is not None and not initiative.is_visible_to(user):
        return False
    if notification.group_id is not None and notification.kind != Notification.Kind.GROUP:
        return notification.group_id in group_ids_of(user)
    return True


def notifications_for(user: Any, limit: int = 50) -> list[Notification]:
    rows = (
        Notification.objects.filter(user_id=user.pk)
        .select_related("thread", "initiative")
        .order_by("-created_at", "-id")[:limit]
    )
    return [n for n in rows if notification_is_visible(n, user)]


# --- Search --------------------------------------------------------------------------------


def search_threads(user: Any, text: str) -> list[Thread]:
    """Threads whose title or posts match, best first; only threads the reader can see."""
    visible = threads_visible_to(user)
    found: dict[int, Thread] = {}
    for thread in full_text.search(visible.select_related("board"), text):
        found[thread.pk] = thread
    posts = full_text.search(
        Post.objects.filter(thread__in=visible, hidden_at__isnull=True).select_related(
            "thread", "thread__board"
        ),
        text,
    )
    for post in posts:
        thread = found.setdefault(post.thread_id, post.thread)
        if not hasattr(thread, "matching_post"):
            thread.matching_post = post  # type: ignore[attr-defined]
    return list(found.values())[:50]


# --- Champions -----------------------------------------------------------------------------


def champions(
    *, service_area: str = "", council_type: str = "", region: str = ""
) -> list[Champion]:
    qs = Champion.objects.filter(organisation__is_active=True).select_related(
        "user", "organisation", "organisation__local_authority"
    )
    if council_type:
        qs = qs.filter(organisation__local_authority__authority_type=council_type)
    if region:
        qs = qs.filter(organisation__local_authority__region=region)
    rows = list(qs.order_by("organisation__name", "user__full_name"))
    if service_area:
        rows = [c for c in rows if service_area in c.service_areas]
    return rows


def champion_filter_choices() -> dict[str, list[tuple[str, str]]]:
    from whatworks.organisations.models import LocalAuthority

    authorities = LocalAuthority.objects.filter(organisations__forum_champions__isnull=False)
    types = sorted(set(authorities.values_list("authority_type", "authority_type_name")))
    regions = sorted({r for r in authorities.values_list("region", flat=True) if r})
    return {"council_types": types, "regions": [(r, r) for r in regions]}


def board_visibility_label(board: Board) -> str:
    if board.visibility == Visibility.GROUP and board.group is not None:
        return f"Only members of {board.group.name}"
    if board.visibility == Visibility.PRIVATE and board.organisation is not None:
        return f"Only people in {board.organisation.name}"
    return Visibility(board.visibility).label
