"""Signposting: the coordinator keeps a list of local events and services, and records which
of them a person was told about. Each month's count of people told is one of the scheme's
figures (outcomes.py).

Until the partners directory exists, the list is the scheme's own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from whatworks.checkins.models import Resident, ResidentStatus, Scheme, Signpost, Signposting
from whatworks.checkins.services import audit_event


@transaction.atomic
def signpost_add(*, scheme: Scheme, name: str, kind: str, details: str, actor: Any) -> Signpost:
    signpost = Signpost(scheme=scheme, name=name.strip(), kind=kind, details=details.strip())
    signpost.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            signpost.save()
    except IntegrityError:
        raise ValidationError({"name": f"'{signpost.name}' is on the list already"}) from None
    audit_event("signpost.added", signpost, scheme, actor)
    return signpost


@transaction.atomic
def signpost_set_active(*, signpost: Signpost, active: bool, actor: Any) -> Signpost:
    """Take an event or service off the list (it has ended) or put it back. People told
    about it keep that on their record."""
    signpost.active = active
    signpost.save(update_fields=["active"])
    audit_event(
        "signpost.listed" if active else "signpost.retired", signpost, signpost.scheme, actor
    )
    return signpost


@transaction.atomic
def signposting_record(
    *, resident: Resident, signposts: list[Signpost], told_on: date, actor: Any
) -> list[Signposting]:
    if resident.status == ResidentStatus.ERASED:
        raise ValidationError("This record has been erased.")
    if told_on > timezone.localdate():
        raise ValidationError({"told_on": "Date they were told must be today or in the past"})
    if not signposts:
        raise ValidationError({"signposts": "Select what they were told about"})
    foreign = [s for s in signposts if s.scheme_id != resident.scheme_id or not s.active]
    if foreign:
        raise ValidationError({"signposts": "Select events or services on the scheme's list"})
    made = Signposting.objects.bulk_create(
        Signposting(resident=resident, signpost=s, told_on=told_on, recorded_by=actor)
        for s in signposts
    )
    audit_event("signposting.recorded", resident, resident.scheme, actor, signposts=len(made))
    return made
