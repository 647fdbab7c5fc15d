"""Councils like mine, in the database: the reader's council and a SQL score per record.

The score itself is a pure function of two council profiles (`similarity.py`); this module
reads the profiles from the reference data and writes the scores into a query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Case, FloatField, Q, Value, When

from whatworks.core.visibility import member_organisation_ids
from whatworks.initiatives import similarity
from whatworks.initiatives.similarity import CouncilProfile
from whatworks.organisations.models import LocalAuthority, Organisation

__all__ = ["CouncilProfile", "reader_council", "similarity_expression"]

_LA_FIELDS = ["authority_type", "region", "nation", "population", "area_km2"]


def _profile(row: Mapping[str, Any], prefix: str = "") -> similarity.CouncilProfile:
    return similarity.CouncilProfile(
        authority_type=row[f"{prefix}authority_type"] or "",
        region=row[f"{prefix}region"] or row[f"{prefix}nation"] or "",
        population=row[f"{prefix}population"],
        area_km2=row.get(f"{prefix}area_km2"),
    )


def reader_council(user: Any) -> similarity.CouncilProfile | None:
    """The profile of the reader's council (the first, by name, if they belong to several)."""
    org_ids = member_organisation_ids(user)
    if not org_ids:
        return None
    row = (
        LocalAuthority.objects.filter(organisations__pk__in=org_ids, organisations__is_active=True)
        .order_by("organisations__name")
        .values(*_LA_FIELDS)
        .first()
    )
    return _profile(row) if row else None


def similarity_expression(
    reader: similarity.CouncilProfile, viewer_org_ids: frozenset[int]
) -> Case | Value:
    """A SQL score per record: how alike its owning council is to the reader's.

    Scored in Python (similarity.py) once per council, then written into the query as a
    CASE on the owner's id. A pseudonymous record is scored only on what its pseudonym
    shows (type and region), so its place in the ranking says nothing more.
    """
    prefix = "local_authority__"
    rows = Organisation.objects.filter(local_authority__isnull=False).values(
        "pk", *[prefix + name for name in _LA_FIELDS]
    )
    named: dict[int, list[int]] = {}
    pseudonymous: dict[int, list[int]] = {}
    for row in rows:
        profile = _profile(row, prefix)
        named.setdefault(round(100 * similarity.similarity(reader, profile)), []).append(row["pk"])
        shown = similarity.pseudonym_profile(profile)
        pseudonymous.setdefault(round(100 * similarity.similarity(reader, shown)), []).append(
            row["pk"]
        )
    by_name = Q(pseudonymous=False) | Q(organisation_id__in=viewer_org_ids)
    whens = [
        When(by_name & Q(organisation_id__in=ids), then=Value(float(score)))
        for score, ids in named.items()
    ] + [
        When(Q(pseudonymous=True) & Q(organisation_id__in=ids), then=Value(float(score)))
        for score, ids in pseudonymous.items()
    ]
    if not whens:
        return Value(0.0, output_field=FloatField())
    return Case(*whens, default=Value(0.0), output_field=FloatField())
