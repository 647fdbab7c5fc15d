"""The analysis plan lock, outcome uploads with per-row errors, results and the verdict."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.trials.test_app_fixtures import (
    allocated,
    csv_bytes,
    future,
    initiative_for,
    locked,
    outcomes_for,
    trial_for,
)
from whatworks.initiatives.models import GoalResult, Initiative
from whatworks.trials import columns, services
from whatworks.trials.models import OutcomeSet, TrialResult, TrialStatus


@pytest.fixture
def trial(world):
    return allocated(world, trial_for(world, initiative_for(world)), 400)


def post_file(client, url, data: bytes, name: str = "outcomes.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_it_refuses_outcomes_until_the_plan_is_locked(world, trial):
    with pytest.raises(ValidationError, match="Lock the analysis plan first"):
        services.outcomes_import(trial=trial, actor=world["analyst"], raw=outcomes_for(trial))
    assert not OutcomeSet.objects.exists()


def test_it_refuses_to_change_the_locked_plan(world, client_for, trial):
    trial = locked(world, trial)
    with pytest.raises(ValidationError) as refused:
        services.trial_update(trial=trial, actor=world["analyst"], alpha=0.1)
    assert "alpha" in refused.value.error_dict
    with pytest.raises(ValidationError):
        services.trial_update(trial=trial, actor=world["analyst"], analysis_date=future())
    with pytest.raises(ValidationError, match="already locked"):
        services.trial_lock_plan(trial=trial, actor=world["analyst"])
    # The title is not part of the plan and may still change.
    services.trial_update(trial=trial, actor=world["analyst"], title="Letters trial (2017)")


def test_it_names_each_bad_outcome_row_and_imports_nothing(world, client_for, trial):
    locked(world, trial)
    units = columns.unpack_text(trial.allocation.units)
    data = csv_bytes(
        ["unit_id", "outcome"],
        [
            [units[0], 1],
            ["NOPE", 0],
            [units[0], 0],
            [units[1], 2],
            [units[2], "yes please"],
            ["", 1],
            [units[3], ""],
        ],
    )
    response = post_file(client_for(world["analyst"]), f"/trials/{trial.pk}/outcomes/", data)
    body = response.content.decode()
    assert "The file has 6 problems: nothing was imported." in body
    assert "Unit NOPE is not one of the allocated units." in body
    assert f"Unit {units[0]} appears more than once (first on row 2)." in body
    assert "2 is outside the range: enter 0 or 1." in body
    assert "&#x27;yes please&#x27; is not a number." in body
    assert "Enter the outcome: it is empty." in body
    assert not OutcomeSet.objects.exists()


def test_it_checks_dates_and_event_flags_for_time_to_event(world):
    trial = allocated(
        world, trial_for(world, initiative_for(world), outcome_kind="time_to_event"), 40
    )
    locked(world, trial)
    units = columns.unpack_text(trial.allocation.units)
    data = csv_bytes(
        ["unit_id", "start_date", "end_date", "event"],
        [
            [units[0], "2017-01-01", "2017-02-01", 1],
            [units[1], "31/13/2017", "2017-02-01", 1],
            [units[2], "2017-01-01", "2017-02-01", "maybe"],
        ],
    )
    with pytest.raises(services.imports.UploadRejected) as rejected:
        services.outcomes_import(trial=trial, actor=world["analyst"], raw=data)
    messages = [str(e) for e in rejected.value.row_errors]
    assert messages == [
        "Row 3, column 'start_date': '31/13/2017' is not a date: use 2017-03-31 or 31/03/2017.",
        "Row 4, column 'event': Enter 1 if the event happened or 0 if follow-up ended first.",
    ]


def test_it_refuses_a_file_in_the_wrong_encoding(world, trial):
    locked(world, trial)
    with pytest.raises(services.imports.UploadRejected, match="binary|encoding"):
        services.outcomes_import(
            trial=trial, actor=world["analyst"], raw="unit_id,outcome\nA,1\n".encode("utf-16")
        )


def test_the_journey_lands_the_verdict_on_the_goal(world, client_for, trial):
    client = client_for(world["analyst"])
    assert client.post(f"/trials/{trial.pk}/plan/").status_code == 302
    response = post_file(client, f"/trials/{trial.pk}/outcomes/", outcomes_for(trial, effect=0.3))
    assert response.status_code == 302, response.content.decode()
    response = client.post(response["Location"])
    assert response["Location"] == f"/trials/{trial.pk}/results/"
    body = client.get(response["Location"]).content.decode()
    assert "Interim" not in body
    assert "Verdict against the goal: met" in body
    assert client.get(f"/trials/{trial.pk}/results.svg")["Content-Type"] == "image/svg+xml"
    exported = json.loads(client.get(f"/trials/{trial.pk}/results.json").content)
    assert exported["analysis"]["comparisons"][0]["measure"] == "difference in proportions"
    assert (
        "comparison,New letter,estimate,"
        in client.get(f"/trials/{trial.pk}/results.csv").content.decode()
    )

    response = client.post(f"/trials/{trial.pk}/verdict/")
    assert response["Location"] == f"/initiatives/{trial.initiative_id}/"
    result = GoalResult.objects.get(goal=trial.goal)
    stored = TrialResult.objects.get()
    assert stored.goal_result == result and result.is_primary
    # Reproduction: the register showed "baseline plus the difference" (e.g. "59.8454 %, n =
    # 600"). Now it keeps the difference with its interval, in percentage points, and what was
    # observed in each arm with the units that had outcomes.
    assert result.value is None and result.ci_low is None
    assert (result.effect, result.effect_low, result.effect_high) == (
        stored.estimate,
        stored.ci_low,
        stored.ci_high,
    )
    assert result.effect_scale == 100 and result.effect_unit == "percentage points"
    control, treated = result.figures
    assert (control["label"], treated["label"]) == ("Old letter", "New letter")
    assert treated["text"].endswith("% got in touch within 21 days")
    assert control["n"] + treated["n"] == result.sample_size == stored.n_units
    assert stored.std_error > 0 and stored.df is None  # stored, not read back from the interval
    assert result.verdict == "met" and result.design == "randomised"
    assert result.verdict_reason.startswith("The goal was met")
    assert result.criterion == trial.goal.snapshot()
    page = client.get(f"/initiatives/{trial.initiative_id}/").content.decode()
    assert "What was observed" in page and "percentage points (95% interval" in page
    assert "Old letter" in page and "units with an outcome" in page
    assert Initiative.objects.get(pk=trial.initiative_id).verdict == "met"
    trial.refresh_from_db()
    assert trial.status == TrialStatus.ANALYSED
    assert list(trial.status_changes.values_list("to_status", flat=True)) == [
        "designing",
        "allocated",
        "outcomes",
        "analysed",
    ]


def test_it_says_inconclusive_when_the_interval_spans_the_criterion_and_no_effect(world, trial):
    locked(world, trial)
    services.outcomes_import(
        trial=trial, actor=world["analyst"], raw=outcomes_for(trial, effect=0.05)
    )
    services.trial_record_verdict(trial=trial, actor=world["analyst"])
    assert GoalResult.objects.get().verdict == "inconclusive"


def test_it_marks_results_interim_and_refuses_a_verdict_before_the_analysis_date(world, client_for):
    trial = allocated(world, trial_for(world, initiative_for(world), analysis_date=future()), 200)
    locked(world, trial)
    services.outcomes_import(trial=trial, actor=world["analyst"], raw=outcomes_for(trial))
    body = client_for(world["analyst"]).get(f"/trials/{trial.pk}/results/").content.decode()
    assert "Interim result, before the planned analysis date" in body
    with pytest.raises(ValidationError, match="interim"):
        services.trial_record_verdict(trial=trial, actor=world["analyst"])
    assert not GoalResult.objects.exists()


def test_only_editors_record_the_verdict(world, client_for, trial):
    locked(world, trial)
    services.outcomes_import(trial=trial, actor=world["analyst"], raw=outcomes_for(trial))
    for persona in ("frontline", "outsider"):
        assert client_for(world[persona]).post(f"/trials/{trial.pk}/verdict/").status_code == 403
    # Aggregate results are for anyone who can see the initiative.
    assert client_for(world["outsider"]).get(f"/trials/{trial.pk}/results/").status_code == 200
    assert not GoalResult.objects.exists()
