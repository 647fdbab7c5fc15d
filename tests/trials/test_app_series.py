"""Before-and-after and comparison-group trials: the time-series upload with per-row errors,
the results page (headline, caveat, chart and data table) and the verdict on the goal."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.trials.test_app_fixtures import (
    csv_bytes,
    initiative_for,
    locked,
    months,
    series_file,
    series_trial,
    trial_for,
)
from whatworks.initiatives.models import GoalResult
from whatworks.trials import quasi, services
from whatworks.trials.models import SeriesSet, TrialResult, TrialStatus


def post_series(client, url, data: bytes, start: str = "2016-01-01"):
    return client.post(
        url,
        {"start": start, "file": SimpleUploadedFile("series.csv", data, content_type="text/csv")},
    )


def before_after(world, **fields):
    trial = trial_for(
        world, initiative_for(world), design="before_after", outcome_kind="mean", **fields
    )
    return locked(world, trial)


def test_the_before_and_after_journey_lands_the_verdict_with_evidence_level_2(world, client_for):
    trial = before_after(world, outcome_phrase="the share in touch")
    client = client_for(world["analyst"])
    assert f"/trials/{trial.pk}/series/" in client.get(f"/trials/{trial.pk}/").content.decode()
    response = post_series(client, f"/trials/{trial.pk}/series/", series_file(step=20.0))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"/trials/{trial.pk}/series/results/"
    body = client.get(response["Location"]).content.decode()
    assert "After the start, the share in touch was" in body
    assert quasi.ITS_CAVEAT in body
    assert f'src="/trials/{trial.pk}/series.svg"' in body
    assert "2015-01-01" in body  # the data table
    assert "Verdict against the goal: met" in body
    chart = client.get(f"/trials/{trial.pk}/series.svg")
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart.content.startswith(b"<?xml")

    response = client.post(f"/trials/{trial.pk}/verdict/")
    assert response["Location"] == f"/initiatives/{trial.initiative_id}/"
    result = GoalResult.objects.get(goal=trial.goal)
    assert result.design == "before_after" and result.evidence_level == 2
    assert result.verdict == "met"
    assert result.verdict_reason.startswith("The goal was met")
    assert quasi.ITS_CAVEAT in result.caveats  # frozen with the verdict
    assert result.sample_size == 24
    assert result.measure == "change in level" and result.value is None
    assert [row["n"] for row in result.figures] == [12, 12]
    assert TrialResult.objects.get(trial=trial).std_error > 0
    trial.refresh_from_db()
    assert trial.status == TrialStatus.ANALYSED
    with pytest.raises(ValidationError, match="can no longer be replaced"):
        services.series_import(
            trial=trial, actor=world["analyst"], raw=series_file(), start=months(24)[12]
        )


def test_the_comparison_journey_records_evidence_level_3_and_shows_the_pre_trend(world, client_for):
    trial = series_trial(world, design="comparison")
    client = client_for(world["analyst"])
    body = client.get(f"/trials/{trial.pk}/series/results/").content.decode()
    assert "in the treated group was" in body
    assert "relies on the groups having moved in parallel before" in body
    assert "Pre-trend check" in body
    assert client.get(f"/trials/{trial.pk}/series.svg").status_code == 200
    client.post(f"/trials/{trial.pk}/verdict/")
    result = GoalResult.objects.get(goal=trial.goal)
    assert result.design == "comparison" and result.evidence_level == 3
    assert any("relies on the groups having moved in parallel before" in c for c in result.caveats)


def test_it_names_each_bad_row_and_imports_nothing(world, client_for):
    trial = before_after(world)
    data = csv_bytes(
        ["period", "value"],
        [["2015-01-01", 1], ["31/13/2015", 2], ["2015-03-01", "lots"], ["2015-01-01", 4]],
    )
    response = post_series(client_for(world["analyst"]), f"/trials/{trial.pk}/series/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "nothing was imported" in body
    assert "is not a date" in body
    assert "is not a number" in body
    assert "appears more than once" in body
    assert not SeriesSet.objects.exists()


def test_a_comparison_series_needs_known_groups(world):
    trial = trial_for(world, initiative_for(world), design="comparison", outcome_kind="mean")
    locked(world, trial)
    data = csv_bytes(["period", "value", "group"], [["2015-01-01", 1, "control"]])
    with pytest.raises(ValidationError) as refused:
        services.series_import(trial=trial, actor=world["analyst"], raw=data, start=months(2)[1])
    assert "must be treated or comparison" in str(refused.value.row_errors[0])


def test_too_short_a_series_is_refused_with_its_reason_and_no_verdict(world, client_for):
    trial = before_after(world)
    services.series_import(
        trial=trial, actor=world["analyst"], raw=series_file(7, 12), start=months(19)[7]
    )
    client = client_for(world["analyst"])
    body = client.get(f"/trials/{trial.pk}/series/results/").content.decode()
    assert "at least 8 periods before and 8 after the start" in body
    assert client.get(f"/trials/{trial.pk}/series.svg").status_code == 404
    response = client.post(f"/trials/{trial.pk}/verdict/")
    assert response["Location"] == f"/trials/{trial.pk}/series/results/"
    assert not GoalResult.objects.exists()


def test_the_series_waits_for_the_plan_lock_and_randomised_trials_have_none(world, client_for):
    trial = trial_for(world, initiative_for(world), design="before_after", outcome_kind="mean")
    with pytest.raises(ValidationError, match="Lock the analysis plan"):
        services.series_import(
            trial=trial, actor=world["analyst"], raw=series_file(), start=months(24)[12]
        )
    randomised = trial_for(world, trial.initiative)
    client = client_for(world["analyst"])
    assert client.get(f"/trials/{randomised.pk}/series/").status_code == 404
    assert client.get(f"/trials/{randomised.pk}/series/results/").status_code == 404
