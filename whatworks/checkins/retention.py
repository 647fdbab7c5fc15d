"""Retention per record type, set by each scheme: records past their period are listed for
the coordinator to review (dispose or keep) rather than deleted unseen; a legal hold keeps
a record out of review altogether."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from whatworks.checkins.models import (
    DisposalReview,
    RecordType,
    Referral,
    Resident,
    ResidentStatus,
    RetentionPolicy,
    Visit,
)
from whatworks.core import audit


def _due(policy: RetentionPolicy, today: date) -> list[int]:
    cutoff = today - timedelta(days=policy.keep_days)
    residents = Resident.objects.filter(scheme_id=policy.scheme_id, legal_hold=False)
    if policy.record_type == RecordType.CLOSED_RESIDENT:
        found = residents.filter(status=ResidentStatus.CLOSED, closed_at__date__lt=cutoff)
    elif policy.record_type == RecordType.DECLINED_REFERRAL:
        found = residents.filter(
            referral__status=Referral.Status.DECLINED, referral__decided_at__date__lt=cutoff
        ).exclude(status=ResidentStatus.ERASED)
    else:
        with_old_notes = Visit.objects.filter(visited_on__lt=cutoff).exclude(note="")
        found = residents.filter(pk__in=with_old_notes.values("resident_id"))
    return list(found.values_list("pk", flat=True))


def reviews_open(today: date) -> int:
    """Open a review for every record past its retention period (once per record)."""
    opened = 0
    for policy in RetentionPolicy.objects.all():
        open_ids = set(
            DisposalReview.objects.filter(
                record_type=policy.record_type, decided_at__isnull=True
            ).values_list("resident_id", flat=True)
        )
        new = [pk for pk in _due(policy, today) if pk not in open_ids]
        DisposalReview.objects.bulk_create(
            DisposalReview(
                scheme_id=policy.scheme_id,
                resident_id=pk,
                record_type=policy.record_type,
                due_on=today,
            )
            for pk in new
        )
        opened += len(new)
    return opened


@transaction.atomic
def review_decide(*, review: DisposalReview, dispose: bool, actor: Any) -> DisposalReview:
    if review.decided_at is not None:
        raise ValidationError("This review has already been decided")
    resident = review.resident
    if dispose:
        if resident.legal_hold:
            raise ValidationError("This record is under a legal hold")
        if review.record_type == RecordType.VISIT_NOTE:
            policy = RetentionPolicy.objects.get(
                scheme=review.scheme, record_type=review.record_type
            )
            cutoff = timezone.localdate() - timedelta(days=policy.keep_days)
            Visit.objects.filter(resident=resident, visited_on__lt=cutoff).update(note="")
        else:
            from whatworks.checkins.erasure import EraseReason, resident_erase

            resident_erase(resident=resident, actor=actor, reason=EraseReason.RETENTION)
    review.decided_at = timezone.now()
    review.decision = "disposed" if dispose else "kept"
    review.save(update_fields=["decided_at", "decision"])
    audit.record(
        "checkins.retention.decided",
        actor=actor,
        obj=review,
        organisation=review.scheme.organisation,
        detail={"decision": review.decision, "record_type": review.record_type},
        personal_data=True,
    )
    return review


@transaction.atomic
def periods_save(
    *, scheme: Any, policies: list[RetentionPolicy], keep_days: dict[str, int], actor: Any
) -> None:
    """Set how long each record type is kept (days, by record type), and log the new periods."""
    for policy in policies:
        policy.keep_days = keep_days[policy.record_type]
        policy.save(update_fields=["keep_days"])
    audit.record(
        "checkins.retention.changed",
        actor=actor,
        obj=scheme,
        organisation=scheme.organisation,
        detail={p.record_type: p.keep_days for p in policies},
    )
