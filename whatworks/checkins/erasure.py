"""Erasing a resident: one function that reaches every copy of their data.

Everything the platform holds about a person on a scheme, and what erasure does to it:

* the record (Resident): name, date of birth, address, phone, NHS number, GP practice and
  health notes blanked; status "erased". The row stays, nameless, so that the scheme's
  anonymous counts (visits, outcomes) still add up;
* nominated contacts and pauses (whose reasons are free text): deleted;
* appointments: deleted, except those whose attendance was recorded, which keep only the
  date and whether it was kept (the count of missed appointments is an outcome);
* visits: dates and outcomes kept; notes and reasons blanked; answers deleted, except the
  UCLA-3 loneliness scores, which are one of three fixed words and feed the outcomes;
* signposting: which event or service they were told about, and when, kept (it holds no text
  about the person, and the count of people told is an outcome);
* tasks (escalations): summary replaced, every note in their history blanked;
* the referral: who referred, how to reach them, why, and the decision note blanked; other
  referrals flagged as possible duplicates of this person lose that link;
* the outbox: messages about the person lose body and recipient, unsent ones are cancelled
  (whatworks.core.messaging.messages_erase);
* the audit log: entries about the person, their referral, visits and tasks keep who did
  what and when, by id, and lose any description or text (AuditQuerySet.redact);
* files: none are written (the JSON export and the printable copy are made per request);
* caches: the worker's list caches visit forms without names (placeholders filled per
  request), so no cache holds the person;
* the database files themselves: on SQLite, `secure_delete` (config/settings.py) zeroes
  the space old values leave, and the write-ahead log is truncated after an erasure. On
  PostgreSQL an old row version stays in the table's pages until VACUUM reuses the space:
  see docs/checkins.md.

tests/checkins/test_erasure.py plants a unique marker in every field, erases, and searches
every text column of every table and every file under the var directory for it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from whatworks.checkins.models import (
    Answer,
    Escalation,
    EscalationStatusChange,
    Referral,
    Resident,
    ResidentStatus,
    Visit,
)
from whatworks.core import audit
from whatworks.core.messaging import messages_erase
from whatworks.core.models import AuditEvent


class EraseReason:
    """Why a record is erased: a choice, not free text, so the reason cannot name anyone."""

    REQUESTED = "requested"
    CONSENT = "consent_withdrawn"
    ERROR = "recorded_in_error"
    RETENTION = "retention_ended"
    CHOICES = [
        (REQUESTED, "The person asked for their record to be erased"),
        (CONSENT, "The person withdrew their consent"),
        (ERROR, "The record was made in error"),
        (RETENTION, "The retention period ended"),
    ]


ERASED = "(erased)"
KEPT_ANSWERS = "ucla_"  # question codes whose answers survive: fixed words, used in outcomes


@transaction.atomic
def resident_erase(*, resident: Resident, actor: Any, reason: str) -> Resident:
    if resident.legal_hold:
        raise ValidationError("This record is under a legal hold and cannot be erased")
    if reason not in dict(EraseReason.CHOICES):
        raise ValidationError({"reason": "Select why the record is erased"})
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    visits = Visit.objects.filter(resident=resident)
    escalations = Escalation.objects.filter(resident=resident)
    referral = Referral.objects.filter(resident=resident).first()

    Resident.objects.filter(pk=resident.pk).update(
        given_name="Erased",
        family_name=f"record {resident.pk}",
        date_of_birth=None,
        address_line_1="",
        address_line_2="",
        town="",
        postcode="",
        phone="",
        nhs_number="",
        local_identifier="",
        gp_practice_ods="",
        gp_practice_name="",
        gp_practice_email="",
        health_notes="",
        status=ResidentStatus.ERASED,
        round=None,
        closed_at=timezone.now(),
    )
    resident.contacts.all().delete()
    resident.pauses.all().delete()
    resident.appointments.filter(attended__isnull=True).delete()
    resident.appointments.update(what=ERASED, where="", time=None)
    visits.update(note="", reason="")
    Answer.objects.filter(visit__resident=resident).exclude(
        question__code__startswith=KEPT_ANSWERS
    ).delete()
    escalations.update(summary="A task about a record since erased")
    EscalationStatusChange.objects.filter(escalation__resident=resident).update(note="")
    Referral.objects.filter(resident=resident).update(
        referrer_name=ERASED,
        referrer_organisation="",
        referrer_email="",
        referrer_phone="",
        reason=ERASED,
        decision_note="",
        possible_duplicate_of=None,
    )
    Referral.objects.filter(possible_duplicate_of=resident).update(possible_duplicate_of=None)

    messages_erase(about=resident.message_subject)
    about_them = Q(object_type="checkins.resident", object_id=str(resident.pk))
    about_them |= Q(object_type="checkins.visit", object_id__in=_ids(visits))
    about_them |= Q(object_type="checkins.escalation", object_id__in=_ids(escalations))
    if referral is not None:
        about_them |= Q(object_type="checkins.referral", object_id=str(referral.pk))
    AuditEvent.objects.filter(about_them).redact(label=resident.reference)

    resident.refresh_from_db()
    audit.record(
        "checkins.resident.erased",
        actor=actor,
        obj=resident,
        organisation=resident.scheme.organisation,
        detail={"reason": reason},
        personal_data=True,
    )
    transaction.on_commit(_truncate_sqlite_log)
    return resident


def _ids(queryset: Any) -> list[str]:
    return [str(pk) for pk in queryset.values_list("pk", flat=True)]


def _truncate_sqlite_log() -> None:
    """SQLite keeps old page images in its write-ahead log until a checkpoint, and the file
    keeps them after one: a truncating checkpoint empties it."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
