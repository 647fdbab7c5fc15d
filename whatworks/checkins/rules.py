"""Who may do what in a welfare-check scheme. Roles belong to the scheme (SchemeRole), never
to an organisation: being an organisation's admin shows no resident to anyone.

* Coordinators see and change everything in their own scheme, and nothing in another.
* A worker sees the residents on their own round (or a round they cover today) and records
  visits there; nothing else.
* A partner viewer (a member of an organisation that is a party to an agreement in force)
  sees what the agreement's scope allows: residents' records, or only those with a concern.
* An organisation's admins and officers may start a scheme for their organisation.

Views check with `rules.has_perm` (this registry), not `user.has_perm`: Django grants a
superuser every permission, and site staff must not see residents' records either.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from whatworks.organisations.models import Role


def scheme_roles(user: Any, scheme_id: int) -> set[str]:
    """The person's roles in one scheme, memoised on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cache: dict[int, set[str]] = user.__dict__.setdefault("_checkin_roles", {})
    if scheme_id not in cache:
        from whatworks.checkins.models import SchemeRole

        cache[scheme_id] = set(
            SchemeRole.objects.filter(scheme_id=scheme_id, user=user).values_list("role", flat=True)
        )
    return cache[scheme_id]


def is_coordinator_of(user: Any, scheme_id: int) -> bool:
    return "coordinator" in scheme_roles(user, scheme_id)


def works_round_today(user: Any, round_: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or round_ is None:
        return False
    if "worker" not in scheme_roles(user, round_.scheme_id):
        return False
    if round_.worker_id == user.pk:
        return True
    today = timezone.localdate()
    return round_.covers.filter(worker=user, start_date__lte=today, end_date__gte=today).exists()


def partner_scope(user: Any, scheme_id: int) -> str | None:
    """The agreement scope a partner viewer sees, or None when no agreement in force names
    their organisation."""
    if "partner" not in scheme_roles(user, scheme_id):
        return None
    from whatworks.checkins.models import DataSharingAgreement, SchemeRole

    org_ids = SchemeRole.objects.filter(scheme_id=scheme_id, user=user, role="partner").values_list(
        "organisation_id", flat=True
    )
    today = timezone.localdate()
    agreement = (
        DataSharingAgreement.objects.filter(
            scheme_id=scheme_id,
            parties__in=list(org_ids),
            start_date__lte=today,
            review_date__gte=today,
        )
        .order_by("-start_date")
        .first()
    )
    return agreement.partner_scope if agreement else None


@rules.predicate
def coordinates(user: Any, obj: Any) -> bool:
    if obj is None:
        return False
    return is_coordinator_of(user, getattr(obj, "scheme_id", None) or obj.pk)


@rules.predicate
def can_view_resident(user: Any, resident: Any) -> bool:
    if resident is None:
        return False
    if is_coordinator_of(user, resident.scheme_id):
        return True
    if resident.round_id is not None and works_round_today(user, resident.round):
        return True
    scope = partner_scope(user, resident.scheme_id)
    if scope == "records":
        return True
    if scope == "concerns":
        return resident.escalations.exists()
    return False


@rules.predicate
def can_visit_round(user: Any, round_: Any) -> bool:
    if round_ is None:
        return False
    return is_coordinator_of(user, round_.scheme_id) or works_round_today(user, round_)


@rules.predicate
def can_start_scheme(user: Any, organisation: Any) -> bool:
    if organisation is None or not getattr(user, "is_authenticated", False):
        return False
    return user.memberships.filter(
        organisation=organisation, role__in=[Role.ADMIN, Role.OFFICER]
    ).exists()


rules.add_perm("checkins.add_scheme", can_start_scheme)
rules.add_perm("checkins.manage_scheme", coordinates)
rules.add_perm("checkins.view_resident", can_view_resident)
rules.add_perm("checkins.change_resident", coordinates)
rules.add_perm("checkins.record_visit", can_visit_round)
rules.add_perm("checkins.close_escalation", coordinates)
