"""A large file of figures is checked and imported on the task consumers (whatworks.core.jobs),
not inside a web request: the person follows the progress on the job's page, and can leave
and come back. The check keeps what the preview shows with the staged import
(importing.CheckedFile). The import checks the rows again (figures may have been added since
the preview), then writes them with the job's end in one transaction, so a consumer killed
part way leaves nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from whatworks.core import jobs
from whatworks.core.models import Job, JobStatus
from whatworks.core.tabular import estimate_rows
from whatworks.measures import services
from whatworks.measures.importing import CheckedFile
from whatworks.measures.models import StagedImport
from whatworks.organisations.models import User
from whatworks.ui.numbers import number

IMPORT = "measures.observations_import"
CHECK = "measures.observations_check"
GONE = "This file has been imported already, or has expired: upload it again."


def observations_import_later(*, staged: StagedImport, actor: User, rows: int) -> Job:
    return jobs.job_start(
        kind=IMPORT,
        owner=actor,
        arguments={"staged": str(staged.pk)},
        rows_total=rows,
        back_url=staged.get_absolute_url(),
    )


def is_large(staged: StagedImport) -> bool:
    """Checked and imported on a consumer rather than in the request."""
    return estimate_rows(bytes(staged.content)) > settings.IMPORT_IN_BACKGROUND_ROWS


def _staged(job: Job) -> StagedImport:
    staged = (
        StagedImport.objects.select_related("organisation", "metric")
        .filter(pk=job.arguments.get("staged"))
        .first()
    )
    if staged is None:
        raise ValidationError(GONE)
    return staged


def observations_check_later(*, staged: StagedImport, actor: User, preview_url: str) -> Job:
    """The job checking a large staged file for its preview: the one already under way for
    it and its policy, or a new one."""
    arguments = {"staged": str(staged.pk), "policy": staged.on_duplicate, "preview": preview_url}
    under_way = Job.objects.filter(
        kind=CHECK, arguments=arguments, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).first()
    return under_way or jobs.job_start(
        kind=CHECK,
        owner=actor,
        arguments=arguments,
        rows_total=estimate_rows(bytes(staged.content)),
        back_url=preview_url,
    )


def _check(job: Job, progress: jobs.Progress) -> None:
    staged = _staged(job)
    check = services.import_check(staged, progress=lambda rows: progress(checked=rows))
    checked = CheckedFile.of(check)

    def write() -> tuple[str, str, int]:
        # Kept only for the policy it was checked with: a change meanwhile has its own job.
        current = StagedImport.objects.filter(pk=staged.pk, on_duplicate=staged.on_duplicate)
        if not current.update(checked=checked.as_json()):
            raise ValidationError(GONE)
        if checked.ok:
            message = (
                f"All {number(checked.row_count, 0)} rows can be saved. Check them, then save."
            )
        else:
            problems = (
                "1 problem"
                if checked.error_count == 1
                else (f"{number(checked.error_count, 0)} problems")
            )
            message = f"The file has {problems}: nothing has been saved. They are listed next."
        return message, str(job.arguments["preview"]), 0

    jobs.finish_with(job, write, checked=check.total_rows)


def _import(job: Job, progress: jobs.Progress) -> None:
    staged = _staged(job)
    owner = job.owner
    if owner is None:
        raise ValidationError("The account that started this import has been closed.")
    check = services.import_check(staged, progress=lambda rows: progress(checked=rows))
    if not check.ok:
        raise services.ImportRefused(check)

    def write() -> tuple[str, str, int]:
        if not StagedImport.objects.filter(pk=staged.pk).exists():
            raise ValidationError(GONE)
        outcome = services.observations_import(staged=staged, actor=owner)
        written = outcome.created + outcome.replaced
        replaced = f", replacing {number(outcome.replaced, 0)}" if outcome.replaced else ""
        target = (
            reverse("metric-detail", args=[outcome.metrics[0].pk])
            if len(outcome.metrics) == 1
            else reverse("metric-list")
        )
        return f"{number(written, 0)} figures imported{replaced}.", target, written

    jobs.finish_with(job, write, checked=check.total_rows)


def observations_import_or_later(*, staged: StagedImport, actor: User) -> Job | None:
    """Import a large file on a consumer (its Job); None when it is small enough for now."""
    if is_large(staged):
        rows = estimate_rows(bytes(staged.content))
        return observations_import_later(staged=staged, actor=actor, rows=rows)
    return None


def register() -> None:
    jobs.register(jobs.Kind(IMPORT, "Importing the figures", _import))
    jobs.register(jobs.Kind(CHECK, "Checking the figures", _check))
