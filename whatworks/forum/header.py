"""The header's notifications link, with the number not yet read.

The count is denormalised onto the person (`User.unread_notifications`), so the header reads
it from the user the request has already loaded: no query on any page. A new notification
adds one, marking them read sets it to nought (`unread_changed`, from the service's bulk
update), and deleting one counts again."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.urls import reverse

from whatworks.forum.models import Notification
from whatworks.organisations.models import User
from whatworks.ui.context_processors import NavItem


def recount(user_id: int) -> None:
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
    User.objects.filter(pk=user_id).update(unread_notifications=unread)


def all_read(user_id: int) -> None:
    User.objects.filter(pk=user_id).update(unread_notifications=0)


def notifications_link(request: HttpRequest) -> NavItem | None:
    user = request.user
    if not user.is_authenticated:
        return None
    return NavItem(
        text="Notifications",
        href=reverse("forum-notifications"),
        count=getattr(user, "unread_notifications", 0),
        count_label="unread",
    )


def _saved(sender: type, instance: Notification, created: bool, **kwargs: Any) -> None:
    if created and instance.read_at is None:
        User.objects.filter(pk=instance.user_id).update(
            unread_notifications=F("unread_notifications") + 1
        )


def _deleted(sender: type, instance: Notification, **kwargs: Any) -> None:
    recount(instance.user_id)


post_save.connect(_saved, sender=Notification, dispatch_uid="forum-unread-save")
post_delete.connect(_deleted, sender=Notification, dispatch_uid="forum-unread-delete")
