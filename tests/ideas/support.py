"""Builders for ideas tests (plain functions, so the permission matrix can use them too)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from whatworks.ideas import identity, services
from whatworks.ideas.models import Campaign, Idea, Phase


def campaign_for(w: Any, *, phase: str = Phase.DISCUSS, **fields: Any) -> Campaign:
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "title": "Bins big idea day",
        "brief": "Fewer missed collections for the same money.",
        "problem_areas": "Missed bins\nRound planning",
        "opens_on": today - timedelta(days=1),
        "closes_on": today + timedelta(days=14),
        "staff_count": 40,
    }
    defaults.update(fields)
    campaign = services.campaign_create(organisation=w.org_a, actor=w["officer"], **defaults)
    while campaign.phase != phase:
        if campaign.next_phase == Phase.DECIDED:
            # Deciding needs every idea decided; tests that want "decided" set it directly.
            Campaign.objects.filter(pk=campaign.pk).update(phase=Phase.DECIDED)
            campaign.refresh_from_db()
            break
        services.campaign_advance(campaign=campaign, actor=w["officer"])
    return campaign


IDEA = {
    "title": "Photograph blocked bins",
    "process": "Reporting a missed collection",
    "problem": "Crews cannot prove a bin was not out.",
    "proposal": "Crews photograph the street from the cab.",
    "benefit_time": "Two hours a week of call handling",
}


def idea_by(
    w: Any, persona: str, campaign: Campaign, *, anonymous: bool = False, **fields: Any
) -> Idea:
    who = identity.for_user(campaign.pk, w[persona])
    return services.idea_submit(
        campaign=campaign, who=who, anonymous=anonymous, **{**IDEA, **fields}
    )
