"""Counts that add up: one definition of "planned" (the live schedule) for the dashboard and
the worker's list, on a day with changes after the evening job ran; and the worker's list
writes nothing on read and makes the same number of queries whatever the round's size."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.checkins.conftest import make_resident
from whatworks.checkins import schedule, selectors, services
from whatworks.checkins.models import Pause, PlannedVisit, Resident

pytestmark = pytest.mark.django_db


def _visit(resident: Any, day: Any = None) -> None:
    services.visit_record(
        round_=resident.round,
        worker=resident.round.worker,
        client_uuid=uuid.uuid4(),
        resident_id=resident.pk,
        visited_on=day or timezone.localdate(),
        outcome="well",
    )


def test_the_dashboard_counts_what_the_list_shows_after_late_changes(
    scheme: Any, round_: Any, resident: Any
) -> None:
    today = timezone.localdate()
    second = make_resident(round_, "Frank", "Hollis")
    schedule.lists_generate(today)  # the job ran: Edith and Frank planned
    # After the job: a new person joins, and Frank pauses visits.
    third = make_resident(round_, "Gwen", "Ashby")
    Pause.objects.create(resident=second, start_date=today, reason="In hospital")
    on_list = [e.resident.pk for e in selectors.todays_list(round_, today)]
    assert on_list == sorted([resident.pk, third.pk], key=lambda pk: pk)
    _visit(resident)
    _visit(third)
    _visit(second)  # visited anyway: counted apart, not as one of today's planned
    board = selectors.dashboard(scheme)
    assert (board.done_today, board.planned_today, board.extra_today) == (2, 2, 1)
    row = board.rounds[0]
    assert (row["done_today"], row["planned_today"]) == (2, 2)


def test_visits_without_the_evening_job_are_never_more_than_planned(
    scheme: Any, round_: Any, resident: Any
) -> None:
    second = make_resident(round_, "Frank", "Hollis")
    assert not PlannedVisit.objects.exists()  # the job never ran
    _visit(resident)
    _visit(second)
    board = selectors.dashboard(scheme)
    assert (board.done_today, board.planned_today) == (2, 2)  # never "2 of 0"
    assert (board.done_week, board.planned_week) == (2, 2)


def test_past_days_count_the_plan_as_the_day_ended(scheme: Any, round_: Any, resident: Any) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    second = make_resident(round_, "Frank", "Hollis")
    PlannedVisit.objects.create(round=round_, resident=resident, on=yesterday, position=1)
    _visit(resident, yesterday)
    _visit(second, yesterday)  # not on yesterday's plan
    board = selectors.dashboard(scheme)
    # Today: both planned (live), none done; yesterday: 1 of 1, and one extra.
    assert (board.done_today, board.planned_today) == (0, 2)
    assert (board.done_week, board.planned_week, board.extra_week) == (1, 3, 1)


def test_the_page_shows_the_same_count_as_the_list(
    as_verified: Any, world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    make_resident(round_, "Frank", "Hollis")
    _visit(resident)
    board = as_verified(world["officer"]).get(reverse("checkins-scheme", args=[scheme.pk]))
    assert 'id="count-today">1 of 2</span>' in board.content.decode()
    page = as_verified(world["frontline"]).get(reverse("checkins-round-today", args=[round_.pk]))
    assert "2 visits today" in page.content.decode()


def _writes(queries: list[dict[str, Any]]) -> list[str]:
    audit = "core_auditevent"
    return [
        q["sql"]
        for q in queries
        if q["sql"].split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and audit not in q["sql"]
        and "django_session" not in q["sql"]
    ]


def test_the_list_writes_nothing_on_read_after_the_first_of_the_day(
    as_verified: Any, world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    client = as_verified(world["frontline"])
    url = reverse("checkins-round-today", args=[round_.pk])
    client.get(url)  # the first read of the day may apply the day's round changes
    with CaptureQueriesContext(connection) as reads:
        assert client.get(url).status_code == 200
    assert _writes(reads.captured_queries) == []


def test_the_list_makes_the_same_number_of_queries_whatever_its_length(
    as_verified: Any, world: Any, scheme: Any, round_: Any, resident: Any
) -> None:
    client = as_verified(world["frontline"])
    url = reverse("checkins-round-today", args=[round_.pk])
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for i in range(120):
        make_resident(round_, f"Person{i}", "Long", visit_order=i)
    from whatworks.checkins.models import Appointment

    Appointment.objects.bulk_create(
        Appointment(resident=r, on=timezone.localdate(), what="Clinic")
        for r in Resident.objects.filter(round=round_)[:40]
    )
    large = count()
    assert Resident.objects.filter(round=round_).count() == 121
    assert large == small
