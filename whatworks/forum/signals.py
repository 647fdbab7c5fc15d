"""Listen to the register: a published result tells the people watching the record or its
organisation; a new record tells those watching its organisation or service area."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from whatworks.initiatives.models import Initiative, Status, StatusChange


def _status_changed(sender: type, instance: StatusChange, created: bool, **kwargs: Any) -> None:
    # services.initiative_change_status writes this row for every move to "published".
    if created and instance.to_status == Status.PUBLISHED:
        from whatworks.forum.notifications import result_published

        initiative = Initiative.objects.select_related("organisation").get(
            pk=instance.initiative_id
        )
        initiative.status = Status.PUBLISHED
        result_published(initiative)


def _initiative_saved(sender: type, instance: Initiative, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        from whatworks.forum.notifications import record_created

        record_created(instance)


post_save.connect(_status_changed, sender=StatusChange, dispatch_uid="forum-result-published")
post_save.connect(_initiative_saved, sender=Initiative, dispatch_uid="forum-record-created")


def _question_visibility_follows_record(
    sender: type, instance: Initiative, created: bool, **kwargs: Any
) -> None:
    """A question is never more visible than its record: when the record's visibility or
    embargo changes, its questions follow (and their cached pages are dropped)."""
    if created or kwargs.get("raw"):
        return
    from whatworks.forum import pagecache
    from whatworks.forum.models import Thread
    from whatworks.forum.services import _question_visibility

    visibility, organisation_id = _question_visibility(instance)
    questions = Thread.objects.filter(initiative=instance, kind=Thread.Kind.QUESTION)
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


def _thread_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    from whatworks.forum import pagecache

    pagecache.thread_changed(instance.pk, None)


def _board_deleted(sender: type, instance: Any, **kwargs: Any) -> None:
    from whatworks.forum import pagecache

    pagecache.board_changed(instance.slug)


def _connect_forum_models() -> None:
    from whatworks.forum.models import Board, Thread

    post_save.connect(
        _question_visibility_follows_record, sender=Initiative, dispatch_uid="forum-question-vis"
    )
    post_delete.connect(_thread_deleted, sender=Thread, dispatch_uid="forum-thread-deleted")
    post_delete.connect(_board_deleted, sender=Board, dispatch_uid="forum-board-deleted")


_connect_forum_models()
