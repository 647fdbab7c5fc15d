"""Large outcome files are checked and imported by a task consumer, with a progress page
(issue 18); small ones stay in the request. The consumer is Huey in immediate mode here,
run when the request's transaction commits; tests/core/test_jobs_consumer_killed.py runs a
real consumer and kills it part way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.trials.test_app_fixtures import (
    allocated,
    csv_bytes,
    initiative_for,
    locked,
    outcomes_for,
    trial_for,
    units_file,
)
from whatworks.core import jobs
from whatworks.core.models import Job, JobStatus
from whatworks.trials import columns
from whatworks.trials import jobs as trial_jobs
from whatworks.trials.models import Allocation, OutcomeSet, PendingUpload

UNITS = 400


@pytest.fixture
def trial(world, settings):
    settings.IMPORT_IN_BACKGROUND_ROWS = 100  # the 400-row file counts as large
    trial = allocated(world, trial_for(world, initiative_for(world)), UNITS)
    locked(world, trial)
    return trial


def _post(client, trial, data, capture):
    with capture(execute=True):  # the job is queued when the request's transaction commits
        return client.post(
            f"/trials/{trial.pk}/outcomes/",
            {"file": SimpleUploadedFile("outcomes.csv", data, content_type="text/csv")},
        )


def test_a_large_file_is_checked_then_imported_in_the_background(
    world, client_for, trial, django_capture_on_commit_callbacks
):
    client = client_for(world["analyst"])
    response = _post(client, trial, outcomes_for(trial), django_capture_on_commit_callbacks)
    check = Job.objects.get(kind=trial_jobs.CHECK)
    assert response["Location"] == f"/jobs/{check.pk}/"
    assert (check.status, check.rows_total, check.rows_checked) == (JobStatus.DONE, UNITS, UNITS)
    page = client.get(response["Location"]).content.decode()
    assert "All 400 rows are correct." in page
    upload = PendingUpload.objects.get()
    assert upload.rows == UNITS
    assert check.next_url == f"/trials/{trial.pk}/outcomes/{upload.pk}/"
    assert not OutcomeSet.objects.exists()  # checked, not imported: the person confirms first

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check.next_url)
    imported = Job.objects.get(kind=trial_jobs.IMPORT)
    assert response["Location"] == f"/jobs/{imported.pk}/"
    assert (imported.status, imported.rows_written) == (JobStatus.DONE, UNITS)
    assert imported.next_url == f"/trials/{trial.pk}/results/"
    assert OutcomeSet.objects.get().rows == UNITS
    assert "400 outcomes imported." in client.get(f"/jobs/{imported.pk}/").content.decode()


def test_a_large_file_with_bad_rows_fails_naming_them_and_writes_nothing(
    world, client_for, trial, django_capture_on_commit_callbacks
):
    units = columns.unpack_text(trial.allocation.units)
    rows = [[unit, 1] for unit in units[:150]] + [["NOPE", 0], [units[0], 2]]
    data = csv_bytes(["unit_id", "outcome"], rows)
    client = client_for(world["analyst"])
    response = _post(client, trial, data, django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("The file has 2 problems: nothing was imported.")
    assert [e["row"] for e in job.errors] == [152, 153]
    page = client.get(response["Location"]).content.decode()
    assert "Unit NOPE is not one of the allocated units." in page
    assert f'href="/trials/{trial.pk}/outcomes/"' in page  # upload a corrected file
    assert not OutcomeSet.objects.exists()


def test_a_small_file_is_still_checked_in_the_request(world, client_for, trial, settings):
    settings.IMPORT_IN_BACKGROUND_ROWS = 5000
    client = client_for(world["analyst"])
    response = client.post(
        f"/trials/{trial.pk}/outcomes/",
        {"file": SimpleUploadedFile("o.csv", outcomes_for(trial), content_type="text/csv")},
    )
    assert response["Location"].startswith(f"/trials/{trial.pk}/outcomes/")
    assert not Job.objects.exists()


def test_only_the_person_who_started_a_job_sees_it(
    world, client_for, trial, django_capture_on_commit_callbacks
):
    _post(
        client_for(world["analyst"]), trial, outcomes_for(trial), django_capture_on_commit_callbacks
    )
    job = Job.objects.get()
    for person in ("officer", "admin", "outsider"):
        assert client_for(world[person]).get(f"/jobs/{job.pk}/").status_code == 404
        assert client_for(world[person]).get(f"/jobs/{job.pk}/status.json").status_code == 404
    status = client_for(world["analyst"]).get(f"/jobs/{job.pk}/status.json").json()
    assert status["finished"] and status["percent"] == 100


def test_the_page_refreshes_itself_while_the_job_runs(world, client_for, trial):
    job = Job.objects.create(
        kind=trial_jobs.CHECK, owner=world["analyst"], status=JobStatus.RUNNING,
        rows_total=1000, rows_checked=250, started_at=timezone.now() - timedelta(seconds=60),
    )  # fmt: skip
    page = client_for(world["analyst"]).get(f"/jobs/{job.pk}/").content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'value="25"' in page and "250</span> of about 1,000" in page
    assert "About 3 minutes" in page  # 250 rows a minute, 750 to go
    assert "core/job.js" in page


def test_a_job_whose_consumer_died_is_started_again_and_finishes_once(
    world, trial, settings, django_capture_on_commit_callbacks
):
    settings.JOB_LEASE_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=False):
        job = trial_jobs.outcomes_stage_later(
            trial=trial, actor=world["analyst"], raw=outcomes_for(trial), filename="o.csv"
        )
    # A consumer took it and died: running, its heartbeat two minutes old, nothing written.
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, heartbeat_at=timezone.now() - timedelta(minutes=2)
    )
    assert jobs.job_run(job.pk) is not None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    # A late duplicate of the task finds it finished and does nothing.
    assert jobs.job_run(job.pk) is None


def test_a_running_job_with_a_fresh_heartbeat_is_left_to_its_consumer(world, trial):
    job = Job.objects.create(
        kind=trial_jobs.CHECK, owner=world["analyst"], status=JobStatus.RUNNING, attempts=1,
        heartbeat_at=timezone.now(), arguments={"upload": 0},
    )  # fmt: skip
    assert jobs.job_run(job.pk) is None
    assert Job.objects.stalled(timezone.now(), jobs.lease()).count() == 0


def test_it_gives_up_after_three_tries_and_says_nothing_was_saved(world, trial):
    job = Job.objects.create(
        kind=trial_jobs.IMPORT, owner=world["analyst"], status=JobStatus.RUNNING, attempts=3,
        heartbeat_at=timezone.now() - timedelta(hours=1), arguments={"upload": 0},
    )  # fmt: skip
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Nothing was saved" in job.message
    assert not OutcomeSet.objects.exists()


def test_an_import_finished_by_one_attempt_is_not_written_by_another(world, trial):
    upload_job = trial_jobs.outcomes_stage_later(
        trial=trial, actor=world["analyst"], raw=outcomes_for(trial), filename="o.csv"
    )
    jobs.job_run(upload_job.pk)
    upload = PendingUpload.objects.get()
    first = trial_jobs.outcomes_confirm_later(trial=trial, actor=world["analyst"], upload=upload)
    jobs.job_run(first.pk)
    first.refresh_from_db()
    assert first.status == JobStatus.DONE
    # The same job's task delivered twice (a queue retry): finished, so nothing happens.
    assert jobs.job_run(first.pk) is None
    assert OutcomeSet.objects.count() == 1


def test_a_large_unit_list_is_checked_then_allocated_in_the_background(
    world, client_for, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_IN_BACKGROUND_ROWS = 100  # the 400-unit list counts as large
    trial = trial_for(world, initiative_for(world))
    client = client_for(world["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/trials/{trial.pk}/units/",
            {"file": SimpleUploadedFile("units.csv", units_file(UNITS), content_type="text/csv")},
        )
    check = Job.objects.get(kind=trial_jobs.UNITS_CHECK)
    assert response["Location"] == f"/jobs/{check.pk}/"
    assert (check.status, check.rows_total, check.rows_checked) == (JobStatus.DONE, UNITS, UNITS)
    upload = PendingUpload.objects.get()
    assert check.next_url == f"/trials/{trial.pk}/units/{upload.pk}/"
    assert not Allocation.objects.exists()  # checked, not allocated: the person confirms first

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check.next_url, {"seed": "7"})
    allocate = Job.objects.get(kind=trial_jobs.ALLOCATE)
    assert response["Location"] == f"/jobs/{allocate.pk}/"
    assert (allocate.status, allocate.rows_written) == (JobStatus.DONE, UNITS)
    assert allocate.next_url == f"/trials/{trial.pk}/allocation/"
    allocation = Allocation.objects.get(trial=trial)
    assert (allocation.n_units, allocation.seed) == (UNITS, 7)
    assert "400 units are allocated." in client.get(f"/jobs/{allocate.pk}/").content.decode()
    assert not PendingUpload.objects.exists()
