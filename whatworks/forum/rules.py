"""Who may do what in the forum. Seeing follows visibility (selectors.access_*); these say
who may act on what they can see.

* Writing (a thread, a reply, a question, a "useful", a report, an accepted answer, a new
  group): a member of any organisation, or of the group whose board it is; never someone
  suspended (checked in services too).
* Editing a post: its author only.
* Accepting an answer: the person who asked, or the record owner's editors.
* Answering for the record: the editors of the initiative's organisation.
* Moderating (queue, hiding, suspending, new boards): site moderators and staff.
* Managing a group (members, invitations, boards): the group's admins.
* Naming champions and opening boards private to an organisation: its admins.
"""

from __future__ import annotations

from typing import Any

import rules

from whatworks.core.visibility import member_organisation_ids
from whatworks.forum.models import (
    ForumGroup,
    GroupMembership,
    Post,
    Thread,
    Visibility,
    active_suspension,
    can_see,
    group_ids_of,
)
from whatworks.initiatives.rules import can_edit_for_owner
from whatworks.organisations.rules import is_org_admin


def _thread_of(obj: Any) -> Thread | None:
    if isinstance(obj, Post):
        return obj.thread
    return obj if isinstance(obj, Thread) else None


@rules.predicate
def is_moderator(user: Any) -> bool:
    return bool(getattr(user, "is_moderator", False) or getattr(user, "is_staff", False))


@rules.predicate
def is_suspended(user: Any) -> bool:
    return bool(getattr(user, "pk", None)) and active_suspension(user) is not None


@rules.predicate
def can_write_in(user: Any, obj: Any) -> bool:
    """A member of an organisation (a peer), or of the group for a group's thread."""
    thread = _thread_of(obj)
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return False
    if thread is not None:
        if not can_see(thread, user):
            return False
        if thread.visibility == Visibility.GROUP:
            return True
    return bool(member_organisation_ids(user))


@rules.predicate
def can_write_on_board(user: Any, board: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or board is None:
        return False
    if board.visibility == Visibility.GROUP:
        return board.group_id in group_ids_of(user)
    return bool(member_organisation_ids(user)) and can_see(board, user)


@rules.predicate
def is_author(user: Any, post: Post | None) -> bool:
    return post is not None and post.author_id is not None and post.author_id == user.pk


@rules.predicate
def is_asker_or_owner(user: Any, obj: Any) -> bool:
    thread = _thread_of(obj)
    if thread is None or thread.kind != Thread.Kind.QUESTION:
        return False
    if thread.author_id == getattr(user, "pk", None):
        return True
    return thread.initiative is not None and bool(can_edit_for_owner(user, thread.initiative))


@rules.predicate
def answers_for_owner(user: Any, obj: Any) -> bool:
    thread = _thread_of(obj)
    return (
        thread is not None
        and thread.initiative is not None
        and bool(can_edit_for_owner(user, thread.initiative))
    )


@rules.predicate
def is_group_admin(user: Any, group: ForumGroup | None) -> bool:
    if group is None or not getattr(user, "pk", None):
        return False
    return GroupMembership.objects.filter(
        group=group, user_id=user.pk, role=GroupMembership.Role.ADMIN
    ).exists()


@rules.predicate
def is_peer(user: Any) -> bool:
    return bool(member_organisation_ids(user))


rules.add_perm("forum.start_thread", can_write_on_board & ~is_suspended)
rules.add_perm("forum.reply", can_write_in & ~is_suspended)
rules.add_perm("forum.ask_question", is_peer & ~is_suspended)
rules.add_perm("forum.edit_post", is_author & ~is_suspended)
rules.add_perm("forum.mark_useful", can_write_in & ~is_suspended)
rules.add_perm("forum.accept_answer", is_asker_or_owner & ~is_suspended)
rules.add_perm("forum.report_post", can_write_in & ~is_suspended)
rules.add_perm("forum.moderate", is_moderator)
rules.add_perm("forum.create_group", is_peer & ~is_suspended)
rules.add_perm("forum.manage_group", is_group_admin)
rules.add_perm("forum.name_champion", is_org_admin)
rules.add_perm("forum.open_organisation_board", is_org_admin)
