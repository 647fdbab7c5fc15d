"""Who may do what with organisations, people, invitations and API keys (django-rules)."""

from __future__ import annotations

from typing import Any

import rules

from whatworks.core.visibility import member_organisation_ids, membership_roles
from whatworks.organisations.models import Organisation, Role


def roles_by_organisation(user: Any) -> dict[int, str]:
    """{organisation id: role} for the user's memberships (cached on the user for the request)."""
    return {org: role for org, (role, _active) in membership_roles(user).items()}


def reader_key(user: Any) -> str:
    """What decides what a reader sees and may do on a shared page, apart from who they are:
    their active organisations and roles, and whether they are staff or a moderator. Pages
    cached per reader key must not show anything else about the person."""
    if not user.is_authenticated:
        return "public"
    active = member_organisation_ids(user)
    roles = sorted(
        f"{org}:{role}" for org, role in roles_by_organisation(user).items() if org in active
    )
    flags = f"s{int(bool(user.is_staff))}m{int(bool(getattr(user, 'is_moderator', False)))}"
    return ",".join([flags, *roles])


def _role(user: Any, organisation: Organisation | None) -> str | None:
    if organisation is None:
        return None
    return roles_by_organisation(user).get(organisation.pk)


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
