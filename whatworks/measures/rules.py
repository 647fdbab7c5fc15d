"""Who may define metrics and record figures (django-rules).

Seeing a metric is its visibility (`Metric.objects.visible_to`, `metric.is_visible_to`);
these predicates are about writing. The people who define and upload performance data
in a council are its admins, officers and analysts: not frontline workers or volunteers.
"""

from __future__ import annotations

from typing import Any

import rules

from whatworks.organisations.models import Organisation, Role

RECORDING_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.ANALYST})


def recording_organisation_ids(user: Any) -> frozenset[int]:
    """Active organisations where the user may define metrics and upload figures (cached)."""
    if user is None or not user.is_authenticated or getattr(user, "pk", None) is None:
        return frozenset()
    cached = getattr(user, "_measures_recording_ids", None)
    if cached is None:
        cached = frozenset(
            user.memberships.filter(
                role__in=RECORDING_ROLES, organisation__is_active=True
            ).values_list("organisation_id", flat=True)
        )
        user._measures_recording_ids = cached
    return cached


@rules.predicate
def records_for(user: Any, organisation: Organisation | None) -> bool:
    return organisation is not None and organisation.pk in recording_organisation_ids(user)


@rules.predicate
def records_for_owner(user: Any, metric: Any) -> bool:
    return metric is not None and metric.organisation_id in recording_organisation_ids(user)


rules.add_perm("measures.add_metric", records_for)
rules.add_perm("measures.change_metric", records_for_owner)
rules.add_perm("measures.import_observations", records_for)
