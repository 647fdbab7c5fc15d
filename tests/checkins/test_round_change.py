"""The coordinator moves an accepted person to another round or other days, from the next list."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import make_round
from whatworks.checkins import schedule, services
from whatworks.checkins.models import PlannedVisit, Resident, RoundChange, Visit
from whatworks.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _on(day: Any) -> Any:
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def _days_from(day: Any, n: int) -> list[str]:
    return [str((day.weekday() + i) % 7) for i in range(n)]


def test_it_moves_a_person_to_another_round_from_the_next_list(
    as_verified: Any, world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    walk_9 = make_round(scheme, world["volunteer"], "Walk 9, Jarvis Brook")
    coordinator = as_verified(world["officer"])
    url = reverse("checkins-resident-round", kwargs={"pk": resident.pk})
    page = coordinator.get(url).content.decode()
    assert "takes effect from the next list" in page
    days = _days_from(tomorrow, 3)  # tomorrow and the two days after
    response = coordinator.post(
        url, {"round": walk_9.pk, "visit_days": days, "visit_order": 4}, follow=True
    )
    assert "is on Walk 9, Jarvis Brook" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="checkins.resident.round_changed", personal_data=True
    ).exists()
    record = coordinator.get(reverse("checkins-resident", kwargs={"pk": resident.pk}))
    assert b"round-change" in record.content
    # Today's list is unchanged: the old worker still visits her today, the new one does not.
    old_worker = as_verified(world["frontline"])
    old_list = reverse("checkins-round-today", kwargs={"pk": round_.pk})
    new_list = reverse("checkins-round-today", kwargs={"pk": walk_9.pk})
    assert b"Edith Marsh" in old_worker.get(old_list).content
    new_worker = as_verified(world["volunteer"])
    assert b"Edith Marsh" not in new_worker.get(new_list).content
    # The next list is built in the evening: she is on Walk 9 from tomorrow...
    schedule.lists_generate(tomorrow)
    planned = PlannedVisit.objects.get(resident=resident, on=tomorrow)
    assert planned.round == walk_9
    # ...while today's list still has her on the old round until the day ends.
    assert b"Edith Marsh" in as_verified(world["frontline"]).get(old_list).content
    resident.refresh_from_db()
    assert resident.round == round_
    with _on(tomorrow):
        schedule.round_changes_ensure(tomorrow)  # the job just after midnight
        resident.refresh_from_db()
        assert (resident.round, resident.visit_order) == (walk_9, 4)
        assert sorted(resident.visit_day_names) == sorted(
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][int(d)]
            for d in days
        )
        old_worker = as_verified(world["frontline"])
        assert b"Edith Marsh" not in old_worker.get(old_list).content
        resident_url = reverse("checkins-resident", kwargs={"pk": resident.pk})
        assert old_worker.get(resident_url).status_code == 404
        new_worker = as_verified(world["volunteer"])
        assert b"Edith Marsh" in new_worker.get(new_list).content
        assert new_worker.get(resident_url).status_code == 200


def test_it_applies_a_change_even_when_the_nightly_list_did_not_run(
    world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    walk_9 = make_round(scheme, world["volunteer"], "Walk 9")
    services.resident_round_change(resident=resident, round_=walk_9,
                                   visit_days=[tomorrow.weekday()], visit_order=0,
                                   actor=world["officer"])  # fmt: skip
    from whatworks.checkins import selectors

    assert selectors.todays_list(walk_9, timezone.localdate()) == []
    assert [e.resident.pk for e in selectors.todays_list(walk_9, tomorrow)] == [resident.pk]
    assert RoundChange.objects.get().applied_at is not None


def test_it_refuses_days_the_round_does_not_run_and_too_many_days(
    as_verified: Any, world: Any, scheme: Any, resident: Any
) -> None:
    weekdays_only = make_round(scheme, world["volunteer"], "Bus 3")
    weekdays_only.work_days = 0b0011111
    weekdays_only.save()
    client = as_verified(world["officer"])
    url = reverse("checkins-resident-round", kwargs={"pk": resident.pk})
    sunday = client.post(url, {"round": weekdays_only.pk, "visit_days": ["0", "6"],
                               "visit_order": 0}).content.decode()  # fmt: skip
    assert "govuk-error-summary" in sunday and 'href="#id_visit_days' in sunday
    assert "Bus 3 does not run on Sunday: choose days it runs" in sunday
    seven = client.post(url, {"round": weekdays_only.pk, "visit_days": [str(d) for d in range(7)],
                              "visit_order": 0}).content.decode()  # fmt: skip
    assert "Select between 1 and 6 visit days" in seven
    assert not RoundChange.objects.exists()


def test_it_keeps_a_visit_the_old_worker_sends_late(
    world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    today = timezone.localdate()
    walk_9 = make_round(scheme, world["volunteer"], "Walk 9")
    services.resident_round_change(resident=resident, round_=walk_9, visit_days=[0, 3],
                                   visit_order=0, actor=world["officer"])  # fmt: skip
    schedule.lists_generate(today + timedelta(days=1))  # the evening run applies the change
    visit, created = services.visit_record(
        round_=round_,
        worker=world["frontline"],
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=today,
        outcome="well",
    )
    assert created and Visit.objects.filter(pk=visit.pk, round=round_).exists()


def test_it_moves_only_people_who_are_visited(
    as_verified: Any, world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    Resident.objects.filter(pk=resident.pk).update(status="referred")
    client = as_verified(world["officer"])
    url = reverse("checkins-resident-round", kwargs={"pk": resident.pk})
    assert client.get(url).status_code == 404
