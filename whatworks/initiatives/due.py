"""Overdue evidence: what the "results due" pages show and the reminders chase.

Three kinds of item, each on a running or published initiative:

* a goal past its judge-by date with no result and nothing computed ("result overdue");
* a result computed from the goal's metric awaiting the owner's confirmation;
* a sustainability check (12, 24 or 36 months after the result) past its date, unanswered.

And each organisation's file-drawer rate: of its pilots that started, how many published a
result. It counts every started pilot, shared or not (only the counts are shown), because the
pilots nobody hears of are the point of the figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from whatworks.initiatives.models import (
    STARTED_OR_LATER,
    DraftState,
    Goal,
    Initiative,
    ResultDraft,
    Status,
    SustainabilityCheck,
)
from whatworks.organisations.models import Organisation

RUNNING = [Status.STARTED, Status.EVALUATING]


def overdue_goals(today: date) -> QuerySet[Goal]:
    """Goals whose result is due, with no result and no computed draft (drafts are listed
    apart, as awaiting confirmation)."""
    return Goal.objects.result_due(today).filter(
        ~Exists(ResultDraft.objects.filter(goal=OuterRef("pk")))
    )


def awaiting_drafts() -> QuerySet[ResultDraft]:
    return ResultDraft.objects.filter(state=DraftState.AWAITING).exclude(
        goal__initiative__status=Status.WITHDRAWN
    )


def overdue_checks(today: date) -> QuerySet[SustainabilityCheck]:
    return SustainabilityCheck.objects.filter(due_on__lt=today, answered_at__isnull=True).exclude(
        initiative__status=Status.WITHDRAWN
    )


@dataclass
class Rate:
    started: int = 0
    published: int = 0

    @property
    def share(self) -> float | None:
        """Of the started pilots, the share with a published result (None: none started)."""
        return self.published / self.started if self.started else None


@dataclass
class OrganisationRow:
    organisation: dict[str, Any]
    overdue: int = 0
    awaiting: int = 0
    checks: int = 0
    rate: Rate = field(default_factory=Rate)

    @property
    def total(self) -> int:
        return self.overdue + self.awaiting + self.checks


def _file_drawer(organisation_id: int | None = None) -> dict[int, Rate]:
    rows = Initiative.objects.filter(status__in=STARTED_OR_LATER)
    if organisation_id is not None:
        rows = rows.filter(organisation_id=organisation_id)
    counted = rows.values("organisation_id").annotate(
        started=Count("id"), published=Count("id", filter=Q(result_published_at__isnull=False))
    )
    return {r["organisation_id"]: Rate(r["started"], r["published"]) for r in counted}


def _by_organisation(rows: QuerySet[Any], path: str) -> dict[int, int]:
    return {
        r[path]: r["n"]
        for r in rows.order_by().values(path).annotate(n=Count("id")).values(path, "n")
    }


@dataclass(frozen=True)
class RegisterSummary:
    rows: list[OrganisationRow]
    today: date

    @property
    def totals(self) -> dict[str, int]:
        return {
            "overdue": sum(r.overdue for r in self.rows),
            "awaiting": sum(r.awaiting for r in self.rows),
            "checks": sum(r.checks for r in self.rows),
            "started": sum(r.rate.started for r in self.rows),
            "published": sum(r.rate.published for r in self.rows),
        }


def register_summary(user: Any, today: date | None = None) -> RegisterSummary:
    """Per organisation: overdue items on the records ``user`` may see, and the file-drawer
    rate. Five queries, whatever the size of the register."""
    today = today or timezone.localdate()
    visible = Initiative.objects.visible_to(user).values("pk")
    overdue = _by_organisation(
        overdue_goals(today).filter(initiative__in=visible), "initiative__organisation_id"
    )
    awaiting = _by_organisation(
        awaiting_drafts().filter(goal__initiative__in=visible), "goal__initiative__organisation_id"
    )
    checks = _by_organisation(
        overdue_checks(today).filter(initiative__in=visible), "initiative__organisation_id"
    )
    rates = _file_drawer()
    ids = set(overdue) | set(awaiting) | set(checks) | set(rates)
    organisations = Organisation.objects.filter(pk__in=ids).values("pk", "name", "slug")
    rows = [
        OrganisationRow(
            organisation=dict(o),
            overdue=overdue.get(o["pk"], 0),
            awaiting=awaiting.get(o["pk"], 0),
            checks=checks.get(o["pk"], 0),
            rate=rates.get(o["pk"], Rate()),
        )
        for o in organisations
    ]
    rows.sort(key=lambda r: (-r.total, str(r.organisation["name"]).lower()))
    return RegisterSummary(rows, today)


@dataclass(frozen=True)
class OrganisationDue:
    goals: list[Goal]
    drafts: list[ResultDraft]
    checks: list[SustainabilityCheck]
    rate: Rate
    today: date


def organisation_due(
    user: Any, organisation: Organisation, today: date | None = None
) -> OrganisationDue:
    """One organisation's overdue items on the records ``user`` may see."""
    today = today or timezone.localdate()
    visible = Initiative.objects.visible_to(user).filter(organisation=organisation).values("pk")
    goals = sorted(
        overdue_goals(today).filter(initiative__in=visible).select_related("initiative"),
        key=lambda goal: (goal.result_due_on, goal.pk),
    )
    drafts = list(
        awaiting_drafts()
        .filter(goal__initiative__in=visible)
        .select_related("goal__initiative")
        .order_by("computed_at", "id")
    )
    checks = list(
        overdue_checks(today)
        .filter(initiative__in=visible)
        .select_related("initiative")
        .order_by("due_on", "id")
    )
    rate = _file_drawer(organisation.pk).get(organisation.pk, Rate())
    return OrganisationDue(goals, drafts, checks, rate, today)


#: After the owner's reminder, how long before the organisation's admins are told as well.
ESCALATE_AFTER = timedelta(days=28)


def _owner(initiative: Initiative) -> Any:
    person = initiative.created_by
    if (
        person is not None
        and person.is_active
        and person.memberships.filter(organisation=initiative.organisation_id).exists()
    ):
        return person
    return None


def _admins(initiative: Initiative) -> list[Any]:
    from whatworks.organisations.models import Role, User

    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=initiative.organisation_id,
            memberships__role=Role.ADMIN,
        ).order_by("pk")
    )


def send_reminders(now: datetime | None = None) -> tuple[int, int]:
    """Remind each goal's owner once when its result is due, and its organisation's admins once
    :data:`ESCALATE_AFTER` later if there is still no result. Idempotent: each goal records when
    each reminder went. Returns (owners reminded, escalations)."""
    from django.db import transaction
    from django.urls import reverse

    from whatworks.core.messaging import message_queue
    from whatworks.core.models import Channel
    from whatworks.organisations.models import site_url

    now = now or timezone.now()
    today = timezone.localdate(now)
    reminded = escalated = 0
    due = Goal.objects.result_due(today).select_related("initiative__created_by")
    for goal in due.filter(Q(due_reminded_at__isnull=True) | Q(due_escalated_at__isnull=True)):
        initiative = goal.initiative
        awaiting = goal.drafts.filter(state=DraftState.AWAITING).first()
        link = site_url(
            reverse(
                "draft-confirm",
                kwargs={"pk": initiative.pk, "goal_id": goal.pk, "draft_id": awaiting.pk},
            )
            if awaiting
            else initiative.get_absolute_url()
        )
        what = (
            "A result computed from its metric is waiting for you to check and confirm it."
            if awaiting
            else "No result has been recorded yet."
        )
        owner = _owner(initiative)
        with transaction.atomic():
            if goal.due_reminded_at is None:
                if owner is not None:
                    message_queue(
                        channel=Channel.EMAIL,
                        recipient=owner.email,
                        template="results_due",
                        personalisation={
                            "name": owner.full_name,
                            "title": initiative.title,
                            "goal": goal.metric_name,
                            "due_on": f"{goal.result_due_on:%d %B %Y}",
                            "what": what,
                            "link": link,
                        },
                    )
                    reminded += 1
                    Goal.objects.filter(pk=goal.pk).update(due_reminded_at=now)
                    continue
                # Nobody to remind first: the admins are told straight away.
                Goal.objects.filter(pk=goal.pk).update(due_reminded_at=now - ESCALATE_AFTER)
                goal.due_reminded_at = now - ESCALATE_AFTER
            if goal.due_escalated_at is None and goal.due_reminded_at <= now - ESCALATE_AFTER:
                for admin in _admins(initiative):
                    message_queue(
                        channel=Channel.EMAIL,
                        recipient=admin.email,
                        template="results_due_escalated",
                        personalisation={
                            "name": admin.full_name,
                            "title": initiative.title,
                            "goal": goal.metric_name,
                            "due_on": f"{goal.result_due_on:%d %B %Y}",
                            "what": what,
                            "link": link,
                        },
                    )
                escalated += 1
                Goal.objects.filter(pk=goal.pk).update(due_escalated_at=now)
    return reminded, escalated
