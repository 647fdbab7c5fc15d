"""A background job's page (issue 18) in a real browser: it updates in place as the job goes
on, and shows the result or the rows to correct; axe-clean and reflowing at both widths."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from whatworks.core.models import Job, JobStatus

from .browser import check_at_widths
from .test_journeys import sign_in


def _job(world: Any, **fields: Any) -> Job:
    return Job.objects.create(kind="trials.outcomes_check", owner=world["analyst"], **fields)


def test_a_running_job_updates_in_place_then_shows_its_result(
    page_factory: Any, base_url: str, world: Any
) -> None:
    job = _job(
        world, status=JobStatus.RUNNING, rows_total=1_000_000, rows_checked=250_000,
        started_at=timezone.now() - timedelta(seconds=60), heartbeat_at=timezone.now(),
    )  # fmt: skip
    pages = check_at_widths(
        page_factory, base_url, f"/jobs/{job.pk}/", "job-running",
        sign=lambda p: sign_in(p, base_url, world["analyst"].email),
    )  # fmt: skip
    page = pages[-1]
    expect(page.locator("[data-job=rows_checked]")).to_have_text("250,000")
    Job.objects.filter(pk=job.pk).update(rows_checked=600_000)
    expect(page.locator("[data-job=rows_checked]")).to_have_text("600,000")  # no reload
    assert page.locator("#job-progress").get_attribute("value") is not None
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, rows_checked=1_000_000, message="All 1,000,000 rows are correct.",
        next_url="/", finished_at=timezone.now(),
    )  # fmt: skip
    expect(page.get_by_text("All 1,000,000 rows are correct.")).to_be_visible()
    expect(page.get_by_role("link", name="Continue")).to_be_visible()


def test_a_failed_job_names_the_rows_to_correct(
    page_factory: Any, base_url: str, world: Any
) -> None:
    job = _job(
        world, status=JobStatus.FAILED, rows_total=400, rows_checked=400,
        message="The file has 2 problems: nothing was imported.", back_url="/",
        errors=[{"row": 152, "column": "unit_id", "message": "Unit NOPE is not one of the "
                 "allocated units."}, {"row": 1_153, "column": "outcome",
                 "message": "2 is outside the range: enter 0 or 1."}],
        finished_at=timezone.now(),
    )  # fmt: skip
    for page in check_at_widths(
        page_factory, base_url, f"/jobs/{job.pk}/", "job-failed",
        sign=lambda p: sign_in(p, base_url, world["analyst"].email),
    ):  # fmt: skip
        expect(page.locator(".govuk-error-summary")).to_contain_text("nothing was imported")
        expect(page.get_by_role("cell", name="1,153")).to_be_visible()
        expect(page.get_by_role("link", name="Upload a corrected file")).to_be_visible()
