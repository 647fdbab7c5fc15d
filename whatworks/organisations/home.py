"""Sections for work held by the schemes and ideas apps: on the signed-in home, your Call &
Check tasks (open escalations, for a scheme's coordinators) and your organisation's campaigns
in progress; on an organisation's page, the welfare schemes it runs.

STOPGAP for the merge: these belong in whatworks.checkins and whatworks.ideas, registered in
their AppConfig.ready() with `whatworks.ui.home.register`. This branch could not edit those
apps, so it reads their models through Django's app registry (as core.visibility reads
memberships) and shows nothing when an app is not installed. Only references, trigger types
and due dates are shown: never a resident's details.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Model, Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from whatworks.core.registry import Panel
from whatworks.core.visibility import member_organisation_ids

SHOWN = 10


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def tasks_section(request: HttpRequest) -> Panel | None:
    user = request.user
    role, escalation = _model("checkins.SchemeRole"), _model("checkins.Escalation")
    if not user.is_authenticated or role is None or escalation is None:
        return None
    schemes = role._default_manager.filter(user_id=user.pk, role="coordinator").values("scheme_id")
    if not role._default_manager.filter(user_id=user.pk, role="coordinator").exists():
        return None
    open_tasks = escalation._default_manager.filter(scheme_id__in=schemes, status="open")
    rows: list[Any] = list(open_tasks.select_related("scheme").order_by("due_at", "pk")[:SHOWN])
    now = timezone.now()
    try:
        home_url = reverse("checkins-home")
    except NoReverseMatch:
        home_url = ""
    return Panel(
        template="organisations/_home_tasks.html",
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


def campaigns_section(request: HttpRequest) -> Panel | None:
    user = request.user
    campaign = _model("ideas.Campaign")
    orgs = member_organisation_ids(user)
    if not user.is_authenticated or campaign is None or not orgs:
        return None
    rows: list[Any] = list(
        campaign._default_manager.filter(organisation_id__in=orgs)
        .exclude(phase="decided")
        .select_related("organisation")
        .order_by("closes_on", "pk")[:SHOWN]
    )
    if not rows:
        return None
    return Panel(
        template="organisations/_home_campaigns.html",
        context={"campaigns": rows},
        order=30,
    )


def schemes_section(organisation: Any, user: Any) -> Panel | None:
    """The welfare schemes an organisation runs, as far as their evidence is shared with the
    reader (the scheme's evidence visibility), with the register record each reports to."""
    scheme = _model("checkins.Scheme")
    if scheme is None:
        return None
    mine = member_organisation_ids(user)
    levels = ["public", "peers"] if mine else ["public"]
    rows: list[Any] = list(
        scheme._default_manager.filter(organisation=organisation)
        .filter(Q(evidence_visibility__in=levels) | Q(organisation_id__in=mine))
        .select_related("initiative")
        .order_by("name", "pk")
    )
    if not rows:
        return None
    return Panel(
        template="organisations/_organisation_schemes.html",
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
