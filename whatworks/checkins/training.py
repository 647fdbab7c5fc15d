"""Workers' training: the modules a scheme asks for (such as spotting decline), when each
worker completed them, and when that runs out. A worker without a current record of every
module cannot be given a round or cover; a reminder goes to them, through the outbox, a
month before a record runs out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from whatworks.checkins import services  # the module: services also uses this one
from whatworks.checkins.models import (
    Cover,
    Scheme,
    SchemeRoleKind,
    TrainingModule,
    TrainingRecord,
)
from whatworks.checkins.validation import display_phone
from whatworks.core.messaging import message_queue
from whatworks.core.models import Channel
from whatworks.organisations.models import User
from whatworks.ui.templatetags.govuk import govuk_date

REMIND_BEFORE = timedelta(days=30)


@transaction.atomic
def module_add(
    *, scheme: Scheme, name: str, renew_after_months: int | None, actor: Any
) -> TrainingModule:
    module = TrainingModule(scheme=scheme, name=name.strip(), renew_after_months=renew_after_months)
    module.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            module.save()
    except IntegrityError:
        raise ValidationError({"name": f"'{module.name}' is on the list already"}) from None
    services.audit_event("training.module_added", module, scheme, actor)
    return module


@transaction.atomic
def training_record(
    *, module: TrainingModule, user: Any, completed_on: date, actor: Any
) -> TrainingRecord:
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "Date completed must be today or in the past"})
    months = module.renew_after_months
    record = TrainingRecord.objects.create(
        module=module,
        user=user,
        completed_on=completed_on,
        expires_on=completed_on + relativedelta(months=months) if months else None,
        recorded_by=actor,
    )
    services.audit_event("training.recorded", record, module.scheme, actor, user=user.pk)
    return record


def _current(on: date) -> Q:
    return Q(completed_on__lte=on) & (Q(expires_on__isnull=True) | Q(expires_on__gte=on))


def missing(scheme: Scheme, user: Any, on: date) -> list[TrainingModule]:
    """The scheme's modules `user` has no current record of on `on`."""
    done = TrainingRecord.objects.filter(_current(on), user=user, module__scheme=scheme)
    return list(scheme.training_modules.exclude(pk__in=done.values("module_id")))


def lapsed_on_rounds(
    scheme: Scheme, today: date, rounds: list[Any]
) -> dict[int, list[tuple[Any, list[str]]]]:
    """For each of the scheme's `rounds` (with their workers): whoever works it today (its
    worker, or the person covering it) whose training in some module is not current, with the
    modules' names. A refusal stops anyone being given a round without training; this finds
    training that ran out afterwards. Three queries, whatever the number of rounds."""
    modules = {m.pk: m.name for m in scheme.training_modules.all()}
    if not modules:
        return {}
    holders: dict[int, list[Any]] = {}
    for round_ in rounds:
        if round_.worker is not None:
            holders.setdefault(round_.pk, []).append(round_.worker)
    covers = Cover.objects.filter(
        round__scheme=scheme, start_date__lte=today, end_date__gte=today, worker__isnull=False
    ).select_related("worker")
    for cover in covers:
        holders.setdefault(cover.round_id, []).append(cover.worker)
    users = {user.pk for people in holders.values() for user in people}
    current: dict[int, set[int]] = {}
    for user_id, module_id in TrainingRecord.objects.filter(
        _current(today), module__scheme=scheme, user_id__in=users
    ).values_list("user_id", "module_id"):
        current.setdefault(user_id, set()).add(module_id)
    lapsed: dict[int, list[tuple[Any, list[str]]]] = {}
    for round_id, people in holders.items():
        for user in people:
            lacking = [name for pk, name in modules.items() if pk not in current.get(user.pk, ())]
            if lacking:
                lapsed.setdefault(round_id, []).append((user, lacking))
    return lapsed


def refuse_untrained(scheme: Scheme, user: Any, on: date, field: str) -> None:
    """Raise on `field` if `user` lacks current training on `on` (services call this before
    giving anyone a round or cover)."""
    if user is None:
        return
    lacking = missing(scheme, user, on)
    if lacking:
        names = ", ".join(m.name for m in lacking)
        raise ValidationError(
            {field: f"{user.full_name} has no current training in {names}: record it first"}
        )


@dataclass(frozen=True)
class Standing:
    module: TrainingModule
    record: TrainingRecord | None
    state: str  # "current", "runs out soon", "out of date", "not done"


def standings(scheme: Scheme, today: date) -> list[tuple[Any, list[Standing]]]:
    """Each worker on the scheme with their latest record of each module, for the page."""
    modules = list(scheme.training_modules.all())
    # Workers, and people trained before they are given a round (recording training gives
    # no role: that comes with a round or cover).
    workers = list(
        User.objects.filter(
            Q(checkin_roles__scheme=scheme, checkin_roles__role=SchemeRoleKind.WORKER)
            | Q(pk__in=TrainingRecord.objects.filter(module__scheme=scheme).values("user_id"))
        )
        .distinct()
        .order_by("full_name", "pk")
    )
    latest: dict[tuple[int, int], TrainingRecord] = {}
    for done in TrainingRecord.objects.filter(module__scheme=scheme).order_by("completed_on", "id"):
        latest[(done.user_id, done.module_id)] = done  # the last one wins
    rows = []
    for worker in workers:
        row = []
        for module in modules:
            record = latest.get((worker.pk, module.pk))
            if record is None:
                state = "not done"
            elif record.expires_on is not None and record.expires_on < today:
                state = "out of date"
            elif record.expires_on is not None and record.expires_on - today <= REMIND_BEFORE:
                state = "runs out soon"
            else:
                state = "current"
            row.append(Standing(module, record, state))
        rows.append((worker, row))
    return rows


def remind_expiring(today: date | None = None) -> int:
    """Tell each worker, once, that a module's record runs out within a month (and only if
    it is their latest record of that module). Returns how many were told."""
    today = today or timezone.localdate()
    due = TrainingRecord.objects.filter(
        reminded_at__isnull=True, expires_on__gte=today, expires_on__lte=today + REMIND_BEFORE
    ).select_related("module__scheme", "user")
    told = 0
    for record in due:
        newer = TrainingRecord.objects.filter(
            module=record.module, user=record.user, completed_on__gt=record.completed_on
        )
        with transaction.atomic():
            claimed = TrainingRecord.objects.filter(pk=record.pk, reminded_at__isnull=True)
            if not claimed.update(reminded_at=timezone.now()) or newer.exists():
                continue
            assert record.expires_on is not None  # filtered above
            message_queue(
                channel=Channel.EMAIL,
                recipient=record.user.email,
                template="checkins_training_due",
                personalisation={
                    "scheme": record.module.scheme.name,
                    "module": record.module.name,
                    "expires": govuk_date(record.expires_on),
                    "coordinator_phone": display_phone(record.module.scheme.coordinator_phone),
                },
            )
            told += 1
    return told
