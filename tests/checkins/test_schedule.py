"""Who is on a day's list: visit days, pauses, holidays with and without cover."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.checkins.conftest import make_resident
from whatworks.checkins import schedule, services
from whatworks.checkins.models import Cover, Pause, PlannedVisit, mask_from_days

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 11, 30)


def test_it_plans_each_person_on_their_days_in_walk_order(world: Any, round_: Any) -> None:
    first = make_resident(round_, "Ann", "A", visit_days=mask_from_days([0, 2]), visit_order=2)
    second = make_resident(round_, "Bob", "B", visit_days=mask_from_days([0]), visit_order=1)
    make_resident(round_, "Cat", "C", visit_days=mask_from_days([1]), visit_order=0)
    make_resident(round_, "Dan", "D", visit_days=mask_from_days([0]), status="referred")
    assert schedule.lists_generate(MONDAY) == 2
    planned = list(PlannedVisit.objects.filter(on=MONDAY).order_by("position"))
    assert [(p.resident_id, p.position) for p in planned] == [(second.pk, 1), (first.pk, 2)]
    assert schedule.lists_generate(MONDAY) == 2  # again: replaced, not doubled
    assert PlannedVisit.objects.filter(on=MONDAY).count() == 2


def test_it_leaves_out_paused_people_and_uncovered_holidays(
    world: Any, scheme: Any, round_: Any
) -> None:
    paused = make_resident(round_, "Ann", "A")
    make_resident(round_, "Bob", "B")
    Pause.objects.create(
        resident=paused, start_date=MONDAY - timedelta(days=3), reason="In hospital"
    )
    assert schedule.lists_generate(MONDAY) == 1
    Cover.objects.create(round=round_, start_date=MONDAY, end_date=MONDAY, worker=None)
    assert schedule.lists_generate(MONDAY) == 0
    assert schedule.lists_generate(MONDAY + timedelta(days=1)) == 1


def test_it_keeps_the_list_when_someone_covers(world: Any, round_: Any) -> None:
    make_resident(round_)
    services.cover_add(
        round_=round_,
        start_date=MONDAY,
        end_date=MONDAY,
        worker=world["volunteer"],
        actor=world["officer"],
    )
    assert schedule.lists_generate(MONDAY) == 1


def test_it_numbers_each_round_from_one(world: Any, scheme: Any, round_: Any) -> None:
    from tests.checkins.conftest import make_round

    other = make_round(scheme, world["volunteer"], "Bus 52")
    make_resident(round_, "Ann", "A")
    make_resident(other, "Bob", "B")
    schedule.lists_generate(MONDAY)
    assert sorted(PlannedVisit.objects.values_list("position", flat=True)) == [1, 1]


def test_it_resumes_visits_after_a_pause(world: Any, round_: Any) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    today = timezone.localdate()
    resident = make_resident(round_)
    services.pause_add(resident=resident, start_date=today - timedelta(days=5), end_date=None,
                       reason="In hospital", actor=world["officer"])  # fmt: skip
    assert schedule.lists_generate(today) == 0
    services.pause_end(resident=resident, actor=world["officer"])
    assert Pause.objects.get().end_date == today - timedelta(days=1)
    assert schedule.lists_generate(today) == 1
    with pytest.raises(ValidationError, match="not paused"):
        services.pause_end(resident=resident, actor=world["officer"])
