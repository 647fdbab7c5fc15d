"""The header's notifications link, with the number not yet read.

The count is kept in the shared cache per person (core.cache), so a page costs no query for
it: a new, changed or deleted notification bumps the person's namespace (signals), and so
does marking them read (`unread_changed`, called by the service's bulk update)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.urls import reverse

from whatworks.core import cache
from whatworks.forum.models import Notification
from whatworks.ui.context_processors import NavItem


def _namespace(user_id: int) -> str:
    return f"forum-unread-{user_id}"


def unread_changed(user_id: int) -> None:
    cache.bump(_namespace(user_id))


def unread_count(user_id: int) -> int:
    return cache.cached(
        _namespace(user_id),
        ("count",),
        lambda: Notification.objects.filter(user_id=user_id, read_at__isnull=True).count(),
    )


def notifications_link(request: HttpRequest) -> NavItem | None:
    user = request.user
    if not user.is_authenticated:
        return None
    return NavItem(
        text="Notifications",
        href=reverse("forum-notifications"),
        count=unread_count(user.pk),
        count_label="unread",
    )


def _changed(sender: type, instance: Notification, **kwargs: Any) -> None:
    unread_changed(instance.user_id)


post_save.connect(_changed, sender=Notification, dispatch_uid="forum-unread-save")
post_delete.connect(_changed, sender=Notification, dispatch_uid="forum-unread-delete")
