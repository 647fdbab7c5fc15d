"""POST /api/trials/{id}/outcomes: a key with trials:write uploads a trial's outcome file
through the trial's own import, only once the analysis plan is locked."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.support import bearer, key_for
from tests.trials.test_app_fixtures import (
    allocated,
    csv_bytes,
    initiative_for,
    locked,
    outcomes_for,
    trial_for,
)
from whatworks.core.models import AuditEvent
from whatworks.trials import columns
from whatworks.trials.models import OutcomeSet, TrialStatus


def upload(client, trial, raw, data: bytes, **headers):
    return client.post(
        f"/api/trials/{trial.pk}/outcomes",
        {"file": SimpleUploadedFile("outcomes.csv", data, content_type="text/csv")},
        **bearer(raw),
        **headers,
    )


def test_it_stores_the_outcomes_of_a_locked_trial(client, world):
    trial = locked(world, allocated(world, trial_for(world, initiative_for(world)), 100))
    raw = key_for(world.org_a, "trials:write", name="Case system")
    response = upload(client, trial, raw, outcomes_for(trial))
    assert response.status_code == 200, response.content
    assert response.json() == {"trial": trial.pk, "rows": 100, "status": TrialStatus.OUTCOMES}
    assert OutcomeSet.objects.get(trial=trial).rows == 100
    event = AuditEvent.objects.get(action="trial.outcomes_uploaded")
    assert "Case system" in event.api_key_label


def test_it_refuses_outcomes_before_the_plan_is_locked(client, world):
    trial = allocated(world, trial_for(world, initiative_for(world)), 50)
    raw = key_for(world.org_a, "trials:write")
    response = upload(client, trial, raw, outcomes_for(trial))
    assert response.status_code == 409
    assert "Lock the analysis plan first" in response.json()["detail"]
    assert not OutcomeSet.objects.exists()


def test_it_names_each_bad_row_and_stores_nothing(client, world):
    trial = locked(world, allocated(world, trial_for(world, initiative_for(world)), 50))
    units = columns.unpack_text(trial.allocation.units)
    data = csv_bytes(["unit_id", "outcome"], [[units[0], 1], ["NOPE", 0], [units[1], 7]])
    response = upload(client, trial, key_for(world.org_a, "trials:write"), data)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    fields = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert (3, "unit_id") in fields and (4, "outcome") in fields
    assert not OutcomeSet.objects.exists()


def test_another_organisations_trial_is_not_found(client, world):
    trial = locked(world, allocated(world, trial_for(world, initiative_for(world)), 50))
    raw = key_for(world.org_b, "read", "trials:write")
    response = upload(client, trial, raw, outcomes_for(trial))
    assert response.status_code == 404
    assert upload(client, trial, raw, b"unit_id,outcome\n").status_code == 404
    assert not OutcomeSet.objects.exists()


def test_a_key_without_trials_write_is_refused(client, world):
    trial = locked(world, allocated(world, trial_for(world, initiative_for(world)), 50))
    raw = key_for(world.org_a, "read", "measures:write", "register:write")
    response = upload(client, trial, raw, outcomes_for(trial))
    assert response.status_code == 403
    assert "trials:write" in response.json()["title"]
    assert not OutcomeSet.objects.exists()


def _multipart(client, trial, raw, data: bytes, boundary: str, key: str):
    from django.test.client import encode_multipart

    body = encode_multipart(
        boundary, {"file": SimpleUploadedFile("outcomes.csv", data, content_type="text/csv")}
    )
    return client.post(
        f"/api/trials/{trial.pk}/outcomes",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IDEMPOTENCY_KEY=key,
        **bearer(raw),
    )


def test_the_same_file_sent_again_with_its_idempotency_key_is_answered_once(client, world):
    trial = locked(world, allocated(world, trial_for(world, initiative_for(world)), 50))
    raw = key_for(world.org_a, "trials:write")
    data = outcomes_for(trial)
    first = _multipart(client, trial, raw, data, "boundaryOne", "outcomes-1")
    # A retry: the same file, but the client picked a new multipart boundary.
    again = _multipart(client, trial, raw, data, "boundaryTwo", "outcomes-1")
    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert OutcomeSet.objects.filter(trial=trial).count() == 1
    other = outcomes_for(trial, effect=0.1)
    refused = _multipart(client, trial, raw, other, "boundaryThree", "outcomes-1")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "Idempotency-Key"


def test_a_large_file_is_imported_on_a_consumer_and_followed_through_its_job(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_IN_BACKGROUND_ROWS = 100  # the 400-row file counts as large
    trial = locked(world, allocated(world, trial_for(world, initiative_for(world)), 400))
    raw = key_for(world.org_a, "trials:write", name="Case system")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, trial, raw, outcomes_for(trial))
    assert response.status_code == 202, response.content
    accepted = response.json()
    assert accepted["status"] == "queued" and accepted["rows_total"] == 400
    status_url = accepted["status_url"]
    assert status_url.endswith(f"/api/trials/{trial.pk}/outcomes/jobs/{accepted['id']}")
    done = client.get(status_url, **bearer(raw)).json()
    assert (done["status"], done["rows_checked"], done["rows_written"]) == ("done", 400, 400)
    assert done["result_url"].endswith(f"/trials/{trial.pk}/results/")
    assert OutcomeSet.objects.get(trial=trial).rows == 400
    queued = AuditEvent.objects.get(action="trial.outcomes_queued")
    assert "Case system" in queued.api_key_label and queued.detail["job"] == accepted["id"]
    # Another organisation's key cannot read it, even with the right ids.
    elsewhere = key_for(world.org_b, "trials:write")
    assert client.get(status_url, **bearer(elsewhere)).status_code == 404


def test_a_large_file_with_bad_rows_fails_its_job_naming_them_and_stores_nothing(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_IN_BACKGROUND_ROWS = 100
    trial = locked(world, allocated(world, trial_for(world, initiative_for(world)), 400))
    units = columns.unpack_text(trial.allocation.units)
    rows = [[unit, 1] for unit in units[:150]] + [["NOPE", 0], [units[0], 2]]
    raw = key_for(world.org_a, "trials:write")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, trial, raw, csv_bytes(["unit_id", "outcome"], rows))
    assert response.status_code == 202, response.content
    failed = client.get(response.json()["status_url"], **bearer(raw)).json()
    assert failed["status"] == "failed" and failed["result_url"] is None
    fields = {(e["row"], e["field"]) for e in failed["errors"]}
    assert (152, "unit_id") in fields and (153, "unit_id") in fields
    assert not OutcomeSet.objects.exists()
