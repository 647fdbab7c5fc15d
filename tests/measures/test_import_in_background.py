"""A large file of figures is imported by a task consumer, with a progress page (issue 18);
a small one stays in the request (tests/measures/test_import.py). The consumer is Huey in
immediate mode here, run when the request's transaction commits."""

from __future__ import annotations

from datetime import date

import pytest

from tests.measures.conftest import csv_file
from whatworks.core.models import Job, JobStatus
from whatworks.measures import jobs
from whatworks.measures.models import Observation, StagedImport

MONTHS = [date(2020 + i // 12, i % 12 + 1, 1) for i in range(24)]
CSV = "period_start,value\n" + "".join(f"{m.isoformat()},{40 + i}\n" for i, m in enumerate(MONTHS))


@pytest.fixture(autouse=True)
def _large(settings):
    settings.IMPORT_IN_BACKGROUND_ROWS = 10  # the 24-row file counts as large


def _staged(upload, metric, client):
    response = upload(csv_file(CSV), metric)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert client.get(response["Location"]).status_code == 200  # the preview
    return StagedImport.objects.get()


def test_a_large_file_is_imported_in_the_background_with_its_progress_page(
    world, metric, upload, client, django_capture_on_commit_callbacks
):
    staged = _staged(upload, metric, client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/measures/upload/{staged.pk}/confirm/")
    job = Job.objects.get(kind=jobs.IMPORT)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.rows_total, job.rows_checked, job.rows_written) == (
        JobStatus.DONE,
        24,
        24,
        24,
    )
    assert job.next_url == f"/measures/{metric.pk}/"
    assert "24 figures imported." in client.get(f"/jobs/{job.pk}/").content.decode()
    stored = Observation.objects.filter(metric=metric).order_by("period_start")
    assert [(o.period_start, o.value) for o in stored] == [
        (m, 40.0 + i) for i, m in enumerate(MONTHS)
    ]
    assert not StagedImport.objects.exists()


def test_figures_added_since_the_preview_fail_the_job_naming_the_row_and_nothing_is_written(
    world, metric, upload, client, django_capture_on_commit_callbacks
):
    staged = _staged(upload, metric, client)
    Observation.objects.create(
        metric=metric, organisation=world.org_a, period_start=MONTHS[5], value=1.0
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/measures/upload/{staged.pk}/confirm/")
    job = Job.objects.get(kind=jobs.IMPORT)
    assert job.status == JobStatus.FAILED
    assert [e["row"] for e in job.errors] == [7]  # the header is row 1; MONTHS[5] is row 7
    assert Observation.objects.filter(metric=metric).count() == 1  # only the one added
    assert StagedImport.objects.filter(pk=staged.pk).exists()  # kept, to correct and retry
