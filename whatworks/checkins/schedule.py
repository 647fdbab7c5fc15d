"""Who is on a round's list on a given day, and the nightly generation of tomorrow's lists.

A resident is due on a day when they are active, consenting, on a round, the day is one of
their visit days, they have not paused visits, and the round is not on holiday without cover.

**One definition of "planned"**: the live schedule, `due_residents(day)`. The worker's list,
the coordinator's dashboard (today's figures) and the missed-visit flag all read it. The
evening job only caches it in PlannedVisit, for tomorrow (so the morning's work is known)
and again just before midnight (so past days keep the plan as it ended the day); the
dashboard's figures for past days read that cache. A change made after the job ran (a new
person, a pause, a cover) is in today's figures at once.

Round changes take effect from a day: they are applied once that day comes (by the job just
after midnight, or by the first list read that day, once, behind a lock), never the evening
before, so today's list stays as it is until the day ends. Reading a list writes nothing
after that first read of the day.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from whatworks.checkins.models import (
    Cover,
    Pause,
    PlannedVisit,
    Resident,
    ResidentStatus,
    Round,
    RoundChange,
    day_bit,
)


def _paused_on(day: date) -> Exists:
    return Exists(
        Pause.objects.filter(resident=OuterRef("pk"), start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )
    )


def _uncovered_holiday(day: date) -> Exists:
    return Exists(
        Cover.objects.filter(
            round=OuterRef("round"), start_date__lte=day, end_date__gte=day, worker__isnull=True
        )
    )


def due_residents(day: date, round_ids: list[int] | None = None) -> QuerySet[Resident]:
    """Residents due a visit on `day`, in visiting order within each round."""
    bit = day_bit(day)
    residents = Resident.objects.annotate(day_set=F("visit_days").bitand(bit)).filter(
        status=ResidentStatus.ACTIVE,
        round__isnull=False,
        day_set__gt=0,
        consent_withdrawn_on__isnull=True,
    )
    if round_ids is not None:
        residents = residents.filter(round_id__in=round_ids)
    # The round's own working days: a round that does not run on a day has no list.
    residents = residents.annotate(round_day=F("round__work_days").bitand(bit)).filter(
        round_day__gt=0
    )
    return (
        residents.exclude(_paused_on(day))
        .exclude(_uncovered_holiday(day))
        .order_by("round_id", "visit_order", "id")
    )


DATE_FIELDS = {
    f.name for f in Resident._meta.concrete_fields if f.get_internal_type() == "DateField"
}


@functools.lru_cache(maxsize=4096)
def _due_on_round_sql(
    day: date, round_id: int, fields: tuple[str, ...], vendor: str
) -> tuple[str, tuple[Any, ...]]:
    sql, params = due_residents(day, [round_id]).values(*fields).query.sql_with_params()
    return sql, tuple(params)


def due_on_round(day: date, round_id: int, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """`due_residents(day, [round_id]).values(*fields)`, with the SQL built once a process for
    each day and round: the worker's list is read at every doorstep, and building this query
    (its two subqueries and bit tests) cost the ORM 30 times what running it costs. The SQL
    depends only on the day, the round and the fields, never on the rows. Date columns come
    back as dates on every database (SQLite's driver gives text)."""
    sql, params = _due_on_round_sql(day, round_id, fields, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for name in set(names) & set(DATE_FIELDS):
        for row in rows:
            if isinstance(row[name], str):
                row[name] = date.fromisoformat(row[name])
    return rows


def on_holiday(round_: Round, day: date) -> bool:
    return round_.covers.filter(
        start_date__lte=day, end_date__gte=day, worker__isnull=True
    ).exists()


def _pending(day: date) -> list[RoundChange]:
    return list(
        RoundChange.objects.filter(applied_at__isnull=True, effective_on__lte=day)
        .select_related("to_round")
        .order_by("at", "id")
    )


def round_changes_apply(day: date) -> int:
    """Apply the round and visit-day changes due by `day` (the latest per person wins); returns
    how many people moved. Run just after midnight for the new day (and by the first list
    read of the day, see `round_changes_ensure`)."""
    pending = _pending(day)
    if not pending:
        return 0
    latest = {change.resident_id: change for change in pending}
    now = timezone.now()
    with transaction.atomic():
        for change in latest.values():
            Resident.objects.filter(pk=change.resident_id, status=ResidentStatus.ACTIVE).update(
                round_id=change.to_round_id, visit_days=change.to_days, visit_order=change.to_order
            )
        RoundChange.objects.filter(pk__in=[c.pk for c in pending]).update(applied_at=now)
    return len(latest)


APPLIED_FLAG = "checkins:round-changes-applied:{}"


def round_changes_ensure(day: date) -> int:
    """Apply `day`'s due changes once: the first caller of the day does it (behind a lock in
    the shared cache), every later read finds the flag and writes nothing."""
    flag = APPLIED_FLAG.format(day.isoformat())
    if cache.get(flag):
        return 0
    if not cache.add(f"{flag}:lock", 1, 60):
        return 0  # another request is applying them now
    try:
        moved = round_changes_apply(day)
        cache.set(flag, 1, 26 * 60 * 60)
    finally:
        cache.delete(f"{flag}:lock")
    return moved


def _would_be_due(change: RoundChange, day: date) -> bool:
    """Whether the person is due on `day` once `change` applies (for a list built ahead)."""
    bit = day_bit(day)
    round_ = change.to_round
    if not (change.to_days & bit and round_.work_days & bit) or on_holiday(round_, day):
        return False
    return (
        Resident.objects.filter(
            pk=change.resident_id,
            status=ResidentStatus.ACTIVE,
            consent_withdrawn_on__isnull=True,
        )
        .exclude(_paused_on(day))
        .exists()
    )


def plan_change(change: RoundChange, day: date) -> None:
    """Put a change not yet applied onto `day`'s cached plan (built ahead, the evening before):
    off the old round's list, onto the new one's at the end if due that day."""
    PlannedVisit.objects.filter(resident_id=change.resident_id, on=day).delete()
    if _would_be_due(change, day):
        last = PlannedVisit.objects.filter(round_id=change.to_round_id, on=day).count()
        PlannedVisit.objects.create(
            round_id=change.to_round_id, resident_id=change.resident_id, on=day, position=last + 1
        )


def lists_generate(day: date) -> int:
    """(Re)build every round's planned visits for `day`; returns how many were planned.

    Idempotent: the day's plan is replaced, so running it again after a late change (a new
    pause, a cover) gives the right list. One INSERT ... SELECT with a window function for
    the positions: the rows never travel through Python (100,000 residents in well under 2 s).
    """
    due = (
        due_residents(day)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("round_id")],
                order_by=[F("visit_order").asc(), F("id").asc()],
            )
        )
        .order_by()
        .values_list("round_id", "id", "position")
    )
    select_sql, params = due.query.sql_with_params()
    q = connection.ops.quote_name
    table = q(PlannedVisit._meta.db_table)
    insert = (
        f"INSERT INTO {table} ({q('round_id')}, {q('resident_id')}, {q('on')}, {q('position')}) "
        f"SELECT due.{q('round_id')}, due.{q('id')}, %s, due.{q('position')} "
        f"FROM ({select_sql}) due"
    )
    ahead = day > timezone.localdate()
    if not ahead:
        round_changes_apply(day)
    with transaction.atomic():
        PlannedVisit.objects.filter(on=day).delete()
        with connection.cursor() as cursor:
            cursor.execute(insert, [connection.ops.adapt_datefield_value(day), *params])
            count = cursor.rowcount
        if ahead:
            # Changes from that day are not applied yet (today's lists stay as they are):
            # the cached plan shows them as they will be.
            for change in {c.resident_id: c for c in _pending(day)}.values():
                plan_change(change, day)
            count = PlannedVisit.objects.filter(on=day).count()
    return count
