"""Trials are searchable by their title and plan; a trial is seen by whoever may see its record."""

from typing import Any

from django.db.models import QuerySet

from whatworks.core import search
from whatworks.trials.models import Trial

search.register(
    Trial,
    title="title",
    body=lambda t: "\n".join([t.primary_outcome, t.get_design_display(), t.units_noun]),
)


def _trials(user: Any, text: str) -> QuerySet[Trial]:
    from whatworks.initiatives.selectors import initiatives_visible_to

    visible = Trial.objects.filter(initiative__in=initiatives_visible_to(user).values("pk"))
    return (
        search.ranked(visible, text)
        .select_related("initiative")
        .order_by("-search_rank", "-created_at", "-id")
    )


search.kinds.register(
    search.Kind(
        slug="trials",
        label="Trials",
        find=_trials,
        hit=lambda t, user: search.Hit(
            t.title,
            t.get_absolute_url(),
            t.primary_outcome[:200],
            f"{t.get_design_display()} · {t.get_status_display()} · for “{t.initiative.title}”",
        ),
        order=20,
    )
)
