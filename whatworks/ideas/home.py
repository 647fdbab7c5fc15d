"""Staff ideas on the signed-in home: your organisation's campaigns in progress."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from whatworks.core.registry import Panel
from whatworks.core.visibility import member_organisation_ids
from whatworks.ideas.models import Campaign

SHOWN = 10


def campaigns_section(request: HttpRequest) -> Panel | None:
    user = request.user
    orgs = member_organisation_ids(user)
    if not user.is_authenticated or not orgs:
        return None
    rows: list[Any] = list(
        Campaign.objects.filter(organisation_id__in=orgs)
        .exclude(phase="decided")
        .select_related("organisation")
        .order_by("closes_on", "pk")[:SHOWN]
    )
    if not rows:
        return None
    return Panel(
        template="ideas/_home_campaigns.html",
        context={"campaigns": rows},
        order=30,
    )
