"""Reads for the audit log and the outbox."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

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


def _csv_safe(value: Any) -> str:
    # A cell starting with = + - @ is run as a formula by spreadsheets: neutralise it.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def audit_csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(AUDIT_CSV_COLUMNS)
    yield flush()
    for e in events:
        writer.writerow(
            _csv_safe(v)
            for v in [
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
        )
        yield flush()


def outbox_messages(*, status: str = "") -> QuerySet[Message]:
    qs = Message.objects.all()
    if status:
        qs = qs.filter(status=status)
    return qs
