"""A record offers only what makes sense for it now: no actual dates while it is an idea,
"Record why it didn't work" only when it fell short, no "Amend" or "Record result" once its
result is published."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.forum.helpers import failed_initiative
from whatworks.initiatives import services as register
from whatworks.initiatives.forms import InitiativeForm
from whatworks.initiatives.models import Initiative, Status

pytestmark = pytest.mark.django_db


def _started_with_result(world, value: float, ci: tuple[float, float]) -> Initiative:
    initiative = register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Bulky waste booked online",
        summary="Online booking",
        service_area="waste",
        visibility="public",
    )
    goal = register.goal_add(
        initiative=initiative, actor=world["officer"], metric_name="Bookings online",
        unit="%", direction="higher", baseline_value=10, baseline_period="2016",
        target_value=40, success_threshold=30,
    )  # fmt: skip
    for status in (Status.PLANNED, Status.STARTED, Status.EVALUATING):
        register.initiative_change_status(
            initiative=initiative, to_status=status, actor=world["officer"]
        )
    register.result_record(
        goal=goal, actor=world["officer"], value=value, design="before_after",
        ci_low=ci[0], ci_high=ci[1],
    )  # fmt: skip
    initiative.refresh_from_db()
    return initiative


def test_registering_an_idea_does_not_ask_for_actual_dates(world, client_for):
    assert "actual_start" not in InitiativeForm().fields
    page = client_for(world["officer"]).get(reverse("initiative-new")).content.decode()
    assert "Actual start" not in page and "Actual end" not in page
    started = _started_with_result(world, 35, (32, 38))
    assert "actual_start" in InitiativeForm(instance=started).fields


def test_why_it_did_not_work_is_offered_only_when_it_fell_short(world, client_for):
    met = _started_with_result(world, 35, (32, 38))
    assert met.verdict == "met"
    client = client_for(world["officer"])
    assert "Record why it didn" not in client.get(met.get_absolute_url()).content.decode()
    missed = _started_with_result(world, 20, (17, 23))
    assert missed.verdict == "not_met"
    assert "Record why it didn" in client.get(missed.get_absolute_url()).content.decode()


def test_no_amend_or_record_result_after_publication(world, client_for):
    evaluating = _started_with_result(world, 35, (32, 38))
    client = client_for(world["officer"])
    page = client.get(evaluating.get_absolute_url()).content.decode()
    assert ">Amend<" in page and "Record another result" in page
    published = failed_initiative(world)
    page = client.get(published.get_absolute_url()).content.decode()
    assert ">Amend<" not in page and "Record another result" not in page
    assert "Record result" not in page
