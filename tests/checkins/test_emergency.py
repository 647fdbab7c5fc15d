"""Urgency and emergencies: an emergency shows the worker what to do, records what they did
and texts the coordinator at once; each urgency's deadline and chases follow the ladder,
tested with the clock passed in (`now`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from whatworks.checkins import escalations, services
from whatworks.checkins.models import Escalation, EscalationRule, Scheme
from whatworks.core.models import Message

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
ALERT_MOBILE = "+447912345679"


@pytest.fixture
def alerting(scheme: Scheme) -> Scheme:
    Scheme.objects.filter(pk=scheme.pk).update(alert_mobile=ALERT_MOBILE)
    scheme.refresh_from_db()
    return scheme


def _rule(scheme: Scheme, urgency: str) -> EscalationRule:
    return EscalationRule.objects.get(
        scheme=scheme,
        outcome={"emergency": "emergency", "same_day": "concern"}.get(urgency, ""),
        trigger="outcome" if urgency != "within_days" else "missed",
    )


def _raise(resident: Any, urgency: str, now: datetime) -> Escalation:
    return escalations.raise_escalation(
        rule=_rule(resident.scheme, urgency), resident=resident, summary="Test task", now=now
    )


def _texts(template: str) -> list[Message]:
    return list(Message.objects.filter(channel="sms", template=template))


def _record(resident: Any, outcome: str, **extra: Any) -> Any:
    visit, _ = services.visit_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=timezone.localdate(),
        outcome=outcome,
        **extra,
    )
    return visit


def test_the_default_rules_give_each_danger_an_urgency(scheme: Scheme) -> None:
    urgencies = dict(scheme.rules.values_list("name", "urgency"))
    assert urgencies == {
        "In danger now: an emergency": "emergency",
        "A concern at a visit": "same_day",
        "No answer on two visits in a row": "same_day",
        "A planned visit was missed": "within_days",
    }


def test_an_emergency_is_due_in_an_hour_texts_at_once_and_every_half_hour(
    alerting: Scheme, resident: Any
) -> None:
    raised = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
    task = _raise(resident, "emergency", raised)
    assert task.urgency == "emergency" and task.due_at == raised + timedelta(hours=1)
    [alert] = _texts("checkins_emergency")
    assert alert.recipient == ALERT_MOBILE
    assert "Edith" not in str(alert.personalisation) and "Marsh" not in str(alert.personalisation)
    assert escalations.overdue_chase(now=raised + timedelta(minutes=29)) == 0
    assert escalations.overdue_chase(now=raised + timedelta(minutes=30)) == 1
    assert escalations.overdue_chase(now=raised + timedelta(minutes=31)) == 0  # not twice
    assert len(_texts("checkins_emergency_chase")) == 1
    assert escalations.overdue_chase(now=raised + timedelta(minutes=60)) == 1
    assert len(_texts("checkins_emergency_chase")) == 2
    services.escalation_close(escalation=task, actor=alerting.created_by, note="Ambulance came")
    assert escalations.overdue_chase(now=raised + timedelta(hours=3)) == 0


def test_a_same_day_concern_is_due_tonight_and_chased_every_two_hours(resident: Any) -> None:
    raised = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
    task = _raise(resident, "same_day", raised)
    assert task.due_at == datetime(2026, 3, 2, 23, 59, tzinfo=LONDON)
    assert escalations.overdue_chase(now=raised + timedelta(hours=1, minutes=59)) == 0
    assert escalations.overdue_chase(now=raised + timedelta(hours=2)) == 1
    assert escalations.overdue_chase(now=raised + timedelta(hours=3)) == 0
    assert escalations.overdue_chase(now=raised + timedelta(hours=4)) == 1
    chases = Message.objects.filter(template="checkins_chase").order_by("id")
    assert chases.count() == 2 and chases[0].personalisation["still_open"] is True
    assert not _texts("checkins_emergency_chase")


def test_a_same_day_concern_raised_late_still_gets_an_hour(resident: Any) -> None:
    raised = datetime(2026, 3, 2, 23, 30, tzinfo=LONDON)
    assert _raise(resident, "same_day", raised).due_at == raised + timedelta(hours=1)


def test_a_within_days_task_is_chased_at_its_deadline_then_daily(resident: Any) -> None:
    raised = datetime(2026, 3, 2, 21, 0, tzinfo=LONDON)
    task = _raise(resident, "within_days", raised)
    assert task.due_at == raised + timedelta(hours=24)
    assert escalations.overdue_chase(now=raised + timedelta(hours=23)) == 0
    assert escalations.overdue_chase(now=raised + timedelta(hours=24)) == 1
    assert escalations.overdue_chase(now=raised + timedelta(hours=47)) == 0
    assert escalations.overdue_chase(now=raised + timedelta(hours=48)) == 1


def test_an_emergency_visit_records_what_the_worker_did_and_texts_the_coordinator(
    alerting: Scheme, resident: Any
) -> None:
    visit = _record(resident, "emergency", note="Fell yesterday", emergency_actions=["called_999"])
    task = visit.escalation_set.get()
    assert task.urgency == "emergency" and task.worker_actions == ["called_999"]
    notes = [c.note for c in task.changes.all()]
    assert "The worker said: I called 999." in notes
    assert any("texted at once" in n for n in notes)
    assert [m.recipient for m in _texts("checkins_emergency")] == [ALERT_MOBILE]
    # The nominated contact is told too, and the coordinators are emailed.
    assert Message.objects.filter(recipient="+447912345678").exists()
    assert Message.objects.filter(template="checkins_task", channel="email").exists()
    # Afterwards the worker adds what else they did; the same again adds nothing.
    services.emergency_actions_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=visit.client_uuid,
        actions=["called_contact", "called_999"],
    )
    services.emergency_actions_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=visit.client_uuid,
        actions=["called_contact"],
    )
    task.refresh_from_db()
    assert task.worker_actions == ["called_999", "called_contact"]
    said = [c.note for c in task.changes.all() if c.note.startswith("The worker said")]
    assert said == [
        "The worker said: I called 999.",
        "The worker said: I called their nominated contact.",
    ]


def test_an_emergency_alerts_even_when_its_rule_was_switched_off(resident: Any) -> None:
    EscalationRule.objects.filter(outcome="emergency").update(is_active=False)
    visit = _record(resident, "emergency")
    task = visit.escalation_set.get()
    assert task.urgency == "emergency"
    # No mobile for alerts on this scheme: the task says so, and the coordinators are emailed.
    assert any("no mobile for emergency alerts" in c.note for c in task.changes.all())
    assert Message.objects.filter(template="checkins_task").exists()


def test_unknown_emergency_actions_are_refused_and_nothing_is_written(resident: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Select what you did"):
        _record(resident, "emergency", emergency_actions=["called_police"])
    assert not Escalation.objects.exists()


def test_the_worker_is_sent_to_the_emergency_page_with_999_and_111(
    as_verified: Any, world: Any, alerting: Scheme, resident: Any
) -> None:
    client = as_verified(world["frontline"])
    key = uuid.uuid4()
    url = reverse("checkins-visit-record", kwargs={"pk": resident.round_id})
    fields = {
        "client_uuid": str(key),
        "resident": resident.pk,
        "visited_on": timezone.localdate().isoformat(),
        "outcome": "emergency",
    }
    answer = client.post(url, fields, HTTP_ACCEPT="application/json")
    assert answer.status_code == 201 and answer.json()["emergency"] is True
    page_url = answer.json()["emergency_url"]
    assert client.post(url, fields).url == page_url  # without JavaScript: straight there
    page = client.get(page_url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "call 999" in text and "call 111" in text and "Ruth Marsh" in text
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    empty = client.post(page_url, {})
    assert "Select what you have done" in empty.content.decode()
    done = client.post(page_url, {"actions": ["called_111", "called_contact"]})
    assert done.status_code == 302
    assert Escalation.objects.get().worker_actions == ["called_111", "called_contact"]
    task_page = as_verified(world["officer"]).get(
        reverse("checkins-escalation", args=[Escalation.objects.get().pk])
    )
    assert "Emergency" in task_page.content.decode()


def test_the_list_marks_emergency_outcomes_and_answers_for_offline_guidance(
    as_verified: Any, world: Any, scheme: Scheme, resident: Any
) -> None:
    EscalationRule.objects.create(
        scheme=scheme,
        name="Cannot get up",
        trigger="answer",
        question_code="how_are_you",
        answer_value="Unwell",
        urgency="emergency",
    )
    page = as_verified(world["frontline"]).get(
        reverse("checkins-round-today", kwargs={"pk": resident.round_id})
    )
    text = page.content.decode()
    assert 'value="emergency" data-emergency' in text
    assert 'value="Unwell" data-emergency' in text
    assert 'value="concern" data-emergency' not in text
    assert "data-emergency-guidance" in text and "call 999" in text
