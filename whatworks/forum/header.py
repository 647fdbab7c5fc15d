"""The header's notifications link, with the number not yet read (one COUNT per signed-in page)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from whatworks.forum.models import Notification
from whatworks.ui.context_processors import NavItem


def notifications_link(request: HttpRequest) -> NavItem | None:
    user = request.user
    if not user.is_authenticated:
        return None
    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
    return NavItem(
        text="Notifications",
        href=reverse("forum-notifications"),
        count=unread,
        count_label="unread",
    )
