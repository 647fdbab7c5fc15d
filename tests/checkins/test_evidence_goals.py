"""The scheme's figures feed its initiative's goals (issue 17): goals are linked to the scheme's
metrics when the scheme is set up, and later goals when they are added, with a default design."""

from __future__ import annotations

from datetime import date

from whatworks.checkins import outcomes, services
from whatworks.initiatives import services as register
from whatworks.measures.models import Observation


def initiative(world):
    return register.initiative_create(
        organisation=world.org_a,
        actor=world["officer"],
        title="Call & Check",
        summary="Welfare checks on the postal round",
        service_area="adult_care",
        visibility="peers",
        planned_start=date(2025, 1, 1),
    )


def goal(world, record, name, **fields):
    values = {
        "metric_name": name,
        "unit": "admissions",
        "direction": "lower",
        "baseline_value": 9,
        "baseline_period": "2024",
        "target_value": 6,
        "success_threshold": 8,
        "judge_by": date(2026, 1, 1),
    }
    values.update(fields)
    return register.goal_add(initiative=record, actor=world["officer"], **values)


def test_setting_up_a_scheme_links_its_initiatives_goals_with_a_default_design(world):
    record = initiative(world)
    admissions = goal(world, record, "Emergency admissions")
    loneliness = goal(world, record, "UCLA-3 loneliness change", judge_by=None)
    unrelated = goal(world, record, "Residents' satisfaction")
    scheme = services.scheme_create(
        organisation=world.org_a,
        name="Call and Check Wealden",
        actor=world["officer"],
        initiative=record,
    )
    admissions.refresh_from_db(), loneliness.refresh_from_db(), unrelated.refresh_from_db()
    assert admissions.metric.name == "Call and Check Wealden: emergency admissions"
    assert admissions.measured_design == "before_after"
    # No figures yet before the start: the typed baseline stays, and says so.
    assert admissions.baseline_rule == "" and admissions.baseline_value == 9
    # A change score has no "before" to compare with: linked for its figures only.
    assert loneliness.metric.name == outcomes.metric_name(scheme, "UCLA-3 change from baseline")
    assert loneliness.measured_design == ""
    assert unrelated.metric is None


def test_a_goal_added_later_takes_its_baseline_from_the_schemes_figures(world):
    record = initiative(world)
    scheme = services.scheme_create(
        organisation=world.org_a,
        name="Call and Check Wealden",
        actor=world["officer"],
        initiative=record,
    )
    metric = outcomes.scheme_metrics(scheme)["emergency admissions"]
    for month in range(1, 13):  # imported from the NHS partner: 2024, 10 a month then 12
        Observation.objects.create(
            metric=metric,
            organisation=world.org_a,
            period_start=date(2024, month, 1),
            value=10 if month <= 6 else 12,
        )
    added = goal(world, record, "Emergency admissions of people on the scheme")
    assert added.metric == metric and added.measured_design == "before_after"
    assert added.baseline_rule == "last_periods" and added.baseline_periods == 12
    assert added.baseline_value == 11
    assert added.baseline_period == "January 2024 to December 2024 (12 periods)"


def test_the_scheme_writes_the_figures_issue_17_lists(world):
    scheme = services.scheme_create(
        organisation=world.org_a, name="Call and Check Wealden", actor=world["officer"]
    )
    names = set(outcomes.scheme_metrics(scheme))
    assert {
        "visits delivered",
        "concerns raised",
        "days to close a concern",
        "UCLA-3 change from baseline",
        "missed appointments",
        "emergency admissions",
        "cost per visit",
    } <= names
