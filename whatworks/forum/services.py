"""Writes for the forum: atomic, audited, raising ValidationError with the field at fault.

The services check permission again (a view's check is the first lock, not the only one):
posting into a group you are not in or editing someone else's post is refused here too,
and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from whatworks.core import audit
from whatworks.core.visibility import Visibility as RecordVisibility
from whatworks.core.visibility import member_organisation_ids
from whatworks.forum import attachments, markup, pagecache
from whatworks.forum.models import (
    Attachment,
    Board,
    Champion,
    ForumGroup,
    ForumProfile,
    Frequency,
    GroupMembership,
    JoinRequest,
    Notification,
    Post,
    PostRevision,
    Reaction,
    Report,
    Suspension,
    Thread,
    Visibility,
    Watch,
    active_suspension,
    can_see,
)
from whatworks.forum.rules import answers_for_owner, can_write_in, can_write_on_board
from whatworks.initiatives.models import Initiative, ServiceArea
from whatworks.initiatives.rules import EDITORS
from whatworks.organisations.models import Membership, Organisation, User

MAX_BODY = 20_000


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


# --- Checks shared by every write ----------------------------------------------------------


def render_body(body: str) -> str:
    """A post's HTML, with @mentions of active people linked to their profile pages."""
    names = markup.mentioned_names(body)
    people: dict[str, str] = {}
    if names:
        condition = Q()
        for name in names:
            condition |= Q(full_name__iexact=name)
        rows = User.objects.filter(condition, is_active=True).order_by("pk")
        for pk, full_name in rows.values_list("pk", "full_name")[:20]:
            people.setdefault(full_name.lower(), reverse("person-detail", kwargs={"pk": pk}))
    return markup.render(body, people)


def links_parse(*, text: str, reader: User) -> dict[str, list[Any]]:
    """Records named by their addresses on this service, each one the reader can see."""
    from django.urls import Resolver404, resolve

    from whatworks.trials.models import Trial

    found: dict[str, list[Any]] = {"initiatives": [], "trials": [], "organisations": []}
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        path = "/" + line.split("://", 1)[-1].split("/", 1)[-1] if "://" in line else line
        try:
            match = resolve(path.split("?")[0])
        except Resolver404:
            match = None
        record: Any = None
        if match and match.url_name == "initiative-detail":
            record = Initiative.objects.visible_to(reader).filter(pk=match.kwargs["pk"]).first()
            bucket = "initiatives"
        elif match and match.url_name == "trial-detail":
            record = Trial.objects.filter(
                pk=match.kwargs["pk"], initiative__in=Initiative.objects.visible_to(reader)
            ).first()
            bucket = "trials"
        elif match and match.url_name == "organisation-detail":
            record = Organisation.objects.active().filter(slug=match.kwargs["slug"]).first()
            bucket = "organisations"
        if record is None:
            raise ValidationError(
                {"links": f"Line {number} is not the address of a record you can see: {line[:80]}"}
            )
        found[bucket].append(record)
    return found


def _refuse_if_suspended(person: User, field: str | None = None) -> None:
    """A suspended person takes no part: no posts, groups, reports, "useful" marks or
    accepted answers until the suspension ends."""
    suspension = active_suspension(person)
    if suspension is not None:
        message = (
            f"You are suspended until {timezone.localtime(suspension.until):%-d %B %Y}: "
            f"{suspension.reason}"
        )
        raise ValidationError({field: message} if field else message)


def _refuse_if_cannot_post(author: User) -> None:
    suspension = active_suspension(author)
    if suspension is not None:
        raise ValidationError(
            {
                "body": f"You cannot post until {timezone.localtime(suspension.until):%d %B %Y}: "
                f"{suspension.reason}"
            }
        )
    limit, seconds = getattr(settings, "FORUM_POST_RATE", (10, 300))
    since = timezone.now() - timedelta(seconds=seconds)
    if Post.objects.filter(author=author, created_at__gte=since).count() >= limit:
        raise ValidationError(
            {
                "body": f"You have posted {limit} times in the last {seconds // 60} minutes. "
                "Wait a few minutes and try again."
            }
        )


def _clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError({"body": "Enter your message."})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": f"Your message must be {MAX_BODY:,} characters or fewer."})
    return body


def _clean_title(title: str) -> str:
    title = (title or "").replace("\x00", "").strip()
    if not title:
        raise ValidationError({"title": "Enter a title."})
    if len(title) > 200:
        raise ValidationError({"title": "The title must be 200 characters or fewer."})
    return title


def _check_uploads(uploads: Sequence[Upload]) -> list[tuple[Upload, attachments.Kind]]:
    if len(uploads) > attachments.MAX_FILES:
        raise ValidationError(
            {"attachment": f"Attach at most {attachments.MAX_FILES} files to one post."}
        )
    return [(u, attachments.check(u.filename, u.data)) for u in uploads]


def _save_uploads(post: Post, checked: list[tuple[Upload, attachments.Kind]]) -> None:
    for upload, kind in checked:
        stored, digest = attachments.store(upload.data)
        Attachment.objects.create(
            post=post,
            filename=attachments.safe_filename(upload.filename),
            content_type=kind.content_type,
            size=len(upload.data),
            stored_name=stored,
            sha256=digest,
        )


def _audit_org(thread: Thread) -> Organisation | None:
    return thread.organisation if thread.visibility == Visibility.PRIVATE else None


def _next_position(thread: Thread) -> int:
    # The thread row is locked by the caller, so two replies cannot take the same position.
    return thread.post_count + 1


def _write_post(
    *,
    thread: Thread,
    author: User,
    body: str,
    quote_of: Post | None = None,
    checked: list[tuple[Upload, attachments.Kind]] | None = None,
) -> Post:
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        position=_next_position(thread),
        author=author,
        body=body,
        body_html=render_body(body),
        quote_of=quote_of,
        owner_answer=thread.kind == Thread.Kind.QUESTION
        and thread.post_count > 0
        and bool(answers_for_owner(author, thread)),
        by_owner=thread.initiative is not None
        and thread.initiative.organisation_id in member_organisation_ids(author),
        created_at=now,
    )
    _save_uploads(post, checked or [])
    Thread.objects.filter(pk=thread.pk).update(post_count=F("post_count") + 1, last_post_at=now)
    thread.post_count += 1
    thread.last_post_at = now
    if thread.board_id:
        Board.objects.filter(pk=thread.board_id).update(
            post_count=F("post_count") + 1, last_post_at=now
        )
    pagecache.thread_changed(thread.pk, thread.board_id)
    return post


# --- Boards --------------------------------------------------------------------------------


def _unique_slug(model: Any, text: str) -> str:
    base = slugify(text)[:70] or "board"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def board_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    kind: str = Board.Kind.OTHER,
    service_area: str = "",
    collaboration: str = "",
    visibility: str = Visibility.PUBLIC,
    organisation: Organisation | None = None,
    group: ForumGroup | None = None,
) -> Board:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the board."})
    if visibility == Visibility.GROUP and group is None:
        raise ValidationError({"visibility": "A group's board belongs to a group."})
    if visibility == Visibility.PRIVATE and organisation is None:
        raise ValidationError({"visibility": "Choose the organisation the board is private to."})
    board = Board.objects.create(
        name=name,
        slug=_unique_slug(Board, name),
        description=description.strip(),
        kind=kind,
        service_area=service_area,
        collaboration=collaboration,
        visibility=visibility,
        organisation=organisation if visibility == Visibility.PRIVATE else None,
        group=group if visibility == Visibility.GROUP else None,
        created_by=actor,
    )
    audit.record("forum.board_created", actor=actor, obj=board, organisation=board.organisation)
    return board


# --- Threads and posts ---------------------------------------------------------------------


@transaction.atomic
def thread_start(
    *,
    board: Board,
    author: User,
    title: str,
    body: str,
    uploads: Sequence[Upload] = (),
    initiatives: Iterable[Initiative] = (),
    organisations: Iterable[Organisation] = (),
    trials: Iterable[Any] = (),
) -> Thread:
    if not can_write_on_board(author, board):
        raise ValidationError(
            "You cannot start a thread here: "
            + ("only the group's members can." if board.group_id else "you cannot see this board.")
        )
    title, body = _clean_title(title), _clean_body(body)
    _refuse_if_cannot_post(author)
    checked = _check_uploads(uploads)
    thread = Thread.objects.create(
        board=board,
        title=title,
        author=author,
        visibility=board.visibility,
        organisation_id=board.organisation_id,
        group_id=board.group_id,
        post_count=0,
    )
    if initiatives:
        thread.linked_initiatives.set(list(initiatives))
    if organisations:
        thread.linked_organisations.set(list(organisations))
    if trials:
        thread.linked_trials.set(list(trials))
    post = _write_post(thread=thread, author=author, body=body, checked=checked)
    Board.objects.filter(pk=board.pk).update(thread_count=F("thread_count") + 1)
    _watch(author, Watch.Kind.THREAD, thread=thread)
    audit.record("forum.thread_started", actor=author, obj=thread, organisation=_audit_org(thread))
    from whatworks.forum import notifications

    notifications.thread_started(thread, post)
    return thread


# The parts of a record a question can point at; goals add their own baselines and results.
RECORD_PARTS = [
    ("summary", "The summary"),
    ("problem", "The problem"),
    ("what_was_done", "What was done"),
    ("costs", "Costs and savings"),
    ("verdict", "The verdict"),
    ("lessons", "Why it didn't work and what was learned"),
]


def anchors_for(initiative: Initiative) -> list[tuple[str, str]]:
    choices = list(RECORD_PARTS)
    for goal in initiative.goals.all():
        choices.append((f"goal-{goal.pk}-baseline", f"The baseline of “{goal.metric_name}”"))
        choices.append((f"goal-{goal.pk}-result", f"The result of “{goal.metric_name}”"))
    return choices


def question_visibility(initiative: Initiative) -> tuple[str, int | None]:
    """A question is no more visible than the record it is asked on."""
    if initiative.visibility == RecordVisibility.PUBLIC and not initiative.embargo_until:
        return Visibility.PUBLIC, None
    if initiative.visibility == RecordVisibility.PRIVATE or initiative.embargo_until:
        return Visibility.PRIVATE, initiative.organisation_id
    return Visibility.PEERS, None


def questions_follow_record(initiative: Initiative) -> None:
    """After a record's visibility or embargo changes, its questions follow (and their cached
    pages are dropped); called through `initiatives.hooks.record_updated`."""
    visibility, organisation_id = question_visibility(initiative)
    questions = Thread.objects.filter(initiative=initiative, kind=Thread.Kind.QUESTION)
    ids = [
        pk
        for pk, vis, org in questions.values_list("pk", "visibility", "organisation_id")
        if (vis, org) != (visibility, organisation_id)
    ]
    if ids:
        Thread.objects.filter(pk__in=ids).update(
            visibility=visibility, organisation_id=organisation_id, group=None
        )
        for pk in ids:
            pagecache.thread_changed(pk, None)


@transaction.atomic
def question_ask(
    *, initiative: Initiative, author: User, anchor: str, title: str, body: str
) -> Thread:
    if not initiative.is_visible_to(author):
        raise ValidationError("You cannot ask about a record you cannot see.")
    if not can_write_in(author, None):
        raise ValidationError("Only members of an organisation can ask questions on records.")
    title, body = _clean_title(title), _clean_body(body)
    parts = dict(anchors_for(initiative))
    if anchor not in parts:
        raise ValidationError({"anchor": "Choose the part of the record your question is about."})
    _refuse_if_cannot_post(author)
    visibility, organisation_id = question_visibility(initiative)
    thread = Thread.objects.create(
        kind=Thread.Kind.QUESTION,
        title=title,
        author=author,
        visibility=visibility,
        organisation_id=organisation_id,
        initiative=initiative,
        anchor=anchor,
        anchor_label=parts[anchor],
        post_count=0,
    )
    thread.linked_initiatives.add(initiative)
    post = _write_post(thread=thread, author=author, body=body)
    _watch(author, Watch.Kind.THREAD, thread=thread)
    audit.record(
        "forum.question_asked",
        actor=author,
        obj=thread,
        organisation=initiative.organisation,
        detail={"initiative": initiative.pk, "anchor": anchor},
    )
    from whatworks.forum import notifications
    from whatworks.initiatives.signals import touched

    notifications.question_asked(thread, post)
    touched()  # the record's page shows its open questions
    return thread


@transaction.atomic
def post_add(
    *,
    thread: Thread,
    author: User,
    body: str,
    quote_of: Post | None = None,
    uploads: Sequence[Upload] = (),
) -> Post:
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=thread.pk)
    )
    if not can_write_in(author, thread):
        raise ValidationError(
            "You cannot reply here: "
            + (
                "only the group's members can."
                if thread.visibility == Visibility.GROUP
                else "only members of an organisation can post."
            )
        )
    body = _clean_body(body)
    _refuse_if_cannot_post(author)
    if quote_of is not None and quote_of.thread_id != thread.pk:
        raise ValidationError({"quote_of": "You can only quote a post from the same thread."})
    checked = _check_uploads(uploads)
    post = _write_post(thread=thread, author=author, body=body, quote_of=quote_of, checked=checked)
    _watch(author, Watch.Kind.THREAD, thread=thread)
    audit.record(
        "forum.post_added",
        actor=author,
        obj=post,
        organisation=_audit_org(thread),
        detail={"thread": thread.pk},
    )
    from whatworks.forum import notifications

    notifications.post_added(thread, post)
    if thread.initiative_id:
        from whatworks.initiatives.signals import touched

        touched()
    return post


@transaction.atomic
def post_edit(*, post: Post, editor: User, body: str) -> Post:
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    if post.author_id != editor.pk:
        raise ValidationError("You can only edit your own posts.")
    if not can_see(post.thread, editor):  # e.g. they have left the group since
        raise ValidationError("You can no longer see this thread.")
    if post.is_hidden:
        raise ValidationError("A hidden post cannot be edited.")
    body = _clean_body(body)
    suspension = active_suspension(editor)
    if suspension is not None:
        raise ValidationError({"body": f"You cannot edit while suspended: {suspension.reason}"})
    if body == post.body:
        return post
    PostRevision.objects.create(
        post=post,
        body=post.body,
        body_html=post.body_html,
        written_at=post.edited_at or post.created_at,
        edited_by=editor,
    )
    post.body = body
    post.body_html = render_body(body)
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    pagecache.thread_changed(post.thread_id, post.thread.board_id)
    audit.record("forum.post_edited", actor=editor, obj=post, organisation=_audit_org(post.thread))
    return post


@transaction.atomic
def post_mark_useful(*, post: Post, user: User) -> bool:
    """Toggle "useful"; returns whether it is now marked."""
    # Locked, so a double click cannot insert the reaction twice (a 500) or skew the count.
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    _refuse_if_suspended(user)
    if not can_write_in(user, post.thread):
        raise ValidationError("You cannot react in this thread.")
    if post.author_id == user.pk:
        raise ValidationError("You cannot mark your own post as useful.")
    pagecache.thread_changed(post.thread_id, None)
    existing = Reaction.objects.filter(post=post, user=user).first()
    if existing:
        existing.delete()
        Post.objects.filter(pk=post.pk).update(useful_count=F("useful_count") - 1)
        return False
    Reaction.objects.create(post=post, user=user)
    Post.objects.filter(pk=post.pk).update(useful_count=F("useful_count") + 1)
    return True


@transaction.atomic
def answer_accept(*, post: Post, actor: User) -> Thread:
    _refuse_if_suspended(actor)
    thread = (
        Thread.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=post.thread_id)
    )
    if thread.kind != Thread.Kind.QUESTION:
        raise ValidationError("Only an answer to a question on a record can be accepted.")
    if not actor.has_perm("forum.accept_answer", thread):
        raise ValidationError("Only the person who asked, or the record's owner, can accept.")
    if post.position == 1:
        raise ValidationError("The question itself cannot be its answer.")
    if post.author_id == actor.pk:
        raise ValidationError("Someone else accepts your answer: the person who asked, or the "
                              "record's owner.")  # fmt: skip
    if post.is_hidden:
        raise ValidationError("A hidden post cannot be the accepted answer.")
    thread.accepted_post = post
    thread.save(update_fields=["accepted_post"])
    pagecache.thread_changed(thread.pk, None)
    audit.record(
        "forum.answer_accepted",
        actor=actor,
        obj=thread,
        organisation=thread.initiative.organisation if thread.initiative else None,
        detail={"post": post.pk},
    )
    from whatworks.initiatives.signals import touched

    touched()
    return thread


# --- Watching ------------------------------------------------------------------------------


def _watch(user: User, kind: str, **target: Any) -> Watch:
    found = Watch.objects.filter(user=user, kind=kind, **target).first()
    return found or Watch.objects.create(user=user, kind=kind, **target)


@transaction.atomic
def watch_set(*, user: User, kind: str, on: bool, **target: Any) -> Watch | None:
    """Start or stop watching one thing. The caller has checked the person can see it."""
    if kind not in Watch.Kind.values:
        raise ValidationError({"kind": "Choose what to watch."})
    if kind == Watch.Kind.SERVICE_AREA and target.get("service_area") not in ServiceArea.values:
        raise ValidationError({"service_area": "Choose a service area."})
    if on:
        return _watch(user, kind, **target)
    Watch.objects.filter(user=user, kind=kind, **target).delete()
    return None


def profile_for(user: User) -> ForumProfile:
    profile, _ = ForumProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def frequency_set(*, user: User, frequency: str) -> ForumProfile:
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": "Choose how often to get emails."})
    profile = profile_for(user)
    profile.frequency = frequency
    profile.save(update_fields=["frequency"])
    audit.record("forum.email_frequency_set", actor=user, obj=profile, detail={"to": frequency})
    return profile


@transaction.atomic
def notifications_mark_read(*, user: User) -> int:
    from whatworks.forum.header import all_read

    marked = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    all_read(user.pk)
    return marked


# --- Groups --------------------------------------------------------------------------------


@transaction.atomic
def group_create(
    *, actor: User, name: str, description: str = "", joining: str, listed: bool
) -> ForumGroup:
    _refuse_if_suspended(actor, "name")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter the group's name."})
    if ForumGroup.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "A group with this name already exists."})
    group = ForumGroup.objects.create(
        name=name,
        slug=_unique_slug(ForumGroup, name),
        description=description.strip(),
        joining=joining,
        listed=listed,
        created_by=actor,
    )
    GroupMembership.objects.create(group=group, user=actor, role=GroupMembership.Role.ADMIN)
    Board.objects.create(
        name=f"{name}: discussion",
        slug=_unique_slug(Board, f"{name} discussion"),
        description=f"Only members of {name} see this board.",
        visibility=Visibility.GROUP,
        group=group,
        created_by=actor,
    )
    audit.record("forum.group_created", actor=actor, obj=group)
    return group


def _member(group: ForumGroup, user: User) -> GroupMembership | None:
    return GroupMembership.objects.filter(group=group, user=user).first()


@transaction.atomic
def group_invite(*, group: ForumGroup, actor: User, email: str) -> JoinRequest:
    if not actor.has_perm("forum.manage_group", group):
        raise ValidationError("Only the group's admins can invite people.")
    person = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if person is None:
        raise ValidationError(
            {
                "email": "Nobody with this email address uses the service: invite them to "
                "their organisation first."
            }  # fmt: skip
        )
    if _member(group, person):
        raise ValidationError({"email": f"{person} is already a member."})
    pending = JoinRequest.objects.filter(group=group, user=person, state="pending").first()
    if pending and pending.kind == JoinRequest.Kind.REQUEST:
        return join_answer(join_request=pending, actor=actor, accept=True)
    if pending:
        raise ValidationError({"email": f"{person} has already been invited."})
    invitation = JoinRequest.objects.create(
        group=group, user=person, kind=JoinRequest.Kind.INVITATION, asked_by=actor
    )
    from whatworks.forum import notifications

    notifications.notify(
        person,
        Notification.Kind.GROUP,
        f"{actor} invited you to join {group.name}",
        group.get_absolute_url(),
        group=group,
    )
    audit.record("forum.group_invited", actor=actor, obj=group, detail={"person": person.pk})
    return invitation


@transaction.atomic
def group_join(*, group: ForumGroup, user: User) -> JoinRequest:
    """Accept a pending invitation, or ask to join a group that takes requests."""
    if _member(group, user):
        raise ValidationError("You are already a member of this group.")
    pending = JoinRequest.objects.filter(group=group, user=user, state="pending").first()
    if pending and pending.kind == JoinRequest.Kind.INVITATION:
        pending.state = JoinRequest.State.ACCEPTED
        pending.answered_at = timezone.now()
        pending.save(update_fields=["state", "answered_at"])
        GroupMembership.objects.get_or_create(group=group, user=user)
        audit.record("forum.group_joined", actor=user, obj=group)
        return pending
    if pending:
        raise ValidationError("You have already asked to join: a group admin will answer.")
    if group.joining != ForumGroup.Joining.REQUEST:
        raise ValidationError("This group takes members by invitation only.")
    request = JoinRequest.objects.create(
        group=group, user=user, kind=JoinRequest.Kind.REQUEST, asked_by=user
    )
    from whatworks.forum import notifications

    for admin in User.objects.filter(
        forum_groups__group=group, forum_groups__role=GroupMembership.Role.ADMIN
    ):
        notifications.notify(
            admin,
            Notification.Kind.GROUP,
            f"{user} asked to join {group.name}",
            group.get_absolute_url() + "members/",
            group=group,
        )
    audit.record("forum.group_join_requested", actor=user, obj=group)
    return request


@transaction.atomic
def join_answer(*, join_request: JoinRequest, actor: User, accept: bool) -> JoinRequest:
    group = join_request.group
    if join_request.kind == JoinRequest.Kind.INVITATION:
        raise ValidationError("The person invited answers an invitation, not an admin.")
    if not actor.has_perm("forum.manage_group", group):
        raise ValidationError("Only the group's admins can answer requests.")
    if join_request.state != JoinRequest.State.PENDING:
        raise ValidationError("This request has already been answered.")
    join_request.state = JoinRequest.State.ACCEPTED if accept else JoinRequest.State.DECLINED
    join_request.answered_at = timezone.now()
    join_request.save(update_fields=["state", "answered_at"])
    if accept:
        GroupMembership.objects.get_or_create(group=group, user=join_request.user)
    audit.record(
        "forum.group_request_answered",
        actor=actor,
        obj=group,
        detail={"person": join_request.user_id, "accepted": accept},
    )
    from whatworks.forum import notifications

    notifications.notify(
        join_request.user,
        Notification.Kind.GROUP,
        f"Your request to join {group.name} was {'accepted' if accept else 'declined'}",
        group.get_absolute_url(),
        group=group,
    )
    return join_request


@transaction.atomic
def member_remove(*, membership: GroupMembership, actor: User) -> None:
    group = membership.group
    if not actor.has_perm("forum.manage_group", group) and membership.user_id != actor.pk:
        raise ValidationError("Only the group's admins can remove members.")
    admins = GroupMembership.objects.filter(group=group, role=GroupMembership.Role.ADMIN)
    if membership.role == GroupMembership.Role.ADMIN and admins.count() == 1:
        raise ValidationError("A group needs at least one admin: make someone else admin first.")
    membership.delete()
    audit.record(
        "forum.group_member_removed", actor=actor, obj=group, detail={"person": membership.user_id}
    )


@transaction.atomic
def member_set_role(*, membership: GroupMembership, actor: User, role: str) -> GroupMembership:
    if not actor.has_perm("forum.manage_group", membership.group):
        raise ValidationError("Only the group's admins can change roles.")
    if role not in GroupMembership.Role.values:
        raise ValidationError({"role": "Choose a role."})
    admins = GroupMembership.objects.filter(group=membership.group, role="admin")
    if role != "admin" and membership.role == "admin" and admins.count() == 1:
        raise ValidationError("A group needs at least one admin.")
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        "forum.group_role_changed",
        actor=actor,
        obj=membership.group,
        detail={"person": membership.user_id, "role": role},
    )
    return membership


# --- Champions -----------------------------------------------------------------------------


@transaction.atomic
def champion_name(
    *, organisation: Organisation, actor: User, person: User, service_areas: list[str], note: str
) -> Champion:
    if not actor.has_perm("forum.name_champion", organisation):
        raise ValidationError("Only the organisation's admins can name its champions.")
    if not Membership.objects.filter(organisation=organisation, user=person).exists():
        raise ValidationError({"person": "A champion must be a member of the organisation."})
    bad = [a for a in service_areas if a not in ServiceArea.values]
    if bad or not service_areas:
        raise ValidationError({"service_areas": "Choose at least one service area."})
    champion, _ = Champion.objects.update_or_create(
        organisation=organisation,
        user=person,
        defaults={
            "service_areas": sorted(set(service_areas)),
            "note": note.strip(),
            "named_by": actor,
        },
    )
    audit.record(
        "forum.champion_named",
        actor=actor,
        obj=champion,
        organisation=organisation,
        detail={"areas": champion.service_areas},
    )
    return champion


@transaction.atomic
def champion_remove(*, champion: Champion, actor: User) -> None:
    if not actor.has_perm("forum.name_champion", champion.organisation):
        raise ValidationError("Only the organisation's admins can change its champions.")
    audit.record(
        "forum.champion_removed", actor=actor, obj=champion, organisation=champion.organisation
    )
    champion.delete()


# --- Moderation ----------------------------------------------------------------------------


@transaction.atomic
def post_report(*, post: Post, reporter: User, reason: str) -> Report:
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what is wrong with the post."})
    _refuse_if_suspended(reporter, "reason")
    if not can_write_in(reporter, post.thread):
        raise ValidationError("You cannot report a post you cannot see.")
    report = Report.objects.create(post=post, reporter=reporter, reason=reason[:2000])
    audit.record("forum.post_reported", actor=reporter, obj=post, detail={"report": report.pk})
    return report


def _require_moderator(actor: User) -> None:
    if not actor.has_perm("forum.moderate"):
        raise ValidationError("Only moderators can do this.")


@transaction.atomic
def post_hide(*, post: Post, actor: User, reason: str) -> Post:
    _require_moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason: readers will see it."})
    if post.is_hidden:
        raise ValidationError("This post is already hidden.")
    post.hidden_at = timezone.now()
    post.hidden_reason = reason
    post.hidden_by = actor
    post.save(update_fields=["hidden_at", "hidden_reason", "hidden_by"])
    pagecache.thread_changed(post.thread_id, None)
    Report.objects.filter(post=post, state=Report.State.OPEN).update(
        state=Report.State.HIDDEN, resolved_by=actor, resolved_at=timezone.now()
    )
    audit.record("forum.post_hidden", actor=actor, obj=post, detail={"reason": reason})
    return post


@transaction.atomic
def report_dismiss(*, report: Report, actor: User) -> Report:
    _require_moderator(actor)
    if report.state != Report.State.OPEN:
        raise ValidationError("This report has already been dealt with.")
    report.state = Report.State.DISMISSED
    report.resolved_by = actor
    report.resolved_at = timezone.now()
    report.save(update_fields=["state", "resolved_by", "resolved_at"])
    audit.record("forum.report_dismissed", actor=actor, obj=report.post)
    return report


@transaction.atomic
def person_suspend(*, person: User, actor: User, days: int, reason: str) -> Suspension:
    _require_moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason: the person will see it."})
    if not 1 <= days <= 365:
        raise ValidationError({"days": "Suspend for between 1 and 365 days."})
    if person.pk == actor.pk:
        raise ValidationError({"days": "You cannot suspend yourself."})
    suspension = Suspension.objects.create(
        user=person,
        reason=reason,
        until=timezone.now() + timedelta(days=days),
        suspended_by=actor,
    )
    audit.record(
        "forum.person_suspended",
        actor=actor,
        obj=person,
        detail={"days": days, "reason": reason},
    )
    return suspension


def owner_editors(initiative: Initiative) -> list[User]:
    """The people who answer for a record: its organisation's admins, officers and analysts."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=initiative.organisation_id,
            memberships__role__in=list(EDITORS),
        ).distinct()
    )
