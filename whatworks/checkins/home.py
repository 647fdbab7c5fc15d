"""Call & Check's parts of other pages: a coordinator's open tasks on the signed-in home
(references, trigger types and due dates only, never a resident's details), and the welfare
schemes an organisation runs on its page."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins.models import Escalation, Scheme, SchemeRole
from whatworks.core.registry import Panel
from whatworks.core.visibility import member_organisation_ids

SHOWN = 10


def tasks_section(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated:
        return None
    coordinating = SchemeRole.objects.filter(user_id=user.pk, role="coordinator")
    if not coordinating.exists():
        return None
    schemes = coordinating.values("scheme_id")
    open_tasks = Escalation.objects.filter(scheme_id__in=schemes, status="open")
    rows: list[Any] = list(open_tasks.select_related("scheme").order_by("due_at", "pk")[:SHOWN])
    now = timezone.now()
    home_url = reverse("checkins-home")
    return Panel(
        template="checkins/_home_tasks.html",
        context={
            "tasks": [
                {
                    "reference": task.reference,
                    "what": task.get_trigger_display(),
                    "scheme": task.scheme.name,
                    "due_at": task.due_at,
                    "overdue": task.due_at < now,
                    "url": task.get_absolute_url(),
                }
                for task in rows
            ],
            "total": open_tasks.count() if len(rows) == SHOWN else len(rows),
            "home_url": home_url,
        },
        order=15,
    )


def schemes_section(organisation: Any, user: Any) -> Panel | None:
    """The welfare schemes an organisation runs, as far as their evidence is shared with the
    reader (the scheme's evidence visibility), with the register record each reports to."""
    mine = member_organisation_ids(user)
    levels = ["public", "peers"] if mine else ["public"]
    rows: list[Any] = list(
        Scheme.objects.filter(organisation=organisation)
        .filter(Q(evidence_visibility__in=levels) | Q(organisation_id__in=mine))
        .select_related("initiative")
        .order_by("name", "pk")
    )
    if not rows:
        return None
    return Panel(
        template="checkins/_organisation_schemes.html",
        context={
            "schemes": [
                {
                    "name": s.name,
                    "record": s.initiative
                    if s.initiative is not None and s.initiative.is_visible_to(user)
                    else None,
                }
                for s in rows
            ]
        },
        order=30,
    )
