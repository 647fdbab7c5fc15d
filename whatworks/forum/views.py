"""Forum pages. Thin: an access helper fetches and checks, a form validates, a service writes.

Visibility gives a 404 (the thread, board or group might as well not exist); an action the
reader may not take on something they can see gives a 403.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from whatworks.core import audit
from whatworks.core.forms import act, submit
from whatworks.core.paging import page_number
from whatworks.core.visibility import member_organisation_ids
from whatworks.forum import attachments, markup, pagecache, pseudonyms, selectors, services
from whatworks.forum.forms import (
    BoardForm,
    ChampionFilterForm,
    ChampionForm,
    EditForm,
    FrequencyForm,
    GroupBoardForm,
    GroupForm,
    InviteForm,
    PostForm,
    QuestionForm,
    ReasonForm,
    RoleForm,
    SearchForm,
    SuspendForm,
    ThreadForm,
)
from whatworks.forum.models import (
    Attachment,
    Board,
    Champion,
    ForumProfile,
    Frequency,
    GroupMembership,
    JoinRequest,
    Post,
    Report,
    Thread,
    Visibility,
    Watch,
    can_see,
)
from whatworks.forum.notifications import user_from_token
from whatworks.initiatives.models import ServiceArea
from whatworks.initiatives.selectors import access_initiative
from whatworks.organisations.models import Organisation, User
from whatworks.organisations.selectors import access_organisation
from whatworks.ui.templatetags.govuk import govuk_date


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- Home, boards and threads -----------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    boards = list(selectors.boards_visible_to(request.user).order_by("kind", "name"))
    groups = [b for b in boards if b.visibility == Visibility.GROUP]
    own = [b for b in boards if b.visibility == Visibility.PRIVATE]
    shared = [b for b in boards if b.visibility in (Visibility.PUBLIC, Visibility.PEERS)]
    by_kind = {kind: [b for b in shared if b.kind == kind] for kind in Board.Kind.values}
    mine = Organisation.objects.active().filter(pk__in=member_organisation_ids(request.user))
    can_open_for = [o for o in mine if request.user.has_perm("forum.open_organisation_board", o)]
    recent_questions = list(
        selectors.threads_visible_to(request.user)
        .filter(kind=Thread.Kind.QUESTION)
        .select_related("initiative")
        .order_by("-created_at")[:5]
    )
    return render(
        request,
        "forum/home.html",
        {
            "service_area_boards": by_kind[Board.Kind.SERVICE_AREA],
            "collaboration_boards": by_kind[Board.Kind.COLLABORATION],
            "other_boards": by_kind[Board.Kind.OTHER],
            "group_boards": groups,
            "organisation_boards": own,
            "can_open_for": can_open_for,
            "recent_questions": recent_questions,
            "can_create_board": request.user.has_perm("forum.moderate"),
            "search_form": SearchForm(),
        },
    )


def board_detail(request: HttpRequest, slug: str) -> HttpResponse:
    number = page_number(request.GET.get("page"))

    def page() -> dict[str, Any]:
        board = selectors.access_board(request.user, slug)
        if number > max(1, -(-board.thread_count // selectors.THREADS_PER_PAGE)):
            raise Http404("No such page.")
        authenticated = request.user.is_authenticated
        context = {
            "board": board,
            "page": selectors.board_threads(request.user, board, number),
            "visibility_label": selectors.board_visibility_label(board),
            "can_start": authenticated and request.user.has_perm("forum.start_thread", board),
            "watch": selectors.watch_of(request.user, kind=Watch.Kind.BOARD, board=board),
        }
        body = render_to_string("forum/_board_body.html", context, request=request)
        return {"title": board.name, "body": body, "public": board.visibility == Visibility.PUBLIC}

    # Every anonymous reader sees the same public board: cached whole until a thread on it
    # changes, so a cached view costs no query at all.
    shown = page() if request.user.is_authenticated else pagecache.board_page(request, slug, page)
    return render(
        request,
        "forum/board.html",
        {"title": shown["title"], "body": mark_safe(shown["body"])},  # noqa: S308 (our own template)
    )


@login_required
def board_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("forum.moderate"):
        raise PermissionDenied
    form = BoardForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.board_create(actor=_user(request), **data),
        then=lambda board: board,
        success="The board is open.",
    ):
        return done
    return render(request, "forum/form.html", {"form": form, "title": "Open a board"})


@login_required
def thread_new(request: HttpRequest, slug: str) -> HttpResponse:
    board = selectors.access_board(request.user, slug)
    if not request.user.has_perm("forum.start_thread", board):
        raise PermissionDenied
    form = ThreadForm(request.POST or None, request.FILES or None)

    def start(data: dict[str, Any]) -> Thread:
        links = services.links_parse(text=data["links"], reader=_user(request))
        return services.thread_start(
            board=board,
            author=_user(request),
            title=data["title"],
            body=data["body"],
            uploads=form.uploads(),
            **links,
        )

    if done := submit(
        request, form, start, then=lambda thread: thread, success="Your thread is posted."
    ):
        return done
    return render(
        request,
        "forum/form.html",
        {"form": form, "title": "Start a thread", "caption": board.name, "back": board,
         "multipart": True},
    )  # fmt: skip


def _back_link(thread: Thread) -> tuple[str, str]:
    if thread.initiative_id and thread.initiative:
        return thread.initiative.get_absolute_url() + "#questions", "Back to the record"
    if thread.board_id and thread.board:
        return thread.board.get_absolute_url(), f"Back to {thread.board.name}"
    return reverse("forum-home"), "Back to the forum"


def _prepare_posts(thread: Thread, posts: list[Post], user: Any, useful: set[int]) -> None:
    """Per-post strings worked out once in Python: a 50-post page would otherwise reverse
    about 300 URLs and localise as many numbers in the template."""
    prefix = reverse("forum-post-history", kwargs={"pk": 0}).removesuffix("0/history/")
    me = getattr(user, "pk", None)
    for post in posts:
        post.n = str(post.position)  # type: ignore[attr-defined]
        post.id_text = str(post.pk)  # type: ignore[attr-defined]
        post.base = f"{prefix}{post.pk}/"  # type: ignore[attr-defined]
        post.by = pseudonyms.author_label(post, thread, user)  # type: ignore[attr-defined]
        post.masked = pseudonyms.under_pseudonym(post, thread, user)  # type: ignore[attr-defined]
        quoted = getattr(post, "quoted", None)
        if quoted is not None:
            quoted.by = pseudonyms.author_label(quoted, thread, user)
        post.when = govuk_date(post.created_at)  # type: ignore[attr-defined]
        post.useful = str(post.useful_count)  # type: ignore[attr-defined]
        post.mine = me is not None and post.author_id == me  # type: ignore[attr-defined]
        post.accepted = thread.accepted_post_id == post.pk  # type: ignore[attr-defined]
        post.found_useful = post.pk in useful  # type: ignore[attr-defined]
        post.files = list(post.attachments.all())  # type: ignore[attr-defined]


def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    number = page_number(request.GET.get("page"))

    def page() -> dict[str, Any]:
        thread = selectors.access_thread(request.user, pk)
        if number > max(1, -(-thread.post_count // selectors.POSTS_PER_PAGE)):
            raise Http404("No such page.")
        user = request.user
        authenticated = user.is_authenticated
        posts = selectors.thread_posts(thread, number)
        _prepare_posts(thread, posts.items, user, selectors.useful_post_ids(user, posts.items))
        owner = pseudonyms.owner_name(thread, user)
        context = {
            "thread": thread,
            "owner_name": owner[:1].lower() + owner[1:] if owner.startswith("A") else owner,
            "page": posts,
            "links": selectors.thread_links(user, thread) if number == 1 else None,
            "reply_url": reverse("forum-reply", kwargs={"pk": thread.pk}),
            "can_reply": authenticated and user.has_perm("forum.reply", thread),
            "can_accept": authenticated and user.has_perm("forum.accept_answer", thread),
            "can_moderate": authenticated and user.has_perm("forum.moderate"),
            "can_react": authenticated and user.has_perm("forum.mark_useful", thread),
            "user_pk": getattr(user, "pk", None),
            "watch": selectors.watch_of(user, kind=Watch.Kind.THREAD, thread=thread),
            "form": PostForm() if authenticated else None,
        }
        back_href, back_text = _back_link(thread)
        return {
            "title": thread.title + (f" (page {number})" if number > 1 else ""),
            "back_href": back_href,
            "back_text": back_text,
            "body": render_to_string("forum/_thread_body.html", context, request=request),
            "public": thread.visibility == Visibility.PUBLIC,
        }

    # Every anonymous reader of a public thread sees the same page: cached whole until the
    # thread changes (services bump it after commit), so a cached view costs no query.
    shown = page() if request.user.is_authenticated else pagecache.thread_page(request, pk, page)
    return render(
        request,
        "forum/thread.html",
        {**shown, "body": mark_safe(shown["body"])},  # noqa: S308 (our own template)
    )


@login_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.access_thread(request.user, pk, "forum.reply")
    quote_of = None
    quote_id = request.POST.get("quote_of") or request.GET.get("quote")
    if quote_id and str(quote_id).isdigit():
        quote_of = Post.objects.filter(thread=thread, pk=int(quote_id), hidden_at=None).first()
    initial = {}
    if quote_of is not None and request.method == "GET":
        initial["body"] = markup.quote(
            pseudonyms.author_label(quote_of, thread, request.user), quote_of.body
        )
    form = PostForm(request.POST or None, request.FILES or None, initial=initial)
    if done := submit(
        request,
        form,
        lambda data: services.post_add(
            thread=thread,
            author=_user(request),
            body=data["body"],
            quote_of=quote_of,
            uploads=form.uploads(),
        ),
        then=lambda post: post.get_absolute_url(),
        success="Your reply is posted.",
    ):
        return done
    return render(
        request,
        "forum/form.html",
        {
            "form": form,
            "title": "Answer the question" if thread.kind == Thread.Kind.QUESTION else "Reply",
            "caption": thread.title,
            "back": thread,
            "multipart": True,
            "hidden": {"quote_of": quote_of.pk} if quote_of else {},
        },
    )


def thread_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The thread as JSON (hidden posts keep their place and reason, not their text)."""
    thread = selectors.access_thread(request.user, pk)
    posts = Post.objects.filter(thread=thread).select_related("author").order_by("position")
    data = {
        "thread": {
            "id": thread.pk,
            "title": thread.title,
            "kind": thread.kind,
            "board": thread.board.name if thread.board else None,
            "initiative": thread.initiative_id,
            "about": thread.anchor_label or None,
            "created_at": thread.created_at.isoformat(),
        },
        "posts": [
            {
                "position": p.position,
                "author": pseudonyms.author_label(p, thread, request.user) if p.author else None,
                "created_at": p.created_at.isoformat(),
                "edited_at": p.edited_at.isoformat() if p.edited_at else None,
                "body": None if p.is_hidden else p.body,
                "hidden_reason": p.hidden_reason if p.is_hidden else None,
                "useful": p.useful_count,
            }
            for p in posts.iterator()
        ],
    }
    response = HttpResponse(
        json.dumps(data, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="thread-{thread.pk}.json"'
    return response


# --- Posts -------------------------------------------------------------------------------


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk, "forum.edit_post")
    form = EditForm(request.POST or None, initial={"body": post.body})
    if done := submit(
        request,
        form,
        lambda data: services.post_edit(post=post, editor=_user(request), body=data["body"]),
        then=lambda edited: edited.get_absolute_url(),
        success="Your post is changed. Its earlier text stays in its history.",
    ):
        return done
    return render(
        request,
        "forum/form.html",
        {
            "form": form,
            "title": "Edit your post",
            "caption": post.thread.title,
            "back": post.thread,
        },
    )


def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk)
    revisions = [] if post.is_hidden else list(post.revisions.select_related("edited_by"))
    return render(request, "forum/history.html", {"post": post, "revisions": revisions})


@login_required
@require_POST
def post_useful(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk, "forum.mark_useful")
    return act(
        request,
        lambda: services.post_mark_useful(post=post, user=_user(request)),
        then=post.get_absolute_url(),
        success=lambda marked: "Marked as useful." if marked else "No longer marked as useful.",
    )


@login_required
@require_POST
def post_accept(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk)
    if not request.user.has_perm("forum.accept_answer", post.thread):
        raise PermissionDenied
    return act(
        request,
        lambda: services.answer_accept(post=post, actor=_user(request)),
        then=post.get_absolute_url(),
        success="The answer is marked as accepted.",
    )


@login_required
def post_report(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.access_post(request.user, pk, "forum.report_post")
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "What is wrong with this post?"
    if done := submit(
        request,
        form,
        lambda data: services.post_report(
            post=post, reporter=_user(request), reason=data["reason"]
        ),
        then=lambda _: post.get_absolute_url(),
        success="Thank you: a moderator will look at the post.",
    ):
        return done
    return render(
        request,
        "forum/form.html",
        {"form": form, "title": "Report a post", "caption": post.thread.title, "back": post.thread,
         "submit": "Send the report"},
    )  # fmt: skip


@login_required
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("forum.moderate"):
        raise PermissionDenied
    post = selectors.access_post(request.user, pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why is the post hidden? Readers will see this."
    if done := submit(
        request,
        form,
        lambda data: services.post_hide(post=post, actor=_user(request), reason=data["reason"]),
        then=lambda _: post.get_absolute_url(),
        success="The post is hidden; the reason shows in its place.",
    ):
        return done
    return render(
        request,
        "forum/form.html",
        {"form": form, "title": "Hide a post", "caption": post.thread.title, "back": post.thread,
         "submit": "Hide the post", "preview": post},
    )  # fmt: skip


def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("post__thread"), pk=pk)
    post = attachment.post
    if not can_see(post.thread, request.user) or post.is_hidden:
        raise Http404("No such file.")
    try:
        handle = attachments.open_stored(attachment.stored_name)
    except (OSError, ValueError):
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Questions on records ------------------------------------------------------------------


@login_required
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = access_initiative(request.user, pk)
    if not request.user.has_perm("forum.ask_question"):
        raise PermissionDenied
    anchors = services.anchors_for(initiative)
    form = QuestionForm(
        request.POST or None, anchors=anchors, initial={"anchor": request.GET.get("about", "")}
    )
    if done := submit(
        request,
        form,
        lambda data: services.question_ask(initiative=initiative, author=_user(request), **data),
        then=lambda thread: thread,
        success="Your question is on the record. The owner has been told.",
    ):
        return done
    return render(
        request,
        "forum/form.html",
        {
            "form": form,
            "title": "Ask a question on this record",
            "caption": initiative.title,
            "back": initiative,
            "submit": "Ask the question",
            "intro": "The record's owner is told and answers on the record, where everyone "
            "who can see it can read the answer.",
        },
    )


# --- Watching, notifications, email settings ----------------------------------------------


def _watch_target(request: HttpRequest, kind: str, raw: str) -> tuple[dict[str, Any], str]:
    """The target the person asked to watch, if they can see it; and a place to go back to."""
    user = request.user
    if not re.fullmatch(r"[-a-zA-Z0-9_]{1,80}", raw):  # ids, slugs and area codes only
        raise Http404("Nothing to watch.")
    if kind == Watch.Kind.SERVICE_AREA:
        if raw not in ServiceArea.values:
            raise Http404("No such service area.")
        return {"service_area": raw}, reverse("forum-watching")
    if not raw.isdigit() and kind != Watch.Kind.BOARD and kind != Watch.Kind.ORGANISATION:
        raise Http404("Nothing to watch.")
    if kind == Watch.Kind.THREAD:
        thread = selectors.access_thread(user, int(raw))
        return {"thread": thread}, thread.get_absolute_url()
    if kind == Watch.Kind.INITIATIVE:
        initiative = access_initiative(user, int(raw))
        return {"initiative": initiative}, initiative.get_absolute_url()
    if kind == Watch.Kind.BOARD:
        board = selectors.access_board(user, raw)
        return {"board": board}, board.get_absolute_url()
    if kind == Watch.Kind.ORGANISATION:
        organisation = access_organisation(user, raw)
        return {"organisation": organisation}, organisation.get_absolute_url()
    raise Http404("Nothing to watch.")


@login_required
@require_POST
def watch(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    target, back = _watch_target(request, kind, request.POST.get("target", "").strip())
    on = request.POST.get("on", "1") == "1"
    return act(
        request,
        lambda: services.watch_set(user=_user(request), kind=kind, on=on, **target),
        then="forum-watching" if request.POST.get("next") == "watching" else back,
        success="You are watching this." if on else "You stopped watching this.",
    )


@login_required
def watching(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    profile = ForumProfile.objects.filter(user=user).first()
    form = FrequencyForm(
        request.POST or None,
        initial={"frequency": profile.frequency if profile else Frequency.DAILY},
    )
    if done := submit(
        request,
        form,
        lambda data: services.frequency_set(user=user, frequency=data["frequency"]),
        then="forum-watching",
        success="Your email choice is saved.",
    ):
        return done
    watches = list(
        Watch.objects.filter(user=user).select_related(
            "initiative", "thread", "board", "organisation"
        )
    )
    # Only what the person can still see.
    shown = [
        w
        for w in watches
        if (w.thread is None or can_see(w.thread, user))
        and (w.board is None or can_see(w.board, user))
        and (w.initiative is None or w.initiative.is_visible_to(user))
    ]
    return render(
        request,
        "forum/watching.html",
        {
            "form": form,
            "watches": shown,
            "service_areas": ServiceArea.choices,
            "organisations": Organisation.objects.active().only("slug", "name"),
        },
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        return act(
            request,
            lambda: services.notifications_mark_read(user=user),
            then="forum-notifications",
            success="All notifications are marked as read.",
        )
    return render(
        request, "forum/notifications.html", {"notifications": selectors.notifications_for(user)}
    )


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """From a link in an email, without signing in. GET asks (mail scanners follow links);
    the one button POSTs."""
    person = user_from_token(token)
    if person is None:
        raise Http404("This unsubscribe link is not valid.")
    done = False
    if request.method == "POST":
        services.frequency_set(user=person, frequency=Frequency.NEVER)
        done = True
    return render(request, "forum/unsubscribe.html", {"done": done})


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = selectors.search_threads(request.user, form.cleaned_data["q"])
    return render(request, "forum/search.html", {"form": form, "results": results})


# --- Groups ----------------------------------------------------------------------------------


def group_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "forum/groups.html",
        {
            "groups": list(selectors.groups_listed_for(request.user)),
            "can_create": request.user.is_authenticated
            and request.user.has_perm("forum.create_group"),
        },
    )


@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("forum.create_group"):
        raise PermissionDenied
    form = GroupForm(request.POST or None, initial={"joining": "request", "listed": True})
    if done := submit(
        request,
        form,
        lambda data: services.group_create(actor=_user(request), **data),
        then=lambda group: group,
        success="The group is set up, with a private board.",
    ):
        return done
    return render(request, "forum/form.html", {"form": form, "title": "Set up a group"})


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.access_group(request.user, slug)
    role = selectors.group_role(request.user, group)
    pending = None
    if request.user.is_authenticated:
        pending = JoinRequest.objects.filter(
            group=group, user_id=request.user.pk, state="pending"
        ).first()
    return render(
        request,
        "forum/group.html",
        {
            "group": group,
            "role": role,
            "pending": pending,
            "boards": list(group.boards.all()) if role else [],
            "members": list(group.memberships.select_related("user")) if role else [],
        },
    )


@login_required
@require_POST
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.access_group(request.user, slug)
    return act(
        request,
        lambda: services.group_join(group=group, user=_user(request)),
        then=group,
        success=lambda result: (
            f"You joined {group.name}."
            if result.kind == JoinRequest.Kind.INVITATION
            else "You asked to join: a group admin will answer."
        ),
    )


@login_required
def group_members(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.access_group(request.user, slug, "forum.manage_group")
    form = InviteForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.group_invite(group=group, actor=_user(request), email=data["email"]),
        then=reverse("forum-group-members", kwargs={"slug": group.slug}),
        success="Invitation sent: they accept it on the group's page.",
    ):
        return done
    return render(
        request,
        "forum/group_members.html",
        {
            "group": group,
            "form": form,
            "members": list(group.memberships.select_related("user")),
            "requests": list(group.join_requests.filter(state="pending").select_related("user")),
            "role_form": RoleForm(),
        },
    )


@login_required
@require_POST
def group_request_answer(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    group = selectors.access_group(request.user, slug, "forum.manage_group")
    join_request = get_object_or_404(JoinRequest, pk=request_id, group=group)
    return act(
        request,
        lambda: services.join_answer(
            join_request=join_request,
            actor=_user(request),
            accept=request.POST.get("accept") == "1",
        ),
        then=reverse("forum-group-members", kwargs={"slug": group.slug}),
        success="Answer recorded.",
    )


@login_required
@require_POST
def group_member(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    group = selectors.access_group(request.user, slug, "forum.manage_group")
    membership = get_object_or_404(GroupMembership, pk=membership_id, group=group)

    def change() -> None:
        if request.POST.get("remove") == "1":
            services.member_remove(membership=membership, actor=_user(request))
        else:
            services.member_set_role(
                membership=membership, actor=_user(request), role=request.POST.get("role", "")
            )

    return act(
        request,
        change,
        then=reverse("forum-group-members", kwargs={"slug": group.slug}),
        success="Membership changed.",
    )


@login_required
def group_board_new(request: HttpRequest, slug: str) -> HttpResponse:
    group = selectors.access_group(request.user, slug, "forum.manage_group")
    form = GroupBoardForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.board_create(
            actor=_user(request), visibility=Visibility.GROUP, group=group, **data
        ),
        then=lambda board: board,
        success="The board is open to the group's members.",
    ):
        return done
    return render(
        request, "forum/form.html", {"form": form, "title": "Open a board for the group",
                                     "caption": group.name, "back": group},
    )  # fmt: skip


@login_required
def organisation_board_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_organisation(request.user, slug, "forum.open_organisation_board")
    form = GroupBoardForm(request.POST or None)
    if done := submit(
        request,
        form,
        lambda data: services.board_create(
            actor=_user(request),
            visibility=Visibility.PRIVATE,
            organisation=organisation,
            **data,
        ),
        then=lambda board: board,
        success=f"The board is open to people in {organisation.name} only.",
    ):
        return done
    return render(
        request,
        "forum/form.html",
        {"form": form, "title": "Open a board for your organisation", "caption": organisation.name,
         "intro": f"Only people in {organisation.name} will see the board and its threads."},
    )  # fmt: skip


# --- Champions -------------------------------------------------------------------------------


def champion_list(request: HttpRequest) -> HttpResponse:
    form = ChampionFilterForm(request.GET or None, choices=selectors.champion_filter_choices())
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.champions(**{k: v for k, v in filters.items() if v})
    mine = list(Organisation.objects.active().filter(pk__in=member_organisation_ids(request.user)))
    can_name = [o for o in mine if request.user.has_perm("forum.name_champion", o)]
    return render(
        request, "forum/champions.html", {"form": form, "champions": rows, "can_name": can_name}
    )


@login_required
def champion_new(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_organisation(request.user, slug, "forum.name_champion")
    people = User.objects.filter(memberships__organisation=organisation, is_active=True).order_by(
        "full_name"
    )
    form = ChampionForm(request.POST or None, people=people)
    if done := submit(
        request,
        form,
        lambda data: services.champion_name(
            organisation=organisation,
            actor=_user(request),
            person=data["person"],
            service_areas=data["service_areas"],
            note=data["note"],
        ),
        then="forum-champions",
        success="The champion is in the directory.",
    ):
        return done
    current = list(Champion.objects.filter(organisation=organisation).select_related("user"))
    return render(
        request,
        "forum/champion_form.html",
        {"form": form, "organisation": organisation, "current": current},
    )


@login_required
@require_POST
def champion_remove(request: HttpRequest, pk: int) -> HttpResponse:
    champion = get_object_or_404(Champion.objects.select_related("organisation"), pk=pk)
    if not request.user.has_perm("forum.name_champion", champion.organisation):
        raise PermissionDenied
    return act(
        request,
        lambda: services.champion_remove(champion=champion, actor=_user(request)),
        then=reverse("forum-champion-new", kwargs={"slug": champion.organisation.slug}),
        success="The champion is no longer listed.",
    )


# --- Moderation ------------------------------------------------------------------------------


@login_required
def moderation(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("forum.moderate"):
        raise PermissionDenied
    reports = list(
        Report.objects.filter(state=Report.State.OPEN)
        .select_related("post", "post__thread", "post__author", "reporter")
        .order_by("created_at")[:100]
    )
    # A moderator without access to a private thread sees that a report exists, not its text.
    for report in reports:
        report.readable = can_see(report.post.thread, request.user)  # type: ignore[attr-defined]
        report.by = pseudonyms.author_label(  # type: ignore[attr-defined]
            report.post, report.post.thread, request.user
        )
    audit.record("forum.moderation_queue_viewed", detail={"open": len(reports)})
    return render(request, "forum/moderation.html", {"reports": reports})


@login_required
@require_POST
def report_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("forum.moderate"):
        raise PermissionDenied
    report = get_object_or_404(Report, pk=pk)
    return act(
        request,
        lambda: services.report_dismiss(report=report, actor=_user(request)),
        then="forum-moderation",
        success="The report is dismissed.",
    )


@login_required
def suspend(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("forum.moderate"):
        raise PermissionDenied
    person = get_object_or_404(User, pk=pk, is_active=True)
    form = SuspendForm(request.POST or None)
    form.fields["reason"].label = "Why? The person will see this."
    if done := submit(
        request,
        form,
        lambda data: services.person_suspend(person=person, actor=_user(request), **data),
        then="forum-moderation",
        success=f"{person} cannot post until the suspension ends.",
    ):
        return done
    return render(
        request, "forum/form.html",
        {"form": form, "title": f"Suspend {person} from posting", "submit": "Suspend",
         "now": timezone.now()},
    )  # fmt: skip
