"""`{% watch_button kind target label %}`: a Watch / Stop watching button other apps' pages
can show (an organisation's page), without those apps depending on the forum's models."""

from __future__ import annotations

from typing import Any

from django import template

from whatworks.forum import selectors
from whatworks.forum.models import Watch

register = template.Library()


@register.inclusion_tag("forum/_watch_button.html", takes_context=True)
def watch_button(context: template.Context, kind: str, target: Any, label: str) -> dict[str, Any]:
    user = context["request"].user
    found = None
    if kind == Watch.Kind.ORGANISATION and user.is_authenticated:
        found = selectors.watch_of(user, organisation=target)
    return {
        "csrf_token": context.get("csrf_token"),
        "watch": found,
        "watch_kind": kind,
        "watch_target": target.slug if kind == Watch.Kind.ORGANISATION else target,
        "watch_label": label,
    }
