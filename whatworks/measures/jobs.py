"""A large file of figures is imported on the task consumers (whatworks.core.jobs), not inside
the web request: the person follows the progress on the job's page, and can leave and come
back. The rows are checked again (figures may have been added since the preview), then
written with the job's end in one transaction, so a consumer killed part way leaves nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from whatworks.core import jobs
from whatworks.core.models import Job
from whatworks.core.tabular import estimate_rows
from whatworks.measures import services
from whatworks.measures.models import StagedImport
from whatworks.organisations.models import User
from whatworks.ui.numbers import number

IMPORT = "measures.observations_import"
GONE = "This file has been imported already, or has expired: upload it again."


def observations_import_later(*, staged: StagedImport, actor: User, rows: int) -> Job:
    return jobs.job_start(
        kind=IMPORT,
        owner=actor,
        arguments={"staged": str(staged.pk)},
        rows_total=rows,
        back_url=staged.get_absolute_url(),
    )


def _import(job: Job, progress: jobs.Progress) -> None:
    staged = (
        StagedImport.objects.select_related("organisation", "metric")
        .filter(pk=job.arguments.get("staged"))
        .first()
    )
    if staged is None:
        raise ValidationError(GONE)
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
    rows = estimate_rows(bytes(staged.content))
    if rows > settings.IMPORT_IN_BACKGROUND_ROWS:
        return observations_import_later(staged=staged, actor=actor, rows=rows)
    return None


def register() -> None:
    jobs.register(jobs.Kind(IMPORT, "Importing the figures", _import))
