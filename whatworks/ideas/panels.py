"""The initiative page's "came from a staff idea" section (whatworks.initiatives.panels)."""

from __future__ import annotations

from typing import Any

from whatworks.ideas.rules import allowed
from whatworks.initiatives.panels import Panel


def came_from_staff_idea(initiative: Any, user: Any) -> Panel | None:
    from whatworks.ideas.models import Idea

    idea = Idea.objects.select_related("campaign").filter(initiative_id=initiative.pk).first()
    if idea is None:
        return None
    # The anonymous page is cached and public: it says only where the idea came from. Who
    # may see the campaign (its staff and panel) get the links.
    can_see = bool(user is not None and user.is_authenticated) and allowed(
        "ideas.view_campaign", user, idea.campaign
    )
    return Panel(
        template="ideas/_initiative_panel.html",
        context={
            "idea": idea if can_see else None,
            "campaign_title": idea.campaign.title if can_see else "",
        },
        order=20,
    )
