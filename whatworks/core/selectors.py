"""Reads for the audit log and the outbox."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from whatworks.core import exports
from whatworks.core.models import AuditEvent, Message

AUDIT_CSV_COLUMNS = [
    "at",
    "actor",
    "api_key",
    "organisation",
    "action",
    "object_type",
    "object_id",
    "object",
    "personal_data",
    "ip_address",
    "request_id",
    "path",
    "detail",
]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(
    *,
    organisation: Any = None,
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    personal_data_only: bool = False,
) -> QuerySet[AuditEvent]:
    """Audit events, newest first; `organisation=None` means the whole site (staff only)."""
    qs = AuditEvent.objects.select_related("organisation")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to) + timedelta(days=1))
    if personal_data_only:
        qs = qs.filter(personal_data=True)
    return qs.order_by("-at", "-id")


def audit_csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    return exports.csv_lines(
        AUDIT_CSV_COLUMNS,
        (
            [
                e.at.isoformat(),
                e.actor_label,
                e.api_key_label,
                e.organisation.name if e.organisation else "",
                e.action,
                e.object_type,
                e.object_id,
                e.object_repr,
                "yes" if e.personal_data else "no",
                e.ip_address,
                e.request_id,
                e.path,
                e.detail,
            ]
            for e in events
        ),
    )


def outbox_messages(*, status: str = "") -> QuerySet[Message]:
    qs = Message.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs
