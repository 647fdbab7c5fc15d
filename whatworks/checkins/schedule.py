"""Who is on a round's list on a given day, and the nightly generation of tomorrow's lists.

A resident is due on a day when they are active, consenting, on a round, the day is one of
their visit days, they have not paused visits, and the round is not on holiday without cover.
The worker's page and the generator use the same query, so "planned" means the same thing
on the dashboard as on the doorstep.
"""

from __future__ import annotations

from datetime import date

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


def on_holiday(round_: Round, day: date) -> bool:
    return round_.covers.filter(
        start_date__lte=day, end_date__gte=day, worker__isnull=True
    ).exists()


def round_changes_apply(day: date) -> int:
    """Apply the round and visit-day changes due by `day` (the latest per person wins); returns
    how many people moved. Called before a day's list is built, and by the list page itself so
    that a missed nightly run cannot leave someone on the wrong round."""
    pending = list(
        RoundChange.objects.filter(applied_at__isnull=True, effective_on__lte=day).order_by(
            "at", "id"
        )
    )
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
    round_changes_apply(day)
    with transaction.atomic():
        PlannedVisit.objects.filter(on=day).delete()
        with connection.cursor() as cursor:
            cursor.execute(insert, [connection.ops.adapt_datefield_value(day), *params])
            return cursor.rowcount
