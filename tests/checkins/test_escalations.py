"""Escalations are tracked until closed; overdue ones are chased; missed visits flagged; rules
are data the coordinator edits."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import escalations, schedule, services
from whatworks.checkins.models import Escalation, EscalationRule, PlannedVisit
from whatworks.core.models import Message

pytestmark = pytest.mark.django_db


def _concern(resident: Any) -> Escalation:
    visit, _ = services.visit_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome="concern",
    )
    return visit.escalation_set.get()


def test_it_closes_a_task_with_a_note_and_keeps_the_history(world: Any, resident: Any) -> None:
    escalation = _concern(resident)
    with pytest.raises(ValidationError):
        services.escalation_close(escalation=escalation, actor=world["officer"], note=" ")
    services.escalation_close(
        escalation=escalation, actor=world["officer"], note="Daughter visited"
    )
    escalation.refresh_from_db()
    assert escalation.status == "closed" and escalation.closed_at is not None
    assert [c.status for c in escalation.changes.all()] == ["open", "open", "closed"]
    with pytest.raises(ValidationError, match="already closed"):
        services.escalation_close(escalation=escalation, actor=world["officer"], note="again")


def test_it_chases_overdue_tasks_once_a_day(world: Any, resident: Any) -> None:
    EscalationRule.objects.filter(outcome="concern").update(urgency="within_days")
    escalation = _concern(resident)
    past = timezone.now() - timedelta(hours=2)
    Escalation.objects.filter(pk=escalation.pk).update(due_at=past, next_chase_at=past)
    before = Message.objects.filter(template="checkins_chase").count()
    assert escalations.overdue_chase() == 1
    assert escalations.overdue_chase() == 0  # not again within the day
    chased = Message.objects.filter(template="checkins_chase")
    assert chased.count() == before + 1 and chased.get().recipient == world["officer"].email
    later = timezone.now() + timedelta(hours=25)
    assert escalations.overdue_chase(now=later) == 1


def test_it_flags_a_missed_visit_to_the_coordinator(world: Any, resident: Any) -> None:
    today = timezone.localdate()
    schedule.lists_generate(today)
    assert PlannedVisit.objects.filter(on=today).count() == 1
    assert escalations.missed_visits_flag(today) == 1
    assert escalations.missed_visits_flag(today) == 0  # once
    assert Escalation.objects.get().trigger == "missed"


def test_it_raises_tasks_from_a_coordinators_answer_rule(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    client = as_verified(world["officer"])
    url = reverse("checkins-rule-new", kwargs={"scheme_pk": scheme.pk})
    bad = client.post(
        url,
        {
            "name": "Unwell",
            "trigger": "answer",
            "question_code": "nope",
            "answer_value": "Unwell",
            "channel": "sms",
            "deadline_hours": 4,
            "streak": 2,
            "urgency": "same_day",
        },
    )
    assert b"Enter the short name of one of the scheme" in bad.content
    good = client.post(
        url,
        {
            "name": "Unwell",
            "trigger": "answer",
            "question_code": "how_are_you",
            "answer_value": "Unwell",
            "notify_coordinator": "on",
            "channel": "sms",
            "deadline_hours": 4,
            "streak": 2,
            "urgency": "same_day",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    rule = EscalationRule.objects.get(name="Unwell")
    how = scheme.modules.get(name="Every visit").questions.get(code="how_are_you")
    services.visit_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome="well",
        answers={str(how.pk): "Unwell"},
    )
    escalation = Escalation.objects.get(rule=rule)
    assert escalation.due_at < timezone.now() + timedelta(hours=4, minutes=1)
