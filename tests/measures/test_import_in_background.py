"""A large file of figures is checked for its preview and imported by a task consumer, each
with a progress page (issue 18); a small one stays in the request
(tests/measures/test_import.py). The consumer is Huey in immediate mode here, run when the
request's transaction commits."""

from __future__ import annotations

from datetime import date

import pytest

from tests.measures.conftest import csv_file
from whatworks.core.models import Job, JobStatus
from whatworks.measures import jobs, services
from whatworks.measures.models import Observation, StagedImport

MONTHS = [date(2020 + i // 12, i % 12 + 1, 1) for i in range(24)]
CSV = "period_start,value\n" + "".join(f"{m.isoformat()},{40 + i}\n" for i, m in enumerate(MONTHS))


@pytest.fixture(autouse=True)
def _large(settings):
    settings.IMPORT_IN_BACKGROUND_ROWS = 10  # the 24-row file counts as large


def _staged(upload, metric, client, capture, text=CSV):
    """Upload, and follow the preview through its check on the consumer back to itself."""
    response = upload(csv_file(text), metric)
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = response["Location"]
    with capture(execute=True):
        checking = client.get(preview)
    check = Job.objects.get(kind=jobs.CHECK)
    assert checking["Location"] == f"/jobs/{check.pk}/"
    assert client.get(preview).status_code == 200
    return StagedImport.objects.get()


def test_a_large_files_preview_is_checked_on_the_consumer_and_kept_for_the_page(
    world, metric, upload, client, django_capture_on_commit_callbacks, monkeypatch
):
    staged = _staged(upload, metric, client, django_capture_on_commit_callbacks)
    check = Job.objects.get(kind=jobs.CHECK)
    assert (check.status, check.rows_total, check.rows_checked) == (JobStatus.DONE, 24, 24)
    assert check.next_url == staged.get_absolute_url()
    assert "All 24 rows can be saved." in client.get(f"/jobs/{check.pk}/").content.decode()

    def not_in_the_request(*args, **kwargs):
        raise AssertionError("the preview checked the file again in the request")

    monkeypatch.setattr(services, "import_check", not_in_the_request)
    page = client.get(staged.get_absolute_url()).content.decode()
    assert "The file has 24 rows." in page
    assert "Save 24 figures" in page
    assert "1 January 2020" in page  # the first row, its date as a date
    assert not Observation.objects.exists()


def test_a_large_files_problems_are_listed_from_its_check(
    world, metric, upload, client, django_capture_on_commit_callbacks
):
    bad = CSV.replace("2020-03-01,42", "2020-03-01,lots")
    staged = _staged(upload, metric, client, django_capture_on_commit_callbacks, text=bad)
    check = Job.objects.get(kind=jobs.CHECK)
    assert check.status == JobStatus.DONE
    assert "The file has 1 problem: nothing has been saved." in check.message
    page = client.get(staged.get_absolute_url()).content.decode()
    assert "Row 4, column &#x27;value&#x27;" in page
    assert "Save " not in page


def test_a_preview_reloaded_while_its_check_waits_does_not_start_another(
    world, metric, upload, client
):
    preview = upload(csv_file(CSV), metric)["Location"]
    first, again = client.get(preview), client.get(preview)  # no consumer: the job waits
    assert first["Location"] == again["Location"]
    assert Job.objects.filter(kind=jobs.CHECK).count() == 1


def test_a_new_duplicate_policy_is_checked_again_on_the_consumer(
    world, metric, upload, client, django_capture_on_commit_callbacks
):
    staged = _staged(upload, metric, client, django_capture_on_commit_callbacks)
    client.post(staged.get_absolute_url(), {"on_duplicate": "replace"})
    staged.refresh_from_db()
    assert staged.checked is None
    with django_capture_on_commit_callbacks(execute=True):
        checking = client.get(staged.get_absolute_url())
    second = Job.objects.filter(kind=jobs.CHECK).latest("pk")
    assert checking["Location"] == f"/jobs/{second.pk}/"
    assert second.arguments["policy"] == "replace" and second.status == JobStatus.DONE
    assert client.get(staged.get_absolute_url()).status_code == 200


def test_a_large_file_is_imported_in_the_background_with_its_progress_page(
    world, metric, upload, client, django_capture_on_commit_callbacks
):
    staged = _staged(upload, metric, client, django_capture_on_commit_callbacks)
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
    staged = _staged(upload, metric, client, django_capture_on_commit_callbacks)
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
