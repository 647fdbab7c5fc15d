"""The trials section of an organisation's page: trials of its records the reader may see."""

from __future__ import annotations

from typing import Any

from whatworks.core.registry import Panel
from whatworks.initiatives.selectors import initiatives_of_organisation
from whatworks.trials.models import Trial

SHOWN = 20


def trials_section(organisation: Any, user: Any) -> Panel | None:
    records = initiatives_of_organisation(user, organisation).values("pk")
    trials = list(
        Trial.objects.filter(initiative__in=records)
        .select_related("initiative")
        .order_by("-created_at", "-id")[:SHOWN]
    )
    if not trials:
        return None
    return Panel(template="trials/_organisation_trials.html", context={"trials": trials}, order=20)
