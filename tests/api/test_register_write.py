"""register:write: a key creates and changes its organisation's draft initiatives, adds and
changes goals and records results, through the register's services and with their refusals."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.api.support import bearer, key_for
from tests.measures.conftest import make_metric
from tests.trials.test_app_fixtures import initiative_for
from tests.trials.test_evidence_loop import months, write
from whatworks.core.models import AuditEvent
from whatworks.initiatives.models import Goal, GoalAmendment, GoalResult, Initiative

DRAFT = {
    "title": "Food waste caddies for flats",
    "summary": "Caddies and liners for flats above shops",
    "service_area": "waste",
    "visibility": "peers",
    "collaborations": ["public"],
}
GOAL = {
    "metric_name": "Food waste collected",
    "unit": "tonnes a month",
    "direction": "higher",
    "baseline_value": 12,
    "baseline_period": "2025",
    "target_value": 20,
    "success_threshold": 16,
}


@pytest.fixture
def writer(world):
    return key_for(world.org_a, "read", "register:write", name="Waste system")


def send(client, method, url, raw, body=None, **headers):
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json", **bearer(raw), **headers
    )


def test_it_registers_a_draft_for_the_keys_organisation(client, world, writer):
    response = send(client, "post", "/api/initiatives", writer, DRAFT)
    assert response.status_code == 201, response.content
    initiative = Initiative.objects.get(pk=response.json()["id"])
    assert initiative.organisation == world.org_a
    assert initiative.status == "idea"
    # The admin who made the key answers for what it registers; the log names the key.
    assert initiative.created_by == world["admin"]
    event = AuditEvent.objects.get(action="initiative.created")
    assert "Waste system" in event.api_key_label


def test_it_refuses_a_started_status_for_a_new_record(client, writer):
    response = send(client, "post", "/api/initiatives", writer, {**DRAFT, "status": "started"})
    assert response.status_code == 422
    assert not Initiative.objects.exists()


def test_it_changes_only_the_fields_sent_on_a_draft(client, writer):
    made = send(client, "post", "/api/initiatives", writer, DRAFT).json()
    response = send(client, "patch", f"/api/initiatives/{made['id']}", writer, {"title": "Caddies"})
    assert response.status_code == 200, response.content
    initiative = Initiative.objects.get(pk=made["id"])
    assert initiative.title == "Caddies"
    assert initiative.summary == DRAFT["summary"]
    assert initiative.tags.filter(value="public").exists()


def test_a_started_record_is_not_changed_through_the_api(client, world, writer):
    started = initiative_for(world)
    response = send(client, "patch", f"/api/initiatives/{started.pk}", writer, {"title": "New"})
    assert response.status_code == 409
    started.refresh_from_db()
    assert started.title == "Rent arrears letters"


def test_it_adds_a_goal_and_records_a_result_once_started(client, world, writer):
    started = initiative_for(world)
    goal = started.goals.get()
    url = f"/api/initiatives/{started.pk}/goals/{goal.pk}/results"
    response = send(client, "post", url, writer, {"value": 47, "design": "before_after"})
    assert response.status_code == 201, response.content
    result = GoalResult.objects.get(pk=response.json()["id"])
    assert result.goal == goal and result.value == 47 and result.is_primary
    assert response.json()["verdict"] == result.verdict

    draft = send(client, "post", "/api/initiatives", writer, DRAFT).json()
    added = send(client, "post", f"/api/initiatives/{draft['id']}/goals", writer, GOAL)
    assert added.status_code == 201, added.content
    assert Goal.objects.get(pk=added.json()["id"]).initiative_id == draft["id"]


def test_a_result_needs_a_started_initiative(client, writer):
    draft = send(client, "post", "/api/initiatives", writer, DRAFT).json()
    goal = send(client, "post", f"/api/initiatives/{draft['id']}/goals", writer, GOAL).json()
    url = f"/api/initiatives/{draft['id']}/goals/{goal['id']}/results"
    response = send(client, "post", url, writer, {"value": 17, "design": "before_after"})
    assert response.status_code == 409
    assert "Start the initiative" in response.json()["detail"]
    assert not GoalResult.objects.exists()


def test_a_started_records_goals_cannot_be_added_to(client, world, writer):
    started = initiative_for(world)
    response = send(client, "post", f"/api/initiatives/{started.pk}/goals", writer, GOAL)
    assert response.status_code == 409
    assert started.goals.count() == 1


def test_a_locked_goal_is_refused_a_change_without_a_reason_as_on_its_page(client, world, writer):
    started = initiative_for(world)
    goal = started.goals.get()
    url = f"/api/initiatives/{started.pk}/goals/{goal.pk}"
    refused = send(client, "patch", url, writer, {"success_threshold": 35})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "reason"
    goal.refresh_from_db()
    assert goal.success_threshold == 40
    assert not GoalAmendment.objects.exists()

    amended = send(
        client, "patch", url, writer, {"success_threshold": 35, "reason": "Budget halved"}
    )
    assert amended.status_code == 200
    amendment = GoalAmendment.objects.get(goal=goal)
    assert amendment.before["success_threshold"] == 40
    assert amendment.after["success_threshold"] == 35


def test_a_draft_goal_changes_without_a_reason(client, writer):
    draft = send(client, "post", "/api/initiatives", writer, DRAFT).json()
    goal = send(client, "post", f"/api/initiatives/{draft['id']}/goals", writer, GOAL).json()
    url = f"/api/initiatives/{draft['id']}/goals/{goal['id']}"
    assert send(client, "patch", url, writer, {"target_value": 25}).status_code == 200
    assert Goal.objects.get(pk=goal["id"]).target_value == 25


def test_a_goal_measured_from_a_metric_is_set_up_through_the_api_as_on_its_page(
    client, world, writer
):
    own = make_metric(world)
    comparison = make_metric(world, name="Days to first contact, other estates")
    private_elsewhere = make_metric(world, organisation=world.org_b, visibility="private",
                                    actor=world["outsider"])  # fmt: skip
    # Two years of monthly figures before the start, for the last-12-months baseline.
    write(own, world.org_a, {p: 40.0 + i % 3 for i, p in enumerate(months(date(2025, 1, 1), 24))})
    draft = send(
        client, "post", "/api/initiatives", writer, {**DRAFT, "planned_start": "2027-01-04"}
    ).json()
    url = f"/api/initiatives/{draft['id']}/goals"
    measured = {
        **GOAL,
        "metric": own.pk,
        "baseline_rule": "last_periods",
        "baseline_periods": 12,
        "measured_design": "comparison",
        "comparison_metric": comparison.pk,
        "comparison_organisation": "lambeth",
        "judge_by": "2027-06-30",
    }
    added = send(client, "post", url, writer, measured)
    assert added.status_code == 201, added.content
    goal = Goal.objects.get(pk=added.json()["id"])
    assert (goal.metric, goal.baseline_rule, goal.baseline_periods) == (own, "last_periods", 12)
    assert (goal.measured_design, goal.comparison_metric) == ("comparison", comparison)
    assert goal.comparison_organisation == world.org_b
    shown = client.get(f"/api/initiatives/{draft['id']}", **bearer(writer)).json()["goals"][0]
    assert (shown["comparison_metric_id"], shown["comparison_organisation"]) == (
        comparison.pk,
        "lambeth",
    )
    # The same refusals as the goal form, each naming its field.
    for field, value, wording in [
        ("comparison_metric", private_elsewhere.pk, "no metric with that id"),
        ("comparison_organisation", "nowhere", "no organisation with that slug"),
        ("baseline_periods", None, "how many periods"),
    ]:
        refused = send(client, "post", url, writer, {**measured, field: value})
        assert refused.status_code == 422, (field, refused.content)
        errors = refused.json()["errors"]
        assert any(e["field"] == field and wording in e["message"] for e in errors), errors
    # A patch clears the computed design (null, as the empty choice on the page).
    patched = send(client, "patch", f"{url}/{goal.pk}", writer, {"measured_design": None})
    assert patched.status_code == 200, patched.content
    assert Goal.objects.get(pk=goal.pk).measured_design == ""


def test_another_organisation_cannot_touch_anything_even_by_guessing_ids(client, world, writer):
    started = initiative_for(world)
    goal = started.goals.get()
    draft = send(client, "post", "/api/initiatives", writer, DRAFT).json()
    other = key_for(world.org_b, "read", "register:write", "measures:write", "trials:write")
    attempts = [
        ("patch", f"/api/initiatives/{draft['id']}", {"title": "Taken"}),
        ("post", f"/api/initiatives/{draft['id']}/goals", GOAL),
        ("patch", f"/api/initiatives/{started.pk}/goals/{goal.pk}", {"target_value": 1}),
        (
            "post",
            f"/api/initiatives/{started.pk}/goals/{goal.pk}/results",
            {"value": 1, "design": "before_after"},
        ),
    ]
    for method, url, body in attempts:
        assert send(client, method, url, other, body).status_code == 404, url
    assert Initiative.objects.get(pk=draft["id"]).title == DRAFT["title"]
    assert Goal.objects.filter(initiative_id=draft["id"]).count() == 0
    assert not GoalResult.objects.exists()
    # Its own record with A's goal id: still not found.
    own = send(client, "post", "/api/initiatives", other, DRAFT).json()
    url = f"/api/initiatives/{own['id']}/goals/{goal.pk}"
    assert send(client, "patch", url, other, {"target_value": 1}).status_code == 404


def test_a_read_only_key_is_refused_every_register_write(client, world):
    raw = key_for(world.org_a, "read")
    response = send(client, "post", "/api/initiatives", raw, DRAFT)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "register:write" in response.json()["title"]
    assert not Initiative.objects.exists()


def test_an_idempotency_key_registers_one_record(client, writer):
    first = send(client, "post", "/api/initiatives", writer, DRAFT, HTTP_IDEMPOTENCY_KEY="r-1")
    again = send(client, "post", "/api/initiatives", writer, DRAFT, HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Initiative.objects.count() == 1
