"""Who may do what with organisations, people, invitations and API keys (django-rules)."""

from __future__ import annotations

from typing import Any

import rules

from whatworks.core.visibility import member_organisation_ids
from whatworks.organisations.models import Organisation, Role


def _role(user: Any, organisation: Organisation | None) -> str | None:
    if organisation is None or not user.is_authenticated:
        return None
    cache = getattr(user, "_roles_by_org", None)
    if cache is None:
        cache = dict(user.memberships.values_list("organisation_id", "role"))
        user._roles_by_org = cache
    return cache.get(organisation.pk)


@rules.predicate
def is_member(user: Any, organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.pk in member_organisation_ids(user)


@rules.predicate
def is_org_admin(user: Any, organisation: Organisation | None) -> bool:
    return _role(user, organisation) == Role.ADMIN


is_staff = rules.is_staff
is_moderator = rules.predicate(lambda user: bool(getattr(user, "is_moderator", False)))

# Organisation pages are public; membership lists are for members and staff.
rules.add_perm("organisations.view_members", is_member | is_staff)
rules.add_perm("organisations.manage_members", is_org_admin)
rules.add_perm("organisations.manage_invitations", is_org_admin)
rules.add_perm("organisations.manage_api_keys", is_org_admin)
rules.add_perm("organisations.view_audit_log", is_org_admin | is_staff)
rules.add_perm("organisations.edit_organisation", is_org_admin)
