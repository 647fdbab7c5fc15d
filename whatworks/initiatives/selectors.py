"""Reads for the register, shared by the pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.http import Http404

from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives.models import (
    Goal,
    GoalResult,
    Initiative,
    InitiativeTag,
    Partner,
    ResultDraft,
    Status,
    StatusChange,
    Verdict,
)


def initiatives_visible_to(user: Any) -> QuerySet[Initiative]:
    return Initiative.objects.visible_to(user).select_related(
        "organisation", "organisation__local_authority"
    )


def initiatives_of_organisation(user: Any, organisation: Any) -> QuerySet[Initiative]:
    """The records `organisation` owns that `user` may see *as that organisation's*: a
    pseudonymous record is not attributed to its owner for anyone outside it."""
    member_ids = member_organisation_ids(user)
    qs = initiatives_visible_to(user).filter(organisation=organisation)
    if organisation.pk not in member_ids:
        qs = qs.filter(pseudonymous=False)
    return qs


def access_initiative(user: Any, pk: int, perm: str | None = None) -> Initiative:
    """The initiative if `user` may see it (404 otherwise) and holds `perm` on it (403)."""
    initiative = initiatives_visible_to(user).filter(pk=pk).first()
    if initiative is None:
        raise Http404("No such initiative.")
    if perm is not None and not user.has_perm(perm, initiative):
        raise PermissionDenied
    return initiative


def initiative_for_page(user: Any, pk: int) -> Initiative:
    """Everything the initiative page shows, in a fixed number of queries."""
    initiative = initiatives_visible_to(user).filter(pk=pk).first()
    if initiative is None:
        raise Http404("No such initiative.")
    return with_page_parts(initiative)


def with_page_parts(initiative: Initiative) -> Initiative:
    """`initiative` (already fetched, with its access checked) with everything its page shows
    loaded alongside: one query per part, whatever their number."""
    prefetch_related_objects(
        [initiative],
        Prefetch(
            "goals",
            queryset=Goal.objects.select_related("comparison_organisation").prefetch_related(
                Prefetch(
                    "results",
                    queryset=GoalResult.objects.select_related(
                        "draft__confirmed_by"
                    ).prefetch_related("judgements__amendment"),
                ),
                Prefetch("drafts", queryset=ResultDraft.objects.filter(state="awaiting")),
                "amendments",
                "primary_changes",
            ),
        ),
        Prefetch("partners", queryset=Partner.objects.select_related("organisation")),
        "tags",
        "ledger",
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by")),
        "sustainability_checks",
    )
    return initiative


def tag_values(initiative: Initiative, kind: str) -> list[str]:
    return sorted(t.value for t in initiative.tags.all() if t.kind == kind)


def replications_visible_to(user: Any, initiative: Initiative) -> QuerySet[Initiative]:
    return initiatives_visible_to(user).filter(replicated_from=initiative).order_by("created_at")


def collaborations(initiative: Initiative) -> list[str]:
    return tag_values(initiative, InitiativeTag.Kind.COLLABORATION)


def mechanisms(initiative: Initiative) -> list[str]:
    return tag_values(initiative, InitiativeTag.Kind.MECHANISM)


HIGHLIGHTS = 3


def evidence_highlights(user: Any) -> dict[str, Any]:
    """The newest results that met their goal, and those that did not or could not tell."""
    visible = Initiative.objects.visible_to(user).exclude(status=Status.WITHDRAWN)
    worked = visible.filter(verdict=Verdict.MET)
    did_not = visible.what_did_not_work()
    fields = ("pk", "title", "verdict", "status", "service_area")
    return {
        "worked_count": worked.count(),
        "worked": list(worked.order_by("-updated_at").values(*fields)[:HIGHLIGHTS]),
        "did_not_count": did_not.count(),
        "did_not": list(did_not.order_by("-updated_at").values(*fields)[:HIGHLIGHTS]),
    }


def primary_results() -> Prefetch:
    """Prefetch each goal's primary result only (``Goal.primary_result`` reads it)."""
    return Prefetch("results", queryset=GoalResult.objects.filter(is_primary=True))


@dataclass(frozen=True)
class ProgressRow:
    period: date
    value: float
    trajectory: float
    on_track: bool


@dataclass(frozen=True)
class Progress:
    """A running goal's figures since the start beside its trajectory: the straight line from
    the baseline on the start date to the target on the judge-by date."""

    rows: list[ProgressRow]
    unit: str

    @property
    def latest(self) -> ProgressRow | None:
        return self.rows[-1] if self.rows else None


PROGRESS_ROWS = 12


def goal_progress(goal: Goal, today: date | None = None) -> Progress | None:
    """Progress of a goal measured from its metric while its initiative runs (None otherwise)."""
    from django.utils import timezone

    from whatworks.measures import evidence

    initiative = goal.initiative
    start = initiative.actual_start
    if (
        goal.metric is None
        or start is None
        or goal.baseline_value is None
        or goal.judge_by is None
        or initiative.status not in {Status.STARTED, Status.EVALUATING}
    ):
        return None
    today = today or timezone.localdate()
    figures = evidence.series(
        metric=goal.metric,
        organisation_id=initiative.organisation_id,
        since=start,
        until=min(today, goal.judge_by),
        scale=evidence.goal_scale(goal.metric, goal.unit),
    )[-PROGRESS_ROWS:]
    span = max((goal.judge_by - start).days, 1)
    rows = []
    for period, value in figures:
        share = min(max((period - start).days / span, 0.0), 1.0)
        line = goal.baseline_value + (goal.target_value - goal.baseline_value) * share
        better = value >= line if goal.direction == "higher" else value <= line
        rows.append(ProgressRow(period, value, line, better))
    return Progress(rows, goal.unit)
