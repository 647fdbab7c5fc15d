"""The champions section of an organisation's page: the people it named to help others."""

from __future__ import annotations

from typing import Any

from whatworks.core.registry import Panel
from whatworks.forum.models import Champion


def champions_section(organisation: Any, user: Any) -> Panel | None:
    champions = list(
        Champion.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    )
    if not champions:
        return None
    return Panel(
        template="forum/_organisation_champions.html",
        context={"champions": champions},
        order=40,
    )
