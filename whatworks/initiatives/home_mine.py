"""The signed-in home's register sections: your records and their next step, and the
results and follow-ups that are due (results by the rule in Goal.objects.result_due, and
sustainability checks)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from whatworks.core.registry import Panel
from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives.models import (
    Goal,
    Initiative,
    Status,
    SustainabilityCheck,
)

SHOWN = 10
FINISHED = [Status.STOPPED, Status.WITHDRAWN]


def next_step(initiative: Initiative, has_goal: bool) -> tuple[str, str]:
    """What to do next with a record, and where: (text, url)."""
    pk = initiative.pk
    status_url = reverse("initiative-status", kwargs={"pk": pk})
    if not has_goal and initiative.status in (Status.IDEA, Status.PLANNED, Status.STARTED):
        return "Set the goal you will judge it by", reverse("goal-new", kwargs={"pk": pk})
    steps: dict[str, tuple[str, str]] = {
        Status.IDEA: ("Plan it: mark it as planned", status_url),
        Status.PLANNED: ("Mark it as started when it begins", status_url),
        Status.STARTED: ("Record the result when you have it", initiative.get_absolute_url()),
        Status.EVALUATING: ("Record the result", initiative.get_absolute_url()),
        Status.PUBLISHED: ("Decide whether to continue, scale up or stop", status_url),
        Status.CONTINUED: ("Answer the sustainability checks when asked", status_url),
        Status.SCALED_UP: ("Answer the sustainability checks when asked", status_url),
    }
    return steps.get(initiative.status, ("", ""))


@dataclass(frozen=True)
class MyRecord:
    initiative: Initiative
    step: str
    step_url: str


@dataclass(frozen=True)
class Due:
    initiative_id: int
    title: str
    what: str
    since: object  # a date
    url: str


def _mine(request: HttpRequest) -> list[int]:
    return sorted(member_organisation_ids(request.user))


def my_records_section(request: HttpRequest) -> Panel | None:
    if not request.user.is_authenticated or not (orgs := _mine(request)):
        return None
    records = list(
        Initiative.objects.filter(organisation_id__in=orgs)
        .exclude(status__in=FINISHED)
        .annotate(has_goal=Exists(Goal.objects.filter(initiative=OuterRef("pk"))))
        .order_by("-updated_at", "-id")[:SHOWN]
    )
    total = Initiative.objects.filter(organisation_id__in=orgs).exclude(status__in=FINISHED).count()
    rows = [MyRecord(i, *next_step(i, i.has_goal)) for i in records]
    return Panel(
        template="initiatives/_home_my_records.html",
        context={"rows": rows, "total": total, "new_url": reverse("initiative-new")},
        order=10,
    )


def due(request: HttpRequest) -> list[Due]:
    """Results and follow-ups due on the reader's organisations' records, oldest first."""
    orgs = _mine(request)
    today = timezone.localdate()
    found: list[Due] = []
    goals = Goal.objects.filter(initiative__organisation_id__in=orgs).result_due(today)
    for goal in goals.select_related("initiative"):
        found.append(
            Due(
                goal.initiative_id,
                goal.initiative.title,
                f"A result for “{goal.metric_name}” is due",
                goal.result_due_on,
                reverse("goal-result", kwargs={"pk": goal.initiative_id, "goal_id": goal.pk}),
            )
        )
    checks = (
        SustainabilityCheck.objects.filter(
            initiative__organisation_id__in=orgs, due_on__lte=today, answered_at__isnull=True
        )
        .select_related("initiative")
        .order_by("due_on", "pk")[:SHOWN]
    )
    for check in checks:
        found.append(
            Due(
                check.initiative_id,
                check.initiative.title,
                f"The {check.months_after}-month follow-up: still running? savings still there?",
                check.due_on,
                reverse("sustainability-answer", kwargs={"pk": check.pk}),
            )
        )
    return sorted(found, key=lambda d: (str(d.since), d.initiative_id))[:SHOWN]


def due_section(request: HttpRequest) -> Panel | None:
    if not request.user.is_authenticated or not _mine(request):
        return None
    return Panel(template="initiatives/_home_due.html", context={"due": due(request)}, order=5)
