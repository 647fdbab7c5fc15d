"""Metrics are searchable by name and definition; visibility is the metric's own."""

from typing import Any

from django.db.models import QuerySet

from whatworks.core import search
from whatworks.measures.models import Metric

search.register(
    Metric,
    title="name",
    body=lambda m: "\n".join([m.definition, m.unit, m.get_kind_display(), m.source]),
)


def _metrics(user: Any, text: str) -> QuerySet[Metric]:
    visible = Metric.objects.visible_to(user).select_related("organisation")
    return search.ranked(visible, text).order_by("-search_rank", "name", "id")


search.kinds.register(
    search.Kind(
        slug="metrics",
        label="Metrics",
        find=_metrics,
        hit=lambda m, user: search.Hit(
            m.name,
            m.get_absolute_url(),
            m.definition[:200],
            f"{m.get_kind_display()} in {m.unit} · {m.organisation.name}",
        ),
        order=40,
    )
)
