"""A staff ideas campaign feeds the goals of the register record that evaluates it (issue 17):
linking the record links its goals to the campaign's own figures, and later goals when added."""

from __future__ import annotations

from datetime import date

import pytest

from tests.ideas.support import campaign_for
from whatworks.ideas import measures, services
from whatworks.initiatives import services as register
from whatworks.initiatives.models import Goal


def evaluating_record(world, organisation=None):
    return register.initiative_create(
        organisation=organisation or world.org_a,
        actor=world["officer"] if organisation is None else world["outsider"],
        title="Big idea days",
        summary="Staff ideas campaigns across the council",
        service_area="back_office",
        visibility="peers",
        planned_start=date(2027, 1, 4),
    )


def goal(world, record, name):
    return register.goal_add(
        initiative=record,
        actor=world["officer"],
        metric_name=name,
        unit="ideas",
        direction="higher",
        baseline_value=3,
        baseline_period="2026",
        target_value=10,
        success_threshold=6,
    )


def test_linking_the_evaluating_record_links_its_goals_to_the_campaigns_figures(world):
    record = evaluating_record(world)
    piloted = goal(world, record, "Staff ideas piloted each year")
    unrelated = goal(world, record, "Staff sickness absence")
    campaign = campaign_for(world)
    services.campaign_update(campaign=campaign, actor=world["officer"], initiative=record)
    piloted.refresh_from_db()
    unrelated.refresh_from_db()
    assert piloted.metric is not None and piloted.metric.name == measures.PILOTED
    assert piloted.metric.organisation == world.org_a
    assert piloted.measured_design == ""  # one figure a campaign: judged by hand for now
    assert unrelated.metric is None
    # A goal added later is linked as it is added.
    savings = goal(world, record, "Realised savings")
    assert Goal.objects.get(pk=savings.pk).metric.name == measures.SAVINGS


def test_a_campaign_cannot_be_evaluated_by_another_organisations_record(world):
    elsewhere = evaluating_record(world, organisation=world.org_b)
    with pytest.raises(Exception, match="your own organisation"):
        campaign_for(world, initiative=elsewhere)


def test_the_campaign_form_offers_only_the_organisations_own_records(world, client_for):
    own = evaluating_record(world)
    elsewhere = evaluating_record(world, organisation=world.org_b)
    page = client_for(world["officer"]).get("/ideas/new/?organisation=wealden")
    body = page.content.decode()
    assert f'value="{own.pk}"' in body and f'value="{elsewhere.pk}"' not in body
    assert "None chosen" in body
