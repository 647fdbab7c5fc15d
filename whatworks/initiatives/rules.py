"""Who may do what in the register. Reading follows the record's visibility (selectors)."""

from typing import Any

import rules

from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives.models import Initiative
from whatworks.organisations.models import Role
from whatworks.organisations.rules import roles_by_organisation


def _role(user: Any, organisation_id: int) -> str | None:
    if user is None:
        return None
    return roles_by_organisation(user).get(organisation_id)


EDITORS = {Role.ADMIN, Role.OFFICER, Role.ANALYST}


@rules.predicate
def can_edit_for_owner(user: Any, initiative: Initiative | None) -> bool:
    """Admins, officers and analysts of the owning organisation edit its records."""
    return initiative is not None and _role(user, initiative.organisation_id) in EDITORS


@rules.predicate
def is_owner_admin(user: Any, initiative: Initiative | None) -> bool:
    return initiative is not None and _role(user, initiative.organisation_id) == Role.ADMIN


@rules.predicate
def is_member_of_any_organisation(user: Any) -> bool:
    return bool(member_organisation_ids(user))


rules.add_perm("initiatives.add_initiative", is_member_of_any_organisation)
rules.add_perm("initiatives.change_initiative", can_edit_for_owner | rules.is_superuser)
rules.add_perm("initiatives.withdraw_initiative", is_owner_admin | rules.is_superuser)
rules.add_perm("initiatives.replicate_initiative", is_member_of_any_organisation)
rules.add_perm("initiatives.record_decision", is_member_of_any_organisation)  # for their own org
