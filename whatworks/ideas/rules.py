"""Who may do what in a workforce ideas campaign (django-rules).

Members of the running organisation take part; its admins, officers and analysts organise;
the review panel (which may include an external facilitator with no role in the
organisation) sees the campaign it sits on, and only that one. Join-code participants are
not users: `selectors.access_campaign` admits them by their signed cookie.
"""

from __future__ import annotations

from typing import Any

import rules

from whatworks.core.visibility import member_organisation_ids
from whatworks.organisations.models import Organisation, Role
from whatworks.organisations.rules import roles_by_organisation

ORGANISERS = frozenset({Role.ADMIN, Role.OFFICER, Role.ANALYST})


def _role(user: Any, organisation_id: int) -> str | None:
    if user is None:
        return None
    return roles_by_organisation(user).get(organisation_id)


def panel_campaign_ids(user: Any) -> frozenset[int]:
    """Campaigns the user sits on the review panel of (cached on the user)."""
    if user is None or not user.is_authenticated or getattr(user, "pk", None) is None:
        return frozenset()
    cached = getattr(user, "_idea_panel_ids", None)
    if cached is None:
        from whatworks.ideas.models import PanelMember

        cached = frozenset(
            PanelMember.objects.filter(user=user).values_list("campaign_id", flat=True)
        )
        user._idea_panel_ids = cached
    return cached


@rules.predicate
def organises_for(user: Any, organisation: Organisation | None) -> bool:
    return organisation is not None and _role(user, organisation.pk) in ORGANISERS


@rules.predicate
def is_organiser(user: Any, campaign: Any) -> bool:
    return campaign is not None and _role(user, campaign.organisation_id) in ORGANISERS


@rules.predicate
def is_staff_member(user: Any, campaign: Any) -> bool:
    """A member (any role) of the organisation running the campaign."""
    return campaign is not None and campaign.organisation_id in member_organisation_ids(user)


@rules.predicate
def is_on_panel(user: Any, campaign: Any) -> bool:
    return campaign is not None and campaign.pk in panel_campaign_ids(user)


rules.add_perm("ideas.add_campaign", organises_for)
rules.add_perm("ideas.manage_campaign", is_organiser)
rules.add_perm("ideas.view_campaign", is_staff_member | is_on_panel)
rules.add_perm("ideas.take_part", is_staff_member)
rules.add_perm("ideas.review_campaign", is_on_panel | is_organiser)


def allowed(perm: str, user: Any, obj: Any = None) -> bool:
    """The rule itself, without Django's "superusers may do anything": site staff get no
    way into a campaign (or to who wrote what) by being superusers."""
    return rules.has_perm(perm, user, obj)
