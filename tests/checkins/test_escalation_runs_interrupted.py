"""Escalation runs that die part way (a consumer killed mid-run) lose and double nothing:
each escalation, or each chase, is written with its messages in one transaction, so the
next run does exactly what the dead one had not (issue 18)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.checkins.conftest import make_resident
from whatworks.checkins import escalations, schedule
from whatworks.checkins.models import Escalation
from whatworks.core.models import Message

pytestmark = pytest.mark.django_db
PEOPLE = 5


class ConsumerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so nothing on the way catches it."""


def _dies_on_call(monkeypatch: pytest.MonkeyPatch, name: str, at: int) -> None:
    real = getattr(escalations, name)
    calls = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == at:
            raise ConsumerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(escalations, name, wrapper)


@pytest.fixture
def today(round_: Any) -> Any:
    """A round of PEOPLE residents, each planned a visit today that nobody recorded."""
    for i in range(PEOPLE):
        make_resident(round_, given=f"Person{i}")
    day = timezone.localdate()
    schedule.lists_generate(day)
    return day


def test_a_missed_visit_run_killed_part_way_flags_each_visit_once(
    today: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _dies_on_call(patch, "raise_escalation", 3)
        with pytest.raises(ConsumerKilled):
            escalations.missed_visits_flag(today)
    assert Escalation.objects.count() == 2
    assert escalations.missed_visits_flag(today) == PEOPLE - 2
    per_resident = Counter(Escalation.objects.values_list("resident_id", flat=True))
    assert len(per_resident) == PEOPLE and set(per_resident.values()) == {1}
    assert escalations.missed_visits_flag(today) == 0


def test_a_chase_run_killed_part_way_chases_each_task_once(
    today: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    escalations.missed_visits_flag(today)
    past = timezone.now() - timedelta(hours=2)
    Escalation.objects.update(due_at=past, next_chase_at=past)
    before = Message.objects.filter(template="checkins_chase").count()
    with monkeypatch.context() as patch:
        _dies_on_call(patch, "_chase", 4)
        with pytest.raises(ConsumerKilled):
            escalations.overdue_chase()
    assert Message.objects.filter(template="checkins_chase").count() == before + 3
    assert escalations.overdue_chase() == PEOPLE - 3
    assert Message.objects.filter(template="checkins_chase").count() == before + PEOPLE
    assert escalations.overdue_chase() == 0
