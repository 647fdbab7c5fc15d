"""Who a post is shown as.

A record shared under a pseudonym ("a district council in the South East") must not be
unmasked by the questions asked on it. A post written by a member of the record's owner
organisation (`Post.by_owner`, set when it is written) is shown, to anyone outside that
organisation, under the record's pseudonym instead of the person's name: on the thread page,
in quotes, notifications and digests, the JSON export and the API. Everything that names a
post's author asks `author_label`.
"""

from __future__ import annotations

from typing import Any

from whatworks.core.visibility import member_organisation_ids
from whatworks.forum.models import Post, Thread
from whatworks.initiatives.models import owner_label


def under_pseudonym(post: Post, thread: Thread, viewer: Any) -> bool:
    """Whether this reader must see the post under the record's pseudonym."""
    initiative = thread.initiative if thread.initiative_id else None
    if initiative is None or not initiative.pseudonymous or not post.by_owner:
        return False
    return initiative.organisation_id not in member_organisation_ids(viewer)


def author_label(post: Post, thread: Thread, viewer: Any) -> str:
    if under_pseudonym(post, thread, viewer):
        assert thread.initiative is not None
        return owner_label(thread.initiative, viewer)
    return str(post.author) if post.author_id and post.author else "A former member"


def owner_name(thread: Thread, viewer: Any) -> str:
    """The record's owner as this reader may know it (its name, or its pseudonym)."""
    if thread.initiative is None:
        return ""
    return owner_label(thread.initiative, viewer)
