"""Permission-matrix entries for the evidence loop (issue 17): confirming a computed result is
for the owner's editors; the results-due pages are open to all, each reader seeing only the
records they may see."""

from __future__ import annotations

from typing import Any

from tests.conftest import World
from tests.matrix.support import Entry, expect, only

EDITORS_OF_A = ["admin", "officer", "analyst"]
NOT_SEEN = {"moderator": 404, "staff": 404}  # a peers record: not members of any organisation


def _draft(w: World) -> dict[str, Any]:
    from whatworks.initiatives import services as register
    from whatworks.initiatives.models import ResultDraft

    initiative = register.initiative_create(
        organisation=w.org_a,
        actor=w["admin"],
        title="Call & Check",
        summary="Welfare checks on the round",
        service_area="adult_care",
        visibility="peers",
    )
    goal = register.goal_add(
        initiative=initiative,
        actor=w["admin"],
        metric_name="Concerns raised",
        unit="concerns",
        direction="lower",
        baseline_value=10,
        baseline_period="2025",
        target_value=5,
        success_threshold=8,
    )
    draft = ResultDraft.objects.create(
        goal=goal,
        fields={"design": "before_after", "measure": "change in level", "criterion": {}},
        verdict="inconclusive",
        verdict_reason="Too short.",
        computed_on="2026-01-01",
    )
    return {"pk": initiative.pk, "goal_id": goal.pk, "draft_id": draft.pk}


ENTRIES: dict[str, Entry] = {
    "draft-confirm": Entry({**only(EDITORS_OF_A, 200), **NOT_SEEN}, _draft),
    "results-due": Entry(expect(200)),
    "results-due-organisation": Entry(expect(200), lambda w: {"slug": w.org_a.slug}),
}
